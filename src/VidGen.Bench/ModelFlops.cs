using VidGen.Models;
using VidGen.Text;

namespace VidGen.Bench;

/// <summary>The kinds of block <see cref="Unet3D"/> is built from, as the FLOP count and the profile see them.</summary>
public enum BlockKind
{
    TextEncoder, TimeEmbedding, FrameConditioning, InitConv, Coordinates, Resnet, TemporalAttention, SpatialFullAttention, SpatialLinearAttention,
    CrossAttention, Downsample, Upsample, OutConv,
}

/// <summary>
/// One block of the network at one place in the U-Net. <see cref="Side"/> is the spatial side the block works at
/// (after 2x2 patching; for <see cref="BlockKind.Upsample"/> the side of its input). <see cref="DimIn"/> /
/// <see cref="DimOut"/> are channel counts (equal for attention and resampling).
/// </summary>
public sealed record BlockSpec(string Name, BlockKind Kind, long DimIn, long DimOut, int Side);

/// <summary>
/// FLOPs of one block for one clip (one batch row), split into convolutions, linear layers (including the 1x1
/// convs of linear attention) and attention matmuls (QK^T and AV, or linear attention's two context products).
/// <see cref="Parameters"/> is the block's parameter count from the same formulas: summed it must equal the real
/// model's, which checks that the walk sees every layer with the right shape.
/// </summary>
public sealed record BlockFlops(BlockSpec Block, double Conv, double Linear, double Attention, long Parameters)
{
    public double Total => Conv + Linear + Attention;
}

/// <summary>
/// Analytic FLOP count of <see cref="VideoDiffusionModel"/>'s forward pass, from the config alone (no hooks).
/// Method (the usual one for MFU, as in PaLM's appendix B and Megatron's papers):
/// <list type="bullet">
/// <item>a convolution costs 2 * Cin * Cout * kernel volume per output position (a multiply and an add per
/// weight; bias, padding zeros counted like data);</item>
/// <item>a linear layer 2 * in * out per token;</item>
/// <item>softmax attention 2 * L_k * inner for QK^T plus the same for AV, per query token (inner = heads * dim_head);
/// linear attention 2 * dim_head * inner per pixel for k v^T plus the same for the output product;</item>
/// <item>norms, activations, softmax, residual adds, FiLM and the sampler's own arithmetic are NOT counted: they
/// cost O(1) per element against O(channels) for the layers counted, and are bound by memory traffic, not
/// arithmetic (the profile in the benchmark shows what they cost in time).</item>
/// </list>
/// A training step costs 3x the forward (backward = 2x: gradients for activations and for weights).
/// Classifier-free guidance doubles the rows of every sampling forward.
/// </summary>
public static class ModelFlops
{
    /// <summary>Walks the U-Net exactly as <see cref="Unet3D"/>'s constructor builds it.</summary>
    public static IReadOnlyList<BlockSpec> Blocks(ModelConfig config)
    {
        var c = config.Unet;
        var list = new List<BlockSpec>();
        if (config.Text.Kind == TextEncoderKind.Builtin) list.Add(new("text_encoder", BlockKind.TextEncoder, config.Text.Dim, config.Text.Dim, 0));
        list.Add(new("time", BlockKind.TimeEmbedding, c.Dim, c.TimeEmbDim, 0));
        if (c.FrameConditioning) list.Add(new("frame_cond", BlockKind.FrameConditioning, c.ContextDim, c.TimeEmbDim, 0));
        long[] dims = c.DimMults.Select(m => (long)c.Dim * m).ToArray();
        int side = c.SampleSize / c.PatchSize;
        list.Add(new("init_conv", BlockKind.InitConv, (long)c.Channels * c.PatchSize * c.PatchSize, c.Dim, side));
        if (c.CoordinateChannels) list.Add(new("coord_conv", BlockKind.Coordinates, 3, c.Dim, side));
        list.Add(new("init_temporal_attn", BlockKind.TemporalAttention, c.Dim, c.Dim, side));

        void Level(string prefix, long dimIn, long dimOut, int res)
        {
            if (c.CoordinateChannels) list.Add(new($"{prefix}.coord_proj", BlockKind.Coordinates, 3, dimIn, res));
            list.Add(new($"{prefix}.block1", BlockKind.Resnet, dimIn, dimOut, res));
            list.Add(new($"{prefix}.block2", BlockKind.Resnet, dimOut, dimOut, res));
            if (res <= c.SpatialAttentionMaxResolution)
                list.Add(new($"{prefix}.spatial_attn", res <= c.FullAttentionMaxResolution ? BlockKind.SpatialFullAttention : BlockKind.SpatialLinearAttention, dimOut, dimOut, res));
            list.Add(new($"{prefix}.temporal_attn", BlockKind.TemporalAttention, dimOut, dimOut, res));
            if (res <= c.CrossAttentionMaxResolution) list.Add(new($"{prefix}.cross_attn", BlockKind.CrossAttention, dimOut, dimOut, res));
        }

        long prev = c.Dim;
        for (int i = 0; i < dims.Length; i++)
        {
            bool last = i == dims.Length - 1;
            Level($"downs.{i}", prev, dims[i], side);
            if (!last) { list.Add(new($"downs.{i}.resample", BlockKind.Downsample, dims[i], dims[i], side)); side /= 2; }
            prev = dims[i];
        }
        long mid = dims[^1];
        list.Add(new("mid_block1", BlockKind.Resnet, mid, mid, side));
        list.Add(new("mid_spatial_attn", side <= c.FullAttentionMaxResolution ? BlockKind.SpatialFullAttention : BlockKind.SpatialLinearAttention, mid, mid, side));
        list.Add(new("mid_temporal_attn", BlockKind.TemporalAttention, mid, mid, side));
        list.Add(new("mid_cross_attn", BlockKind.CrossAttention, mid, mid, side));
        list.Add(new("mid_block2", BlockKind.Resnet, mid, mid, side));
        for (int i = dims.Length - 1; i >= 0; i--)
        {
            long outDim = i == 0 ? c.Dim : dims[i - 1];
            string prefix = $"ups.{dims.Length - 1 - i}";
            Level(prefix, dims[i] * 2, outDim, side);
            if (i != 0) { list.Add(new($"{prefix}.resample", BlockKind.Upsample, outDim, outDim, side)); side *= 2; }
        }
        list.Add(new("final_block", BlockKind.Resnet, (long)c.Dim * 2, c.Dim, side));
        list.Add(new("out_conv", BlockKind.OutConv, c.Dim, (long)c.Channels * c.PatchSize * c.PatchSize, side));
        return list;
    }

    /// <summary>Per-block FLOPs of one forward pass for one clip of <paramref name="frames"/> frames.</summary>
    public static IReadOnlyList<BlockFlops> PerBlock(ModelConfig config, int frames)
    {
        var c = config.Unet;
        long inner = (long)c.AttnHeads * c.AttnDimHead, e = c.TimeEmbDim, ctx = c.ContextDim, f = frames;
        long textLen = config.Text.MaxLength;
        var result = new List<BlockFlops>();
        foreach (var b in Blocks(config))
        {
            long n = f * b.Side * b.Side;             // voxels (tokens) the block works on
            long d = b.DimOut;
            switch (b.Kind)
            {
                case BlockKind.TextEncoder:
                {
                    // Per layer: q, k, v, out projections 4 D^2 L, MLP 8 D^2 L (x2 for multiply-add), attention 4 L^2 D.
                    long dim = config.Text.Dim, l = textLen, layers = config.Text.Layers;
                    double lin = layers * (2.0 * 4 * dim * dim * l + 2.0 * 8 * dim * dim * l);
                    double att = layers * 4.0 * l * l * dim;
                    // Parameters: embedding table (vocabulary size unknown here: counted by the caller), positions,
                    // per layer 2 LayerNorms, q/k/v (no bias), out (bias), MLP (biases); final norm.
                    long p = l * dim + layers * (2 * 2 * dim + 3 * dim * dim + dim * dim + dim + dim * 4 * dim + 4 * dim + 4 * dim * dim + dim) + 2 * dim;
                    result.Add(new(b, 0, lin, att, p));
                    break;
                }
                case BlockKind.TimeEmbedding:
                    // time_in (Dim -> E), time_out (E -> E), text_to_emb (Dc -> E), once per clip; plus the null text.
                    result.Add(new(b, 0, 2.0 * (c.Dim * e + e * e + ctx * e), 0, c.Dim * e + e + e * e + e + ctx * e + e + 2 * ctx));
                    break;
                case BlockKind.FrameConditioning:
                {
                    // Per frame: position projection (K -> Dc), attention over the L tokens (q and out Dc x inner, scores
                    // and mix 4 L inner; k and v once per clip), hidden ([Dc, K] -> E), output (E -> E), layout head
                    // (E -> Dim x S) and the layout map (Dim x S coefficients times S basis values per pixel).
                    long k = Models.FrameConditioning.PositionFeatures, sb = SpatialBasis.Features, side0 = c.SampleSize / c.PatchSize;
                    double lin = 2.0 * f * (k * ctx + 2 * ctx * inner + (ctx + k) * e + e * e + e * c.Dim * sb + c.Dim * sb * side0 * side0)
                        + 2.0 * 2 * ctx * inner * textLen;
                    long p = k * ctx + ctx + 4 * ctx * inner + ctx + (ctx + k) * e + e + e * e + e + e * c.Dim * sb + c.Dim * sb;
                    result.Add(new(b, 0, lin, 4.0 * f * textLen * inner, p));
                    break;
                }
                case BlockKind.InitConv:
                    result.Add(new(b, 2.0 * b.DimIn * d * 49 * n, 0, 0, b.DimIn * d * 49 + d));
                    break;
                case BlockKind.Coordinates:
                    // No bias; the first one is 1x7x7 like init_conv, the per-level ones 1x1x1. FLOPs: see the class comment.
                    result.Add(new(b, 0, 0, 0, 3 * d * (b.Name == "coord_conv" ? 49 : 1)));
                    break;
                case BlockKind.OutConv:
                    result.Add(new(b, 2.0 * b.DimIn * d * n, 0, 0, b.DimIn * d + d));
                    break;
                case BlockKind.Resnet:
                {
                    long din = b.DimIn;
                    double conv = 2.0 * n * (9 * din * d + 9 * d * d + (c.TemporalConv ? 3 * d * d : 0) + (din != d ? din * d : 0));
                    long p = 2 * din + 9 * din * d + d + e * 2 * d + 2 * d + 2 * d + 9 * d * d + d
                        + (c.TemporalConv ? 3 * d * d + d : 0) + (din != d ? din * d + d : 0);
                    // FiLM: once per clip, or once per frame when the embedding has a per-frame term.
                    result.Add(new(b, conv, 2.0 * e * 2 * d * (c.FrameConditioning ? f : 1), 0, p));
                    break;
                }
                case BlockKind.TemporalAttention:
                    // LayerNorm, q/k/v (no bias), out (bias); every pixel attends over the clip's frames.
                    result.Add(new(b, 0, 2.0 * n * 4 * d * inner, 4.0 * n * f * inner,
                        2 * d + 3 * d * inner + inner * d + d + (long)c.AttnHeads * (2 * c.MaxFrames - 1) + (long)c.MaxFrames * d));
                    break;
                case BlockKind.SpatialFullAttention:
                    // GroupNorm(1), MHA over the frame's pixels.
                    result.Add(new(b, 0, 2.0 * n * 4 * d * inner, 4.0 * n * b.Side * b.Side * inner, 2 * d + 4 * d * inner + d));
                    break;
                case BlockKind.SpatialLinearAttention:
                    // GroupNorm(1), 1x1 conv to q, k, v (no bias), context k v^T and its product with q, 1x1 conv out.
                    result.Add(new(b, 0, 2.0 * n * 4 * d * inner, 4.0 * n * c.AttnDimHead * inner, 2 * d + 3 * d * inner + inner * d + d));
                    break;
                case BlockKind.CrossAttention:
                    // LayerNorm, q from pixels, k and v from the text tokens (once per clip), out; L keys per pixel.
                    result.Add(new(b, 0, 2.0 * n * 2 * d * inner + 2.0 * 2 * ctx * inner * textLen, 4.0 * n * textLen * inner,
                        2 * d + d * inner + 2 * ctx * inner + inner * d + d));
                    break;
                case BlockKind.Downsample:
                    // 1x4x4 stride-2 conv: output has a quarter of the positions.
                    result.Add(new(b, 2.0 * d * d * 16 * (n / 4), 0, 0, d * d * 16 + d));
                    break;
                case BlockKind.Upsample:
                    // Nearest 2x then 1x3x3 conv at the doubled side: four times the positions.
                    result.Add(new(b, 2.0 * d * d * 9 * (n * 4), 0, 0, d * d * 9 + d));
                    break;
            }
        }
        return result;
    }

    /// <summary>U-Net forward FLOPs for one clip (text encoder excluded).</summary>
    public static double UnetForward(ModelConfig config, int frames) =>
        PerBlock(config, frames).Where(b => b.Block.Kind != BlockKind.TextEncoder).Sum(b => b.Total);

    /// <summary>Built-in text encoder forward FLOPs for one prompt (0 for a frozen pretrained encoder: not counted).</summary>
    public static double TextForward(ModelConfig config) =>
        PerBlock(config, 1).Where(b => b.Block.Kind == BlockKind.TextEncoder).Sum(b => b.Total);

    /// <summary>FLOPs of one training clip: 3 x (U-Net + text encoder forward).</summary>
    public static double TrainingPerClip(ModelConfig config) => 3 * (UnetForward(config, config.Frames) + TextForward(config));

    /// <summary>
    /// FLOPs of generating a batch of clips: <paramref name="evaluations"/> denoiser calls, each a forward over
    /// 2 x batch rows with guidance (1 x without), plus encoding the prompt and the negative / null prompt once.
    /// </summary>
    public static double Generation(ModelConfig config, int frames, int batch, int evaluations, bool guided)
    {
        int rows = guided ? 2 * batch : batch;
        return (double)evaluations * rows * UnetForward(config, frames) + 2.0 * batch * TextForward(config);
    }

    /// <summary>Denoiser calls a sampler makes for a step count: Heun's corrector adds one per step but the last.</summary>
    public static int Evaluations(Diffusion.Samplers.SamplerKind sampler, int steps) =>
        sampler == Diffusion.Samplers.SamplerKind.Heun ? 2 * steps - 1 : steps;
}
