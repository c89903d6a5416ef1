using static TorchSharp.torch;

namespace VidGen.Diffusion.Samplers;

/// <summary>
/// DDIM (Song et al. 2021, eq. 12): x_s = sqrt(a_s) x0 + sqrt(1 - a_s - sigma^2) eps + sigma z, with
/// sigma = eta sqrt((1 - a_s)/(1 - a_t)) sqrt(1 - a_t/a_s). eta = 0 is the deterministic probability-flow sampler.
/// </summary>
public static class DdimSampler
{
    public static Tensor Sample(Denoiser denoise, Tensor xT, SamplingOptions o) => SamplerLoop.Run(xT, o, (x, t, s) =>
    {
        double at = o.Schedule.AlphaBar(t), as_ = o.Schedule.AlphaBar(s);
        var x0 = denoise(x, t);
        var eps = Prediction.EpsFromX0(x0, x, at);
        double sigma = o.Eta * Math.Sqrt((1 - as_) / (1 - at)) * Math.Sqrt(Math.Max(0, 1 - at / as_));
        var next = x0 * Math.Sqrt(as_) + eps * Math.Sqrt(Math.Max(0, 1 - as_ - sigma * sigma));
        if (sigma > 0) next = next + randn(x.shape, dtype: x.dtype, device: x.device, generator: o.Generator) * sigma;
        return (next, x0);
    });
}
