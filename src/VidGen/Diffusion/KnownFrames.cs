using TorchSharp;
using static TorchSharp.torch;

namespace VidGen.Diffusion;

/// <summary>
/// How a clip is sampled around frames already fixed (the overlap with the previous segment of a long video, or
/// an init image): <see cref="Replacement"/> or Ho et al.'s reconstruction guidance ("Video Diffusion Models",
/// sec. 3.1). <see cref="None"/> samples a longer clip in one pass, as far as the network's temporal attention reaches.
/// </summary>
public enum ExtendMethod { Reconstruction, Replacement, None }

/// <summary>
/// Conditional denoisers over known frames, as plain wrappers of a <see cref="Samplers.Denoiser"/>: any sampler runs them.
/// Both put the known frames into the network's input as q(z_t | x_a) = alpha_t x_a + sigma_t eps (fresh eps at
/// each call, from the generator) and return them exactly in the x0 estimate, so the sampler's last estimate
/// reproduces them. Reconstruction guidance also corrects the unknown frames' estimate by the gradient of the known
/// frames' reconstruction error: x_b = x_b(z) - (w_r alpha_t / 2) d/dz_b |x_a - x_a(z)|^2, one backward pass of the
/// network per call.
/// </summary>
public static class KnownFrames
{
    /// <summary>The known frames replace their part of the network's input (the "replacement" method).</summary>
    /// <param name="denoise">the unconditional (text-guided) denoiser</param>
    /// <param name="known">the known frames' clean values (B, C, F, H, W); other frames are ignored</param>
    /// <param name="mask">true at known frames, broadcastable to <paramref name="known"/> (e.g. (1, 1, F, 1, 1))</param>
    /// <param name="schedule">the model's noise schedule</param>
    /// <param name="generator">the noise for q(z_t | x_a)</param>
    public static Samplers.Denoiser Replacement(Samplers.Denoiser denoise, Tensor known, Tensor mask, NoiseSchedule schedule, Generator generator) => (xt, t) =>
    {
        using var scope = NewDisposeScope();
        var z = Noised(xt, known, mask, schedule, t, generator);
        var x0 = denoise(z, t);
        return where(mask, known, x0).MoveToOuterDisposeScope();
    };

    /// <summary>Replacement plus the reconstruction-guidance correction of the unknown frames, weight <paramref name="weight"/> (w_r).</summary>
    /// <param name="denoise">the unconditional (text-guided) denoiser</param>
    /// <param name="known">the known frames' clean values (B, C, F, H, W)</param>
    /// <param name="mask">true at known frames, broadcastable to <paramref name="known"/></param>
    /// <param name="schedule">the model's noise schedule</param>
    /// <param name="generator">the noise for q(z_t | x_a)</param>
    /// <param name="weight">w_r; 0 is replacement</param>
    public static Samplers.Denoiser ReconstructionGuidance(Samplers.Denoiser denoise, Tensor known, Tensor mask, NoiseSchedule schedule, Generator generator, double weight) => (xt, t) =>
    {
        using var scope = NewDisposeScope();
        var z = Noised(xt, known, mask, schedule, t, generator).detach().requires_grad_(true);
        Tensor x0, grad;
        using (enable_grad())
        {
            x0 = denoise(z, t);
            var error = (x0 - known).square().masked_fill(mask.logical_not(), 0).sum();
            grad = autograd.grad(new[] { error }, new[] { z })[0];
        }
        var corrected = x0.detach() - grad * (weight * Math.Sqrt(schedule.AlphaBar(t)) / 2);
        return where(mask, known, corrected).MoveToOuterDisposeScope();
    };

    /// <summary>x_t with the known frames replaced by a draw of q(z_t | x_a). (B, C, F, H, W)</summary>
    static Tensor Noised(Tensor xt, Tensor known, Tensor mask, NoiseSchedule schedule, double t, Generator generator)
    {
        double alphaBar = schedule.AlphaBar(t);
        var eps = randn(known.shape, generator: generator).to(known.device);
        return where(mask, known * Math.Sqrt(alphaBar) + eps * Math.Sqrt(1 - alphaBar), xt);
    }
}
