using System.CommandLine;
using Spectre.Console;
using VidGen.Cli.Commands;
using VidGen.Data;
using VidGen.Models;
using VidGen.Models.Autoencoders;
using VidGen.Tests.Data.World2;
using VidGen.Text;
using VidGen.Training;

namespace VidGen.Tests.Cli;

/// <summary>`vidgen train --recipe`, the model's recorded world, and `--model NAME` lookup of bundled models.</summary>
public class RecipeAndModelLookupTests
{
    static ParseResult Parse(TrainCommand.Options o, params string[] args) => TrainWorld2CommandTests.Parse(o, args);

    static (int Code, string Output) Invoke(Command command, params string[] args)
    {
        var previous = AnsiConsole.Console;
        var writer = new StringWriter();
        AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
        });
        AnsiConsole.Console.Profile.Width = 1000;
        try { return (new RootCommand { command }.Parse(args).Invoke(), writer.ToString()); }
        finally { AnsiConsole.Console = previous; }
    }

    [Fact]
    public void The_world2_recipe_sets_world_encoder_autoencoder_network_and_options_and_given_options_override_it()
    {
        var o = new TrainCommand.Options();
        var r = Parse(o, "--recipe", "world2");
        var recipe = TrainingRecipes.Parse("world2");
        Assert.True(o.IsWorld2(r, recipe));
        Assert.Equal(recipe.Options, o.Train.Options(r, recipe.Options));
        Assert.Equal((15000, 4, 4, 1000), (recipe.Options.Steps, recipe.Options.BatchSize, recipe.Options.GradAccumulation, recipe.Options.SnapshotEvery));
        var config = o.NewConfig(r, world2: true, recipe);
        Assert.Equal((TextEncoderKind.MiniLm, 64, 16), (config.Text.Kind, config.Resolution, config.Frames));
        var preset = ModelPresets.Get(ModelPreset.Default, 64, 16).Unet;
        Assert.Equal((preset.Dim, 384), (config.Unet.Dim, config.Unet.ContextDim)); // MiniLM's width
        Assert.Equal(preset.DimMults, config.Unet.DimMults);
        string? ae = o.AutoencoderDir(r, recipe);
        Assert.NotNull(ae);
        Assert.Equal("autoencoder-world2", Path.GetFileName(ae));
        Assert.True(AutoencoderFolder.Exists(ae!));

        var given = Parse(o, "--recipe", "world2", "--steps", "7", "--batch", "2", "--preset", "tiny", "--text-encoder", "builtin", "--lr", "1e-3");
        var options = o.Train.Options(given, recipe.Options);
        Assert.Equal(recipe.Options with { Steps = 7, BatchSize = 2, LearningRate = 1e-3 }, options);
        var tiny = o.NewConfig(given, world2: true, recipe);
        Assert.Equal((TextEncoderKind.Builtin, ModelPresets.Get(ModelPreset.Tiny, 64, 16).Unet.Dim), (tiny.Text.Kind, tiny.Unet.Dim));
        Assert.Equal("/x/ae", o.AutoencoderDir(Parse(o, "--recipe", "world2", "--autoencoder", "/x/ae"), recipe));
        // Without a recipe nothing changes: the library's defaults, no autoencoder.
        var plain = Parse(o);
        Assert.Equal(TrainOptions.Defaults, o.Train.Options(plain));
        Assert.Null(o.AutoencoderDir(plain, null));
        Assert.False(o.IsWorld2(plain));
    }

    [Fact]
    public void An_unknown_recipe_and_a_recipe_with_data_are_one_line_errors()
    {
        var dir = TinyModels.TempDir("recipe-bad");
        string model = Path.Combine(dir, "model");
        foreach (var (args, expected) in new[]
        {
            (new[] { "--recipe", "world3" }, "unknown recipe 'world3'; choose one of: world2"),
            (new[] { "--recipe", "world2", "--data", dir }, "--recipe and --data: recipe world2 trains on its own world (world2); for your collection, give the options without --recipe"),
        })
        {
            var (code, output) = Invoke(TrainCommand.Create(), new[] { "train", "--out", model }.Concat(args).ToArray());
            Assert.Equal(1, code);
            Assert.Equal($"error: {expected}", output.Trim());
            Assert.False(Directory.Exists(model));
        }
    }

    [Fact]
    public void A_config_records_its_world_and_one_without_reads_as_none()
    {
        var config = ModelConfig.Tiny() with { World = WorldKind.World2 };
        string json = config.ToJson();
        Assert.Contains("\"world\": \"world2\"", json);
        Assert.Equal(WorldKind.World2, ModelConfig.FromJson(json).World);
        Assert.Equal(WorldKind.Shapes, ModelConfig.FromJson((config with { World = WorldKind.Shapes }).ToJson()).World);
        Assert.DoesNotContain("\"world\"", ModelConfig.Tiny().ToJson());
        Assert.Null(ModelConfig.FromJson(ModelConfig.Tiny().ToJson()).World);
    }

    [Fact]
    public void Training_records_the_world_a_new_model_was_trained_on()
    {
        var dir = TinyModels.TempDir("recipe-world");
        var (code, output) = Invoke(TrainCommand.Create(), "train", "--out", dir, "--preset", "tiny", "--resolution", "16", "--frames", "4",
            "--steps", "1", "--batch", "2", "--checkpoint-every", "0", "--threads", "1");
        Assert.True(code == 0, output);
        Assert.Equal(WorldKind.Shapes, Checkpoint.ReadConfig(dir).World);
    }

    [Fact]
    public void Model_names_resolve_to_bundled_folders_and_a_name_found_nowhere_says_where_it_looked()
    {
        string? bundled = CliSupport.FindModel("default");
        Assert.NotNull(bundled);
        Assert.True(Checkpoint.Exists(bundled!));
        Assert.Equal(Path.GetFullPath(bundled!), Path.GetFullPath(CliSupport.FindModel(null)!));
        Assert.Contains("default", ModelLocator.BundledNames());
        Assert.DoesNotContain("autoencoder-world2", ModelLocator.BundledNames()); // an autoencoder is not a model

        var dir = TinyModels.TempDir("lookup");
        Assert.Equal(dir, CliSupport.FindModel(dir)); // a folder is taken as given; loading it says what it lacks
        var e = Assert.Throws<DirectoryNotFoundException>(() => CliSupport.FindModel("no-such-model"));
        Assert.StartsWith("model 'no-such-model' not found: no such folder, and no bundled model of that name in ", e.Message);
        Assert.Contains(Path.Combine(ModelLocator.RepositoryRoot(AppContext.BaseDirectory)!, "models") + " (this clone)", e.Message);
        Assert.EndsWith($"(bundled: {string.Join(", ", ModelLocator.BundledNames())})", e.Message);
        var path = Assert.Throws<DirectoryNotFoundException>(() => CliSupport.FindModel(Path.Combine(dir, "missing")));
        Assert.StartsWith($"model '{Path.Combine(dir, "missing")}' not found: no such folder (bundled: ", path.Message);
    }

    [EmojiFact]
    public void Eval_without_world_scores_a_model_on_the_world_its_config_records()
    {
        var dir = TinyModels.TempDir("eval-own-world");
        var (code, output) = Invoke(TrainCommand.Create(), "train", "--world", "world2", "--out", dir, "--preset", "tiny", "--resolution", "32", "--frames", "4",
            "--steps", "1", "--batch", "2", "--checkpoint-every", "0", "--threads", "1");
        Assert.True(code == 0, output);
        Assert.Equal(WorldKind.World2, Checkpoint.ReadConfig(dir).World);
        (code, output) = Invoke(EvalCommand.Create(), "eval", "--model", dir, "--clips", "1", "--batch", "1", "--steps", "2", "--threads", "1");
        Assert.True(code == 0, output);
        Assert.Contains($"evaluating {dir} on the second world", output);
    }
}
