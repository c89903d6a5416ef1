using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace VidGen.Models;

/// <summary>
/// What the text says about each frame. Each frame's position p = linspace(-1, 1, F) queries the text tokens
/// (so a frame can read one word at full strength instead of its share of a pooled mean), and an MLP of
/// [what it read, fourier(p)] gives two things:
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
    /// <param name="frames">F, the clip's frame count</param>
    /// <param name="focusPresent">(B) bool or null: those rows (independent frames) get zeros</param>
    /// <returns>Film (B, F, E) to add to the block embedding; Layout (B, F, C, K) coefficients for <see cref="LayoutMap"/></returns>
    public (Tensor Film, Tensor Layout) Forward(Tensor tokens, Tensor keyBias, long frames, Tensor? focusPresent)
    {
        using var scope = NewDisposeScope();
        long b = tokens.shape[0];
        var pos = PositionFeaturesOf(frames, tokens.dtype, tokens.device).unsqueeze(0).expand(b, -1, -1); // (B, F, K)
        var read = attn.Forward(position_proj.call(pos), tokens, keyBias);              // (B, F, Dc)
        var h = functional.gelu(hidden.call(cat(new[] { read, pos }, 2)));               // (B, F, E)
        var film = output.call(h);
        var coefs = layout.call(h).view(b, frames, layoutChannels, SpatialBasis.Features);
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
