namespace VidGen.Bench.Flops;

/// <summary>
/// FLOPs of one block for one clip (one batch row), split into convolutions, linear layers (including the 1x1
/// convs of linear attention) and attention products (QK^T and AV, or linear attention's two context products).
/// <see cref="Parameters"/>: the parameters the block holds in the real model; summed over the blocks they are
/// the model's, which checks that every parameter lands in exactly one block.
/// </summary>
public sealed record BlockFlops(string Name, BlockKind Kind, double Conv, double Linear, double Attention, long Parameters)
{
    public double Total => Conv + Linear + Attention;
}
