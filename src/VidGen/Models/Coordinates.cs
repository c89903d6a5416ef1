using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace VidGen.Models;

/// <summary>Coordinate channels for CoordConv: (x, y, frame), each spanning [-1, 1] over the clip.</summary>
public static class Coordinates
{
    /// <summary>(1, 3, F, H, W) for a feature map shaped like <paramref name="like"/> (B, C, F, H, W).</summary>
    public static Tensor Grid(Tensor like)
    {
        long f = like.shape[2], h = like.shape[3], w = like.shape[4];
        using var scope = NewDisposeScope();
        var xs = Axis(w, like.dtype, like.device).view(1, 1, 1, 1, w).expand(1, 1, f, h, w);
        var ys = Axis(h, like.dtype, like.device).view(1, 1, 1, h, 1).expand(1, 1, f, h, w);
        var fs = Axis(f, like.dtype, like.device).view(1, 1, f, 1, 1).expand(1, 1, f, h, w);
        return cat(new[] { xs, ys, fs }, 1).MoveToOuterDisposeScope();
    }

    /// <summary>(n) positions spanning [-1, 1]; a single position sits at 0.</summary>
    public static Tensor Axis(long n, ScalarType dtype, Device device) =>
        n == 1 ? zeros(1, dtype: dtype, device: device) : linspace(-1, 1, n, dtype: dtype, device: device);

    /// <summary>Fourier terms of positions v (n): k * pi * v / 2 for k = 1..4, as (sin, cos), each (n, 4).</summary>
    public static (Tensor Sin, Tensor Cos) Fourier(Tensor v)
    {
        using var scope = NewDisposeScope();
        var k = arange(1, 5, dtype: v.dtype, device: v.device) * (float)(Math.PI / 2);     // (4)
        var angles = v.unsqueeze(1) * k.unsqueeze(0);                                   // (n, 4)
        return (angles.sin().MoveToOuterDisposeScope(), angles.cos().MoveToOuterDisposeScope());
    }

    /// <summary>A conv from the 3 coordinate channels whose weights start at zero, so adding it changes nothing.</summary>
    public static Conv3d ZeroConv(long outChannels, (long, long, long) kernel, (long, long, long) padding)
    {
        var conv = Conv3d(3, outChannels, kernel, padding: padding, bias: false);
        using (no_grad()) conv.weight!.zero_();
        return conv;
    }
}
