using static TorchSharp.torch;

namespace VidGen.Diffusion;

public enum LossKind { L2, L1 }

public sealed record LossOptions
{
    public PredictionKind Prediction { get; init; } = PredictionKind.V;
    public LossKind Kind { get; init; } = LossKind.L2;
    /// <summary>
    /// Min-SNR-gamma weighting (Hang et al. 2023); 0 disables it (5 is the paper's choice). Off by default: in
    /// x0 terms it weights a step by min(SNR, gamma), nearly zero at high noise, and there the shapes world's
    /// global layout (which way the object moves) is decided (docs/model-history.md has the measurement).
    /// </summary>
    public double MinSnrGamma { get; init; }
    /// <summary>
    /// Shifts where training timesteps fall: u ~ U(0, 1) maps to t = T * s u / (1 + (s - 1) u), the time shift
    /// of Esser et al. 2024 (SD3, sec. 5.3.2) on the discrete schedule. 1 = uniform; s > 1 puts more steps at high
    /// noise: P(t > 0.9 T) = s / (s + 9), so 10% at s = 1, 25% at s = 3, 50% at s = 9. A redundant signal (a
    /// 12-pixel object over 8 frames) stays visible until late in the schedule, so only the last steps must take
    /// the layout from the text; uniform sampling gives them a tenth of the batch (docs/model-history.md).
    /// </summary>
    public double TimestepShift { get; init; } = 3;
}

/// <summary>
/// The denoising training objective: noise x0 at random timesteps and regress the network's prediction onto
/// the parameterisation's target. The network is passed in as a function; this class holds no weights.
/// </summary>
public sealed class DiffusionLoss
{
    private readonly NoiseSchedule schedule;
    private readonly LossOptions options;
    private readonly Tensor sqrtAbar, sqrtOneMinusAbar, snr; // (T) float32 tables

    public DiffusionLoss(NoiseSchedule schedule, LossOptions options)
    {
        if (!(options.TimestepShift > 0 && double.IsFinite(options.TimestepShift)))
            throw new ArgumentException($"--timestep-shift must be a positive number (got {options.TimestepShift})");
        this.schedule = schedule; this.options = options;
        sqrtAbar = tensor(schedule.AlphaBars.Select(a => (float)Math.Sqrt(a)).ToArray());
        sqrtOneMinusAbar = tensor(schedule.AlphaBars.Select(a => (float)Math.Sqrt(1 - a)).ToArray());
        snr = tensor(schedule.AlphaBars.Select(a => (float)(a / (1 - a))).ToArray());
    }

    /// <summary>(B) long timesteps in [0, T): uniform, or shifted by <see cref="LossOptions.TimestepShift"/>.</summary>
    public Tensor SampleTimesteps(long b, Device device, Generator? generator = null)
    {
        if (options.TimestepShift == 1)
            return randint(0, schedule.Steps, new long[] { b }, dtype: ScalarType.Int64, device: device, generator: generator);
        using var u = rand(new long[] { b }, dtype: ScalarType.Float64, generator: generator);
        double s = options.TimestepShift;
        using var shifted = u * s / (u * (s - 1) + 1);
        using var scaled = (shifted * schedule.Steps).floor().clamp(0, schedule.Steps - 1);
        return scaled.to_type(ScalarType.Int64).to(device);
    }

    /// <param name="network">(x_t (B,C,F,H,W), t (B) float) -> raw prediction</param>
    /// <param name="x0">clean clips in [-1, 1], (B, C, F, H, W)</param>
    /// <param name="generator">source of the timesteps and noise (null: libtorch's global generator)</param>
    /// <returns>scalar loss</returns>
    public Tensor Compute(Func<Tensor, Tensor, Tensor> network, Tensor x0, Generator? generator = null)
    {
        using var scope = NewDisposeScope();
        long b = x0.shape[0];
        var t = SampleTimesteps(b, x0.device, generator);
        var eps = randn(x0.shape, dtype: x0.dtype, device: x0.device, generator: generator);
        var shape = new long[x0.dim()]; Array.Fill(shape, 1L); shape[0] = b;
        var sa = sqrtAbar.to(x0.device).index_select(0, t).view(shape);
        var so = sqrtOneMinusAbar.to(x0.device).index_select(0, t).view(shape);
        var xt = x0 * sa + eps * so;
        var target = Prediction.Target(options.Prediction, x0, eps, sa, so);
        var pred = network(xt, t.to_type(ScalarType.Float32));
        var diff = pred - target;
        var perSample = (options.Kind == LossKind.L2 ? diff.square() : diff.abs()).flatten(1).mean(new long[] { 1 }); // (B)
        if (options.MinSnrGamma > 0)
        {
            var s = snr.to(x0.device).index_select(0, t);
            var clipped = s.clamp_max(options.MinSnrGamma);
            // eps-target weight min(snr, g)/snr; v-target weight min(snr, g)/(snr + 1) (Hang et al. 2023, sec. 3.4)
            var w = options.Prediction == PredictionKind.Epsilon ? clipped / s : clipped / (s + 1);
            perSample = perSample * w;
        }
        return perSample.mean().MoveToOuterDisposeScope();
    }
}
