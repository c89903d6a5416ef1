using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace VidGen.Models;

/// <summary>
/// Multi-head attention on token sequences, self or cross, through libtorch's fused SDPA.
/// Queries (B, N, D); keys/values from <c>context</c> (B, M, Dc) or from the queries themselves.
/// </summary>
public sealed class MultiHeadAttention : nn.Module
{
    private readonly Linear to_q, to_k, to_v, to_out;
    private readonly int heads;

    public MultiHeadAttention(string name, long dim, long contextDim, int heads, int dimHead) : base(name)
    {
        this.heads = heads;
        long inner = (long)heads * dimHead;
        to_q = Linear(dim, inner, hasBias: false);
        to_k = Linear(contextDim, inner, hasBias: false);
        to_v = Linear(contextDim, inner, hasBias: false);
        to_out = Linear(inner, dim);
        RegisterComponents();
    }

    /// <param name="x">(B, N, D)</param>
    /// <param name="context">(B, M, Dc) or null for self-attention</param>
    /// <param name="bias">additive mask broadcastable to (B, heads, N, M): relative position bias, -inf for masked keys</param>
    /// <returns>(B, N, D)</returns>
    public Tensor Forward(Tensor x, Tensor? context = null, Tensor? bias = null)
    {
        var ctx = context ?? x;
        using var q = SplitHeads(to_q.forward(x));
        using var k = SplitHeads(to_k.forward(ctx));
        using var v = SplitHeads(to_v.forward(ctx));
        using var o = functional.scaled_dot_product_attention(q, k, v, attn_mask: bias);
        using var merged = o.transpose(1, 2).flatten(2); // (B, N, heads*dh)
        return to_out.forward(merged);
    }

    // (B, N, heads*dh) -> (B, heads, N, dh)
    private Tensor SplitHeads(Tensor t)
    {
        using (t) return t.unflatten(2, new long[] { heads, -1 }).transpose(1, 2);
    }

    /// <summary>Additive key-padding mask (B, 1, 1, M) from a boolean mask (B, M) where true = real token.</summary>
    public static Tensor KeyPaddingBias(Tensor mask, ScalarType dtype)
    {
        using var keep = mask.unsqueeze(1).unsqueeze(1);
        using var zeros = torch.zeros(1, dtype: dtype, device: mask.device);
        using var neg = torch.full(1, float.NegativeInfinity, dtype: dtype, device: mask.device);
        return torch.where(keep, zeros, neg);
    }
}

/// <summary>
/// Linear attention over the pixels of each frame (Shen et al. 2018, as in lucidrains' SpatialLinearAttention):
/// O(H*W) memory instead of O((H*W)^2), so it can run at high resolution. Input and output (B, C, F, H, W).
/// </summary>
public sealed class SpatialLinearAttention : nn.Module
{
    private readonly Conv2d to_qkv, to_out;
    private readonly int heads, dimHead;

    public SpatialLinearAttention(string name, long dim, int heads, int dimHead) : base(name)
    {
        this.heads = heads; this.dimHead = dimHead;
        to_qkv = Conv2d(dim, 3L * heads * dimHead, 1, bias: false);
        to_out = Conv2d((long)heads * dimHead, dim, 1);
        RegisterComponents();
    }

    public Tensor Forward(Tensor x)
    {
        long b = x.shape[0], c = x.shape[1], f = x.shape[2], h = x.shape[3], w = x.shape[4];
        using var scope = NewDisposeScope();
        var frames = x.transpose(1, 2).reshape(b * f, c, h, w);                         // (B*F, C, H, W)
        var qkv = to_qkv.forward(frames).reshape(b * f, 3, heads, dimHead, h * w);      // (B*F, 3, heads, dh, HW)
        var q = qkv.select(1, 0).softmax(-2) * (float)Math.Pow(dimHead, -0.5);          // softmax over features
        var k = qkv.select(1, 1).softmax(-1);                                          // softmax over positions
        var v = qkv.select(1, 2);
        var context = k.matmul(v.transpose(-1, -2));                                   // (B*F, heads, dh, dh)
        var o = context.transpose(-1, -2).matmul(q);                                   // (B*F, heads, dh, HW)
        var y = to_out.forward(o.reshape(b * f, (long)heads * dimHead, h, w));          // (B*F, C, H, W)
        return y.reshape(b, f, c, h, w).transpose(1, 2).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// Attention across frames at each pixel, with a learned relative position bias per head (Ho et al. 2022).
/// <c>focusPresent</c> (B) bool: those clips attend only to their own frame, which trains them as independent
/// images (joint image-video training; lucidrains' focus-present mask).
/// </summary>
public sealed class TemporalAttention : nn.Module
{
    private readonly MultiHeadAttention attn;
    private readonly LayerNorm norm;
    private readonly Parameter rel_pos_bias; // (heads, 2*maxFrames-1)
    private readonly Parameter frame_pos;    // (maxFrames, dim) absolute frame embedding, zero at init
    private readonly int heads, maxFrames;

    public TemporalAttention(string name, long dim, int heads, int dimHead, int maxFrames) : base(name)
    {
        this.heads = heads; this.maxFrames = maxFrames;
        norm = LayerNorm(dim);
        attn = new MultiHeadAttention("attn", dim, dim, heads, dimHead);
        rel_pos_bias = Parameter(zeros(heads, 2 * maxFrames - 1));
        // Relative bias alone tells a frame how far others are, not where it sits in the clip; motion
        // "start + v * f" is easiest with the absolute index too (AnimateDiff adds a position encoding to every
        // temporal block likewise). Zero init keeps a warm-started model's function unchanged.
        frame_pos = Parameter(zeros(maxFrames, dim));
        RegisterComponents();
    }

    /// <param name="x">(B, C, F, H, W)</param>
    /// <param name="focusPresent">(B) bool or null</param>
    public Tensor Forward(Tensor x, Tensor? focusPresent = null)
    {
        long b = x.shape[0], c = x.shape[1], f = x.shape[2], h = x.shape[3], w = x.shape[4];
        if (f > maxFrames) throw new ArgumentException($"clip has {f} frames; this model's temporal attention supports at most {maxFrames}");
        using var scope = NewDisposeScope();
        var seq = x.permute(0, 3, 4, 2, 1).reshape(b * h * w, f, c);                   // (B*H*W, F, C)
        var bias = RelativeBias(f, x.device).unsqueeze(0);                              // (1, heads, F, F)
        var normed = norm.forward(seq) + frame_pos.narrow(0, 0, f).unsqueeze(0);       // (B*H*W, F, C)
        Tensor y;
        long pack = focusPresent is null ? PackFactor(b * h * w, f, Kernels.PackTemporalTokens) : 1;
        if (pack > 1)
        {
            // The same attention, packed: `pack` neighbouring pixels' F-frame sequences form one sequence of pack*F
            // tokens whose block-diagonal mask keeps each pixel attending to its own frames only. libtorch's
            // attention has a fixed cost per (sequence, head) that dominates at small F, so fewer, longer sequences
            // run faster although the masked blocks are computed too. (B*H*W, F, C) -> (B*H*W/pack, pack*F, C) is a view.
            var packed = attn.Forward(normed.view(b * h * w / pack, pack * f, c), null, BlockDiagonal(bias, pack, f));
            y = packed.view(b * h * w, f, c);
        }
        else
        {
            if (focusPresent is not null)
            {
                // Off-diagonal entries become -inf for the clips trained as independent frames.
                var offDiag = ones(f, f, dtype: ScalarType.Bool, device: x.device).logical_xor(eye(f, dtype: ScalarType.Bool, device: x.device));
                var blocked = focusPresent.view(b, 1, 1, 1).logical_and(offDiag.view(1, 1, f, f));   // (B, 1, F, F)
                var perClip = bias.masked_fill(blocked, float.NegativeInfinity);                       // (B, heads, F, F)
                bias = perClip.repeat_interleave(h * w, 0);                                             // (B*H*W, heads, F, F)
            }
            y = attn.Forward(normed, null, bias);
        }
        var outSeq = seq + y;
        return outSeq.reshape(b, h, w, f, c).permute(0, 4, 3, 1, 2).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>Which kernels this module runs (set for the whole model by <see cref="Unet3D.Kernels"/>).</summary>
    public KernelOptions Kernels { get; set; } = KernelOptions.Default;

    /// <summary>Pixels per packed sequence: <paramref name="packTokens"/> / F, lowered until it divides the sequence count.</summary>
    internal static long PackFactor(long sequences, long f, int packTokens)
    {
        long pack = Math.Max(1, packTokens / f);
        while (pack > 1 && sequences % pack != 0) pack--;
        return pack;
    }

    /// <summary>(1, heads, F, F) -> (1, heads, pack*F, pack*F): the bias on the diagonal blocks, -inf elsewhere.</summary>
    static Tensor BlockDiagonal(Tensor bias, long pack, long f)
    {
        var onBlock = eye(pack, dtype: ScalarType.Bool, device: bias.device).repeat_interleave(f, 0).repeat_interleave(f, 1); // (pF, pF)
        var tiled = bias.repeat(1, 1, pack, pack);                                                                               // (1, heads, pF, pF)
        return tiled.masked_fill(onBlock.logical_not(), float.NegativeInfinity);
    }

    // (heads, F, F): bias[h, i, j] = table[h, j - i + maxFrames - 1]
    private Tensor RelativeBias(long f, Device device)
    {
        var pos = arange(f, device: device);
        var rel = pos.unsqueeze(0) - pos.unsqueeze(1) + (maxFrames - 1);                // (F, F), j - i
        return rel_pos_bias.index_select(1, rel.flatten()).view(heads, f, f);
    }
}

/// <summary>Per-frame full softmax attention over pixels; for low resolutions only. (B, C, F, H, W) in and out.</summary>
public sealed class SpatialFullAttention : nn.Module
{
    private readonly MultiHeadAttention attn;

    public SpatialFullAttention(string name, long dim, int heads, int dimHead) : base(name)
    {
        attn = new MultiHeadAttention("attn", dim, dim, heads, dimHead);
        RegisterComponents();
    }

    public Tensor Forward(Tensor normed)
    {
        long b = normed.shape[0], c = normed.shape[1], f = normed.shape[2], h = normed.shape[3], w = normed.shape[4];
        using var scope = NewDisposeScope();
        var seq = normed.permute(0, 2, 3, 4, 1).reshape(b * f, h * w, c);              // (B*F, HW, C)
        var y = attn.Forward(seq);
        return y.reshape(b, f, h, w, c).permute(0, 4, 1, 2, 3).contiguous().MoveToOuterDisposeScope();
    }
}

/// <summary>Cross-attention from every pixel of the clip to the text tokens. (B, C, F, H, W) in and out (residual).</summary>
public sealed class TextCrossAttention : nn.Module
{
    private readonly LayerNorm norm;
    private readonly MultiHeadAttention attn;

    public TextCrossAttention(string name, long dim, long contextDim, int heads, int dimHead) : base(name)
    {
        norm = LayerNorm(dim);
        attn = new MultiHeadAttention("attn", dim, contextDim, heads, dimHead);
        RegisterComponents();
    }

    /// <param name="tokens">(B, L, Dc)</param>
    /// <param name="keyBias">(B, 1, 1, L) additive, from <see cref="MultiHeadAttention.KeyPaddingBias"/></param>
    public Tensor Forward(Tensor x, Tensor tokens, Tensor keyBias)
    {
        long b = x.shape[0], c = x.shape[1], f = x.shape[2], h = x.shape[3], w = x.shape[4];
        using var scope = NewDisposeScope();
        var seq = x.permute(0, 2, 3, 4, 1).reshape(b, f * h * w, c);                   // (B, FHW, C)
        var y = seq + attn.Forward(norm.forward(seq), tokens, keyBias);
        return y.reshape(b, f, h, w, c).permute(0, 4, 1, 2, 3).contiguous().MoveToOuterDisposeScope();
    }
}
