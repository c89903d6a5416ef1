using TorchSharp;
using static TorchSharp.torch;

namespace VidGen.Diffusion.Samplers;

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
