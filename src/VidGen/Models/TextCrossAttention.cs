using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace VidGen.Models;

/// <summary>Cross-attention from every pixel of the clip to the text tokens. (B, C, F, H, W) in and out (residual).</summary>
public sealed class TextCrossAttention : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
    private readonly LayerNorm norm;
    private readonly MultiHeadAttention attn;

    public TextCrossAttention(string name, long dim, long contextDim, int heads, int dimHead) : base(name)
    {
        norm = LayerNorm(dim);
        attn = new MultiHeadAttention("attn", dim, contextDim, heads, dimHead);
        RegisterComponents();
    }

    /// <param name="x">(B, C, F, H, W)</param>
    /// <param name="tokens">(B, L, Dc)</param>
    /// <param name="keyBias">(B, 1, 1, L) additive, from <see cref="MultiHeadAttention.KeyPaddingBias"/></param>
    public override Tensor forward(Tensor x, Tensor tokens, Tensor keyBias)
    {
        long b = x.shape[0], c = x.shape[1], f = x.shape[2], h = x.shape[3], w = x.shape[4];
        using var scope = NewDisposeScope();
        var seq = x.permute(0, 2, 3, 4, 1).reshape(b, f * h * w, c);                   // (B, FHW, C)
        var y = seq + attn.Forward(norm.call(seq), tokens, keyBias);
        return y.reshape(b, f, h, w, c).permute(0, 4, 1, 2, 3).contiguous().MoveToOuterDisposeScope();
    }
}
