namespace VidGen.Bench.Flops;

/// <summary>
/// What a block of <see cref="VidGen.Models.Unet3D"/> is, as the FLOP count and the profile group them; read
/// from the module's type (a layer outside any block: from its name). <see cref="Other"/>: a layer this list does
/// not know yet, counted under its own name.
/// </summary>
public enum BlockKind
{
    TextEncoder, TimeEmbedding, FrameConditioning, InitConv, Coordinates, Resnet, TemporalAttention, SpatialFullAttention, SpatialLinearAttention,
    CrossAttention, Downsample, Upsample, OutConv, Other,
}
