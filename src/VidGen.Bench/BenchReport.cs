using System.Text.Json;
using System.Text.Json.Serialization;
using VidGen.Evaluation;

namespace VidGen.Bench;

/// <summary>Which model the figures are for. Speed figures do not depend on the weights; fidelity figures do.</summary>
public sealed record ModelSummary(string Source, bool Trained, string? TrainedSteps, long Parameters, int Frames, int Resolution, Models.Unet3DConfig Unet);

/// <summary>Analytic FLOPs (see <see cref="ModelFlops"/>), per clip at the model's frame count.</summary>
public sealed record FlopSummary(double UnetForwardPerClip, double TextForwardPerPrompt, double TrainingPerClip,
    IReadOnlyDictionary<string, double> ForwardShareByKind, string Method);

/// <summary>
/// <see cref="Matmul"/> (libtorch's fp32 matmul, 2048^3) is the ceiling every MFU figure divides by, as issue #8
/// defines it. <see cref="GemmOneDnn"/> and <see cref="Conv"/> show what libtorch's other fp32 kernels reach.
/// </summary>
public sealed record CeilingResult(Rate Matmul, Rate? MatmulOneThread, Rate? GemmOneDnn, Rate? Conv);

/// <summary>
/// Training throughput: optimizer steps (data, forward, backward, AdamW, EMA update) on a freshly initialised model of the
/// benchmarked model's config. /// <see cref="DataSecondsPerStep"/>: rendering the batch's clips and making the tensor, timed alone (part of every step).
/// </summary>
public sealed record TrainingResult(int Batch, int Frames, int TimedSteps, double SecondsPerStep, double VideosPerSecond, double Gflops, double Mfu, int Threads, double DataSecondsPerStep);

/// <summary>One `pipeline.Generate` call: a batch of one clip, prompt encoding and frame conversion included.</summary>
public sealed record GenerationTiming(string Sampler, int Steps, int Frames, int Batch, int Evaluations, double Seconds, double SecondsPerEvaluation, double Gflops, double Mfu);

/// <summary>One sampler on the recipe comparison's clips: time for the whole batch, and the evaluator's scores.</summary>
public sealed record SamplerFidelity(string Sampler, int Steps, int Clips, int Batch, double Seconds, double SecondsPerClip,
    AttributeAccuracy Seen, AttributeAccuracy HeldOut, AttributeAccuracy Overall, IReadOnlyList<bool> ClipCorrect);

/// <summary>
/// (d) The original's recipe (ancestral DDPM over every timestep) against our default sampler, on the same model,
/// prompts and starting noise, batched alike. <see cref="Speedup"/> = DDPM seconds / fast seconds.
/// <see cref="FastLarger"/>: the fast sampler on a larger prompt set, for a tighter fidelity estimate.
/// <see cref="BothRight"/>, <see cref="OnlyDdpmRight"/>, <see cref="OnlyFastRight"/>: the paired view (same clip, same noise) of all-attributes correctness.
/// </summary>
public sealed record RecipeComparison(SamplerFidelity Ddpm, SamplerFidelity Fast, double Speedup, bool FastEqualOrBetter, SamplerFidelity? FastLarger,
    int BothRight, int OnlyDdpmRight, int OnlyFastRight);

public sealed record MemoryRun(string Label, string Command, int ExitCode, double PeakRssMiB, double WallSeconds, int Samples, string? Error);

/// <summary>Block time summed per kind, its share of the summed blocks, and the GroupNorm + SiLU part of it.</summary>
public sealed record KindTime(string Kind, int Blocks, double Seconds, double Share, double Flops, double Gflops, double NormSiluSeconds);

/// <summary>A forward over <see cref="Rows"/> batch rows (guided sampling doubles rows): time, rate, MFU.</summary>
public sealed record RowScaling(int Rows, double Seconds, double Gflops, double Mfu);

public sealed record ProfileResult(
    int Frames, int InferenceRows, double InferenceWholeSeconds, double InferenceBlocksSeconds, IReadOnlyList<KindTime> Inference,
    int TrainingRows, double TrainingWholeSeconds, double TrainingBlocksSeconds, IReadOnlyList<KindTime> Training,
    IReadOnlyList<RowScaling> Rows, double FixedSecondsPerForward, double SecondsPerRow,
    IReadOnlyList<BlockTiming> InferenceBlocks, IReadOnlyList<BlockTiming> TrainingBlocks);

/// <summary>
/// One lever measured against a baseline in the same process. <see cref="Speedup"/> = baseline / variant seconds.
/// <see cref="MaxAbsDiff"/>: largest output difference where outputs are comparable (null where the variant
/// changes the network, so only speed is meaningful). <see cref="Decision"/>: what was done with it.
/// </summary>
public sealed record LeverResult(string Name, string Baseline, string Variant, double BaselineSeconds, double VariantSeconds, double? MaxAbsDiff, string Decision)
{
    public double Speedup => BaselineSeconds / VariantSeconds;
}

public sealed record TargetResult(string Name, string Target, string Measured, bool Met, string Note);

public sealed record BenchReport(
    string Name, DateTime StartedUtc, double Seconds, string Command, MachineInfo Machine, ModelSummary Model,
    FlopSummary Flops, CeilingResult Ceiling, TrainingResult Training, IReadOnlyList<GenerationTiming> Generation,
    RecipeComparison? Recipe, IReadOnlyList<MemoryRun> Memory, ProfileResult? Profile, IReadOnlyList<LeverResult> Levers,
    IReadOnlyList<TargetResult> Targets)
{
    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);
    public static BenchReport FromJson(string json) => JsonSerializer.Deserialize<BenchReport>(json, Json) ?? throw new InvalidDataException("empty benchmark report");
}
