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
}
