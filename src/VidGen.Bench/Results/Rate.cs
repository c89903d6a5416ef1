namespace VidGen.Bench.Results;

/// <summary>A measured arithmetic rate: the best and the median of the timed runs, in GFLOP/s.</summary>
public sealed record Rate(string What, double Flops, double BestGflops, double MedianGflops, int Threads);
