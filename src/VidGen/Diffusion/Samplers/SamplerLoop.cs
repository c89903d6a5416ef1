using System.Diagnostics;
using static TorchSharp.torch;

namespace VidGen.Diffusion.Samplers;

/// <summary>Shared step bookkeeping: cancellation, timing and the per-step callback.</summary>
internal sealed class StepReporter
{
    private readonly SamplingOptions options;
    private readonly Stopwatch clock = Stopwatch.StartNew();
    public int Total => options.Timesteps.Length - 1;

    public StepReporter(SamplingOptions options)
    {
        if (options.Timesteps.Length < 2 || options.Timesteps[^1] != NoiseSchedule.Clean)
            throw new ArgumentException("timesteps must hold at least one step and end at NoiseSchedule.Clean (-1)");
        this.options = options;
    }

    public void ThrowIfCancelled() => options.Cancellation.ThrowIfCancellationRequested();

    public void Report(int step, double t, Tensor x0) =>
        options.Callback?.Invoke(new SamplerStep(step + 1, Total, t, x0, clock.Elapsed));
}

/// <summary>
/// The loop every sampler shares: per step, check cancellation, open a dispose scope, let the sampler's step
/// function turn x_t into x_s (returning its x0 estimate too), report, and keep only the new x.
/// </summary>
internal static class SamplerLoop
{
    /// <param name="xT">(B, C, F, H, W) the starting noise</param>
    /// <param name="options">timesteps, generator, callback and cancellation</param>
    /// <param name="step">(x_t, t, s) -> (x_s, x0 estimate at t), both made inside the step's dispose scope</param>
    public static Tensor Run(Tensor xT, SamplingOptions options, Func<Tensor, double, double, (Tensor Next, Tensor X0)> step)
    {
        var report = new StepReporter(options);
        var x = xT.alias();
        for (int i = 0; i < report.Total; i++)
        {
            report.ThrowIfCancelled();
            double t = options.Timesteps[i], s = options.Timesteps[i + 1];
            using var scope = NewDisposeScope();
            var (next, x0) = step(x, t, s);
            report.Report(i, t, x0);
            x.Dispose();
            x = next.MoveToOuterDisposeScope();
        }
        return x;
    }
}
