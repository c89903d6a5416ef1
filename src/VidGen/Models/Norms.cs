using TorchSharp.Modules;
using static TorchSharp.torch;

namespace VidGen.Models;

public static class Norms
{
    /// <summary>
    /// GroupNorm with its affine parameters set to weight = 1, bias = 0. TorchSharp 0.107's nn.GroupNorm leaves
    /// them uninitialised (measured: garbage up to 1e32 or NaN in every fresh module), so never call it directly.
    /// </summary>
    public static GroupNorm GroupNorm(long groups, long channels)
    {
        var norm = nn.GroupNorm(groups, channels);
        using (no_grad())
        {
            norm.weight!.fill_(1f);
            norm.bias!.zero_();
        }
        return norm;
    }
}
