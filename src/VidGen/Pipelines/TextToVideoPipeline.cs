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

    /// <summary>MaxFrames is the longest clip extension makes; one pass (<see cref="ExtendMethod.None"/>) stops at the network's own limit.</summary>
    public const int MaxSteps = 1000, MaxFrames = 256, MaxBatchSize = 64, MaxSchedule = 64;
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
    /// <summary>
    /// How frames beyond the model's training length are made, in overlapping segments (and how an init image is
    /// kept): reconstruction guidance, replacement, or none (the whole clip in one pass, up to the network's limit).
    /// </summary>
    public ExtendMethod Extend { get; init; } = ExtendMethod.Reconstruction;
    /// <summary>Reconstruction guidance's weight w_r (bench/README.md, "Longer videos", has the measurements behind it).</summary>
    public double ReconstructionWeight { get; init; } = DefaultReconstructionWeight;
    public const double DefaultReconstructionWeight = 2;
    /// <summary>Frames each new segment shares with the clip so far; 0 = half the model's training length.</summary>
    public int Overlap { get; init; }
    /// <summary>Prompts of the segments after the first, one each (a prompt schedule); the last one given carries on. Empty: every segment follows <see cref="Prompt"/>.</summary>
    public IReadOnlyList<string> Then { get; init; } = Array.Empty<string>();
    /// <summary>The frame the clip starts from (fitted to the model's frame size, as training fits frames); null: none.</summary>
    public Video? InitImage { get; init; }

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
        if (Overlap < 0) throw new ArgumentException($"overlap must be positive, or 0 for half the model's length (got {Overlap})");
        if (!(ReconstructionWeight >= 0 && ReconstructionWeight <= 1000)) throw new ArgumentException($"the reconstruction weight must be between 0 and 1000 (got {ReconstructionWeight})");
        if (Then.Count > MaxSchedule) throw new ArgumentException($"a prompt schedule holds at most {MaxSchedule} prompts after the first (got {Then.Count})");
        for (int i = 0; i < Then.Count; i++)
            if (string.IsNullOrWhiteSpace(Then[i])) throw new ArgumentException($"prompt {i + 2} of the schedule is empty");
        if (InitImage is { Frames: < 1 }) throw new ArgumentException("the init image has no frame");
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
        var plan = Plan(request, frames);
        var device = model.parameters().First().device;
        int b = prompts.Count;
        // Segment k's prompts: the first segment's rows, then the schedule's k-th prompt (its last carries on).
        List<string> PromptsOf(int k) => k == 0 || request.Then.Count == 0 ? prompts : Enumerable.Repeat(request.Then[Math.Min(k, request.Then.Count) - 1], b).ToList();
        var unknown = prompts.Concat(request.Then).Distinct().SelectMany(model.Tokenizer.UnknownWords).Distinct().ToList();

        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        model.eval();

        // Starting noise from the seed (CPU generator, so the same seed gives the same clip on any device); each
        // segment draws its x_T from the same stream in turn, so a one-segment clip is what one pass makes.
        var gen = new Generator((ulong)request.Seed, CPU);
        // The init image in diffusion space (a latent model's latents), as frame 0 of the first segment.
        Tensor? first = request.InitImage is { } image ? DiffusionSpace.FromClips(model, ClipTensors.ToTensor(Enumerable.Repeat(FitInit(image), b).ToList(), device)) : null;
        Tensor? clip = null; // (B, C, frames so far, side, side), diffusion space
        for (int k = 0; k < plan.Segments; k++)
        {
            Tensor? known = null, mask = null;
            if (k > 0) (known, mask) = KnownAtStart(clip!.narrow(2, clip.shape[2] - plan.Overlap, plan.Overlap), plan.Length);
            else if (first is not null) (known, mask) = KnownAtStart(first, plan.Length);
            int done = k * request.Steps, total = plan.Segments * request.Steps;
            Action<SamplerStep>? step = onStep is null ? null : s => onStep(s with { Step = done + s.Step, TotalSteps = total });
            var x0 = SampleSegment(PromptsOf(k), request, plan.Length, gen, known, mask, Seeds.Mix((int)(request.Seed & int.MaxValue), 7919 + k), step, cancel);
            clip = clip is null ? x0 : cat(new[] { clip, x0.narrow(2, plan.Overlap, plan.Length - plan.Overlap) }, 2);
        }
        clip = clip!.narrow(2, 0, frames);

        // Frames (a latent model decodes here, once).
        var videos = ClipTensors.ToVideos(DiffusionSpace.ToClips(model, clip), request.Fps > 0 ? request.Fps : cfg.Fps);
        return new GenerationResult(videos[0], videos, request, clock.Elapsed, unknown, prompts);
    }

    /// <summary>The segments of a request: one pass up to the model's training length (or with <see cref="ExtendMethod.None"/>), overlapping segments beyond.</summary>
    public SegmentPlan Plan(GenerationRequest request, int frames) => Plan(model.Config, request, frames);

    /// <summary>The segments of a request to a model of <paramref name="cfg"/>; its errors are the request's (a front end checks before queueing).</summary>
    public static SegmentPlan Plan(ModelConfig cfg, GenerationRequest request, int frames)
    {
        SegmentPlan plan;
        if (request.Extend == ExtendMethod.None || frames <= cfg.Frames)
        {
            if (frames > cfg.Unet.MaxFrames)
                throw new ArgumentException($"this model generates at most {cfg.Unet.MaxFrames} frames in one pass (asked for {frames}); extend it in segments instead (--extend reconstruction)");
            plan = SegmentPlan.OnePass(frames);
        }
        else plan = SegmentPlan.Make(frames, cfg.Frames, request.Overlap > 0 ? request.Overlap : Math.Max(1, cfg.Frames / 2));
        if (request.Then.Count > plan.Segments - 1)
            throw new ArgumentException($"the prompt schedule has {request.Then.Count + 1} prompts but {frames} frames make {plan.Segments} segment(s) "
                + (plan.Segments == 1 ? $"(the model's {cfg.Frames} frames or fewer are one segment; ask for more frames)" : $"of {plan.Length} frames overlapping by {plan.Overlap}"));
        return plan;
    }

    /// <summary>An init image as one frame at the model's size: resized on its shorter side and centre-cropped, as training fits frames.</summary>
    Video FitInit(Video image)
    {
        int size = model.Config.Resolution;
        if (image.Width == size && image.Height == size)
            return image.Frames == 1 ? image : new Video(1, size, size, image.Fps, image.Frame(0).ToArray());
        return FrameImages.FitFirstFrame(image, size);
    }

    /// <summary>Known frames at the start of a segment of <paramref name="length"/> frames: values (B, C, length, h, w) and mask (1, 1, length, 1, 1).</summary>
    static (Tensor Known, Tensor Mask) KnownAtStart(Tensor frames, int length)
    {
        long n = frames.shape[2];
        var known = cat(new[] { frames, zeros(new[] { frames.shape[0], frames.shape[1], length - n, frames.shape[3], frames.shape[4] }, device: frames.device) }, 2);
        var mask = arange(length, device: frames.device).lt(n).view(1, 1, length, 1, 1);
        return (known, mask);
    }

    /// <summary>
    /// One segment: 1. encode its prompts (and the negative prompt) once; 2. draw x_T; 3. run the sampler over a
    /// guided x0 denoiser, one batched forward per step for both branches, around the known frames if any.
    /// Returns x0 (B, C, frames, side, side) in diffusion space.
    /// </summary>
    Tensor SampleSegment(List<string> prompts, GenerationRequest request, int frames, Generator gen, Tensor? known, Tensor? mask, long knownSeed,
        Action<SamplerStep>? onStep, CancellationToken cancel)
    {
        var cfg = model.Config;
        var device = model.parameters().First().device;
        int b = prompts.Count;
        using var scope = NewDisposeScope();

        // 1. Text: conditional rows, then unconditional rows (negative prompt or learned null).
        var cond = model.EncodeText(prompts);
        bool hasNegative = !string.IsNullOrWhiteSpace(request.NegativePrompt);
        var uncond = model.EncodeText(Enumerable.Repeat(hasNegative ? request.NegativePrompt : "", b).ToList());
        var both = new TextCondition(cat(new[] { cond.Tokens, uncond.Tokens }), cat(new[] { cond.Mask, uncond.Mask }), cat(new[] { cond.Pooled, uncond.Pooled }));
        var dropBoth = cat(new[] { zeros(b, dtype: ScalarType.Bool, device: device), full(b, !hasNegative, dtype: ScalarType.Bool, device: device) });

        // 2. Starting noise; a latent model starts from noise in its latent space (L channels at the latent size).
        int side = cfg.DiffusionResolution;
        var xT = randn(new long[] { b, cfg.Unet.Channels, frames, side, side }, generator: gen).to(device);

        // 3. Guided denoiser (around the known frames) and sampler.
        GuidedModel network = (xt, t, branch) =>
        {
            if (branch == GuidanceBranch.Conditional)
                return model.Forward(xt, full(xt.shape[0], (float)t, device: device), cond);
            var x2 = cat(new[] { xt, xt });
            return model.Forward(x2, full(x2.shape[0], (float)t, device: device), both, dropBoth);
        };
        var denoiser = Guidance.Denoiser(network, cfg.Prediction, schedule, new GuidanceOptions { Scale = request.GuidanceScale, Clip = request.Clip, Bound = cfg.Latent?.Bound ?? 1 });
        if (known is not null)
        {
            var noise = new Generator((ulong)knownSeed, CPU);
            denoiser = request.Extend == ExtendMethod.Replacement
                ? KnownFrames.Replacement(denoiser, known, mask!, schedule, noise)
                : KnownFrames.ReconstructionGuidance(denoiser, known, mask!, schedule, noise, request.ReconstructionWeight);
        }
        var options = new SamplingOptions
        {
            Schedule = schedule,
            Timesteps = Timesteps.Make(schedule, request.Steps, request.Spacing),
            Generator = gen,
            Eta = request.Eta,
            Callback = onStep,
            Cancellation = cancel,
        };
        return Sampler.Run(request.Sampler, denoiser, xT, options).MoveToOuterDisposeScope();
    }
}
