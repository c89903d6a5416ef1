using System.CommandLine;
using System.Globalization;
using VidGen.Models.Autoencoders;
using VidGen.Training;

namespace VidGen.Cli.Commands;

/// <summary>
/// The `train-autoencoder` options that fill <see cref="AutoencoderTrainOptions"/> and <see cref="AutoencoderConfig"/>,
/// defaulting to <see cref="AutoencoderTrainOptions.Defaults"/> and a new <see cref="AutoencoderConfig"/> (tests check both).
/// </summary>
public sealed class AutoencoderTrainOptionSet
{
    static AutoencoderTrainOptions Defaults => AutoencoderTrainOptions.Defaults;
    static AutoencoderConfig Network => new();

    public Option<int> Resolution { get; } = new("--resolution") { Description = "frame size in pixels", DefaultValueFactory = _ => Network.Resolution };
    public Option<int> LatentChannels { get; } = new("--latent-channels") { Description = "channels per latent pixel", DefaultValueFactory = _ => Network.LatentChannels };
    public Option<string> Levels { get; } = new("--level-channels") { Description = "channels per level after the 2x2 patching, comma separated (each level after the first halves the size)", DefaultValueFactory = _ => string.Join(",", Network.LevelChannels) };
    public Option<int> Blocks { get; } = new("--blocks") { Description = "residual blocks per level (the decoder has one more)", DefaultValueFactory = _ => Network.BlocksPerLevel };
    public Option<int> Steps { get; } = new("--steps") { Description = "optimizer steps", DefaultValueFactory = _ => Defaults.Steps };
    public Option<int> Batch { get; } = new("--batch") { Description = "clips per step", DefaultValueFactory = _ => Defaults.BatchClips };
    public Option<int> FramesPerClip { get; } = new("--frames-per-clip") { Description = "frames of each clip coded per step", DefaultValueFactory = _ => Defaults.FramesPerClip };
    public Option<int> Crop { get; } = new("--crop") { Description = "train on random square crops of this size (0 = whole frames)", DefaultValueFactory = _ => Defaults.CropSize };
    public Option<double> LearningRate { get; } = new("--lr") { Description = "peak learning rate", DefaultValueFactory = _ => Defaults.LearningRate };
    public Option<double> L1 { get; } = new("--l1") { Description = "weight of the L1 term", DefaultValueFactory = _ => Defaults.L1Weight };
    public Option<double> L2 { get; } = new("--l2") { Description = "weight of the L2 term", DefaultValueFactory = _ => Defaults.L2Weight };
    public Option<double> Edge { get; } = new("--edge") { Description = "weight of the edge (neighbour-difference) term", DefaultValueFactory = _ => Defaults.EdgeWeight };
    public Option<double> Adversarial { get; } = new("--adversarial") { Description = "weight of the patch-adversarial term (0 = no discriminator)", DefaultValueFactory = _ => Defaults.AdversarialWeight };
    public Option<int> AdversarialStart { get; } = new("--adversarial-start") { Description = "step at which the discriminator joins", DefaultValueFactory = _ => Defaults.AdversarialStart };
    public Option<int> CheckpointEvery { get; } = new("--checkpoint-every") { Description = "save (and measure the held-out PSNR) every N steps", DefaultValueFactory = _ => Defaults.CheckpointEvery };
    public Option<int> ValidationClips { get; } = new("--validation-clips") { Description = "held-out clips the PSNR is measured on", DefaultValueFactory = _ => Defaults.ValidationClips };
    public Option<int> Seed { get; } = new("--seed") { Description = "seed for weights and data order", DefaultValueFactory = _ => Defaults.Seed };
    public Option<int> Threads { get; } = new("--threads") { Description = "CPU threads (0 = libtorch default)", DefaultValueFactory = _ => Defaults.Threads };

    public IEnumerable<Option> All => new Option[]
        { Resolution, LatentChannels, Levels, Blocks, Steps, Batch, FramesPerClip, Crop, LearningRate, L1, L2, Edge, Adversarial, AdversarialStart, CheckpointEvery, ValidationClips, Seed, Threads };

    public AutoencoderTrainOptions Options(ParseResult r) => Defaults with
    {
        Steps = r.GetValue(Steps), BatchClips = r.GetValue(Batch), FramesPerClip = r.GetValue(FramesPerClip), CropSize = r.GetValue(Crop),
        LearningRate = r.GetValue(LearningRate), L1Weight = r.GetValue(L1), L2Weight = r.GetValue(L2), EdgeWeight = r.GetValue(Edge),
        AdversarialWeight = r.GetValue(Adversarial), AdversarialStart = r.GetValue(AdversarialStart), CheckpointEvery = r.GetValue(CheckpointEvery),
        ValidationClips = r.GetValue(ValidationClips), Seed = r.GetValue(Seed), Threads = r.GetValue(Threads),
    };

    public AutoencoderConfig Config(ParseResult r) => Network with
    {
        LatentChannels = r.GetValue(LatentChannels), LevelChannels = ParseLevels(r.GetValue(Levels)!), BlocksPerLevel = r.GetValue(Blocks), Resolution = r.GetValue(Resolution),
    };

    static int[] ParseLevels(string text)
    {
        try { return text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray(); }
        catch (Exception e) when (e is FormatException or OverflowException) { throw new ArgumentException($"--level-channels {text}: give whole numbers separated by commas, e.g. 48,64"); }
    }
}
