using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace VidGen.Models.Autoencoders;

/// <summary>Per-frame residual block: GroupNorm, SiLU, 3x3 conv, twice, plus a 1x1 skip when the width changes. (N, Cin, H, W) -> (N, Cout, H, W).</summary>
public sealed class FrameResBlock : nn.Module<Tensor, Tensor>
{
    private readonly GroupNorm norm1, norm2;
    private readonly Conv2d conv1, conv2;
    private readonly Conv2d? skip;

    public FrameResBlock(string name, long dimIn, long dimOut, int groups) : base(name)
    {
        norm1 = Norms.GroupNorm(Math.Min(groups, dimIn), dimIn);
        conv1 = Conv2d(dimIn, dimOut, 3, padding: 1);
        norm2 = Norms.GroupNorm(Math.Min(groups, dimOut), dimOut);
        conv2 = Conv2d(dimOut, dimOut, 3, padding: 1);
        if (dimIn != dimOut) skip = Conv2d(dimIn, dimOut, 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = conv1.call(functional.silu(norm1.call(x)));
        h = conv2.call(functional.silu(norm2.call(h)));
        return (h + (skip is null ? x : skip.call(x))).MoveToOuterDisposeScope();
    }
}

/// <summary>Halves H and W with a strided 3x3 conv. (N, C, H, W) -> (N, C, H/2, W/2).</summary>
public sealed class FrameDownsample : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv;
    public FrameDownsample(string name, long dim) : base(name)
    {
        conv = Conv2d(dim, dim, 3, stride: 2, padding: 1);
        RegisterComponents();
    }
    public override Tensor forward(Tensor x) => conv.call(x);
}

/// <summary>
/// Doubles H and W: nearest neighbour, then a 3x3 conv (no checkerboard) that also sets the width of the level
/// above, so the costly full-size conv runs at the narrower width. (N, Cin, H, W) -> (N, Cout, 2H, 2W).
/// </summary>
public sealed class FrameUpsample : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv;
    public FrameUpsample(string name, long dimIn, long dimOut) : base(name)
    {
        conv = Conv2d(dimIn, dimOut, 3, padding: 1);
        RegisterComponents();
    }
    static readonly double[] Twice = { 2.0, 2.0 };
    public override Tensor forward(Tensor x)
    {
        using var up = functional.interpolate(x, scale_factor: Twice, mode: InterpolationMode.Nearest);
        return conv.call(up);
    }
}
