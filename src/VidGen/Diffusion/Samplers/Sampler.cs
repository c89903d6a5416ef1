using TorchSharp;
using static TorchSharp.torch;

namespace VidGen.Diffusion.Samplers;

public enum SamplerKind { Ddpm, Ddim, DpmSolverPP2M, Euler, Heun }

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
