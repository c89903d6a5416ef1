using System.CommandLine;
using VidGen.Diffusion;
using VidGen.Training;

namespace VidGen.Cli.Commands;

/// <summary>
/// The `train` options that fill <see cref="TrainOptions"/>, defaulting to <see cref="TrainOptions.Defaults"/> so the
/// CLI and the library cannot disagree (they once did: --checkpoint-every 250 here, 500 in the library).
/// </summary>
public sealed class TrainOptionSet
{
    static TrainOptions Defaults => TrainOptions.Defaults;

    public Option<int> Steps { get; } = new("--steps") { Description = "optimizer steps", DefaultValueFactory = _ => Defaults.Steps };
    public Option<int> Batch { get; } = new("--batch") { Description = "clips per micro-batch", DefaultValueFactory = _ => Defaults.BatchSize };
    public Option<int> Accumulation { get; } = new("--grad-accum") { Description = "micro-batches per optimizer step", DefaultValueFactory = _ => Defaults.GradAccumulation };
    public Option<double> LearningRate { get; } = new("--lr") { Description = "peak learning rate", DefaultValueFactory = _ => Defaults.LearningRate };
    public Option<int> Warmup { get; } = new("--warmup") { Description = "linear warmup steps", DefaultValueFactory = _ => Defaults.WarmupSteps };
    public Option<int> Seed { get; } = new("--seed") { Description = "seed for weights, data order and noise", DefaultValueFactory = _ => Defaults.Seed };
    public Option<double> CaptionDropout { get; } = new("--caption-dropout") { Description = "fraction of captions replaced by the null text", DefaultValueFactory = _ => Defaults.CaptionDropout };
    public Option<double> EmaDecay { get; } = new("--ema-decay") { Description = "EMA decay of the sampling weights", DefaultValueFactory = _ => Defaults.EmaDecay };
    public Option<int> CheckpointEvery { get; } = new("--checkpoint-every") { Description = "save every N steps (0 = only at the end)", DefaultValueFactory = _ => Defaults.CheckpointEvery };
    public Option<int> SampleEvery { get; } = new("--sample-every") { Description = "write a sample GIF grid every N steps (0 = never)", DefaultValueFactory = _ => Defaults.SampleEvery };
    public Option<int> SnapshotEvery { get; } = new("--snapshot-every") { Description = "keep the EMA model as snapshots/step-N/ every N steps, for the accuracy-against-hours curve (0 = never)", DefaultValueFactory = _ => Defaults.SnapshotEvery };
    public Option<int> Threads { get; } = new("--threads") { Description = "CPU threads (0 = libtorch default)", DefaultValueFactory = _ => Defaults.Threads };
    public Option<double> MinSnrGamma { get; } = new("--min-snr-gamma") { Description = "min-SNR-gamma loss weighting (0 = plain loss on the prediction target)", DefaultValueFactory = _ => Defaults.Loss.MinSnrGamma };
    public Option<double> TimestepShift { get; } = new("--timestep-shift") { Description = "more training steps at high noise: t = T s u / (1 + (s-1) u); 1 = uniform", DefaultValueFactory = _ => Defaults.Loss.TimestepShift };

    public IEnumerable<Option> All => new Option[]
        { Steps, Batch, Accumulation, LearningRate, Warmup, Seed, CaptionDropout, EmaDecay, CheckpointEvery, SampleEvery, SnapshotEvery, Threads, MinSnrGamma, TimestepShift };

    /// <summary>The options as given, each one not given on the command line taken from <paramref name="baseline"/> (default: the library's defaults; a recipe's otherwise).</summary>
    public TrainOptions Options(ParseResult r, TrainOptions? baseline = null)
    {
        var b = baseline ?? Defaults;
        return b with
        {
            Steps = CliSupport.GivenOr(r, Steps, b.Steps), BatchSize = CliSupport.GivenOr(r, Batch, b.BatchSize), GradAccumulation = CliSupport.GivenOr(r, Accumulation, b.GradAccumulation),
            LearningRate = CliSupport.GivenOr(r, LearningRate, b.LearningRate), WarmupSteps = CliSupport.GivenOr(r, Warmup, b.WarmupSteps), Seed = CliSupport.GivenOr(r, Seed, b.Seed),
            CaptionDropout = CliSupport.GivenOr(r, CaptionDropout, b.CaptionDropout), EmaDecay = CliSupport.GivenOr(r, EmaDecay, b.EmaDecay), CheckpointEvery = CliSupport.GivenOr(r, CheckpointEvery, b.CheckpointEvery),
            SampleEvery = CliSupport.GivenOr(r, SampleEvery, b.SampleEvery), SnapshotEvery = CliSupport.GivenOr(r, SnapshotEvery, b.SnapshotEvery), Threads = CliSupport.GivenOr(r, Threads, b.Threads),
            Loss = b.Loss with { MinSnrGamma = CliSupport.GivenOr(r, MinSnrGamma, b.Loss.MinSnrGamma), TimestepShift = CliSupport.GivenOr(r, TimestepShift, b.Loss.TimestepShift) },
        };
    }
}
