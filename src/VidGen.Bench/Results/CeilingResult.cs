namespace VidGen.Bench.Results;

/// <summary>
/// (a) <see cref="Matmul"/> (libtorch's fp32 matmul, 2048^3) is the ceiling every MFU figure divides by.
/// <see cref="GemmOneDnn"/> and <see cref="Conv"/> show what libtorch's other fp32 kernels reach.
/// </summary>
public sealed record CeilingResult(Rate Matmul, Rate? MatmulOneThread, Rate? GemmOneDnn, Rate? Conv);
