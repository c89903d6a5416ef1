using System.Diagnostics;
using VidGen.Diffusion;
using VidGen.Diffusion.Samplers;
using VidGen.Media;
using VidGen.Models;
using static TorchSharp.torch;

namespace VidGen.Pipelines;

/// <summary>
/// What to generate and how. The initialisers are VidGen's defaults, held here once (as improved-diffusion's
/// model_and_diffusion_defaults() feeds its argparser): the CLI's options, the web API's fields and its /api/info
/// read them from <see cref="Defaults"/>, and tests check that they still do.
/// </summary>
public sealed record GenerationRequest
{
    /// <summary>Every setting at its default (and no prompt): what a front end offers when the user sets nothing.</summary>
    public static GenerationRequest Defaults { get; } = new();

    public const int MaxSteps = 1000, MaxFrames = 64, MaxBatchSize = 64;
    public const double MaxGuidance = 50;
    internal const string EmptyPrompt = "the prompt is empty; describe the video, e.g. \"a small red circle moving left\"";

    /// <summary>
    /// Empty in <see cref="Defaults"/>, in templates whose prompt the caller fills in and in the settings given with
    /// a prompt list (<see cref="TextToVideoPipeline.Generate(IReadOnlyList{string}, GenerationRequest, Action{SamplerStep}?, CancellationToken)"/>);
    /// <see cref="Validate"/> refuses it.
    /// </summary>
    public string Prompt { get; init; } = "";
    /// <summary>Text to steer away from; empty means the learned null text.</summary>
    public string NegativePrompt { get; init; } = "";
    public long Seed { get; init; }
    public int Steps { get; init; } = 20;
    public double GuidanceScale { get; init; } = 4;
    public SamplerKind Sampler { get; init; } = SamplerKind.DpmSolverPP2M;
    public TimestepSpacing Spacing { get; init; } = TimestepSpacing.Trailing;
    public double Eta { get; init; }
    public X0Clip Clip { get; init; } = X0Clip.Clamp;
    /// <summary>Frame count; 0 = the model's training length.</summary>
    public int Frames { get; init; }
    /// <summary>Playback rate; 0 = the model's.</summary>
    public double Fps { get; init; }
    /// <summary>Clips generated in one batch (each with its own noise from the same seed stream).</summary>
    public int BatchSize { get; init; } = 1;

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Prompt)) throw new ArgumentException(EmptyPrompt);
        ValidateSettings();
    }

    /// <summary>Everything but the prompt.</summary>
    public void ValidateSettings()
    {
        if (Steps < 1 || Steps > MaxSteps) throw new ArgumentException($"steps must be between 1 and {MaxSteps} (got {Steps})");
        if (GuidanceScale < 0 || GuidanceScale > MaxGuidance) throw new ArgumentException($"guidance must be between 0 and {MaxGuidance} (got {GuidanceScale})");
        if (Frames < 0 || Frames > MaxFrames) throw new ArgumentException($"frames must be between 1 and {MaxFrames}, or 0 for the model's length (got {Frames})");
        if (BatchSize < 1 || BatchSize > MaxBatchSize) throw new ArgumentException($"batch size must be between 1 and {MaxBatchSize} (got {BatchSize})");
        if (Eta < 0 || Eta > 1) throw new ArgumentException($"eta must be between 0 and 1 (got {Eta})");
    }
}

/// <summary>
/// The clips of one call: <see cref="Batch"/>[i] follows <see cref="Prompts"/>[i]; <see cref="Video"/> is the first.
/// <see cref="UnknownWords"/> are prompt words the model never saw in training (it cannot follow them).
/// </summary>
public sealed record GenerationResult(Video Video, IReadOnlyList<Video> Batch, GenerationRequest Request, TimeSpan Elapsed,
    IReadOnlyList<string> UnknownWords, IReadOnlyList<string> Prompts);

/// <summary>
/// Text to video, as a numbered loop (diffusers style), for one prompt or a list of them:
/// 1. encode the prompts (and the negative prompt) once; 2. draw x_T from the seed; 3. run the sampler over
/// a guided x0 denoiser, one batched forward per step for both branches; 4. convert to frames.
/// </summary>
public sealed class TextToVideoPipeline
{
    private readonly VideoDiffusionModel model;
    private readonly NoiseSchedule schedule;

    public TextToVideoPipeline(VideoDiffusionModel model)
    {
        this.model = model;
        schedule = new NoiseSchedule(model.Config.Schedule, model.Config.TrainTimesteps);
    }

    public VideoDiffusionModel Model => model;

    /// <summary>
    /// Frames to show for a step's x0 estimate (<see cref="SamplerStep.X0"/>), cheaply: a pixel model's x0 as is, a
    /// latent model's through the autoencoder's linear preview map at the latent size, enlarged by repeating pixels.
    /// </summary>
    public Video[] Previews(Tensor x0, double fps)
    {
        using var scope = NewDisposeScope();
        return ClipTensors.ToVideos(DiffusionSpace.PreviewClips(model, x0), fps > 0 ? fps : model.Config.Fps);
    }

    /// <summary><see cref="GenerationRequest.BatchSize"/> clips of the request's prompt, one batch.</summary>
    public GenerationResult Generate(GenerationRequest request, Action<SamplerStep>? onStep = null, CancellationToken cancel = default)
    {
        request.Validate();
        return Generate(new[] { request.Prompt }, request, onStep, cancel);
    }

    /// <summary>
    /// Clips of several prompts in one batch, as diffusers pipelines take <c>prompt: str | list[str]</c>:
    /// <see cref="GenerationRequest.BatchSize"/> clips of each prompt, prompt by prompt (two prompts, BatchSize 2:
    /// rows p0, p0, p1, p1, diffusers' num_images_per_prompt order). Row i starts from slice i of the seed's noise,
    /// so the same prompt list, seed and settings give the same clips, and two samplers given them start every clip
    /// from the same x_T. <paramref name="settings"/>' Prompt is not used; the result's
    /// <see cref="GenerationResult.Prompts"/> names each row's prompt.
    /// </summary>
    public GenerationResult Generate(IReadOnlyList<string> prompts, GenerationRequest settings, Action<SamplerStep>? onStep = null, CancellationToken cancel = default)
    {
        if (prompts.Count == 0) throw new ArgumentException("no prompts to generate");
        for (int i = 0; i < prompts.Count; i++)
            if (string.IsNullOrWhiteSpace(prompts[i]))
                throw new ArgumentException(prompts.Count == 1 ? GenerationRequest.EmptyPrompt : $"prompt {i} of {prompts.Count} is empty");
        settings.ValidateSettings();
        var rows = prompts.SelectMany(p => Enumerable.Repeat(p, settings.BatchSize)).ToList();
        return Sample(rows, settings, onStep, cancel);
    }

    private GenerationResult Sample(List<string> prompts, GenerationRequest request, Action<SamplerStep>? onStep, CancellationToken cancel)
    {
        var clock = Stopwatch.StartNew();
        var cfg = model.Config;
        int frames = request.Frames > 0 ? request.Frames : cfg.Frames;
        if (frames > cfg.Unet.MaxFrames) throw new ArgumentException($"this model generates at most {cfg.Unet.MaxFrames} frames (asked for {frames})");
        var device = model.parameters().First().device;
        int b = prompts.Count;
        var unknown = prompts.Distinct().SelectMany(model.Tokenizer.UnknownWords).Distinct().ToList();

        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        model.eval();

        // 1. Text, encoded once: conditional rows, then unconditional rows (negative prompt or learned null).
        var cond = model.EncodeText(prompts);
        bool hasNegative = !string.IsNullOrWhiteSpace(request.NegativePrompt);
        var uncond = model.EncodeText(Enumerable.Repeat(hasNegative ? request.NegativePrompt : "", b).ToList());
        var both = new TextCondition(cat(new[] { cond.Tokens, uncond.Tokens }), cat(new[] { cond.Mask, uncond.Mask }), cat(new[] { cond.Pooled, uncond.Pooled }));
        var dropBoth = cat(new[] { zeros(b, dtype: ScalarType.Bool, device: device), full(b, !hasNegative, dtype: ScalarType.Bool, device: device) });

        // 2. Starting noise from the seed (CPU generator, so the same seed gives the same clip on any device).
        var gen = new Generator((ulong)request.Seed, CPU);
        // A latent model starts from noise in its latent space (L channels at the latent size).
        int side = cfg.DiffusionResolution;
        var xT = randn(new long[] { b, cfg.Unet.Channels, frames, side, side }, generator: gen).to(device);

        // 3. Guided denoiser and sampler.
        GuidedModel network = (xt, t, branch) =>
        {
            if (branch == GuidanceBranch.Conditional)
                return model.Forward(xt, full(xt.shape[0], (float)t, device: device), cond);
            var x2 = cat(new[] { xt, xt });
            return model.Forward(x2, full(x2.shape[0], (float)t, device: device), both, dropBoth);
        };
        var denoiser = Guidance.Denoiser(network, cfg.Prediction, schedule, new GuidanceOptions { Scale = request.GuidanceScale, Clip = request.Clip, Bound = cfg.Latent?.Bound ?? 1 });
        var options = new SamplingOptions
        {
            Schedule = schedule,
            Timesteps = Timesteps.Make(schedule, request.Steps, request.Spacing),
            Generator = gen,
            Eta = request.Eta,
            Callback = onStep,
            Cancellation = cancel,
        };
        var x0 = Sampler.Run(request.Sampler, denoiser, xT, options);

        // 4. Frames (a latent model decodes here, once).
        var videos = ClipTensors.ToVideos(DiffusionSpace.ToClips(model, x0), request.Fps > 0 ? request.Fps : cfg.Fps);
        return new GenerationResult(videos[0], videos, request, clock.Elapsed, unknown, prompts);
    }
}
