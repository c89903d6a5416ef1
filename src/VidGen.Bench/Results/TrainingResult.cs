namespace VidGen.Bench.Results;

/// <summary>
/// (b) Training throughput: optimizer steps (data, forward, backward, AdamW, EMA update) on a freshly initialised
/// model of the benchmarked model's config. <see cref="DataSecondsPerStep"/>: rendering the batch's clips and
/// making the tensor, timed alone (part of every step).
/// </summary>
public sealed record TrainingResult(int Batch, int Frames, int TimedSteps, double SecondsPerStep, double VideosPerSecond, double Gflops, double Mfu, int Threads, double DataSecondsPerStep);
