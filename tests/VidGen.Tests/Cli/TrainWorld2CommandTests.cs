using System.CommandLine;
using Spectre.Console;
using VidGen.Cli.Commands;
using VidGen.Data.World2;
using VidGen.Models;
using VidGen.Models.TextEncoders;
using VidGen.Tests.Data.World2;
using VidGen.Text;
using VidGen.Training;

namespace VidGen.Tests.Cli;

/// <summary>`vidgen train --world world2`: the second world trained on directly, its defaults and its errors.</summary>
public class TrainWorld2CommandTests
{
    static (int Code, string Output) Invoke(params string[] args)
    {
        var previous = AnsiConsole.Console;
        var writer = new StringWriter();
        AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
        });
        AnsiConsole.Console.Profile.Width = 1000; // one line stays one line
        try { return (new RootCommand { TrainCommand.Create() }.Parse(args).Invoke(), writer.ToString()); }
        finally { AnsiConsole.Console = previous; }
    }

    /// <summary>`train`'s options parsed alone (with a dummy --out), for tests of what they resolve to.</summary>
    internal static ParseResult Parse(TrainCommand.Options o, params string[] args)
    {
        var cmd = new RootCommand();
        foreach (var option in o.All) cmd.Add(option);
        var parsed = cmd.Parse(new[] { "--out", "unused" }.Concat(args).ToArray());
        Assert.Empty(parsed.Errors);
        return parsed;
    }

    static int WordBound => CaptionLength.Longest(new WordTokenizer(Array.Empty<string>()));

    [EmojiFact]
    public void Train_world2_for_two_steps_writes_a_model_folder_that_loads_and_reads_every_caption_whole()
    {
        var dir = TinyModels.TempDir("cli-world2");
        var (code, output) = Invoke("train", "--world", "world2", "--category", "motion", "--out", dir, "--preset", "tiny", "--resolution", "32", "--frames", "4",
            "--steps", "2", "--batch", "2", "--warmup", "1", "--checkpoint-every", "0", "--threads", "1");
        Assert.True(code == 0, output);
        Assert.Equal(2, File.ReadLines(Path.Combine(dir, Trainer.LogFile)).Count());
        using var model = Checkpoint.Load(dir);
        Assert.Equal((32, 4, 8.0), (model.Config.Resolution, model.Config.Frames, model.Config.Fps));
        Assert.Equal(WordBound, model.Config.Text.MaxLength);
        // The tokenizer holds the grammar's training words, and no caption is cut at the model's length.
        var world = CompositionalWorld.Open(resolution: 32, frames: 4);
        for (int i = 0; i < 100; i++)
        {
            string caption = world.TrainingClip(0, i, i % 2 == 0 ? Category.Motion : null).Caption;
            Assert.Empty(model.Tokenizer.UnknownWords(caption));
            Assert.Equal(0, model.Tokenizer.TruncatedTokens(caption));
        }
    }

    [Fact]
    public void World_with_data_and_category_without_world2_are_one_line_errors()
    {
        var dir = TinyModels.TempDir("cli-world2-bad");
        string model = Path.Combine(dir, "model");
        foreach (var (args, expected) in new[]
        {
            (new[] { "--world", "world2", "--data", dir }, "--world and --data: train on a world or on your collection, not both"),
            (new[] { "--world", "shapes", "--data", dir }, "--world and --data: train on a world or on your collection, not both"),
            (new[] { "--category", "motion" }, "--category: only the second world has categories (add --world world2)"),
            (new[] { "--world", "world3" }, "--world world3: use shapes or world2"),
            (new[] { "--world", "world2", "--category", "colour" }, "--category colour: use one of attribute, dynamic, spatial, motion, action, interaction, numeracy, scene"),
        })
        {
            var (code, output) = Invoke(new[] { "train", "--out", model, "--preset", "tiny", "--steps", "1" }.Concat(args).ToArray());
            Assert.Equal(1, code);
            Assert.Equal($"error: {expected}", output.Trim());
            Assert.False(Directory.Exists(model));
        }
    }

    [Fact]
    public void A_missing_emoji_font_is_one_line_naming_the_package()
    {
        var dir = TinyModels.TempDir("cli-world2-font");
        string model = Path.Combine(dir, "model"), font = Path.Combine(dir, "none.ttf");
        var (code, output) = Invoke("train", "--world", "world2", "--emoji-font", font, "--out", model, "--preset", "tiny", "--resolution", "32", "--frames", "4", "--steps", "1");
        Assert.Equal(1, code);
        var line = Assert.Single(output.Trim().Split('\n'));
        Assert.StartsWith($"error: {font}: colour emoji font not found", line);
        Assert.Contains($"apt-get install {EmojiFont.Package}", line);
        Assert.Equal("fonts-noto-color-emoji", EmojiFont.Package);
        Assert.False(Directory.Exists(model));
    }

    [Fact]
    public void Defaults_are_the_library_values_for_both_worlds()
    {
        var o = new TrainCommand.Options();
        var shapes = Parse(o);
        Assert.Equal("shapes", shapes.GetValue(o.World));
        Assert.Null(shapes.GetValue(o.TextMaxLength));
        Assert.False(o.IsWorld2(shapes));
        var plain = o.NewConfig(shapes, world2: false);
        var library = ModelPresets.Get(ModelPreset.Default, new ModelConfig().Resolution, new ModelConfig().Frames);
        Assert.Equal(library.ToJson(), plain.ToJson());
        Assert.Equal(new TextEncoderConfig().MaxLength, plain.Text.MaxLength);

        // The second world: its own geometry, and a prompt length that holds its longest caption.
        var w2 = Parse(o, "--world", "world2");
        Assert.True(o.IsWorld2(w2));
        var config = o.NewConfig(w2, world2: true);
        var geometry = new WorldGeometry();
        Assert.Equal((geometry.Resolution, geometry.Frames, geometry.Fps), (config.Resolution, config.Frames, config.Fps));
        Assert.Equal((64, 16, 8.0), (config.Resolution, config.Frames, config.Fps));
        Assert.Equal(geometry.Resolution, config.Unet.SampleSize);
        Assert.Equal(WordBound, config.Text.MaxLength);

        // Given values win: size, frames and prompt length.
        var given = o.NewConfig(Parse(o, "--world", "world2", "--resolution", "32", "--frames", "4", "--text-max-length", "20"), world2: true);
        Assert.Equal((32, 4, 20), (given.Resolution, given.Frames, given.Text.MaxLength));
        Assert.Equal(20, o.NewConfig(Parse(o, "--text-max-length", "20"), world2: false).Text.MaxLength);

        // With MiniLM the length is counted in its WordPiece tokens, [CLS] and [SEP] included.
        var minilm = o.NewConfig(Parse(o, "--world", "world2", "--text-encoder", "minilm"), world2: true);
        Assert.Equal(CaptionLength.Longest(MiniLm.Tokenizer()), minilm.Text.MaxLength);
        Assert.True(minilm.Text.MaxLength > config.Text.MaxLength);
    }
}
