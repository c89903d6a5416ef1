namespace VidGen.Training;

/// <summary>
/// How `vidgen train-autoencoder` trains. The initialisers are the defaults, held here once (the CLI reads
/// <see cref="Defaults"/>). Loss weights of 0 switch a term off; README's latent section compares the terms.
/// </summary>
public sealed record AutoencoderTrainOptions
{
    public static AutoencoderTrainOptions Defaults { get; } = new();

    public int Steps { get; init; } = 3000;
    /// <summary>Clips drawn per step; <see cref="FramesPerClip"/> frames of each are coded (frames of one clip are alike, so many clips beat many frames).</summary>
    public int BatchClips { get; init; } = 16;
    public int FramesPerClip { get; init; } = 4;
    /// <summary>
    /// Trains on random square crops of this size (0 = whole frames): the network is convolutional, so a 32-pixel
    /// crop of a 64-pixel frame teaches the same filters for a quarter of the cost (Rombach et al. train at 256, run at 512).
    /// </summary>
    public int CropSize { get; init; } = 32;
    public double LearningRate { get; init; } = 1e-3;
    public int WarmupSteps { get; init; } = 100;
    public double MinLrFraction { get; init; } = 0.05;
    public double GradClip { get; init; } = 1.0;
    /// <summary>Mean squared error in [-1, 1] pixels; alone by default, the best mix measured (README, "Latent diffusion").</summary>
    public double L2Weight { get; init; } = 1;
#pragma warning disable CA1805 // the option records are where defaults are read: a zero written out is a chosen default
    /// <summary>Mean absolute error.</summary>
    public double L1Weight { get; init; } = 0;
    /// <summary>Adversarial (hinge, patch discriminator) weight; 0 = no discriminator.</summary>
    public double AdversarialWeight { get; init; } = 0;
    public int Seed { get; init; } = 0;
    public int Threads { get; init; } = 0;
    /// <summary>L1 between the horizontal and vertical differences of output and target (sharper edges, at a cost in PSNR).</summary>
    public double EdgeWeight { get; init; } = 0;
#pragma warning restore CA1805
    /// <summary>The discriminator joins after this step (Esser et al.'s disc_start: reconstruction first).</summary>
    public int AdversarialStart { get; init; } = 1000;
    public int CheckpointEvery { get; init; } = 250;
    /// <summary>Held-out clips whose reconstruction PSNR is logged at every checkpoint.</summary>
    public int ValidationClips { get; init; } = 16;

    public void Validate()
    {
        if (Steps < 1) throw new ArgumentException($"steps must be at least 1 (got {Steps})");
        if (BatchClips < 1 || FramesPerClip < 1) throw new ArgumentException("batch and frames per clip must be at least 1");
        if (!(LearningRate > 0)) throw new ArgumentException($"learning rate must be positive (got {LearningRate})");
        if (CropSize < 0) throw new ArgumentException($"crop size must be 0 (whole frames) or positive (got {CropSize})");
        if (L1Weight < 0 || L2Weight < 0 || EdgeWeight < 0 || AdversarialWeight < 0) throw new ArgumentException("loss weights must be 0 or more");
        if (L1Weight + L2Weight == 0) throw new ArgumentException("at least one of the L1 and L2 weights must be positive: the other terms do not fix colours");
    }
}

/// <summary>Reported after every autoencoder step; <see cref="ValidationPsnr"/> only at checkpoints.</summary>
public sealed record AutoencoderProgress(int Step, int TotalSteps, double Loss, double LearningRate, double FramesPerSecond, TimeSpan Elapsed, TimeSpan Eta, double? ValidationPsnr);
