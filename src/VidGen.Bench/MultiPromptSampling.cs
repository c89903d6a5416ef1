using TorchSharp;
using VidGen.Data;
using VidGen.Diffusion;
using VidGen.Diffusion.Samplers;
using VidGen.Evaluation;
using VidGen.Media;
using VidGen.Models;
using VidGen.Pipelines;
using static TorchSharp.torch;

namespace VidGen.Bench;

/// <summary>
/// Many different prompts in ONE batch, so the fidelity of a 1000-step sampler can be measured on varied prompts
/// in a few minutes, through the pipeline's prompt-list overload of <see cref="TextToVideoPipeline.Generate(IReadOnlyList{string}, GenerationRequest, Action{VidGen.Diffusion.Samplers.SamplerStep}?, CancellationToken)"/>. Row i uses prompts[i] and slice i
/// of the seed's noise, so two samplers given the same seed start every clip from the same x_T.
/// </summary>
public static class MultiPromptSampling
{
    public static Video[] Generate(VideoDiffusionModel model, IReadOnlyList<string> prompts, GenerationRequest settings, CancellationToken cancel = default) =>
        new TextToVideoPipeline(model).Generate(prompts, settings with { BatchSize = 1 }, cancel: cancel).Batch.ToArray();

    /// <summary>
    /// Scores clips generated ahead of time for the evaluator's prompt list (one clip per prompt group, group g
    /// made with <paramref name="clips"/>[g]): PromptFidelity then reports seen and held-out accuracy as `eval` does.
    /// </summary>
    public static FidelityReport Score(IReadOnlyList<EvalPrompt> prompts, IReadOnlyList<Video> clips, long seed, string sourceName, IReadOnlyDictionary<string, string> settings)
    {
        if (prompts.Count != clips.Count) throw new ArgumentException($"{prompts.Count} prompts but {clips.Count} clips");
        ClipSource source = (prompt, s, count, _) =>
        {
            int g = (int)(s - seed);
            if (count != 1 || g < 0 || g >= clips.Count || prompts[g] != prompt) throw new InvalidOperationException($"unexpected request for \"{prompt.Text}\" (group {g})");
            return new[] { clips[g] };
        };
        var options = new FidelityOptions { Clips = clips.Count, ClipsPerPrompt = 1, Seed = seed, HeldOutFraction = 0.5 };
        return PromptFidelity.Evaluate(source, options, sourceName, settings);
    }

    /// <summary>The evaluator's fixed prompt list for <paramref name="count"/> clips, one per prompt, half held out.</summary>
    public static IReadOnlyList<EvalPrompt> Prompts(int count) => EvalPrompts.Make(count, 0.5);
}
