namespace VidGen.Models;

/// <summary>
/// How a model's layers compute, where two kernels give the same function (same parameters, same state-dict
/// keys, outputs equal to float rounding). A runtime choice of one model instance, never serialised: set it
/// with <see cref="Unet3D.Kernels"/> (or <see cref="VideoDiffusionModel.Kernels"/>). The defaults are the
/// fastest measured on the reference machine (bench/README.md, "Kernel levers").
/// </summary>
public sealed record KernelOptions
{
    /// <summary>The defaults every model starts with.</summary>
    public static KernelOptions Default { get; } = new();

    /// <summary>The plain modules as built: one attention sequence per pixel, the temporal conv through Conv3d.</summary>
    public static KernelOptions Plain { get; } = new() { PackTemporalTokens = 0, TemporalConvAs2d = false };

    /// <summary>
    /// Tokens per packed temporal-attention sequence: neighbouring pixels' frame sequences share one
    /// block-diagonal attention call (see <see cref="TemporalAttention"/>). Below two frames' worth, no packing.
    /// </summary>
    public int PackTemporalTokens { get; init; } = 16;

    /// <summary>Runs each residual block's 3x1x1 temporal conv as a 2D conv over (F, H*W) views of the same tensors.</summary>
    public bool TemporalConvAs2d { get; init; } = true;
}
