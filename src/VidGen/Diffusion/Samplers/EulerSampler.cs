using static TorchSharp.torch;

namespace VidGen.Diffusion.Samplers;

/// <summary>
/// Euler on the probability-flow ODE in k-diffusion's variable x/sqrt(abar) = x0 + sigma eps (Karras et al. 2022):
/// dx/dsigma = (x - x0_hat) / sigma. Deterministic; equivalent to DDIM with eta = 0 up to step placement.
/// </summary>
public static class EulerSampler
{
    public static Tensor Sample(Denoiser denoise, Tensor xT, SamplingOptions o) => SamplerLoop.Run(xT, o, (x, t, s) =>
    {
        var x0 = denoise(x, t);
        return (KarrasOde.EulerStep(o.Schedule, x, x0, t, s), x0);
    });
}
