using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace VidGen.Models;

/// <summary>
/// Attention across frames at each pixel, with a learned relative position bias per head (Ho et al. 2022).
/// <c>focusPresent</c> (B) bool: those clips attend only to their own frame, which trains them as independent
/// images (joint image-video training; lucidrains' focus-present mask).
/// </summary>
public sealed class TemporalAttention : nn.Module<Tensor, Tensor?, Tensor>
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
    public override Tensor forward(Tensor x, Tensor? focusPresent)
    {
        long b = x.shape[0], c = x.shape[1], f = x.shape[2], h = x.shape[3], w = x.shape[4];
        if (f > maxFrames) throw new ArgumentException($"clip has {f} frames; this model's temporal attention supports at most {maxFrames}");
        using var scope = NewDisposeScope();
        var seq = x.permute(0, 3, 4, 2, 1).reshape(b * h * w, f, c);                   // (B*H*W, F, C)
        var bias = RelativeBias(f, x.device).unsqueeze(0);                              // (1, heads, F, F)
        var normed = norm.call(seq) + frame_pos.narrow(0, 0, f).unsqueeze(0);          // (B*H*W, F, C)
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
