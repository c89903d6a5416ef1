using System.CommandLine;
using VidGen.Pipelines;

namespace VidGen.Cli.Commands;

/// <summary>
/// The options that fill a <see cref="GenerationRequest"/> (`generate`; `eval` takes the sampler three). Their
/// defaults are <see cref="GenerationRequest.Defaults"/> and their values the names in <see cref="Names"/>, so the
/// CLI cannot drift from the library (Cli/NamesAndDefaultsTests checks that no options give exactly the defaults).
/// </summary>
public sealed class RequestOptionSet
{
    static GenerationRequest Defaults => GenerationRequest.Defaults;

    public Option<int> Steps { get; } = new("--steps") { Description = "sampler steps", DefaultValueFactory = _ => Defaults.Steps };
    public Option<double> Guidance { get; } = new("--guidance", "-g") { Description = "classifier-free guidance scale (1 = off)", DefaultValueFactory = _ => Defaults.GuidanceScale };
    public Option<string> Sampler { get; } = new("--sampler") { Description = Names.Sampler.Choices, DefaultValueFactory = _ => Names.Sampler.Name(Defaults.Sampler) };
    public Option<string> Negative { get; } = new("--negative") { Description = "negative prompt (what to steer away from)", DefaultValueFactory = _ => Defaults.NegativePrompt };
    public Option<int> Frames { get; } = new("--frames") { Description = "frames (default: the model's)", DefaultValueFactory = _ => Defaults.Frames };
    public Option<double> Fps { get; } = new("--fps") { Description = "playback frames per second (default: the model's)", DefaultValueFactory = _ => Defaults.Fps };
    public Option<string> Spacing { get; } = new("--spacing") { Description = $"timestep spacing: {Names.Spacing.Choices}", DefaultValueFactory = _ => Names.Spacing.Name(Defaults.Spacing) };
    public Option<double> Eta { get; } = new("--eta") { Description = "DDIM stochasticity (0 = deterministic, 1 = DDPM-like)", DefaultValueFactory = _ => Defaults.Eta };
    public Option<string> Clip { get; } = new("--clip") { Description = $"x0 range control: {Names.Clip.Choices} (dynamic: Imagen's thresholding)", DefaultValueFactory = _ => Names.Clip.Name(Defaults.Clip) };

    public Option<string> Extend { get; } = new("--extend")
    {
        Description = $"frames beyond the model's length, in overlapping segments: {Names.Extend.Choices} (none: one pass, up to the network's limit); also how --init-image is kept",
        DefaultValueFactory = _ => Names.Extend.Name(Defaults.Extend),
    };
    public Option<int> Overlap { get; } = new("--overlap") { Description = "frames each new segment shares with the clip so far (default: half the model's length)", DefaultValueFactory = _ => Defaults.Overlap };
    public Option<double> ReconstructionWeight { get; } = new("--reconstruction-weight") { Description = "reconstruction guidance's weight w_r", DefaultValueFactory = _ => Defaults.ReconstructionWeight };
    public Option<string[]> Then { get; } = new("--then") { Description = "the prompt of the next segment (repeat for a schedule: one prompt per segment, the last carries on)", AllowMultipleArgumentsPerToken = false };
    public Option<string?> InitImage { get; } = new("--init-image") { Description = "start the clip from this picture (png, gif, webp or a video's first frame; any size, fitted as training fits frames)" };

    /// <summary>Every option, for `generate`.</summary>
    public IEnumerable<Option> All => new Option[] { Steps, Guidance, Sampler, Negative, Frames, Fps, Spacing, Eta, Clip, Extend, Overlap, ReconstructionWeight, Then, InitImage };

    /// <summary>The three `eval` offers; see <see cref="SamplerRequest"/>.</summary>
    public IEnumerable<Option> SamplerOnly => new Option[] { Steps, Sampler, Guidance };

    /// <summary>The request these options describe, from the library's defaults; the caller sets Prompt and Seed.</summary>
    public GenerationRequest Request(ParseResult r) => SamplerRequest(r) with
    {
        NegativePrompt = r.GetValue(Negative)!,
        Frames = r.GetValue(Frames),
        Fps = r.GetValue(Fps),
        Spacing = Names.Spacing.Parse(r.GetValue(Spacing)!),
        Eta = r.GetValue(Eta),
        Clip = Names.Clip.Parse(r.GetValue(Clip)!, "--clip"),
        Extend = Names.Extend.Parse(r.GetValue(Extend)!, "--extend"),
        Overlap = r.GetValue(Overlap),
        ReconstructionWeight = r.GetValue(ReconstructionWeight),
        Then = r.GetValue(Then) is { Length: > 0 } then ? then : Defaults.Then,
    };

    /// <summary>
    /// The --init-image file read as one frame fitted to <paramref name="resolution"/> while decoding; null without the
    /// option. An unreadable file is the media layer's one-line error.
    /// </summary>
    public Media.Video? ReadInitImage(ParseResult r, int resolution) =>
        r.GetValue(InitImage) is string path ? Media.VideoReader.Read(path, new Media.ReadOptions { FitSquare = resolution, MaxFrames = 1 }) : null;

    /// <summary>Only <see cref="Steps"/>, <see cref="Guidance"/> and <see cref="Sampler"/> (what `eval` offers); the rest are the library's defaults.</summary>
    public GenerationRequest SamplerRequest(ParseResult r) => Defaults with
    {
        Steps = r.GetValue(Steps),
        GuidanceScale = r.GetValue(Guidance),
        Sampler = Names.Sampler.Parse(r.GetValue(Sampler)!),
    };
}
