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
    public static Command Create()
    {
        var output = new Option<string>("--out", "-o") { Description = "autoencoder folder to write", Required = true };
        var world = WorldOptions.World(", its held-out clips measure the PSNR; not with --data");
        var category = WorldOptions.Category("world2: ");
        var emojiFont = WorldOptions.EmojiFont("world2: ");
        var frames = new Option<int>("--frames") { Description = "frames per clip drawn (the autoencoder codes frames one by one)", DefaultValueFactory = _ => WorldOptions.Default.Frames };
        var t = new AutoencoderTrainOptionSet();
        var resume = new Option<bool>("--resume") { Description = "continue the run saved in --out" };
        var dataOptions = new DataOptions();

        var cmd = new Command("train-autoencoder", "Train the latent autoencoder that latent models (`vidgen train --autoencoder DIR`) denoise in") { output };
        foreach (var o in new Option[] { world, category, emojiFont, frames, resume }.Concat(t.All).Concat(dataOptions.All)) cmd.Add(o);
        cmd.SetAction(r => CliSupport.Run(() =>
        {
            string outDir = r.GetValue(output)!;
            bool resuming = r.GetValue(resume);
            var options = t.Options(r);
            options.Validate();
            var configPath = Path.Combine(outDir, AutoencoderFolder.ConfigFile);
            var config = resuming && File.Exists(configPath)
                ? AutoencoderConfig.FromJson(File.ReadAllText(configPath), configPath)
                : t.Config(r);
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
