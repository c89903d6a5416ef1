using VidGen.Diffusion;

namespace VidGen.Training;

/// <summary>
/// How a run trains. The initialisers are the defaults, held here once: `vidgen train`'s options read them from
/// <see cref="Defaults"/> (tests check that they do).
/// </summary>
public sealed record TrainOptions
{
    public static TrainOptions Defaults { get; } = new();

    public int Steps { get; init; } = 1000;
    public int BatchSize { get; init; } = 8;
    /// <summary>Micro-batches summed per optimizer step (effective batch = BatchSize * GradAccumulation).</summary>
    public int GradAccumulation { get; init; } = 1;
    public double LearningRate { get; init; } = 5e-4;
    public int WarmupSteps { get; init; } = 100;
    /// <summary>Cosine decay ends at LearningRate * MinLrFraction.</summary>
    public double MinLrFraction { get; init; } = 0.1;
    public double WeightDecay { get; init; } = 0.01;
    public double GradClip { get; init; } = 1.0;
    public double EmaDecay { get; init; } = 0.999;
    /// <summary>Fraction of captions replaced by the learned null text, so guidance has something to contrast.</summary>
    public double CaptionDropout { get; init; } = 0.1;
    /// <summary>Fraction of clips trained as independent frames (Ho et al.'s joint image-video training).</summary>
#pragma warning disable CA1805 // the option records are where defaults are read: a zero written out is a chosen default
    public double ImageFraction { get; init; } = 0;
    public int Seed { get; init; } = 0;
    /// <summary>
    /// Saves the checkpoint (and resume state) every N steps; 0 = only at the end. 250, the value `vidgen train` has
    /// always used: a few minutes of training here, which is what an interrupted run may lose.
    /// </summary>
    public int CheckpointEvery { get; init; } = 250;
    /// <summary>Writes a sample GIF grid every N steps (0 = never).</summary>
    public int SampleEvery { get; init; } = 0;
    /// <summary>
    /// Keeps the EMA model as its own folder, snapshots/step-NNNNNN/, every N steps (0 = never), with the training
    /// time it took (snapshots/index.jsonl), so a run's accuracy against training hours can be measured afterwards.
    /// </summary>
    public int SnapshotEvery { get; init; } = 0;
    public int Threads { get; init; } = 0;
#pragma warning restore CA1805
    public LossOptions Loss { get; init; } = new();
}

/// <summary>Reported after every optimizer step.</summary>
public sealed record TrainProgress(int Step, int TotalSteps, double Loss, double LearningRate, double VideosPerSecond, TimeSpan Elapsed, TimeSpan Eta, int Recoveries = 0);
