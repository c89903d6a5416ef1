using TorchSharp.Modules;
using static TorchSharp.torch;

namespace VidGen.Models;

/// <summary>Space-to-depth and back, per frame: (B, C, F, H, W) &lt;-&gt; (B, C*p*p, F, H/p, W/p).</summary>
public static class Patches
{
    public static Tensor Fold(Tensor x, int p)
    {
        if (p == 1) return x;
        long b = x.shape[0], c = x.shape[1], f = x.shape[2], h = x.shape[3], w = x.shape[4];
        using var v = x.view(b, c, f, h / p, p, w / p, p);
        using var perm = v.permute(0, 1, 4, 6, 2, 3, 5);                               // (B, C, p, p, F, H/p, W/p)
        return perm.reshape(b, c * p * p, f, h / p, w / p);
    }

    public static Tensor Unfold(Tensor x, int p)
    {
        if (p == 1) return x;
        long b = x.shape[0], cpp = x.shape[1], f = x.shape[2], hp = x.shape[3], wp = x.shape[4];
        using var v = x.view(b, cpp / (p * p), p, p, f, hp, wp);
        using var perm = v.permute(0, 1, 4, 5, 2, 6, 3);                               // (B, C, F, H/p, p, W/p, p)
        return perm.reshape(b, cpp / (p * p), f, hp * p, wp * p);
    }
}
