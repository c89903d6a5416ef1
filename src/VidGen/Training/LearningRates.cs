namespace VidGen.Training;

/// <summary>Learning-rate schedules, as plain functions of the step.</summary>
public static class LearningRates
{
    /// <summary>Linear warmup over <paramref name="warmup"/> steps, then cosine decay to peak * <paramref name="minFraction"/> at <paramref name="steps"/>.</summary>
    /// <param name="peak">the rate reached after warmup</param>
    /// <param name="warmup">warmup steps</param>
    /// <param name="minFraction">where the cosine ends, as a fraction of the peak</param>
    /// <param name="steps">the run's length</param>
    /// <param name="step">the step (0-based)</param>
    public static double WarmupCosine(double peak, int warmup, double minFraction, int steps, int step)
    {
        if (step < warmup) return peak * (step + 1) / warmup;
        double p = (step - warmup) / (double)Math.Max(1, steps - warmup);
        double cos = 0.5 * (1 + Math.Cos(Math.PI * Math.Min(1, p)));
        return peak * (minFraction + (1 - minFraction) * cos);
    }
}
