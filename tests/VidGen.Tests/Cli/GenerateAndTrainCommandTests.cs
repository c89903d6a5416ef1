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
    [InlineData("--extend", "sideways")]
    [InlineData("--init-image", "/etc/hostname")] // not a picture
    [InlineData("--init-image", "/nonexistent/first.png")]
    [InlineData("--then", "a blue square moving up")] // a schedule of 2 for the model's own 4 frames: one segment
    [InlineData("--frames", "257")]
    [InlineData("--overlap", "4")] // with --frames 8 below: segments of 4 frames share at most 3
    public void BadOptionsExitWithOneWithoutWritingAFile(string option, string value)
    {
        var model = SavedTinyModel();
        var outFile = Path.Combine(TinyModels.TempDir("cli-bad"), "x.gif");
        var extra = option == "--overlap" ? new[] { "--frames", "8" } : Array.Empty<string>();
        Assert.Equal(1, Invoke(new[] { "generate", "a red circle", "--model", model, "--out", outFile, option, value }.Concat(extra).ToArray()));
        Assert.False(File.Exists(outFile));
    }

    [Fact]
    public void GenerateExtendsFromAPictureWithAScheduleAndWritesEveryFrame()
    {
        var model = SavedTinyModel();
        var dir = TinyModels.TempDir("cli-extend");
        string first = Path.Combine(dir, "first.png");
        using (var image = new SixLabors.ImageSharp.Image<SixLabors.ImageSharp.PixelFormats.Rgb24>(30, 50, new SixLabors.ImageSharp.PixelFormats.Rgb24(10, 200, 30)))
            SixLabors.ImageSharp.ImageExtensions.SaveAsPng(image, first);
        string outFile = Path.Combine(dir, "long.gif");
        Assert.Equal(0, Invoke("generate", "a red circle moving left", "--model", model, "--out", outFile, "--seed", "1", "--steps", "2", "--scale", "1",
            "--frames", "9", "--overlap", "2", "--init-image", first, "--then", "a blue square moving right", "--extend", "replacement"));
        var video = VideoReader.Read(outFile);
        Assert.Equal((9, 16, 16), (video.Frames, video.Height, video.Width));
        var (r, g, b) = video.Get(0, 8, 8); // the picture, through the GIF's palette
        Assert.True(r < 0.15 && g > 0.7 && b < 0.2, $"{r} {g} {b}");
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
