using TorchSharp;
using static TorchSharp.torch;

namespace VidGen.Diffusion.Samplers;

/// <summary>Reported after every sampler step. <see cref="X0"/> is only valid during the callback (for previews).</summary>
public sealed record SamplerStep(int Step, int TotalSteps, double Timestep, Tensor X0, TimeSpan Elapsed);
