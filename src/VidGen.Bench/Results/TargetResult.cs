namespace VidGen.Bench.Results;

/// <summary>A performance target, what was measured against it, and whether it was met.</summary>
public sealed record TargetResult(string Name, string Target, string Measured, bool Met, string Note);
