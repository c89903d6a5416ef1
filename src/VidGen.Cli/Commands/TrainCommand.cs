using System.CommandLine;
using Spectre.Console;
using VidGen.Data;
using VidGen.Diffusion;
using VidGen.Models;
using VidGen.Models.TextEncoders;
using VidGen.Training;

namespace VidGen.Cli.Commands;

/// <summary>`vidgen train`: trains a model on the shapes world (default) or a collection given with --data, and writes a model folder.</summary>
public static class TrainCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out", "-o") { Description = "model folder to write", Required = true };
        var steps = new Option<int>("--steps") { Description = "optimizer steps", DefaultValueFactory = _ => 1000 };
        var batch = new Option<int>("--batch") { Description = "clips per micro-batch", DefaultValueFactory = _ => 8 };
        var accum = new Option<int>("--grad-accum") { Description = "micro-batches per optimizer step", DefaultValueFactory = _ => 1 };
        var lr = new Option<double>("--lr") { Description = "peak learning rate", DefaultValueFactory = _ => 5e-4 };
        var warmup = new Option<int>("--warmup") { Description = "linear warmup steps", DefaultValueFactory = _ => 100 };
        var preset = new Option<string>("--preset") { Description = "model size: tiny | small | default", DefaultValueFactory = _ => "default" };
        var resolution = new Option<int>("--resolution") { Description = "frame size in pixels", DefaultValueFactory = _ => 32 };
        var frames = new Option<int>("--frames") { Description = "frames per clip", DefaultValueFactory = _ => 8 };
        var seed = new Option<int>("--seed") { Description = "seed for weights, data order and noise", DefaultValueFactory = _ => 0 };
        var dropout = new Option<double>("--caption-dropout") { Description = "fraction of captions replaced by the null text", DefaultValueFactory = _ => 0.1 };
        var ema = new Option<double>("--ema-decay") { Description = "EMA decay of the sampling weights", DefaultValueFactory = _ => 0.999 };
        var every = new Option<int>("--checkpoint-every") { Description = "save every N steps", DefaultValueFactory = _ => 250 };
        var sampleEvery = new Option<int>("--sample-every") { Description = "write a sample GIF grid every N steps (0 = never)", DefaultValueFactory = _ => 0 };
        var resume = new Option<bool>("--resume") { Description = "continue the run saved in --out" };
        var threads = new Option<int>("--threads") { Description = "CPU threads (0 = libtorch default)", DefaultValueFactory = _ => 0 };
        var textEncoder = new Option<string>("--text-encoder")
        {
            Description = "builtin (trained with the model), minilm (frozen all-MiniLM-L6-v2 that comes with the build), or a frozen pretrained encoder from a local folder: bert:PATH, clip:PATH, or PATH (kind read from its config.json)",
            DefaultValueFactory = _ => "builtin",
        };
        var minSnr = new Option<double>("--min-snr-gamma") { Description = "min-SNR-gamma loss weighting (0 = plain loss on the prediction target)", DefaultValueFactory = _ => 0 };
        var shift = new Option<double>("--timestep-shift") { Description = "more training steps at high noise: t = T s u / (1 + (s-1) u); 1 = uniform", DefaultValueFactory = _ => 3 };
        var initFrom = new Option<string?>("--init-from") { Description = "start from this model folder's weights (fine-tune; new layers start as identities)" };
        var dataOptions = new DataOptions();

        var cmd = new Command("train", "Train a text-to-video model on the shapes world or on your own captioned collection (--data)")
            { output, steps, batch, accum, lr, warmup, preset, resolution, frames, seed, dropout, ema, every, sampleEvery, resume, threads, textEncoder, initFrom, minSnr, shift };
        foreach (var o in dataOptions.All) cmd.Add(o);
        cmd.SetAction(r => CliSupport.Run(() =>
        {
            string outDir = r.GetValue(output)!;
            bool resuming = r.GetValue(resume);
            ModelConfig config = resuming && File.Exists(Path.Combine(outDir, Checkpoint.ConfigFile))
                ? ModelConfig.FromJson(File.ReadAllText(Path.Combine(outDir, Checkpoint.ConfigFile)))
                : PretrainedTextEncoder.Configure(Presets.Get(r.GetValue(preset)!, r.GetValue(resolution), r.GetValue(frames)), r.GetValue(textEncoder)!);
            var options = new TrainOptions
            {
                Steps = r.GetValue(steps), BatchSize = r.GetValue(batch), GradAccumulation = r.GetValue(accum),
                LearningRate = r.GetValue(lr), WarmupSteps = r.GetValue(warmup), Seed = r.GetValue(seed),
                CaptionDropout = r.GetValue(dropout), EmaDecay = r.GetValue(ema), CheckpointEvery = r.GetValue(every),
                SampleEvery = r.GetValue(sampleEvery), Threads = r.GetValue(threads),
                Loss = new LossOptions { MinSnrGamma = r.GetValue(minSnr), TimestepShift = r.GetValue(shift) },
            };
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
            int code = Run(config, data, options, outDir, resuming, r.GetValue(initFrom));
            // The count again at the end, where it is seen; with --lazy the bad files were only found during the run.
            if (collection is not null && collection.Skipped.Count > 0) DataOptions.PrintReport(collection, r.GetValue(dataOptions.Lazy) ? 5 : 0);
            return code;
        }));
        return cmd;
    }

    public static int Run(ModelConfig config, ITrainingClips data, TrainOptions options, string outDir, bool resume, string? initFrom = null)
    {
        using var trainer = new Trainer(config, data, options, outDir);
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

/// <summary>Named model sizes.</summary>
public static class Presets
{
    public static ModelConfig Get(string name, int resolution, int frames) => name.ToLowerInvariant() switch
    {
        "tiny" => ModelConfig.Tiny(resolution, frames),
        "small" => new ModelConfig
        {
            Unet = new Unet3DConfig { Dim = 16, DimMults = new[] { 1, 2, 4 }, AttnHeads = 2, AttnDimHead = 16, SampleSize = resolution, ContextDim = 32 },
            Text = new Text.TextEncoderConfig { Dim = 32, Layers = 1, Heads = 2 },
            Resolution = resolution, Frames = frames,
        },
        "default" => new ModelConfig
        {
            Unet = new Unet3DConfig { SampleSize = resolution },
            Resolution = resolution, Frames = frames,
        },
        _ => throw new ArgumentException($"unknown preset '{name}'; use tiny, small or default"),
    };
}
