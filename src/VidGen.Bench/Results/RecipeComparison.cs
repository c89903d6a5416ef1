using VidGen.Evaluation;

namespace VidGen.Bench.Results;

/// <summary>
/// (d) The original's recipe (ancestral DDPM over every timestep) against our default sampler, on the same model,
/// prompts and starting noise, batched alike. <see cref="Speedup"/> = DDPM seconds / fast seconds.
/// <see cref="FastLarger"/>: the fast sampler on a larger prompt set, for a tighter fidelity estimate.
/// <see cref="BothRight"/>, <see cref="OnlyDdpmRight"/>, <see cref="OnlyFastRight"/>: the paired view (same clip, same noise) of all-attributes correctness.
/// </summary>
public sealed record RecipeComparison(SamplerFidelity Ddpm, SamplerFidelity Fast, double Speedup, bool FastEqualOrBetter, SamplerFidelity? FastLarger,
    int BothRight, int OnlyDdpmRight, int OnlyFastRight);

/// <summary>One sampler on the recipe comparison's clips: time for the whole batch, and the evaluator's scores.</summary>
public sealed record SamplerFidelity(string Sampler, int Steps, int Clips, int Batch, double Seconds, double SecondsPerClip,
    AttributeAccuracy Seen, AttributeAccuracy HeldOut, AttributeAccuracy Overall, IReadOnlyList<bool> ClipCorrect);
