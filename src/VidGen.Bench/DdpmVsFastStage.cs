using System.Globalization;
using VidGen.Bench.Results;
using VidGen.Diffusion.Samplers;
using VidGen.Evaluation;
using VidGen.Media;
using VidGen.Pipelines;

namespace VidGen.Bench;

/// <summary>
/// (d) The original's recipe (ancestral DDPM over every timestep) against the fast sampler, on the same model,
/// the same prompts (the first N of `vidgen eval`'s fixed list, half on held-out combinations), the same starting
/// noise and the same batching (<see cref="MultiPromptSampling"/>); every clip read back by the evaluator's
/// detector and scored as `vidgen eval` scores it. Speed-up = DDPM time / fast time. The fast sampler is also
/// scored on a larger prompt set for a tighter fidelity figure.
/// </summary>
internal static class DdpmVsFastStage
{
    public static RecipeComparison Run(BenchContext ctx)
    {
        ctx.Cancel.ThrowIfCancellationRequested();
        var o = ctx.Options;
        int clips = ctx.Quick ? Math.Min(o.DdpmClips, 2) : o.DdpmClips;
        int ddpmSteps = ctx.Quick ? Math.Min(o.DdpmSteps, BenchOptions.QuickDdpmSteps) : o.DdpmSteps;
        var prompts = MultiPromptSampling.Prompts(clips);
        var ddpm = Fidelity(ctx, prompts, SamplerKind.Ddpm, ddpmSteps, clips);
        ctx.Log($"(d) ddpm x {ddpmSteps} on {clips} clips: {ddpm.Seconds:F1} s, all attributes {Format.Pct(ddpm.Overall.All)}");
        var fast = Fidelity(ctx, prompts, o.FastSampler, o.FastSteps, clips);
        ctx.Log($"(d) {fast.Sampler} x {o.FastSteps} on the same clips: {fast.Seconds:F2} s, all attributes {Format.Pct(fast.Overall.All)}");
        SamplerFidelity? larger = null;
        int fastClips = ctx.Quick ? 0 : o.FastClips;
        if (fastClips > 0)
        {
            larger = Fidelity(ctx, MultiPromptSampling.Prompts(fastClips), o.FastSampler, o.FastSteps, clips);
            ctx.Log($"(d) {larger.Sampler} x {o.FastSteps} on {fastClips} clips: {larger.Seconds:F1} s, all attributes {Format.Pct(larger.Overall.All)}");
        }
        var pairs = ddpm.ClipCorrect.Zip(fast.ClipCorrect).ToList();
        return new RecipeComparison(ddpm, fast, ddpm.Seconds / fast.Seconds, (fast.Overall.All ?? 0) >= (ddpm.Overall.All ?? 0), larger,
            pairs.Count(p => p.First && p.Second), pairs.Count(p => p.First && !p.Second), pairs.Count(p => !p.First && p.Second));
    }

    /// <summary>Generates the prompts' clips in batches of <paramref name="batch"/> (one batch per call, different prompts) and scores them.</summary>
    static SamplerFidelity Fidelity(BenchContext ctx, IReadOnlyList<EvalPrompt> prompts, SamplerKind sampler, int steps, int batch)
    {
        long seed = ctx.Options.Seed;
        var clips = new List<Video>();
        double seconds = 0;
        for (int start = 0; start < prompts.Count; start += batch)
        {
            var chunk = prompts.Skip(start).Take(batch).Select(p => p.Text).ToList();
            var settings = new GenerationRequest { Prompt = chunk[0], Seed = seed + start, Steps = steps, Sampler = sampler };
            Video[] videos = Array.Empty<Video>();
            seconds += Timing.Once(() => videos = MultiPromptSampling.Generate(ctx.Model, chunk, settings, ctx.Cancel), ctx.Device);
            clips.AddRange(videos);
        }
        var settingsText = new Dictionary<string, string> { ["sampler"] = Names.Sampler.Name(sampler), ["steps"] = steps.ToString(CultureInfo.InvariantCulture), ["guidance"] = "4", ["batch"] = batch.ToString(CultureInfo.InvariantCulture) };
        var report = MultiPromptSampling.Score(prompts, clips, seed, "bench", settingsText);
        return new SamplerFidelity(Names.Sampler.Name(sampler), steps, clips.Count, batch, seconds, seconds / clips.Count,
            report.Seen, report.HeldOut, report.Overall, report.ClipScores.Select(c => c.AllCorrect).ToList());
    }
}
