using static TorchSharp.torch;

namespace VidGen.Diffusion.Samplers;

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
