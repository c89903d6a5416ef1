using VidGen.Data.World2;
using VidGen.Models;
using VidGen.Models.Autoencoders;
using VidGen.Models.TextEncoders;
using VidGen.Pipelines;
using VidGen.Training;
using static TorchSharp.torch;

namespace VidGen.Bench.Levers;

/// <summary>
/// The training levers of the world2 recipe (bundled model v2), measured on what the recipe trains: world2 clips at
/// 64x64x16 drawn in the step, the frozen MiniLM encoder, the autoencoder of <see cref="BenchOptions.AutoencoderDir"/>
/// (or an untrained default one: speed does not depend on its weights). Each lever times one optimizer step of 16
/// clips against the recipe's own setting, interleaved: other micro-batch splits of the same 16 clips, and other
/// U-Net widths and attention placements at the 16x16 latent size (speed only; their accuracy is not measured).
/// </summary>
internal static class RecipeLevers
{
    public static void Run(BenchContext ctx)
    {
        ctx.Cancel.ThrowIfCancellationRequested();
        var o = ctx.Options;
        bool ci = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
        if (!ci && !EmojiFont.IsInstalled(o.EmojiFont))
        {
            ctx.Log($"world2 recipe levers: skipped: no emoji font at {EmojiFont.ResolvePath(o.EmojiFont)} (apt-get install {EmojiFont.Package}, or --emoji-font PATH)");
            return;
        }
        var recipe = TrainingRecipes.World2;
        var data = new World2TrainingClips(new CompositionalWorld(ObjectArt.Load(o.EmojiFont)), 0);
        int clips = recipe.Options.BatchSize * recipe.Options.GradAccumulation;
        var preset = ctx.Quick ? ModelPreset.Tiny : recipe.Preset; // a quick run checks the stage works, not the figures
        var network = ModelPresets.Get(preset, data.Resolution, data.Frames) with { Fps = data.Fps };
        int maxLength = CaptionLength.Longest(PretrainedTextEncoder.TokenizerOf(PretrainedTextEncoder.Configure(network, recipe.TextEncoder).Text));
        var baseConfig = PretrainedTextEncoder.Configure(network, recipe.TextEncoder, maxLength);
        LatentConfig latent;
        using (var ae = Autoencoder(o))
        using (var sample = ClipTensors.ToTensor(Enumerable.Range(0, 16).Select(i => data.Clip(i).Video).ToList()))
            latent = LatentCodec.Measure(ae, sample);
        LatentCodec Codec() => new(Autoencoder(o), latent);
        var config = baseConfig.InLatentSpace(latent);
        var options = recipe.Options with { Steps = 1_000_000, CheckpointEvery = 0, SnapshotEvery = 0 };
        string dir = Path.Combine(ctx.TempDir, "recipe-levers");

        using var shipped = new Trainer(config, data, options, dir, ctx.Device, latents: Codec());
        shipped.Model.train();
        string shippedName = $"{options.BatchSize} x {options.GradAccumulation} ({Names.Preset.Name(preset)} preset{(preset == recipe.Preset ? ", as the recipe trains" : "")})";
        var u = config.Unet;
        var levers = new List<Lever>();
        foreach (int micro in ctx.Quick ? new[] { 8 } : new[] { 16, 8, 2 })
            levers.Add(new RecipeTrainerLever($"world2 recipe step ({clips} clips): micro-batches", shippedName, $"{clips / micro} x {micro}", shipped,
                () => new Trainer(config, data, options with { BatchSize = micro, GradAccumulation = clips / micro }, dir, ctx.Device, latents: Codec())));
        var networks = new (string, Unet3DConfig)[]
        {
            ("dim 24", u with { Dim = 24 }),
            ("dim 40", u with { Dim = 40 }),
            ("level widths x1, x2, x2", u with { DimMults = new[] { 1, 2, 2 } }),
            ("spatial attention at 16x16 too", u with { SpatialAttentionMaxResolution = 16 }),
            ("spatial attention at 4x4 only", u with { SpatialAttentionMaxResolution = 4, FullAttentionMaxResolution = 4 }),
            ("cross-attention at 8x8 and below only", u with { CrossAttentionMaxResolution = 8 }),
        };
        foreach (var (label, unet) in ctx.Quick ? networks.Take(1) : networks)
            levers.Add(new RecipeTrainerLever($"world2 recipe step ({clips} clips): network", shippedName, label, shipped,
                () => new Trainer(config with { Unet = unet }, data, options, dir, ctx.Device, latents: Codec()), speedOnly: true));
        ctx.Levers.AddRange(LeverRunner.Run(levers, warmup: 1, reps: ctx.Quick ? 1 : 3, ctx.Device, ctx.Log));
    }

    static VideoAutoencoder Autoencoder(BenchOptions o) =>
        o.AutoencoderDir is string d ? AutoencoderFolder.Load(d) : new VideoAutoencoder(new AutoencoderConfig());
}

/// <summary>One optimizer step of the recipe's trainer against another trainer of the same clips (built in Setup, freed in Cleanup).</summary>
internal sealed class RecipeTrainerLever(string lever, string baseline, string variant, Trainer shipped, Func<Trainer> make, bool speedOnly = false) : Lever
{
    Trainer? other;

    public override string Name => $"{lever}: {variant}";
    public override string BaselineName => baseline;
    public override string VariantName => variant;
    public override object BaselineKey => shipped;

    public override void Setup()
    {
        other = make();
        other.Model.train();
    }

    public override void Baseline() => TrainingStage.Step(shipped);
    public override void Variant() => TrainingStage.Step(other!);

    public override string Decision(double baselineSeconds, double variantSeconds) => speedOnly
        ? $"another network (x{baselineSeconds / variantSeconds:F2} clips/s): its accuracy is not measured here; speed only"
        : variantSeconds < baselineSeconds ? $"faster than the recipe's split: consider --batch/--grad-accum {variant}" : "slower: the recipe's split kept";

    public override void Cleanup() { other?.Dispose(); other = null; }
}
