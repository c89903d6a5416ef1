using TorchSharp.Modules;
using static TorchSharp.torch;

namespace VidGen.Models;

/// <summary>Spatial attention with its pre-norm and residual: linear at high resolution, full softmax at low.</summary>
public sealed class SpatialAttentionBlock : nn.Module<Tensor, Tensor>
{
    private readonly GroupNorm norm;
    private readonly SpatialLinearAttention? linear_attn;
    private readonly SpatialFullAttention? full_attn;

    public SpatialAttentionBlock(string name, long dim, int heads, int dimHead, bool full) : base(name)
    {
        norm = Norms.GroupNorm(1, dim); // LayerNorm over channels and pixels, as lucidrains' PreNorm
        if (full) full_attn = new SpatialFullAttention("full_attn", dim, heads, dimHead);
        else linear_attn = new SpatialLinearAttention("linear_attn", dim, heads, dimHead);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var normed = norm.call(x);
        using var y = full_attn is not null ? full_attn.Forward(normed) : linear_attn!.Forward(normed);
        return x + y;
    }
}
