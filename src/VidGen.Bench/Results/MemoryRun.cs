namespace VidGen.Bench.Results;

/// <summary>(e) One command run as a child process for its peak resident memory; <see cref="Error"/> when it failed.</summary>
public sealed record MemoryRun(string Label, string Command, int ExitCode, double PeakRssMiB, double WallSeconds, int Samples, string? Error);
