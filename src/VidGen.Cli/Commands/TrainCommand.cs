using System.CommandLine;
using Spectre.Console;
using VidGen.Data;
using VidGen.Data.World2;
using VidGen.Models;
using VidGen.Models.Autoencoders;
using VidGen.Models.TextEncoders;
using VidGen.Training;

namespace VidGen.Cli.Commands;

/// <summary>
/// `vidgen train`: trains a model on the shapes world (default), the second world (--world world2) or a collection
/// given with --data, and writes a model folder.
/// </summary>
public static class TrainCommand
{
    /// <summary>The options of `vidgen train` that are not <see cref="TrainOptions"/> fields (those are <see cref="TrainOptionSet"/>).</summary>
    public sealed class Options
    {
        public Option<string> Output { get; } = new("--out", "-o") { Description = "model folder to write", Required = true };
        public Option<string?> Recipe { get; } = new("--recipe")
        {
            Description = $"train as a named recipe ({TrainingRecipes.Choices}): its world, text encoder, autoencoder, network and training options; options given on the command line override them",
        };
        public Option<string> Preset { get; } = new("--preset") { Description = $"model size: {Names.Preset.Choices}", DefaultValueFactory = _ => Names.Preset.Name(ModelPreset.Default) };
        public Option<int> Resolution { get; } = new("--resolution") { Description = $"frame size in pixels (world2: {WorldOptions.Default.Resolution} unless given)", DefaultValueFactory = _ => new ModelConfig().Resolution };
        public Option<int> Frames { get; } = new("--frames") { Description = $"frames per clip (world2: {WorldOptions.Default.Frames} unless given)", DefaultValueFactory = _ => new ModelConfig().Frames };
        public Option<bool> Resume { get; } = new("--resume") { Description = "continue the run saved in --out" };
        public Option<string> TextEncoder { get; } = new("--text-encoder")
        {
            Description = "builtin (trained with the model), minilm (frozen all-MiniLM-L6-v2 that comes with the build), or a frozen pretrained encoder from a local folder: bert:PATH, clip:PATH, or PATH (kind read from its config.json)",
            DefaultValueFactory = _ => Names.TextEncoder.Name(new ModelConfig().Text.Kind),
        };
        public Option<int?> TextMaxLength { get; } = new("--text-max-length")
        {
            Description = "tokens per prompt, special tokens included (default: the encoder's own, 16 builtin or 32 pretrained; world2: the longest caption its grammar can write, in the encoder's tokens)",
        };
        public Option<string?> Autoencoder { get; } = new("--autoencoder") { Description = "train a latent model in this autoencoder folder's latent space (from `vidgen train-autoencoder`); its weights are copied into --out" };
        public Option<string?> InitFrom { get; } = new("--init-from") { Description = "start from this model folder's weights (fine-tune; new layers start as identities)" };
        public Option<string> World { get; } = WorldOptions.World(", trained on directly; not with --data");
        public Option<string?> Category { get; } = WorldOptions.Category("world2: ");
        public Option<string?> EmojiFont { get; } = WorldOptions.EmojiFont("world2: ");
        public DataOptions Data { get; } = new();
        public TrainOptionSet Train { get; } = new();

        public IEnumerable<Option> All => new Option[] { Output, Recipe }.Concat(Train.All)
            .Concat(new Option[] { Preset, Resolution, Frames, Resume, TextEncoder, TextMaxLength, Autoencoder, InitFrom, World, Category, EmojiFont }).Concat(Data.All).Append(Data.LoaderWorkers);

        /// <summary>
        /// Whether to train on the second world; --world given with --data, or --category without world2, is a
        /// one-line error (either would be silently ignored otherwise).
        /// </summary>
        public bool IsWorld2(ParseResult r, TrainingRecipe? recipe = null)
        {
            bool world2 = WorldOptions.IsWorld2(CliSupport.GivenOr(r, World, recipe?.World ?? r.GetValue(World)!));
            if (r.GetResult(World) is { Implicit: false } && r.GetValue(Data.Data) is not null)
                throw new ArgumentException("--world and --data: train on a world or on your collection, not both");
            if (recipe is not null && r.GetValue(Data.Data) is not null)
                throw new ArgumentException($"--recipe and --data: recipe {recipe.Name} trains on its own world ({recipe.World}); for your collection, give the options without --recipe");
            if (!world2 && r.GetValue(Category) is not null)
                throw new ArgumentException($"--category: only the second world has categories (add --world {WorldOptions.World2})");
            return world2;
        }

        /// <summary>
        /// A new model's config: the preset at --resolution and --frames (world2: its own 64x64, 16 frames at 8 fps
        /// unless given), the text encoder, and the prompt length (--text-max-length; world2 without it:
        /// <see cref="CaptionLength.Longest(VidGen.Text.IPromptTokenizer)"/> in the encoder's tokens, so no caption is cut).
        /// </summary>
        public ModelConfig NewConfig(ParseResult r, bool world2, TrainingRecipe? recipe = null)
        {
            var preset = Names.Preset.Parse(CliSupport.GivenOr(r, Preset, recipe is null ? r.GetValue(Preset)! : Names.Preset.Name(recipe.Preset)));
            string spec = CliSupport.GivenOr(r, TextEncoder, recipe?.TextEncoder ?? r.GetValue(TextEncoder)!);
            int? maxLength = r.GetValue(TextMaxLength);
            if (!world2) return PretrainedTextEncoder.Configure(ModelPresets.Get(preset, r.GetValue(Resolution), r.GetValue(Frames)), spec, maxLength);
            var g = WorldOptions.Default;
            var config = ModelPresets.Get(preset, CliSupport.GivenOr(r, Resolution, g.Resolution), CliSupport.GivenOr(r, Frames, g.Frames)) with { Fps = g.Fps };
            maxLength ??= CaptionLength.Longest(PretrainedTextEncoder.TokenizerOf(PretrainedTextEncoder.Configure(config, spec).Text));
            return PretrainedTextEncoder.Configure(config, spec, maxLength);
        }

        /// <summary>
        /// The autoencoder folder of a new latent model: --autoencoder, else the recipe's bundled one (found under
        /// models/ as a bundled model is); null for a pixel model.
        /// </summary>
        public string? AutoencoderDir(ParseResult r, TrainingRecipe? recipe)
        {
            if (r.GetValue(Autoencoder) is string given) return given;
            if (recipe?.Autoencoder is not string name) return null;
            return ModelLocator.FindBundled(name, AutoencoderFolder.Exists)
                ?? throw new FileNotFoundException($"recipe {recipe.Name}: its autoencoder models/{name} is in none of {string.Join(", ", ModelLocator.SearchFolders().DefaultIfEmpty("(no models/ folder found)"))} (give --autoencoder DIR)");
        }

        /// <summary>The second world at the model's size, restricted to --category if given (checked before the font is read).</summary>
        public World2TrainingClips World2Clips(ParseResult r, ModelConfig config, int seed)
        {
            var category = WorldOptions.ParseCategory(r, Category);
            return new(CompositionalWorld.Open(r.GetValue(EmojiFont), config.Resolution, config.Frames, config.Fps), seed, category);
        }
    }

    public static Command Create()
    {
        var o = new Options();
        var cmd = new Command("train", "Train a text-to-video model on the shapes world, the second world (--world world2) or your own captioned collection (--data)");
        foreach (var option in o.All) cmd.Add(option);
        cmd.SetAction(r => CliSupport.Run(() =>
        {
            string outDir = r.GetValue(o.Output)!;
            bool resuming = r.GetValue(o.Resume);
            var recipe = r.GetValue(o.Recipe) is string recipeName ? TrainingRecipes.Parse(recipeName) : null;
            bool world2 = o.IsWorld2(r, recipe);
            ModelConfig config = resuming && File.Exists(Path.Combine(outDir, Checkpoint.ConfigFile))
                ? ModelConfig.FromJson(File.ReadAllText(Path.Combine(outDir, Checkpoint.ConfigFile)))
                : o.NewConfig(r, world2, recipe);
            var options = o.Train.Options(r, recipe?.Options);
            ITrainingClips data;
            VideoCollection? collection = null;
            if (r.GetValue(o.Data.Data) is string dataPath)
            {
                // Clips sampled at --target-fps play at that rate, so a new model records it for generation.
                if (!resuming && r.GetValue(o.Data.TargetFps) is double target) config = config with { Fps = target };
                data = o.Data.Open(r, dataPath, o.Data.Collection(r, config.Resolution, config.Frames, config.Fps, options.Seed), out collection);
            }
            else if (world2) data = o.World2Clips(r, config, options.Seed);
            else data = new ShapesTrainingClips(new ShapesWorld(config.Resolution, config.Frames, config.Fps), options.Seed);
            // The model records its world (eval scores it there, the web page shows that world's examples); a collection has none.
            if (!resuming) config = config with { World = r.GetValue(o.Data.Data) is not null ? null : world2 ? WorldKind.World2 : WorldKind.Shapes };
            if (resuming && r.GetValue(o.Autoencoder) is not null)
                throw new ArgumentException("--autoencoder with --resume: a resumed run keeps the autoencoder.safetensors saved in --out");
            LatentCodec? latents = null;
            if (resuming && config.Latent is not null) latents = Checkpoint.LoadLatents(outDir, config);
            else if (!resuming && r.GetValue(o.InitFrom) is string init && Checkpoint.Exists(init) && Checkpoint.ReadConfig(init) is { Latent: not null } initConfig)
            {
                // A warm start continues in the latent space its weights learnt: the init model's autoencoder and scale, not a re-measured one.
                latents = Checkpoint.LoadLatents(init, initConfig)!;
                try { config = config.InLatentSpace(latents.Config); }
                catch
                {
                    latents.Dispose();
                    throw;
                }
                AnsiConsole.MarkupLineInterpolated($"latent model: the latent space of {init} (its autoencoder, latent scale {latents.Config.Scale:G4})");
            }
            else if (!resuming && o.AutoencoderDir(r, recipe) is string aeDir)
            {
                latents = LatentModel(aeDir, data, options.Seed);
                try { config = config.InLatentSpace(latents.Config); }
                catch
                {
                    latents.Dispose();
                    throw;
                }
                AnsiConsole.MarkupLineInterpolated($"latent model: {config.Resolution}px frames coded to {config.DiffusionResolution}px x {latents.Channels} channels by {aeDir}; latent scale {latents.Config.Scale:G4} (1 / std on {ScaleClips} training clips)");
            }
            int code;
            try { code = Run(config, data, options, outDir, resuming, r.GetValue(o.InitFrom), latents); }
            finally { (data as IDisposable)?.Dispose(); } // memory maps, read-ahead threads
            // The count again at the end, where it is seen; with --lazy the bad files were only found during the run.
            if (collection is not null && collection.Skipped.Count > 0) DataOptions.PrintReport(collection, r.GetValue(o.Data.Lazy) ? 5 : 0);
            return code;
        }));
        return cmd;
    }

    const int ScaleClips = 16;

    /// <summary>The autoencoder of <paramref name="dir"/> with its latent scale measured on <see cref="ScaleClips"/> clips of the run's data.</summary>
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
        Trainer made;
        try { made = new Trainer(config, data, options, outDir, latents: latents); }
        catch
        {
            latents?.Dispose();
            throw;
        }
        using var trainer = made;
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
                    task.Description = $"step {p.Step} loss {p.Loss:F4} {p.VideosPerSecond:F1} videos/s"
                        + (p.Recoveries > 0 ? $" ({p.Recoveries} recovered, see {Trainer.LogFile})" : "");
                }, cts.Token);
            });
        if (last is not null)
            AnsiConsole.MarkupLineInterpolated($"saved [green]{outDir}[/] at step {trainer.Step}: loss {last.Loss:F4}, {last.VideosPerSecond:F2} videos/s, {last.Elapsed:hh\\:mm\\:ss}");
        return 0;
    }
}
