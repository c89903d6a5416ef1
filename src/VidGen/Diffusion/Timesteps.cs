namespace VidGen.Diffusion;

/// <summary>How sampling steps are placed over the training timesteps (diffusers' timestep_spacing; Karras et al. 2022).</summary>
public enum TimestepSpacing { Trailing, Leading, Linspace, Karras }

public static class Timesteps
{
    /// <summary>
    /// <paramref name="steps"/> descending timesteps followed by <see cref="NoiseSchedule.Clean"/>.
    /// Trailing starts at the noisiest timestep (Lin et al. 2024 show leading spacing never sees pure noise).
    /// </summary>
    public static double[] Make(NoiseSchedule schedule, int steps, TimestepSpacing spacing = TimestepSpacing.Trailing)
    {
        int T = schedule.Steps;
        if (steps < 1 || steps > T) throw new ArgumentOutOfRangeException(nameof(steps), steps, $"steps must be 1..{T}");
        IEnumerable<double> ts = spacing switch
        {
            TimestepSpacing.Trailing => Enumerable.Range(0, steps).Select(k => Math.Round(T - k * (double)T / steps) - 1),
            TimestepSpacing.Leading => Enumerable.Range(0, steps).Select(k => (double)((steps - 1 - k) * (T / steps) + 1)).Select(t => Math.Min(t, T - 1)),
            TimestepSpacing.Linspace => Enumerable.Range(0, steps).Select(k => Math.Round((T - 1) * (1 - (steps == 1 ? 0 : k / (double)(steps - 1))))),
            TimestepSpacing.Karras => KarrasSigmas(schedule, steps).Select(schedule.TimestepForSigma),
            _ => throw new ArgumentOutOfRangeException(nameof(spacing)),
        };
        return ts.Append(NoiseSchedule.Clean).ToArray();
    }

    /// <summary>
    /// Largest sigma Karras spacing starts from. The cosine schedule's last step has sigma ~2e4, and rho = 7
    /// spacing from there spends most steps where the sample is still pure noise; at sigma = 80 (k-diffusion's
    /// usual cap) unit-variance VP noise already matches the marginal of data with std &lt;= 1 within ~1%.
    /// </summary>
    public const double KarrasSigmaCap = 80;

    /// <summary>Karras et al. 2022 eq. 5 with rho = 7, from min(sigma_max, 80) to the schedule's smallest sigma.</summary>
    public static double[] KarrasSigmas(NoiseSchedule schedule, int steps, double rho = 7)
    {
        double lo = Math.Pow(schedule.SigmaMin, 1 / rho), hi = Math.Pow(Math.Min(schedule.SigmaMax, KarrasSigmaCap), 1 / rho);
        return Enumerable.Range(0, steps).Select(i => Math.Pow(hi + (steps == 1 ? 0 : i / (double)(steps - 1)) * (lo - hi), rho)).ToArray();
    }
}
