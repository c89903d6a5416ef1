using TorchSharp;
using VidGen.Diffusion.Samplers;
using static TorchSharp.torch;

namespace VidGen.Diffusion;

public enum GuidanceBranch { Conditional, Both }

/// <summary>
/// Raw network call as guidance needs it. For <see cref="GuidanceBranch.Both"/> the implementation runs the
/// conditional and the unconditional (null or negative prompt) rows in ONE batched forward and returns
/// (2B, ...) with the conditional rows first.
/// </summary>
public delegate Tensor GuidedModel(Tensor xt, double t, GuidanceBranch branch);

/// <summary>How the x0 estimate is kept in range: none, clamp to [-1, 1], or Imagen's dynamic thresholding.</summary>
public enum X0Clip { None, Clamp, Dynamic }

public sealed record GuidanceOptions
{
    /// <summary>Classifier-free guidance scale (Ho and Salimans 2022): u + s (c - u). 1 = conditional only.</summary>
    public double Scale { get; init; } = 1;
    public X0Clip Clip { get; init; } = X0Clip.Clamp;
    /// <summary>|x0| that clamping and dynamic thresholding keep to: 1 for pixels in [-1, 1], a latent model's measured bound for latents.</summary>
    public double Bound { get; init; } = 1;
    /// <summary>Percentile of |x0| used by dynamic thresholding (Saharia et al. 2022).</summary>
    public double DynamicPercentile { get; init; } = 0.995;
}

public static class Guidance
{
    /// <summary>Wraps a raw network into the x0 denoiser samplers use: guidance, parameterisation, clipping.</summary>
    public static Denoiser Denoiser(GuidedModel model, PredictionKind kind, NoiseSchedule schedule, GuidanceOptions options) => (xt, t) =>
    {
        using var scope = NewDisposeScope();
        Tensor output;
        if (options.Scale == 1)
        {
            output = model(xt, t, GuidanceBranch.Conditional);
        }
        else
        {
            var both = model(xt, t, GuidanceBranch.Both).chunk(2, 0);
            output = both[1] + (both[0] - both[1]) * options.Scale;
        }
        var x0 = Prediction.ToX0(kind, output, xt, schedule.AlphaBar(t));
        x0 = options.Clip switch
        {
            X0Clip.Clamp => x0.clamp(-options.Bound, options.Bound),
            X0Clip.Dynamic => DynamicThreshold(x0, options.DynamicPercentile, options.Bound),
            _ => x0,
        };
        return x0.MoveToOuterDisposeScope();
    };

    /// <summary>Per sample: s = max(bound, percentile(|x0|)); x0 = clamp(x0, -s, s) * bound / s. x0 (B, ...).</summary>
    /// <param name="x0">the estimate (B, ...)</param>
    /// <param name="percentile">which quantile of |x0| sets s</param>
    /// <param name="bound">the range x0 is brought back into (1 for pixels)</param>
    public static Tensor DynamicThreshold(Tensor x0, double percentile, double bound = 1)
    {
        using var scope = NewDisposeScope();
        var flat = x0.abs().flatten(1);
        var q = tensor(new[] { (float)percentile }, device: x0.device);
        var s = flat.quantile(q, 1).squeeze(0).clamp_min(bound);                        // (B)
        var shape = new long[x0.dim()]; Array.Fill(shape, 1L); shape[0] = x0.shape[0];
        s = s.view(shape);
        var kept = torch.max(torch.min(x0, s), -s) / s;
        return (bound == 1 ? kept : kept * bound).MoveToOuterDisposeScope();
    }
}
