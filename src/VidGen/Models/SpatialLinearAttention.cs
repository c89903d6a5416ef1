using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace VidGen.Models;

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
        var qkv = to_qkv.call(frames).reshape(b * f, 3, heads, dimHead, h * w);         // (B*F, 3, heads, dh, HW)
        var q = qkv.select(1, 0).softmax(-2) * (float)Math.Pow(dimHead, -0.5);          // softmax over features
        var k = qkv.select(1, 1).softmax(-1);                                          // softmax over positions
        var v = qkv.select(1, 2);
        var context = k.matmul(v.transpose(-1, -2));                                   // (B*F, heads, dh, dh)
        FlopCounter.Matmul(this, context, inner: h * w, FlopKind.Attention);
        var o = context.transpose(-1, -2).matmul(q);                                   // (B*F, heads, dh, HW)
        FlopCounter.Matmul(this, o, inner: dimHead, FlopKind.Attention);
        var y = to_out.call(o.reshape(b * f, (long)heads * dimHead, h, w));             // (B*F, C, H, W)
        return y.reshape(b, f, c, h, w).transpose(1, 2).MoveToOuterDisposeScope();
    }
}
