using System.Text.Json.Serialization;

namespace VidGen.Models;

/// <summary>Shape of the factorised space-time U-Net. Serialised into config.json beside the weights.</summary>
public sealed record Unet3DConfig
{
    public int Channels { get; init; } = 3;
    /// <summary>Base channel count; level i has Dim * DimMults[i] channels.</summary>
    public int Dim { get; init; } = 32;
    public int[] DimMults { get; init; } = { 1, 2, 4 };
    public int AttnHeads { get; init; } = 4;
    public int AttnDimHead { get; init; } = 16;
    public int Groups { get; init; } = 8;
    /// <summary>
    /// Pixels per side folded into channels before the first conv (space-to-depth, as in DiT's patching or
    /// Hoogeboom et al.'s simple diffusion): 2 runs the whole U-Net at half resolution for ~1/4 of the conv cost.
    /// </summary>
    public int PatchSize { get; init; } = 2;
    /// <summary>Spatial size the model is built for (square). Chooses linear vs full attention per level.</summary>
    public int SampleSize { get; init; } = 32;
    /// <summary>Levels at this resolution or below use full softmax spatial attention; above, linear attention.</summary>
    public int FullAttentionMaxResolution { get; init; } = 8;
    /// <summary>Levels at this resolution or below cross-attend to text tokens.</summary>
    public int CrossAttentionMaxResolution { get; init; } = 16;
    /// <summary>Levels above this resolution skip spatial attention entirely (convs only): the cheap path for CPU.</summary>
    public int SpatialAttentionMaxResolution { get; init; } = 8;
    /// <summary>Adds a zero-initialised 3x1x1 temporal conv inside every residual block.</summary>
    public bool TemporalConv { get; init; } = true;
    /// <summary>
    /// Feeds (x, y, frame) coordinates in [-1, 1] to the first conv and to every level through zero-initialised
    /// 1x1 convs (CoordConv, Liu et al. 2018). Convs are translation-equivariant, so "the object is at
    /// start + v f" otherwise has to be inferred from padding; with coordinates it is a few linear maps.
    /// </summary>
    public bool CoordinateChannels { get; init; } = true;
    /// <summary>
    /// Adds a per-frame term to every residual block's FiLM embedding, computed from the text tokens and the
    /// frame's position in the clip (zero at init; see <see cref="FrameConditioning"/>). Motion is "where the object is, as a function of
    /// the words and the frame": without this, text reaches the blocks only frame-independently (FiLM) or
    /// per pixel without the frame (cross-attention); docs/model-history.md has what that cost.
    /// </summary>
    public bool FrameConditioning { get; init; } = true;
    /// <summary>Longest clip the temporal relative position bias covers.</summary>
    public int MaxFrames { get; init; } = 32;
    /// <summary>Width of the text token embeddings cross-attention reads (the text encoder's output width).</summary>
    public int ContextDim { get; init; } = 64;

    [JsonIgnore] public int TimeEmbDim => Dim * 4;

    public void Validate()
    {
        if (Dim <= 0 || DimMults.Length == 0 || DimMults.Any(m => m <= 0))
            throw new ArgumentException("Unet3D needs Dim > 0 and at least one positive entry in DimMults");
        int levels = DimMults.Length;
        if (PatchSize < 1 || SampleSize % PatchSize != 0) throw new ArgumentException($"SampleSize {SampleSize} must divide by PatchSize {PatchSize}");
        if (SampleSize / PatchSize % (1 << (levels - 1)) != 0)
            throw new ArgumentException($"SampleSize {SampleSize} / PatchSize {PatchSize} must divide by 2^{levels - 1} for {levels} levels");
        if (AttnDimHead % 2 != 0 || AttnHeads <= 0) throw new ArgumentException("AttnHeads must be positive and AttnDimHead even");
    }
}
