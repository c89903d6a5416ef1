using System.CommandLine;
using Spectre.Console;
using VidGen.Data;
using VidGen.Models;
using VidGen.Models.Autoencoders;
using VidGen.Models.TextEncoders;
using VidGen.Training;

namespace VidGen.Cli.Commands;

/// <summary>`vidgen train`: trains a model on the shapes world (default) or a collection given with --data, and writes a model folder.</summary>
public static class TrainCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out", "-o") { Description = "model folder to write", Required = true };
        var preset = new Option<string>("--preset") { Description = $"model size: {Names.Preset.Choices}", DefaultValueFactory = _ => Names.Preset.Name(ModelPreset.Default) };
        var resolution = new Option<int>("--resolution") { Description = "frame size in pixels", DefaultValueFactory = _ => new ModelConfig().Resolution };
        var frames = new Option<int>("--frames") { Description = "frames per clip", DefaultValueFactory = _ => new ModelConfig().Frames };
        var resume = new Option<bool>("--resume") { Description = "continue the run saved in --out" };
        var textEncoder = new Option<string>("--text-encoder")
        {
            Description = "builtin (trained with the model), minilm (frozen all-MiniLM-L6-v2 that comes with the build), or a frozen pretrained encoder from a local folder: bert:PATH, clip:PATH, or PATH (kind read from its config.json)",
            DefaultValueFactory = _ => Names.TextEncoder.Name(new ModelConfig().Text.Kind),
        };
        var autoencoder = new Option<string?>("--autoencoder") { Description = "train a latent model in this autoencoder folder's latent space (from `vidgen train-autoencoder`); its weights are copied into --out" };
        var initFrom = new Option<string?>("--init-from") { Description = "start from this model folder's weights (fine-tune; new layers start as identities)" };
        var dataOptions = new DataOptions();
        var t = new TrainOptionSet();

        var cmd = new Command("train", "Train a text-to-video model on the shapes world or on your own captioned collection (--data)")
            { output };
        foreach (var o in t.All.Concat(new Option[] { preset, resolution, frames, resume, textEncoder, autoencoder, initFrom }).Concat(dataOptions.All)) cmd.Add(o);
        cmd.SetAction(r => CliSupport.Run(() =>
        {
            string outDir = r.GetValue(output)!;
            bool resuming = r.GetValue(resume);
            ModelConfig config = resuming && File.Exists(Path.Combine(outDir, Checkpoint.ConfigFile))
                ? ModelConfig.FromJson(File.ReadAllText(Path.Combine(outDir, Checkpoint.ConfigFile)))
                : PretrainedTextEncoder.Configure(ModelPresets.Get(Names.Preset.Parse(r.GetValue(preset)!), r.GetValue(resolution), r.GetValue(frames)), r.GetValue(textEncoder)!);
            var options = t.Options(r);
            ITrainingClips data;
            VideoCollection? collection = null;
            if (r.GetValue(dataOptions.Data) is string dataPath)
            {
                // Clips sampled at --target-fps play at that rate, so a new model records it for generation.
                if (!resuming && r.GetValue(dataOptions.TargetFps) is double target) config = config with { Fps = target };
                collection = DataOptions.Load(dataPath, dataOptions.Collection(r, config.Resolution, config.Frames, config.Fps, options.Seed));
                data = collection;
            }
            else data = new ShapesTrainingClips(new ShapesWorld(config.Resolution, config.Frames, config.Fps), options.Seed);
            LatentCodec? latents = null;
            if (resuming && config.Latent is not null) latents = Checkpoint.LoadLatents(outDir, config);
            else if (!resuming && r.GetValue(autoencoder) is string aeDir)
            {
                latents = LatentModel(aeDir, data, options.Seed);
                config = config.InLatentSpace(latents.Config);
                AnsiConsole.MarkupLineInterpolated($"latent model: {config.Resolution}px frames coded to {config.DiffusionResolution}px x {latents.Channels} channels by {aeDir}; latent scale {latents.Config.Scale:G4} (1 / std on {ScaleClips} training clips)");
            }
            int code = Run(config, data, options, outDir, resuming, r.GetValue(initFrom), latents);
            // The count again at the end, where it is seen; with --lazy the bad files were only found during the run.
            if (collection is not null && collection.Skipped.Count > 0) DataOptions.PrintReport(collection, r.GetValue(dataOptions.Lazy) ? 5 : 0);
            return code;
        }));
        return cmd;
    }

    const int ScaleClips = 16;

    /// <summary>The autoencoder of <paramref name="dir"/> with its latent scale measured on the first clips of the run's data.</summary>
    static LatentCodec LatentModel(string dir, ITrainingClips data, int seed)
    {
        var autoencoder = AutoencoderFolder.Load(dir);
        try
        {
            if (data.Resolution % autoencoder.Config.Downsampling != 0)
                throw new ArgumentException($"{dir} codes {autoencoder.Config.Downsampling}x{autoencoder.Config.Downsampling} pixels per latent, which does not divide the {data.Resolution}px frames");
            using var clips = Pipelines.ClipTensors.ToTensor(Enumerable.Range(0, ScaleClips).Select(i => data.Clip(Seeds.Mix(seed, i)).Video).ToList());
            return new LatentCodec(autoencoder, LatentCodec.Measure(autoencoder, clips));
        }
        catch
        {
            autoencoder.Dispose();
            throw;
        }
    }

    /// <param name="config">the model to train</param>
    /// <param name="data">its clips</param>
    /// <param name="options">how to train</param>
    /// <param name="outDir">the model folder</param>
    /// <param name="resume">continue the run saved in outDir</param>
    /// <param name="initFrom">a model folder to start from</param>
    /// <param name="latents">a latent model's autoencoder (the trainer disposes it)</param>
    public static int Run(ModelConfig config, ITrainingClips data, TrainOptions options, string outDir, bool resume, string? initFrom = null, LatentCodec? latents = null)
    {
        using var trainer = new Trainer(config, data, options, outDir, latents: latents);
        if (resume)
        {
            var changed = trainer.Resume();
            if (changed.Count > 0)
                AnsiConsole.MarkupLineInterpolated($"[yellow]resuming with settings that differ from the saved run (it will not continue exactly): {string.Join("; ", changed)}[/]");
        }
        else if (initFrom is not null)
        {
            var fresh = trainer.InitFrom(initFrom);
            AnsiConsole.MarkupLineInterpolated($"initialised from {initFrom}; {fresh.Count} tensors it lacks start fresh{(fresh.Count > 0 ? ": " + string.Join(", ", fresh.Take(6)) + (fresh.Count > 6 ? ", ..." : "") : "")}");
        }
        AnsiConsole.MarkupLineInterpolated($"training {CliSupport.Describe(trainer.Model)} for {options.Steps} steps (batch {options.BatchSize}x{options.GradAccumulation}) into {outDir}{(resume ? $", resuming at step {trainer.Step}" : "")}");
        AnsiConsole.MarkupLine("[grey]Ctrl+C saves a checkpoint and stops; --resume continues.[/]");
        using var cts = CliSupport.CancelOnCtrlC();
        TrainProgress? last = null;
        AnsiConsole.Progress().AutoClear(false).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("train", maxValue: options.Steps);
                task.Value = trainer.Step;
                trainer.Train(p =>
                {
                    last = p;
                    task.Value = p.Step;
                    task.Description = $"step {p.Step} loss {p.Loss:F4} {p.VideosPerSecond:F1} videos/s";
                }, cts.Token);
            });
        if (last is not null)
            AnsiConsole.MarkupLineInterpolated($"saved [green]{outDir}[/] at step {trainer.Step}: loss {last.Loss:F4}, {last.VideosPerSecond:F2} videos/s, {last.Elapsed:hh\\:mm\\:ss}");
        return 0;
    }
}
