using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace VidGen.Models;

/// <summary>Text conditioning the U-Net reads. Tokens (B, L, Dc), Mask (B, L) bool (true = real token), Pooled (B, Dc).</summary>
public sealed record TextCondition(Tensor Tokens, Tensor Mask, Tensor Pooled);

/// <summary>
/// Factorised space-time 3D U-Net (Ho et al. 2022; lucidrains/video-diffusion-pytorch), made cheap for CPUs:
/// 1x3x3 convs, spatial attention only at low resolutions (linear above <c>FullAttentionMaxResolution</c>),
/// temporal attention with relative position bias at every level, cross-attention to text tokens at low
/// resolutions, FiLM from time + pooled text, and a learned null text for classifier-free guidance.
/// Knows nothing about noise schedules: it maps (x_t, t, text) to the raw prediction (eps or v).
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

        var temb = time_out.forward(functional.gelu(time_in.forward(Embeddings.Sinusoidal(t, Config.Dim).to_type(x.dtype))));
        var emb = temb + text_to_emb.forward(pooled);                                   // (B, E)
        Tensor? layout = null;                                                          // (B, F, C, K)
        if (frame_cond is not null)
        {
            var (film, coefs) = frame_cond.Forward(tokens, keyBias, x.shape[2], focusPresent);
            emb = emb.unsqueeze(1) + film;                                              // (B, F, E)
            layout = coefs;
        }

        var h = init_conv.forward(Patches.Fold(x, Config.PatchSize));
        if (coord_conv is not null) h = h + coord_conv.forward(Coordinates.Grid(h));
        if (layout is not null) h = h + FrameConditioning.LayoutMap(layout, h.shape[3], h.shape[4]);
        h = init_temporal_attn.Forward(h, focusPresent);
        var init = h;
        var skips = new Stack<Tensor>();
        foreach (var level in downs)
        {
            h = level.Forward(h, emb, tokens, keyBias, focusPresent);
            skips.Push(h);
            h = level.Resample(h);
        }
        h = mid_block1.Forward(h, emb);
        h = mid_spatial_attn.Forward(h);
        h = mid_temporal_attn.Forward(h, focusPresent);
        h = mid_cross_attn.Forward(h, tokens, keyBias);
        h = mid_block2.Forward(h, emb);
        foreach (var level in ups)
        {
            h = level.Forward(cat(new[] { h, skips.Pop() }, 1), emb, tokens, keyBias, focusPresent);
            h = level.Resample(h);
        }
        h = final_block.Forward(cat(new[] { h, init }, 1), emb);
        return Patches.Unfold(out_conv.forward(h), Config.PatchSize).MoveToOuterDisposeScope();
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

public enum Resample { None, Down, Up }

/// <summary>
/// Smooth functions of the pixel position for <see cref="FrameConditioning"/>'s layout: with x, y in [-1, 1],
/// x, y, then sin and cos of k*pi*x/2 and of k*pi*y/2 for k = 1..4 (18 in all; separable, the U-Net's
/// nonlinearities combine them).
/// </summary>
public static class SpatialBasis
{
    public const int Features = 18;

    /// <summary>(18, H, W)</summary>
    public static Tensor Of(long height, long width, ScalarType dtype, Device device)
    {
        using var scope = NewDisposeScope();
        var x = Coordinates.Axis(width, dtype, device);                                  // (W)
        var y = Coordinates.Axis(height, dtype, device);                                 // (H)
        var (sx, cx) = Coordinates.Fourier(x);                                          // (W, 4) each
        var (sy, cy) = Coordinates.Fourier(y);                                          // (H, 4) each
        Tensor AlongX(Tensor t) => t.T.view(-1, 1, width).expand(-1, height, width);      // (n, W) -> (n, H, W)
        Tensor AlongY(Tensor t) => t.T.view(-1, height, 1).expand(-1, height, width);     // (n, H) -> (n, H, W)
        return cat(new[] { AlongX(x.view(-1, 1)), AlongY(y.view(-1, 1)), AlongX(sx), AlongX(cx), AlongY(sy), AlongY(cy) }, 0)
            .MoveToOuterDisposeScope();
    }
}

/// <summary>
/// What the text says about each frame. Each frame's position p = linspace(-1, 1, F) queries the text tokens
/// (so a frame can read one word at full strength: in a masked mean over six tokens the direction word was
/// measured to be a sixth of a small difference), and an MLP of [what it read, fourier(p)] gives two things:
/// a per-frame FiLM term for every residual block, and a per-frame layout: coefficients on smooth spatial basis
/// functions, summed into a map added to the first features. Convs are translation-equivariant, so "the object
/// is on the right in frame 0 and on the left in frame 7" otherwise has to be built from padding and coordinate
/// channels, and at pure noise nothing else says where anything is. Both heads start at zero, so a model grown
/// with this starts unchanged.
/// </summary>
public sealed class FrameConditioning : nn.Module
{
    public const int PositionFeatures = 9; // p, then sin and cos of k*pi*p/2 for k = 1..4
    private readonly Linear position_proj, hidden, output, layout;
    private readonly MultiHeadAttention attn;
    private readonly long layoutChannels;

    public FrameConditioning(string name, long contextDim, long embDim, long layoutChannels, int heads, int dimHead) : base(name)
    {
        this.layoutChannels = layoutChannels;
        position_proj = Linear(PositionFeatures, contextDim);
        attn = new MultiHeadAttention("attn", contextDim, contextDim, heads, dimHead);
        hidden = Linear(contextDim + PositionFeatures, embDim);
        output = Linear(embDim, embDim);
        layout = Linear(embDim, layoutChannels * SpatialBasis.Features);
        using (no_grad()) { output.weight!.zero_(); output.bias!.zero_(); layout.weight!.zero_(); layout.bias!.zero_(); }
        RegisterComponents();
    }

    /// <param name="tokens">(B, L, Dc) text tokens</param>
    /// <param name="keyBias">(B, 1, 1, L) padding mask</param>
    /// <param name="focusPresent">(B) bool or null: those rows (independent frames) get zeros</param>
    /// <returns>Film (B, F, E) to add to the block embedding; Layout (B, F, C, K) coefficients for <see cref="LayoutMap"/></returns>
    public (Tensor Film, Tensor Layout) Forward(Tensor tokens, Tensor keyBias, long frames, Tensor? focusPresent)
    {
        using var scope = NewDisposeScope();
        long b = tokens.shape[0];
        var pos = PositionFeaturesOf(frames, tokens.dtype, tokens.device).unsqueeze(0).expand(b, -1, -1); // (B, F, K)
        var read = attn.Forward(position_proj.forward(pos), tokens, keyBias);           // (B, F, Dc)
        var h = functional.gelu(hidden.forward(cat(new[] { read, pos }, 2)));            // (B, F, E)
        var film = output.forward(h);
        var coefs = layout.forward(h).view(b, frames, layoutChannels, SpatialBasis.Features);
        if (focusPresent is not null)
        {
            var keep = focusPresent.logical_not().to_type(h.dtype);
            film = film * keep.view(b, 1, 1);
            coefs = coefs * keep.view(b, 1, 1, 1);
        }
        return (film.MoveToOuterDisposeScope(), coefs.MoveToOuterDisposeScope());
    }

    /// <summary>Layout coefficients (B, F, C, K) on a (H, W) grid -> map (B, C, F, H, W).</summary>
    public static Tensor LayoutMap(Tensor coefs, long height, long width)
    {
        using var scope = NewDisposeScope();
        long b = coefs.shape[0], f = coefs.shape[1], c = coefs.shape[2], k = coefs.shape[3];
        var basis = SpatialBasis.Of(height, width, coefs.dtype, coefs.device).view(k, height * width);
        var map = coefs.reshape(b * f * c, k).matmul(basis).view(b, f, c, height, width);
        return map.permute(0, 2, 1, 3, 4).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>(F, 9) Fourier features of the frame position p in [-1, 1] (0 for a single frame).</summary>
    public static Tensor PositionFeaturesOf(long frames, ScalarType dtype, Device device)
    {
        using var scope = NewDisposeScope();
        var p = Coordinates.Axis(frames, dtype, device);                                 // (F)
        var (sin, cos) = Coordinates.Fourier(p);                                        // (F, 4) each
        return cat(new[] { p.unsqueeze(1), sin, cos }, 1).MoveToOuterDisposeScope();
    }
}

/// <summary>Coordinate channels for CoordConv: (x, y, frame), each spanning [-1, 1] over the clip.</summary>
public static class Coordinates
{
    /// <summary>(1, 3, F, H, W) for a feature map shaped like <paramref name="like"/> (B, C, F, H, W).</summary>
    public static Tensor Grid(Tensor like)
    {
        long f = like.shape[2], h = like.shape[3], w = like.shape[4];
        using var scope = NewDisposeScope();
        var xs = Axis(w, like.dtype, like.device).view(1, 1, 1, 1, w).expand(1, 1, f, h, w);
        var ys = Axis(h, like.dtype, like.device).view(1, 1, 1, h, 1).expand(1, 1, f, h, w);
        var fs = Axis(f, like.dtype, like.device).view(1, 1, f, 1, 1).expand(1, 1, f, h, w);
        return cat(new[] { xs, ys, fs }, 1).MoveToOuterDisposeScope();
    }

    /// <summary>(n) positions spanning [-1, 1]; a single position sits at 0.</summary>
    public static Tensor Axis(long n, ScalarType dtype, Device device) =>
        n == 1 ? zeros(1, dtype: dtype, device: device) : linspace(-1, 1, n, dtype: dtype, device: device);

    /// <summary>Fourier terms of positions v (n): k * pi * v / 2 for k = 1..4, as (sin, cos), each (n, 4).</summary>
    public static (Tensor Sin, Tensor Cos) Fourier(Tensor v)
    {
        using var scope = NewDisposeScope();
        var k = arange(1, 5, dtype: v.dtype, device: v.device) * (float)(Math.PI / 2);     // (4)
        var angles = v.unsqueeze(1) * k.unsqueeze(0);                                   // (n, 4)
        return (angles.sin().MoveToOuterDisposeScope(), angles.cos().MoveToOuterDisposeScope());
    }

    /// <summary>A conv from the 3 coordinate channels whose weights start at zero, so adding it changes nothing.</summary>
    public static Conv3d ZeroConv(long outChannels, (long, long, long) kernel, (long, long, long) padding)
    {
        var conv = Conv3d(3, outChannels, kernel, padding: padding, bias: false);
        using (no_grad()) conv.weight!.zero_();
        return conv;
    }
}

/// <summary>Space-to-depth and back, per frame: (B, C, F, H, W) <-> (B, C*p*p, F, H/p, W/p).</summary>
public static class Patches
{
    public static Tensor Fold(Tensor x, int p)
    {
        if (p == 1) return x;
        long b = x.shape[0], c = x.shape[1], f = x.shape[2], h = x.shape[3], w = x.shape[4];
        using var v = x.view(b, c, f, h / p, p, w / p, p);
        using var perm = v.permute(0, 1, 4, 6, 2, 3, 5);                               // (B, C, p, p, F, H/p, W/p)
        return perm.reshape(b, c * p * p, f, h / p, w / p);
    }

    public static Tensor Unfold(Tensor x, int p)
    {
        if (p == 1) return x;
        long b = x.shape[0], cpp = x.shape[1], f = x.shape[2], hp = x.shape[3], wp = x.shape[4];
        using var v = x.view(b, cpp / (p * p), p, p, f, hp, wp);
        using var perm = v.permute(0, 1, 4, 5, 2, 6, 3);                               // (B, C, F, H/p, p, W/p, p)
        return perm.reshape(b, cpp / (p * p), f, hp * p, wp * p);
    }
}

/// <summary>One U-Net level: two residual blocks, spatial / temporal / text attention, then optional resampling.</summary>
public sealed class UnetLevel : nn.Module
{
    private readonly ResnetBlock block1, block2;
    private readonly SpatialAttentionBlock? spatial_attn;
    private readonly TemporalAttention temporal_attn;
    private readonly TextCrossAttention? cross_attn;
    private readonly Module<Tensor, Tensor>? resample;
    private readonly Conv3d? coord_proj; // coordinates -> this level's input, zero at init

    public UnetLevel(string name, long dimIn, long dimOut, Unet3DConfig c, int resolution, Resample resample) : base(name)
    {
        if (c.CoordinateChannels) coord_proj = Coordinates.ZeroConv(dimIn, (1, 1, 1), (0, 0, 0));
        block1 = new ResnetBlock("block1", dimIn, dimOut, c.TimeEmbDim, c.Groups, c.TemporalConv);
        block2 = new ResnetBlock("block2", dimOut, dimOut, c.TimeEmbDim, c.Groups, c.TemporalConv);
        if (resolution <= c.SpatialAttentionMaxResolution)
            spatial_attn = new SpatialAttentionBlock("spatial_attn", dimOut, c.AttnHeads, c.AttnDimHead, full: resolution <= c.FullAttentionMaxResolution);
        temporal_attn = new TemporalAttention("temporal_attn", dimOut, c.AttnHeads, c.AttnDimHead, c.MaxFrames);
        if (resolution <= c.CrossAttentionMaxResolution)
            cross_attn = new TextCrossAttention("cross_attn", dimOut, c.ContextDim, c.AttnHeads, c.AttnDimHead);
        this.resample = resample switch
        {
            Models.Resample.Down => new Downsample("resample", dimOut),
            Models.Resample.Up => new Upsample("resample", dimOut),
            _ => null,
        };
        RegisterComponents();
    }

    public Tensor Forward(Tensor x, Tensor emb, Tensor tokens, Tensor keyBias, Tensor? focusPresent)
    {
        if (coord_proj is not null) x = x + coord_proj.forward(Coordinates.Grid(x));
        var h = block1.Forward(x, emb);
        h = block2.Forward(h, emb);
        if (spatial_attn is not null) h = spatial_attn.Forward(h);
        h = temporal_attn.Forward(h, focusPresent);
        if (cross_attn is not null) h = cross_attn.Forward(h, tokens, keyBias);
        return h;
    }

    public Tensor Resample(Tensor x) => resample is null ? x : resample.forward(x);
}
