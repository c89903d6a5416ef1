using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace VidGen.Models;

/// <summary>Halves H and W (frames untouched). (B, C, F, H, W) -> (B, C, F, H/2, W/2).</summary>
public sealed class Downsample : nn.Module<Tensor, Tensor>
{
    private readonly Conv3d conv;
    public Downsample(string name, long dim) : base(name)
    {
        conv = Conv3d(dim, dim, (1, 4, 4), stride: (1, 2, 2), padding: (0, 1, 1));
        RegisterComponents();
    }
    public override Tensor forward(Tensor x) => conv.call(x);
}

/// <summary>Doubles H and W by nearest-neighbour then a 1x3x3 conv (no checkerboard artefacts).</summary>
public sealed class Upsample : nn.Module<Tensor, Tensor>
{
    private readonly Conv3d conv;
    public Upsample(string name, long dim) : base(name)
    {
        conv = Conv3d(dim, dim, (1, 3, 3), padding: (0, 1, 1));
        RegisterComponents();
    }
    static readonly double[] DoubleHeightAndWidth = { 1.0, 2.0, 2.0 }; // (F, H, W) scale factors

    public override Tensor forward(Tensor x)
    {
        using var up = functional.interpolate(x, scale_factor: DoubleHeightAndWidth, mode: InterpolationMode.Nearest);
        return conv.call(up);
    }
}
