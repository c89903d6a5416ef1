using TorchSharp;
using VidGen.Data;
using VidGen.Diffusion;
using VidGen.Diffusion.Samplers;
using VidGen.Evaluation;
using VidGen.Media;
using VidGen.Models;
using VidGen.Pipelines;
using static TorchSharp.torch;

namespace VidGen.Benchmarks;

/// <summary>
/// Many different prompts in ONE batch, so the fidelity of a 1000-step sampler can be measured on varied prompts
/// in a few minutes (the pipeline batches clips of one prompt). The same four steps as
/// <see cref="TextToVideoPipeline"/>: encode text, draw x_T from the seed, sample over the guided denoiser with the
/// request's sampler, steps, spacing, guidance and clipping, convert to frames. Row i uses prompts[i] and slice i
/// of the seed's noise, so two samplers given the same seed start every clip from the same x_T.
/// </summary>
public static class MultiPromptSampling
{
    public static Video[] Generate(VideoDiffusionModel model, IReadOnlyList<string> prompts, GenerationRequest settings, CancellationToken cancel = default)
    {
        if (prompts.Count == 0) throw new ArgumentException("no prompts to generate");
        (settings with { Prompt = prompts[0], BatchSize = 1 }).Validate();
        var cfg = model.Config;
        int frames = settings.Frames > 0 ? settings.Frames : cfg.Frames;
        var device = model.parameters().First().device;
        int b = prompts.Count;

        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        model.eval();
        var schedule = new NoiseSchedule(cfg.Schedule, cfg.TrainTimesteps);
        var cond = model.EncodeText(prompts);
        var uncond = model.EncodeText(Enumerable.Repeat("", b).ToList());
        var both = new TextCondition(cat(new[] { cond.Tokens, uncond.Tokens }), cat(new[] { cond.Mask, uncond.Mask }), cat(new[] { cond.Pooled, uncond.Pooled }));
        var dropBoth = cat(new[] { zeros(b, dtype: ScalarType.Bool, device: device), ones(b, dtype: ScalarType.Bool, device: device) });

        var gen = new Generator((ulong)settings.Seed, CPU);
        var xT = randn(new long[] { b, cfg.Unet.Channels, frames, cfg.Resolution, cfg.Resolution }, generator: gen).to(device);
        GuidedModel network = (xt, t, branch) =>
        {
            if (branch == GuidanceBranch.Conditional)
                return model.Forward(xt, full(xt.shape[0], (float)t, device: device), cond);
            var x2 = cat(new[] { xt, xt });
            return model.Forward(x2, full(x2.shape[0], (float)t, device: device), both, dropBoth);
        };
        var denoiser = Guidance.Denoiser(network, cfg.Prediction, schedule, new GuidanceOptions { Scale = settings.GuidanceScale, Clip = settings.Clip });
        var options = new SamplingOptions
        {
            Schedule = schedule,
            Timesteps = Timesteps.Make(schedule, settings.Steps, settings.Spacing),
            Generator = gen,
            Eta = settings.Eta,
            Cancellation = cancel,
        };
        var x0 = Sampler.Run(settings.Sampler, denoiser, xT, options);
        return ClipTensors.ToVideos(x0, settings.Fps > 0 ? settings.Fps : cfg.Fps);
    }

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
