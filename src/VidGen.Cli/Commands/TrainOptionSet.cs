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
    public Option<int> Threads { get; } = new("--threads") { Description = "CPU threads (0 = libtorch default)", DefaultValueFactory = _ => Defaults.Threads };
    public Option<double> MinSnrGamma { get; } = new("--min-snr-gamma") { Description = "min-SNR-gamma loss weighting (0 = plain loss on the prediction target)", DefaultValueFactory = _ => Defaults.Loss.MinSnrGamma };
    public Option<double> TimestepShift { get; } = new("--timestep-shift") { Description = "more training steps at high noise: t = T s u / (1 + (s-1) u); 1 = uniform", DefaultValueFactory = _ => Defaults.Loss.TimestepShift };

    public IEnumerable<Option> All => new Option[]
        { Steps, Batch, Accumulation, LearningRate, Warmup, Seed, CaptionDropout, EmaDecay, CheckpointEvery, SampleEvery, Threads, MinSnrGamma, TimestepShift };

    public TrainOptions Options(ParseResult r) => Defaults with
    {
        Steps = r.GetValue(Steps), BatchSize = r.GetValue(Batch), GradAccumulation = r.GetValue(Accumulation),
        LearningRate = r.GetValue(LearningRate), WarmupSteps = r.GetValue(Warmup), Seed = r.GetValue(Seed),
        CaptionDropout = r.GetValue(CaptionDropout), EmaDecay = r.GetValue(EmaDecay), CheckpointEvery = r.GetValue(CheckpointEvery),
        SampleEvery = r.GetValue(SampleEvery), Threads = r.GetValue(Threads),
        Loss = Defaults.Loss with { MinSnrGamma = r.GetValue(MinSnrGamma), TimestepShift = r.GetValue(TimestepShift) },
    };
}
