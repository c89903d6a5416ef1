using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace VidGen.Models;

/// <summary>
/// Factorised space-time 3D U-Net (Ho et al. 2022; lucidrains/video-diffusion-pytorch), made cheap for CPUs:
/// 1x3x3 convs, spatial attention only at low resolutions (linear above <c>FullAttentionMaxResolution</c>),
/// temporal attention with relative position bias at every level, cross-attention to text tokens at low
/// resolutions, FiLM from time + pooled text, and a learned null text for classifier-free guidance.
/// Knows nothing about noise schedules: it maps (x_t, t, text) to the raw prediction (eps or v).
/// Every layer and block is invoked through <c>call</c>, which runs forward hooks (TorchSharp's <c>forward</c> does
/// not), so tools that read the real module tree see every one: <see cref="FlopCounter"/>, the benchmark's profile.
/// </summary>
public sealed class Unet3D : nn.Module
{
    public Unet3DConfig Config { get; }

    /// <summary>
    /// Which of two equal kernels the layers run (runtime only, not saved). Setting it reaches every block of this
    /// model, and no other model.
    /// </summary>
    public KernelOptions Kernels
    {
        get => kernels;
        set
        {
            kernels = value ?? throw new ArgumentNullException(nameof(value));
            foreach (var m in modules())
            {
                if (m is TemporalAttention t) t.Kernels = value;
                else if (m is ResnetBlock r) r.Kernels = value;
            }
        }
    }
    private KernelOptions kernels = KernelOptions.Default;

    private readonly Conv3d init_conv, out_conv;
    private readonly Conv3d? coord_conv; // coordinates -> first features, zero at init
    private readonly TemporalAttention init_temporal_attn;
    private readonly Linear time_in, time_out, text_to_emb;
    private readonly FrameConditioning? frame_cond; // (text tokens, frame position) -> per-frame FiLM term
    private readonly ModuleList<UnetLevel> downs, ups;
    private readonly ResnetBlock mid_block1, mid_block2, final_block;
    private readonly SpatialAttentionBlock mid_spatial_attn;
    private readonly TemporalAttention mid_temporal_attn;
    private readonly TextCrossAttention mid_cross_attn;
    private readonly Parameter null_tokens;  // (1, 1, Dc) the learned "blank caption"
    private readonly Parameter null_pooled;  // (1, Dc)

    public Unet3D(Unet3DConfig config) : base("unet")
    {
        config.Validate();
        Config = config;
        var c = config;
        long initDim = c.Dim, emb = c.TimeEmbDim;
        long[] dims = c.DimMults.Select(m => (long)c.Dim * m).ToArray();

        long patched = (long)c.Channels * c.PatchSize * c.PatchSize;
        init_conv = Conv3d(patched, initDim, (1, 7, 7), padding: (0, 3, 3));
        if (c.CoordinateChannels) coord_conv = Coordinates.ZeroConv(initDim, (1, 7, 7), (0, 3, 3));
        init_temporal_attn = new TemporalAttention("init_temporal_attn", initDim, c.AttnHeads, c.AttnDimHead, c.MaxFrames);
        time_in = Linear(initDim, emb);
        time_out = Linear(emb, emb);
        text_to_emb = Linear(c.ContextDim, emb);
        if (c.FrameConditioning) frame_cond = new FrameConditioning("frame_cond", c.ContextDim, emb, initDim, c.AttnHeads, c.AttnDimHead);

        var downList = new List<UnetLevel>();
        long prev = initDim;
        int res = c.SampleSize / c.PatchSize;
        for (int i = 0; i < dims.Length; i++)
        {
            bool last = i == dims.Length - 1;
            downList.Add(new UnetLevel($"{i}", prev, dims[i], c, res, resample: last ? Resample.None : Resample.Down));
            prev = dims[i];
            if (!last) res /= 2;
        }
        downs = new ModuleList<UnetLevel>(downList.ToArray());

        long midDim = dims[^1];
        mid_block1 = new ResnetBlock("mid_block1", midDim, midDim, emb, c.Groups, c.TemporalConv);
        mid_spatial_attn = new SpatialAttentionBlock("mid_spatial_attn", midDim, c.AttnHeads, c.AttnDimHead, full: res <= c.FullAttentionMaxResolution);
        mid_temporal_attn = new TemporalAttention("mid_temporal_attn", midDim, c.AttnHeads, c.AttnDimHead, c.MaxFrames);
        mid_cross_attn = new TextCrossAttention("mid_cross_attn", midDim, c.ContextDim, c.AttnHeads, c.AttnDimHead);
        mid_block2 = new ResnetBlock("mid_block2", midDim, midDim, emb, c.Groups, c.TemporalConv);

        var upList = new List<UnetLevel>();
        for (int i = dims.Length - 1; i >= 0; i--)
        {
            long outDim = i == 0 ? initDim : dims[i - 1];
            upList.Add(new UnetLevel($"{dims.Length - 1 - i}", dims[i] * 2, outDim, c, res, resample: i == 0 ? Resample.None : Resample.Up));
            if (i != 0) res *= 2;
        }
        ups = new ModuleList<UnetLevel>(upList.ToArray());

        final_block = new ResnetBlock("final_block", initDim * 2, initDim, emb, c.Groups, c.TemporalConv);
        out_conv = Conv3d(initDim, patched, 1);
        null_tokens = Parameter(randn(1, 1, c.ContextDim) * 0.02f);
        null_pooled = Parameter(randn(1, c.ContextDim) * 0.02f);
        RegisterComponents();
    }

    /// <param name="x">(B, C, F, H, W) noisy clip</param>
    /// <param name="t">(B) timesteps, float (fractional allowed)</param>
    /// <param name="text">text condition; rows where <paramref name="dropText"/> is true use the learned null text</param>
    /// <param name="dropText">(B) bool or null</param>
    /// <param name="focusPresent">(B) bool or null: those clips are trained as independent frames</param>
    /// <returns>(B, C, F, H, W) raw network prediction</returns>
    public Tensor Forward(Tensor x, Tensor t, TextCondition text, Tensor? dropText = null, Tensor? focusPresent = null)
    {
        using var scope = NewDisposeScope();
        var (tokens, mask, pooled) = ApplyNullText(text, dropText);
        var keyBias = MultiHeadAttention.KeyPaddingBias(mask, x.dtype);                  // (B, 1, 1, L)

        var temb = time_out.call(functional.gelu(time_in.call(Embeddings.Sinusoidal(t, Config.Dim).to_type(x.dtype))));
        var emb = temb + text_to_emb.call(pooled);                                      // (B, E)
        Tensor? layout = null;                                                          // (B, F, C, K)
        if (frame_cond is not null)
        {
            var (film, coefs) = frame_cond.Forward(tokens, keyBias, x.shape[2], focusPresent);
            emb = emb.unsqueeze(1) + film;                                              // (B, F, E)
            layout = coefs;
        }

        var h = init_conv.call(Patches.Fold(x, Config.PatchSize));
        if (coord_conv is not null) h = h + coord_conv.call(Coordinates.Grid(h));
        if (layout is not null)
        {
            var map = FrameConditioning.LayoutMap(layout, h.shape[3], h.shape[4]);     // (B, Dim, F, H, W)
            FlopCounter.Matmul(frame_cond!, map, inner: SpatialBasis.Features, FlopKind.Linear); // K basis coefficients per pixel
            h = h + map;
        }
        h = init_temporal_attn.call(h, focusPresent);
        var init = h;
        var skips = new Stack<Tensor>();
        foreach (var level in downs)
        {
            h = level.Forward(h, emb, tokens, keyBias, focusPresent);
            skips.Push(h);
            h = level.Resample(h);
        }
        h = mid_block1.call(h, emb);
        h = mid_spatial_attn.call(h);
        h = mid_temporal_attn.call(h, focusPresent);
        h = mid_cross_attn.call(h, tokens, keyBias);
        h = mid_block2.call(h, emb);
        foreach (var level in ups)
        {
            h = level.Forward(cat(new[] { h, skips.Pop() }, 1), emb, tokens, keyBias, focusPresent);
            h = level.Resample(h);
        }
        h = final_block.call(cat(new[] { h, init }, 1), emb);
        return Patches.Unfold(out_conv.call(h), Config.PatchSize).MoveToOuterDisposeScope();
    }

    private (Tensor Tokens, Tensor Mask, Tensor Pooled) ApplyNullText(TextCondition text, Tensor? drop)
    {
        if (drop is null) return (text.Tokens, text.Mask, text.Pooled);
        long b = text.Tokens.shape[0], l = text.Tokens.shape[1];
        var d3 = drop.view(b, 1, 1);
        var tokens = where(d3, null_tokens.expand(b, l, -1), text.Tokens);
        // A dropped row keeps exactly one valid key (the null token) so attention stays defined.
        var firstOnly = zeros(b, l, dtype: ScalarType.Bool, device: drop.device);
        firstOnly[TensorIndex.Colon, 0] = tensor(true);
        var mask = where(drop.view(b, 1), firstOnly, text.Mask);
        var pooled = where(drop.view(b, 1), null_pooled.expand(b, -1), text.Pooled);
        return (tokens, mask, pooled);
    }
}
