using TorchSharp.Modules;
using static TorchSharp.torch;

namespace VidGen.Models;

/// <summary>
/// Smooth functions of the pixel position for <see cref="FrameConditioning"/>'s layout: with x, y in [-1, 1],
/// x, y, then sin and cos of k*pi*x/2 and of k*pi*y/2 for k = 1..4 (18 in all; separable, the U-Net's
/// nonlinearities combine them).
/// </summary>
public static class SpatialBasis
{
    public const int Features = 18;

    /// <summary>(18, H, W)</summary>
    public static Tensor Of(long height, long width, ScalarType dtype, Device device)
    {
        using var scope = NewDisposeScope();
        var x = Coordinates.Axis(width, dtype, device);                                  // (W)
        var y = Coordinates.Axis(height, dtype, device);                                 // (H)
        var (sx, cx) = Coordinates.Fourier(x);                                          // (W, 4) each
        var (sy, cy) = Coordinates.Fourier(y);                                          // (H, 4) each
        Tensor AlongX(Tensor t) => t.T.view(-1, 1, width).expand(-1, height, width);      // (n, W) -> (n, H, W)
        Tensor AlongY(Tensor t) => t.T.view(-1, height, 1).expand(-1, height, width);     // (n, H) -> (n, H, W)
        return cat(new[] { AlongX(x.view(-1, 1)), AlongY(y.view(-1, 1)), AlongX(sx), AlongX(cx), AlongY(sy), AlongY(cy) }, 0)
            .MoveToOuterDisposeScope();
    }
}
