using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace VidGen.Diffusion.Samplers;

/// <summary>The model as samplers see it: x_t (B, C, F, H, W) at fractional timestep t -> x0 estimate, same shape.</summary>
public delegate Tensor Denoiser(Tensor xt, double t);

/// <summary>Reported after every sampler step. <see cref="X0"/> is only valid during the callback (for previews).</summary>
public sealed record SamplerStep(int Step, int TotalSteps, double Timestep, Tensor X0, TimeSpan Elapsed);

public enum SamplerKind { Ddpm, Ddim, DpmSolverPP2M, Euler, Heun }

/// <summary>Everything a sampler needs besides the denoiser and the starting noise.</summary>
public sealed class SamplingOptions
{
    public required NoiseSchedule Schedule { get; init; }
    /// <summary>Descending timesteps ending at <see cref="NoiseSchedule.Clean"/>; from <see cref="Timesteps"/>.</summary>
    public required double[] Timesteps { get; init; }
    /// <summary>Source of any fresh noise (DDPM, DDIM with eta > 0). Same generator state, same frames.</summary>
    public Generator? Generator { get; init; }
    /// <summary>DDIM stochasticity: 0 is deterministic DDIM, 1 matches DDPM's posterior variance.</summary>
    public double Eta { get; init; }
    public Action<SamplerStep>? Callback { get; init; }
    public CancellationToken Cancellation { get; init; }
}

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

/// <summary>Dispatches a <see cref="SamplerKind"/> to its sampler function.</summary>
public static class Sampler
{
    public static Tensor Run(SamplerKind kind, Denoiser denoise, Tensor xT, SamplingOptions options) => kind switch
    {
        SamplerKind.Ddpm => DdpmSampler.Sample(denoise, xT, options),
        SamplerKind.Ddim => DdimSampler.Sample(denoise, xT, options),
        SamplerKind.DpmSolverPP2M => DpmSolverPP2MSampler.Sample(denoise, xT, options),
        SamplerKind.Euler => EulerSampler.Sample(denoise, xT, options),
        SamplerKind.Heun => HeunSampler.Sample(denoise, xT, options),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>Parses names like "ddim", "dpm++2m", "dpmpp-2m", "euler", "heun", "ddpm" (case-insensitive).</summary>
    public static SamplerKind Parse(string name) => name.Trim().ToLowerInvariant().Replace("_", "").Replace("-", "") switch
    {
        "ddpm" or "ancestral" => SamplerKind.Ddpm,
        "ddim" => SamplerKind.Ddim,
        "dpm++2m" or "dpmpp2m" or "dpmsolver++" or "dpmsolverpp2m" or "dpmsolver" or "dpm" => SamplerKind.DpmSolverPP2M,
        "euler" => SamplerKind.Euler,
        "heun" => SamplerKind.Heun,
        _ => throw new ArgumentException($"unknown sampler '{name}'; use one of: ddpm, ddim, dpm++2m, euler, heun"),
    };

    public static string Name(SamplerKind kind) => kind switch
    {
        SamplerKind.Ddpm => "ddpm", SamplerKind.Ddim => "ddim", SamplerKind.DpmSolverPP2M => "dpm++2m",
        SamplerKind.Euler => "euler", _ => "heun",
    };
}
