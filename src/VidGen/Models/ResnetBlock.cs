using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace VidGen.Models;

/// <summary>
/// Residual block of the factorised space-time U-Net: GroupNorm, SiLU, 1x3x3 conv, FiLM from the time/text
/// embedding, and optionally a zero-initialised 3x1x1 temporal conv. (B, Cin, F, H, W) -> (B, Cout, F, H, W).
/// </summary>
public sealed class ResnetBlock : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly GroupNorm norm1, norm2;
    private readonly Conv3d conv1, conv2;
    private readonly Conv3d? temporal_conv, res_conv;
    private readonly Linear film; // embedding -> (scale, shift)

    public ResnetBlock(string name, long dimIn, long dimOut, long embDim, int groups, bool temporalConv) : base(name)
    {
        norm1 = Norms.GroupNorm(Math.Min(groups, dimIn), dimIn);
        conv1 = Conv3d(dimIn, dimOut, (1, 3, 3), padding: (0, 1, 1));
        film = Linear(embDim, dimOut * 2);
        norm2 = Norms.GroupNorm(Math.Min(groups, dimOut), dimOut);
        conv2 = Conv3d(dimOut, dimOut, (1, 3, 3), padding: (0, 1, 1));
        if (temporalConv)
        {
            temporal_conv = Conv3d(dimOut, dimOut, (3, 1, 1), padding: (1, 0, 0));
            // Starts as the identity path, so the block begins as a per-frame image block (Ho et al.).
            using (no_grad()) { temporal_conv.weight!.zero_(); temporal_conv.bias!.zero_(); }
        }
        if (dimIn != dimOut) res_conv = Conv3d(dimIn, dimOut, 1);
        RegisterComponents();
    }

    /// <param name="x">(B, Cin, F, H, W)</param>
    /// <param name="emb">(B, E): time embedding plus pooled text; or (B, F, E) with a per-frame term</param>
    public override Tensor forward(Tensor x, Tensor emb)
    {
        using var scope = NewDisposeScope();
        var h = conv1.call(functional.silu(norm1.call(x)));
        if (temporal_conv is not null) h = h + TemporalConv(h);
        var ss = FilmParameters(emb).chunk(2, 1);                                       // (B, Cout, F or 1, 1, 1) x2
        h = norm2.call(h) * (ss[0] + 1) + ss[1];
        h = conv2.call(functional.silu(h));
        var skip = res_conv is null ? x : res_conv.call(x);
        return (h + skip).MoveToOuterDisposeScope();
    }

    /// <summary>(B, E) -> (B, 2*Cout, 1, 1, 1); (B, F, E) -> (B, 2*Cout, F, 1, 1).</summary>
    private Tensor FilmParameters(Tensor emb)
    {
        var ss = film.call(functional.silu(emb));
        return emb.dim() == 2
            ? ss.view(emb.shape[0], -1, 1, 1, 1)
            : ss.permute(0, 2, 1).unsqueeze(-1).unsqueeze(-1);
    }

    /// <summary>Which kernels this block runs (set for the whole model by <see cref="Unet3D.Kernels"/>).</summary>
    public KernelOptions Kernels { get; set; } = KernelOptions.Default;

    /// <summary>
    /// The 3x1x1 temporal conv, as built or as a 2D conv with a (3, 1) kernel over (B, C, F, H*W) views of the
    /// same input and weight: the same sums through another libtorch kernel (<see cref="KernelOptions.TemporalConvAs2d"/>).
    /// </summary>
    private Tensor TemporalConv(Tensor h)
    {
        // The 2D route bypasses temporal_conv.call, so a FlopCounter's hook does not see it: count with KernelOptions.Plain.
        if (!Kernels.TemporalConvAs2d) return temporal_conv!.call(h);
        long b = h.shape[0], c = h.shape[1], f = h.shape[2], hh = h.shape[3], ww = h.shape[4];
        var weight = temporal_conv!.weight!;                                               // (Cout, Cin, 3, 1, 1)
        using var flat = h.reshape(b, c, f, hh * ww);
        using var w2 = weight.view(weight.shape[0], weight.shape[1], weight.shape[2], 1);
        using var y = functional.conv2d(flat, w2, temporal_conv.bias, padding: new long[] { weight.shape[2] / 2, 0 });
        return y.view(b, weight.shape[0], f, hh, ww);
    }
}
