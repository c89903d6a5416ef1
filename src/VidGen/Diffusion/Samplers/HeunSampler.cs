using static TorchSharp.torch;

namespace VidGen.Diffusion.Samplers;

/// <summary>
/// Heun's second-order method on the probability-flow ODE (Karras et al. 2022, algorithm 1): an Euler predictor
/// then a trapezoidal corrector, except on the last step into the clean sample. Two model calls per step.
/// </summary>
public static class HeunSampler
{
    public static Tensor Sample(Denoiser denoise, Tensor xT, SamplingOptions o) => SamplerLoop.Run(xT, o, (x, t, s) =>
    {
        var x0 = denoise(x, t);
        var euler = KarrasOde.EulerStep(o.Schedule, x, x0, t, s);
        if (s == NoiseSchedule.Clean) return (euler, x0);
        var x0s = denoise(euler, s);
        var d1 = KarrasOde.Derivative(o.Schedule, x, x0, t);
        var d2 = KarrasOde.Derivative(o.Schedule, euler, x0s, s);
        double sigmaT = o.Schedule.Sigma(t), sigmaS = o.Schedule.Sigma(s);
        var next = (x / Math.Sqrt(o.Schedule.AlphaBar(t)) + (d1 + d2) * (0.5 * (sigmaS - sigmaT))) * Math.Sqrt(o.Schedule.AlphaBar(s));
        return (next, x0);
    });
}
