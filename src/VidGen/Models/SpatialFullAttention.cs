using TorchSharp.Modules;
using static TorchSharp.torch;

namespace VidGen.Models;

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
