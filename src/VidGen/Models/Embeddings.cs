using TorchSharp.Modules;
using static TorchSharp.torch;

namespace VidGen.Models;

public static class Embeddings
{
    /// <summary>Transformer sinusoidal embedding of (possibly fractional) timesteps. t (B) -> (B, dim).</summary>
    public static Tensor Sinusoidal(Tensor t, int dim)
    {
        using var scope = NewDisposeScope();
        int half = dim / 2;
        var freqs = exp(arange(half, dtype: ScalarType.Float32, device: t.device) * (float)(-Math.Log(10000) / (half - 1)));
        var args = t.to_type(ScalarType.Float32).unsqueeze(1) * freqs.unsqueeze(0);
        return cat(new[] { args.sin(), args.cos() }, 1).MoveToOuterDisposeScope();
    }
}
