using System.CommandLine;
using VidGen.Cli.Commands;
using VidGen.Media;
using VidGen.Training;
using VidGen.Models;

namespace VidGen.Tests.Cli;

/// <summary>`vidgen generate` and `vidgen train` end to end through the real command parser.</summary>
public sealed class GenerateAndTrainCommandTests
{
    static int Invoke(params string[] args) =>
        new RootCommand { GenerateCommand.Create(), TrainCommand.Create() }.Parse(args).Invoke();

    static string SavedTinyModel()
    {
        var dir = TinyModels.TempDir("cli-model");
        using var m = TinyModels.Create(seed: 2);
        Checkpoint.Save(dir, m);
        return dir;
    }

    [Fact]
    public void GenerateWritesAGifNamedAfterThePromptAndIsReproducible()
    {
        var model = SavedTinyModel();
        var outDir = TinyModels.TempDir("cli-out");
        Assert.Equal(0, Invoke("generate", "a red circle, moving left!", "--model", model, "--out", outDir + "/", "--seed", "5", "--steps", "2", "--scale", "2"));
        var path = Path.Combine(outDir, "a_red_circle_moving_left.gif");
        var video = VideoReader.Read(path);
        Assert.Equal((4, 32, 32), (video.Frames, video.Height, video.Width));
        var again = Path.Combine(outDir, "again.gif");
        Assert.Equal(0, Invoke("generate", "a red circle, moving left!", "--model", model, "--out", again, "--seed", "5", "--steps", "2", "--scale", "2"));
        Assert.Equal(File.ReadAllBytes(path), File.ReadAllBytes(again));
    }

    [Theory]
    [InlineData("--sampler", "plms")]
    [InlineData("--steps", "0")]
    [InlineData("--spacing", "random")]
    [InlineData("--clip", "maybe")]
    public void BadOptionsExitWithOneWithoutWritingAFile(string option, string value)
    {
        var model = SavedTinyModel();
        var outFile = Path.Combine(TinyModels.TempDir("cli-bad"), "x.gif");
        Assert.Equal(1, Invoke("generate", "a red circle", "--model", model, "--out", outFile, option, value));
        Assert.False(File.Exists(outFile));
    }

    [Fact]
    public void MissingModelFolderIsAOneLineError() =>
        Assert.Equal(1, Invoke("generate", "a red circle", "--model", Path.Combine(TinyModels.TempDir("none"), "nope")));

    [Fact]
    public void TrainResumeAndInitFromWork()
    {
        var dir = TinyModels.TempDir("cli-train");
        string[] common = { "--preset", "tiny", "--resolution", "16", "--frames", "4", "--batch", "2", "--warmup", "1", "--checkpoint-every", "0" };
        Assert.Equal(0, Invoke(new[] { "train", "--out", dir, "--steps", "2" }.Concat(common).ToArray()));
        Assert.True(Checkpoint.Exists(dir));
        Assert.Equal(0, Invoke(new[] { "train", "--out", dir, "--steps", "3", "--resume" }.Concat(common).ToArray()));
        Assert.Contains("\"Step\":3", File.ReadAllText(Path.Combine(dir, Trainer.StateDir, Trainer.StateFile)));
        Assert.Equal(3, File.ReadLines(Path.Combine(dir, Trainer.LogFile)).Count());

        var tuned = TinyModels.TempDir("cli-tuned");
        Assert.Equal(0, Invoke(new[] { "train", "--out", tuned, "--steps", "1", "--init-from", dir }.Concat(common).ToArray()));
        Assert.True(Checkpoint.Exists(tuned));
    }
}

public sealed class ExportCommandTests
{
    static int Invoke(params string[] args) => new RootCommand { ExportCommand.Create() }.Parse(args).Invoke();

    [Fact]
    public void ExportWritesAHalfSizeFolderThatLoadsAndKeepsMetadata()
    {
        var src = TinyModels.TempDir("export-src");
        using (var m = TinyModels.Create(seed: 4)) Checkpoint.Save(src, m, metadata: new Dictionary<string, string> { ["step"] = "7" });
        var dst = Path.Combine(TinyModels.TempDir("export"), "out");
        Assert.Equal(0, Invoke("export", "--model", src, "--out", dst));
        long full = new FileInfo(Path.Combine(src, Checkpoint.WeightsFile)).Length, half = new FileInfo(Path.Combine(dst, Checkpoint.WeightsFile)).Length;
        Assert.InRange(half, full * 0.45, full * 0.6);
        Assert.Equal("7", Safetensors.ReadMetadata(Path.Combine(dst, Checkpoint.WeightsFile))["step"]);
        using var loaded = Checkpoint.Load(dst);
        Assert.Equal(1, Invoke("export", "--model", src, "--out", src));
        Assert.Equal(1, Invoke("export", "--model", src, "--out", dst + "2", "--dtype", "int8"));
    }
}
