namespace VidGen.Bench.Results;

/// <summary>(c) One `pipeline.Generate` call: a batch of one clip, prompt encoding and frame conversion included.</summary>
public sealed record GenerationTiming(string Sampler, int Steps, int Frames, int Batch, int Evaluations, double Seconds, double SecondsPerEvaluation, double Gflops, double Mfu);
