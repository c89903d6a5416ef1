using static TorchSharp.torch;

namespace VidGen.Diffusion.Samplers;

/// <summary>
/// DPM-Solver++(2M) (Lu et al. 2022, algorithm 2), data-prediction form in the VP parameterisation.
/// lambda = log(alpha / sigma); each step reuses the previous x0 estimate for a second-order multistep update.
/// The step into the clean sample is first order (x = x0), as k-diffusion and diffusers do.
/// </summary>
public static class DpmSolverPP2MSampler
{
    public static Tensor Sample(Denoiser denoise, Tensor xT, SamplingOptions o)
    {
        Tensor? prevX0 = null; // previous step's x0 estimate, kept outside the step scopes
        double prevH = 0;
        try
        {
            return SamplerLoop.Run(xT, o, (x, t, s) =>
            {
                var x0 = denoise(x, t);
                Tensor next;
                if (s == NoiseSchedule.Clean)
                {
                    next = x0.alias();
                }
                else
                {
                    double at = o.Schedule.AlphaBar(t), as_ = o.Schedule.AlphaBar(s);
                    double alphaS = Math.Sqrt(as_), sigmaT = Math.Sqrt(1 - at), sigmaS = Math.Sqrt(1 - as_);
                    double h = Lambda(as_) - Lambda(at);
                    var d = x0;
                    if (prevX0 is not null)
                    {
                        double r = prevH / h;
                        d = x0 * (1 + 1 / (2 * r)) - prevX0 * (1 / (2 * r));
                    }
                    next = x * (sigmaS / sigmaT) - d * (alphaS * (Math.Exp(-h) - 1));
                    prevH = h;
                }
                prevX0?.Dispose();
                prevX0 = x0.alias().MoveToOuterDisposeScope();
                return (next, x0);
            });
        }
        finally { prevX0?.Dispose(); }
    }

    static double Lambda(double abar) => 0.5 * Math.Log(abar / (1 - abar));
}
