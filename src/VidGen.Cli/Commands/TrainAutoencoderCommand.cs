using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using VidGen.Data;
using VidGen.Data.World2;
using VidGen.Media;
using VidGen.Models.Autoencoders;
using VidGen.Training;

namespace VidGen.Cli.Commands;

/// <summary>
/// `vidgen train-autoencoder`: trains the per-frame latent autoencoder on a world (--world world2 for latent models of that world) or a
/// collection (--data) and writes an autoencoder folder that `vidgen train --autoencoder` builds a latent model on.
/// </summary>
public static class TrainAutoencoderCommand
{
    static AutoencoderTrainOptions Defaults => AutoencoderTrainOptions.Defaults;
    static AutoencoderConfig Network => new();

    public static Command Create()
    {
        var output = new Option<string>("--out", "-o") { Description = "autoencoder folder to write", Required = true };
        var world = WorldOptions.World(", its held-out clips measure the PSNR; not with --data");
        var category = WorldOptions.Category("world2: ");
        var emojiFont = WorldOptions.EmojiFont("world2: ");
        var resolution = new Option<int>("--resolution") { Description = "frame size in pixels", DefaultValueFactory = _ => Network.Resolution };
        var frames = new Option<int>("--frames") { Description = "frames per clip drawn (the autoencoder codes frames one by one)", DefaultValueFactory = _ => WorldOptions.Default.Frames };
        var latentChannels = new Option<int>("--latent-channels") { Description = "channels per latent pixel", DefaultValueFactory = _ => Network.LatentChannels };
        var levels = new Option<string>("--level-channels") { Description = "channels per level from full size down, comma separated (levels - 1 halvings)", DefaultValueFactory = _ => string.Join(",", Network.LevelChannels) };
        var blocks = new Option<int>("--blocks") { Description = "residual blocks per level", DefaultValueFactory = _ => Network.BlocksPerLevel };
        var steps = new Option<int>("--steps") { Description = "optimizer steps", DefaultValueFactory = _ => Defaults.Steps };
        var batch = new Option<int>("--batch") { Description = "clips per step", DefaultValueFactory = _ => Defaults.BatchClips };
        var framesPerClip = new Option<int>("--frames-per-clip") { Description = "frames of each clip coded per step", DefaultValueFactory = _ => Defaults.FramesPerClip };
        var crop = new Option<int>("--crop") { Description = "train on random square crops of this size (0 = whole frames)", DefaultValueFactory = _ => Defaults.CropSize };
        var lr = new Option<double>("--lr") { Description = "peak learning rate", DefaultValueFactory = _ => Defaults.LearningRate };
        var l1 = new Option<double>("--l1") { Description = "weight of the L1 term", DefaultValueFactory = _ => Defaults.L1Weight };
        var l2 = new Option<double>("--l2") { Description = "weight of the L2 term", DefaultValueFactory = _ => Defaults.L2Weight };
        var edge = new Option<double>("--edge") { Description = "weight of the edge (neighbour-difference) term", DefaultValueFactory = _ => Defaults.EdgeWeight };
        var adversarial = new Option<double>("--adversarial") { Description = "weight of the patch-adversarial term (0 = no discriminator)", DefaultValueFactory = _ => Defaults.AdversarialWeight };
        var adversarialStart = new Option<int>("--adversarial-start") { Description = "step at which the discriminator joins", DefaultValueFactory = _ => Defaults.AdversarialStart };
        var checkpointEvery = new Option<int>("--checkpoint-every") { Description = "save (and measure the held-out PSNR) every N steps", DefaultValueFactory = _ => Defaults.CheckpointEvery };
        var validationClips = new Option<int>("--validation-clips") { Description = "held-out clips the PSNR is measured on", DefaultValueFactory = _ => Defaults.ValidationClips };
        var seed = new Option<int>("--seed") { Description = "seed for weights and data order", DefaultValueFactory = _ => Defaults.Seed };
        var threads = new Option<int>("--threads") { Description = "CPU threads (0 = libtorch default)", DefaultValueFactory = _ => Defaults.Threads };
        var resume = new Option<bool>("--resume") { Description = "continue the run saved in --out" };
        var dataOptions = new DataOptions();

        var cmd = new Command("train-autoencoder", "Train the latent autoencoder that latent models (`vidgen train --autoencoder DIR`) denoise in") { output };
        foreach (var o in new Option[] { world, category, emojiFont, resolution, frames, latentChannels, levels, blocks, steps, batch, framesPerClip, crop, lr, l1, l2, edge,
                     adversarial, adversarialStart, checkpointEvery, validationClips, seed, threads, resume }.Concat(dataOptions.All)) cmd.Add(o);
        cmd.SetAction(r => CliSupport.Run(() =>
        {
            string outDir = r.GetValue(output)!;
            bool resuming = r.GetValue(resume);
            var options = Defaults with
            {
                Steps = r.GetValue(steps), BatchClips = r.GetValue(batch), FramesPerClip = r.GetValue(framesPerClip), CropSize = r.GetValue(crop), LearningRate = r.GetValue(lr),
                L1Weight = r.GetValue(l1), L2Weight = r.GetValue(l2), EdgeWeight = r.GetValue(edge), AdversarialWeight = r.GetValue(adversarial),
                AdversarialStart = r.GetValue(adversarialStart), CheckpointEvery = r.GetValue(checkpointEvery), ValidationClips = r.GetValue(validationClips),
                Seed = r.GetValue(seed), Threads = r.GetValue(threads),
            };
            options.Validate();
            var configPath = Path.Combine(outDir, AutoencoderFolder.ConfigFile);
            var config = resuming && File.Exists(configPath)
                ? AutoencoderConfig.FromJson(File.ReadAllText(configPath), configPath)
                : Network with
                {
                    LatentChannels = r.GetValue(latentChannels), LevelChannels = ParseLevels(r.GetValue(levels)!), BlocksPerLevel = r.GetValue(blocks),
                    Resolution = r.GetValue(resolution),
                };
            config.Validate();

            ITrainingClips data;
            IReadOnlyList<Video> validation;
            string source;
            if (r.GetResult(world) is { Implicit: false } && r.GetValue(dataOptions.Data) is not null)
                throw new ArgumentException("--world and --data: train on a world or on your collection, not both");
            if (r.GetValue(category) is not null && !WorldOptions.IsWorld2(r.GetValue(world)!))
                throw new ArgumentException($"--category: only the second world has categories (add --world {WorldOptions.World2})");
            if (r.GetValue(dataOptions.Data) is string dataPath)
            {
                var collection = DataOptions.Load(dataPath, dataOptions.Collection(r, config.Resolution, r.GetValue(frames), new Models.ModelConfig().Fps, options.Seed));
                data = collection;
                // A collection has no held-out split: its PSNR is measured on clips it also trains on.
                validation = Enumerable.Range(0, Math.Min(options.ValidationClips, collection.Count)).Select(i => collection.Clip(i).Video).ToList();
                source = $"{dataPath} (PSNR on training clips)";
            }
            else if (WorldOptions.IsWorld2(r.GetValue(world)!))
            {
                var w = CompositionalWorld.Open(r.GetValue(emojiFont), config.Resolution, r.GetValue(frames));
                var only = WorldOptions.ParseCategory(r, category);
                data = new World2TrainingClips(w, options.Seed, only);
                validation = Enumerable.Range(0, options.ValidationClips).Select(i => w.HeldOutClip(options.Seed + 1, i, only).Video).ToList();
                source = "world2 (PSNR on held-out clips)";
            }
            else
            {
                var w = new ShapesWorld(config.Resolution, r.GetValue(frames));
                data = new ShapesTrainingClips(w, options.Seed);
                validation = Enumerable.Range(0, options.ValidationClips).Select(i => ShapesSplits.HeldOutClip(w, options.Seed + 1, i).Video).ToList();
                source = "shapes (PSNR on held-out clips)";
            }
            return Run(config, data, validation, options, outDir, resuming, source);
        }));
        return cmd;
    }

    static int[] ParseLevels(string text)
    {
        try { return text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray(); }
        catch (FormatException) { throw new ArgumentException($"--level-channels {text}: give whole numbers separated by commas, e.g. 32,64,64"); }
    }

    static int Run(AutoencoderConfig config, ITrainingClips data, IReadOnlyList<Video> validation, AutoencoderTrainOptions options, string outDir, bool resume, string source)
    {
        using var trainer = new AutoencoderTrainer(config, data, options, outDir, validation);
        if (resume)
        {
            var changed = trainer.Resume();
            if (changed.Count > 0)
                AnsiConsole.MarkupLineInterpolated($"[yellow]resuming with settings that differ from the saved run (it will not continue exactly): {string.Join("; ", changed)}[/]");
        }
        long parameters = trainer.Autoencoder.parameters().Sum(p => p.numel());
        var c = trainer.Autoencoder.Config;
        AnsiConsole.MarkupLineInterpolated($"training a {parameters / 1e6:F2}M-parameter autoencoder ({c.Downsampling}x per side to {c.LatentChannels} channels) on {source} for {options.Steps} steps ({options.BatchClips}x{options.FramesPerClip} frames{(options.CropSize > 0 ? $", {options.CropSize}px crops" : "")}) into {outDir}{(resume ? $", resuming at step {trainer.Step}" : "")}");
        AnsiConsole.MarkupLine("[grey]Ctrl+C saves a checkpoint and stops; --resume continues.[/]");
        using var cts = CliSupport.CancelOnCtrlC();
        AutoencoderProgress? last = null;
        double? psnr = null;
        AnsiConsole.Progress().AutoClear(false).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("train", maxValue: options.Steps);
                task.Value = trainer.Step;
                trainer.Train(p =>
                {
                    last = p;
                    psnr = p.ValidationPsnr ?? psnr;
                    task.Value = p.Step;
                    task.Description = $"step {p.Step} loss {p.Loss:F4} {p.FramesPerSecond:F0} frames/s{(psnr is double v ? $" PSNR {v:F2} dB" : "")}";
                }, cts.Token);
            });
        AnsiConsole.MarkupLineInterpolated($"saved [green]{outDir}[/] at step {trainer.Step}{(trainer.LastValidationPsnr is double db ? $": held-out PSNR {db:F2} dB" : "")}{(last is null ? "" : $", {last.Elapsed:hh\\:mm\\:ss}")}");
        return 0;
    }
}
