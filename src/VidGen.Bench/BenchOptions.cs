using VidGen.Diffusion.Samplers;
using static TorchSharp.torch;

namespace VidGen.Bench;

/// <summary>What one `vidgen bench` run measures, and how much of it; the CLI fills it from its options.</summary>
public sealed record BenchOptions
{
    /// <summary>Model folder; null benchmarks an untrained <c>new ModelConfig()</c> (speed only: fidelity is then meaningless).</summary>
    public string? ModelDir { get; init; }
    /// <summary>Fewer repetitions, a smaller grid, DDPM over <see cref="QuickDdpmSteps"/> steps on 2 clips: a smoke run, not the numbers.</summary>
    public bool Quick { get; init; }
    /// <summary>Clips (different prompts, one batch) for the DDPM-1000 vs fast-sampler comparison.</summary>
    public int DdpmClips { get; init; } = 8;
    public int DdpmSteps { get; init; } = 1000;
    /// <summary>Clips for the fast sampler's own, larger fidelity estimate (0 = skip).</summary>
    public int FastClips { get; init; } = 32;
    public int FastSteps { get; init; } = 20;
    public SamplerKind FastSampler { get; init; } = SamplerKind.DpmSolverPP2M;
    public int TrainBatch { get; init; } = 16;
    public int TrainSteps { get; init; } = 4;
    /// <summary>Seed of the recipe comparison's starting noise (and of each later batch: seed + first clip index).</summary>
    public long Seed { get; init; }
    public Device? Device { get; init; }
    /// <summary>How to run `vidgen` for the peak-memory children; null skips (e).</summary>
    public ChildCommand? Cli { get; init; }
    public bool Levers { get; init; } = true;
    /// <summary>With <see cref="Levers"/>: the world2 recipe's training levers (micro-batches, widths, attention; needs the emoji font).</summary>
    public bool RecipeLevers { get; init; } = true;
    public bool Profile { get; init; } = true;
    public string Name { get; init; } = "bench";
    public string CommandLine { get; init; } = "";
    /// <summary>Measures the packaged MiniLM text encoder too (stage f).</summary>
    public bool TextEncoder { get; init; } = true;
    /// <summary>Measures the second world's data time per training step and its 10,000-clip generation time (stage g).</summary>
    public bool World2Data { get; init; } = true;
    /// <summary>The emoji font stage g draws the sprites from (null: $VIDGEN_EMOJI_FONT, else Debian's path).</summary>
    public string? EmojiFont { get; init; }
    /// <summary>Measures the latent path at 64x64x16 too (stage h).</summary>
    public bool Latent { get; init; } = true;
    /// <summary>The autoencoder folder stage (h) times; null: an untrained one of the default config.</summary>
    public string? AutoencoderDir { get; init; }
    /// <summary>The size of stage (h)'s latent model (the default preset is the bundled model's size class; tests use tiny).</summary>
    public VidGen.Models.ModelPreset LatentPreset { get; init; } = VidGen.Models.ModelPreset.Default;

    public const int QuickDdpmSteps = 50;

    public void Validate()
    {
        if (DdpmClips < 1 || DdpmClips > 64) throw new ArgumentException($"--ddpm-clips must be between 1 and 64 (got {DdpmClips})");
        if (DdpmSteps < 1 || DdpmSteps > 1000) throw new ArgumentException($"--ddpm-steps must be between 1 and 1000 (got {DdpmSteps})");
        if (FastClips < 0 || FastClips > 1024) throw new ArgumentException($"--fast-clips must be between 0 and 1024 (got {FastClips})");
        if (TrainBatch < 1 || TrainBatch > 256) throw new ArgumentException($"--train-batch must be between 1 and 256 (got {TrainBatch})");
        if (TrainSteps < 1 || TrainSteps > 100) throw new ArgumentException($"--train-steps must be between 1 and 100 (got {TrainSteps})");
    }
}
