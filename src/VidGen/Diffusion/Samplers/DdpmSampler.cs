using static TorchSharp.torch;

namespace VidGen.Diffusion.Samplers;

/// <summary>
/// Ancestral DDPM (Ho et al. 2020): sample the posterior q(x_s | x_t, x0_hat) at every step. With all 1000
/// timesteps this is the original project's recipe and our speed baseline.
/// </summary>
public static class DdpmSampler
{
    public static Tensor Sample(Denoiser denoise, Tensor xT, SamplingOptions o) => SamplerLoop.Run(xT, o, (x, t, s) =>
    {
        double at = o.Schedule.AlphaBar(t), as_ = o.Schedule.AlphaBar(s);
        double beta = 1 - at / as_;
        var x0 = denoise(x, t);
        double c0 = Math.Sqrt(as_) * beta / (1 - at), ct = Math.Sqrt(1 - beta) * (1 - as_) / (1 - at);
        var mean = x0 * c0 + x * ct;
        double variance = beta * (1 - as_) / (1 - at);
        var next = variance > 0 ? mean + randn(x.shape, dtype: x.dtype, device: x.device, generator: o.Generator) * Math.Sqrt(variance) : mean;
        return (next, x0);
    });
}
