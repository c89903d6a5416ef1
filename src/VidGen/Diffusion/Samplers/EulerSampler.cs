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

/// <summary>Helpers for samplers that integrate in sigma space and store x in the VP space.</summary>
internal static class KarrasOde
{
    /// <summary>dx/dsigma in sigma space, from a VP-space x at timestep t and its x0 estimate.</summary>
    public static Tensor Derivative(NoiseSchedule schedule, Tensor xVp, Tensor x0, double t)
    {
        double sa = Math.Sqrt(schedule.AlphaBar(t)), sigma = schedule.Sigma(t);
        return (xVp / sa - x0) / sigma;
    }

    /// <summary>One Euler step from t to s, returned in VP space.</summary>
    public static Tensor EulerStep(NoiseSchedule schedule, Tensor xVp, Tensor x0, double t, double s)
    {
        if (s == NoiseSchedule.Clean) return x0.alias();
        using var d = Derivative(schedule, xVp, x0, t);
        double sa = Math.Sqrt(schedule.AlphaBar(t)), sigmaT = schedule.Sigma(t), sigmaS = schedule.Sigma(s);
        using var xs = xVp / sa + d * (sigmaS - sigmaT);
        return xs * Math.Sqrt(schedule.AlphaBar(s));
    }
}
