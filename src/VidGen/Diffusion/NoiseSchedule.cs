namespace VidGen.Diffusion;

public enum ScheduleKind { Cosine, Linear }

/// <summary>
/// Variance-preserving noise schedule over <see cref="Steps"/> discrete training timesteps:
/// x_t = sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps. Fractional t interpolates log-SNR between table entries;
/// t = -1 means "clean" (abar = 1), the end point every sampler lands on.
/// </summary>
public sealed class NoiseSchedule
{
    public ScheduleKind Kind { get; }
    public int Steps { get; }
    /// <summary>abar_t for t = 0..Steps-1.</summary>
    public double[] AlphaBars { get; }
    private readonly double[] logSnr;

    public const double Clean = -1;

    public NoiseSchedule(ScheduleKind kind = ScheduleKind.Cosine, int steps = 1000)
    {
        if (steps < 2) throw new ArgumentOutOfRangeException(nameof(steps), "a schedule needs at least 2 timesteps");
        Kind = kind; Steps = steps;
        var betas = kind == ScheduleKind.Cosine ? CosineBetas(steps) : LinearBetas(steps);
        AlphaBars = new double[steps];
        double prod = 1;
        for (int i = 0; i < steps; i++) { prod *= 1 - betas[i]; AlphaBars[i] = prod; }
        logSnr = AlphaBars.Select(a => Math.Log(a / (1 - a))).ToArray();
    }

    /// <summary>Nichol and Dhariwal 2021, as in Ho et al.'s video model: abar(t) = cos^2(((t/T)+s)/(1+s) * pi/2).</summary>
    static double[] CosineBetas(int steps, double s = 0.008)
    {
        double F(double t) => Math.Pow(Math.Cos((t / steps + s) / (1 + s) * Math.PI / 2), 2);
        return Enumerable.Range(0, steps).Select(i => Math.Min(1 - F(i + 1) / F(i), 0.999)).ToArray();
    }

    /// <summary>Ho et al. 2020 DDPM: betas from 1e-4 to 0.02 scaled to the step count.</summary>
    static double[] LinearBetas(int steps)
    {
        double scale = 1000.0 / steps, b0 = scale * 1e-4, b1 = scale * 0.02;
        return Enumerable.Range(0, steps).Select(i => b0 + (b1 - b0) * i / (steps - 1)).ToArray();
    }

    public double AlphaBar(double t)
    {
        if (t <= Clean) return 1.0;
        if (t < 0) throw new ArgumentOutOfRangeException(nameof(t), t, "timesteps lie in [0, Steps-1], or -1 for clean");
        if (t >= Steps - 1) return AlphaBars[Steps - 1];
        int i = (int)Math.Floor(t);
        double w = t - i;
        double ls = logSnr[i] * (1 - w) + logSnr[i + 1] * w;
        return 1 / (1 + Math.Exp(-ls)); // sigmoid(logSNR)
    }

    /// <summary>sigma = sqrt((1 - abar) / abar), the noise level in the k-diffusion (variance-exploding) view.</summary>
    public double Sigma(double t) { double a = AlphaBar(t); return Math.Sqrt((1 - a) / a); }

    public double SigmaMax => Sigma(Steps - 1);
    public double SigmaMin => Sigma(0);

    /// <summary>Inverse of <see cref="Sigma"/>: the fractional timestep whose noise level is sigma (0 -> clean).</summary>
    public double TimestepForSigma(double sigma)
    {
        if (sigma <= 0) return Clean;
        double ls = -2 * Math.Log(sigma); // logSNR = log(1/sigma^2)
        if (ls >= logSnr[0]) return 0;
        if (ls <= logSnr[^1]) return Steps - 1;
        int lo = 0, hi = Steps - 1; // logSnr decreases with t
        while (hi - lo > 1) { int mid = (lo + hi) / 2; if (logSnr[mid] >= ls) lo = mid; else hi = mid; }
        return lo + (logSnr[lo] - ls) / (logSnr[lo] - logSnr[hi]);
    }
}
