using System.CommandLine;
using VidGen.Cli.Commands;
using VidGen.Media;
using VidGen.Models;
using VidGen.Models.Autoencoders;
using VidGen.Training;

namespace VidGen.Tests.Cli;

/// <summary>`vidgen train-autoencoder`, `vidgen train --autoencoder` and `vidgen generate` on the result, through the real parser.</summary>
public sealed class LatentCommandTests
{
    static int Invoke(params string[] args) =>
        new RootCommand { GenerateCommand.Create(), TrainCommand.Create(), TrainAutoencoderCommand.Create() }.Parse(args).Invoke();

    static readonly string[] TinyAutoencoder =
        { "--world", "shapes", "--resolution", "16", "--frames", "4", "--level-channels", "8,8", "--latent-channels", "4", "--batch", "2", "--crop", "8", "--validation-clips", "1", "--checkpoint-every", "0" };

    [Fact]
    public void AutoencoderThenLatentModelThenGenerate()
    {
        var ae = TinyModels.TempDir("cli-ae");
        Assert.Equal(0, Invoke(new[] { "train-autoencoder", "--out", ae, "--steps", "2" }.Concat(TinyAutoencoder).ToArray()));
        Assert.True(AutoencoderFolder.Exists(ae));
        Assert.Equal(2, File.ReadLines(Path.Combine(ae, AutoencoderTrainer.LogFile)).Count());
        // --resume continues to a longer --steps.
        Assert.Equal(0, Invoke(new[] { "train-autoencoder", "--out", ae, "--steps", "3", "--resume" }.Concat(TinyAutoencoder).ToArray()));
        Assert.Equal(3, File.ReadLines(Path.Combine(ae, AutoencoderTrainer.LogFile)).Count());

        var model = TinyModels.TempDir("cli-latent");
        Assert.Equal(0, Invoke("train", "--out", model, "--autoencoder", ae, "--preset", "tiny", "--resolution", "16", "--frames", "4", "--steps", "2", "--batch", "2", "--warmup", "1", "--checkpoint-every", "0"));
        var config = ModelConfig.FromJson(File.ReadAllText(Path.Combine(model, Checkpoint.ConfigFile)));
        Assert.NotNull(config.Latent);
        Assert.True(config.Latent.Scale > 0);
        var trained = Safetensors.Load(Path.Combine(ae, AutoencoderFolder.WeightsFile));
        var copied = Safetensors.Load(Path.Combine(model, AutoencoderFolder.WeightsFile));
        Assert.Equal(trained.Keys.Order(), copied.Keys.Order());
        Assert.All(trained.Keys, k => Assert.True(trained[k].allclose(copied[k], 0, 0), k));

        // A warm start from the latent model keeps its latent space (autoencoder and scale), not a re-measured scale.
        var warm = TinyModels.TempDir("cli-latent-warm");
        Assert.Equal(0, Invoke("train", "--out", warm, "--init-from", model, "--autoencoder", ae, "--seed", "9", "--preset", "tiny", "--resolution", "16", "--frames", "4", "--steps", "1", "--batch", "2", "--warmup", "1", "--checkpoint-every", "0"));
        var warmConfig = ModelConfig.FromJson(File.ReadAllText(Path.Combine(warm, Checkpoint.ConfigFile)));
        Assert.Equal(config.Latent.Scale, warmConfig.Latent!.Scale);
        Assert.Equal(config.Latent.Bound, warmConfig.Latent.Bound);

        var gif = Path.Combine(TinyModels.TempDir("cli-latent-out"), "x.gif");
        var preview = Path.Combine(Path.GetDirectoryName(gif)!, "preview.png");
        Assert.Equal(0, Invoke("generate", "a red circle moving left", "--model", model, "--out", gif, "--steps", "2", "--scale", "1", "--preview", preview));
        var video = VideoReader.Read(gif);
        Assert.Equal((4, 16, 16), (video.Frames, video.Height, video.Width));
        using var strip = SixLabors.ImageSharp.Image.Load(preview);
        Assert.Equal((4 * 16, 16), (strip.Width, strip.Height)); // the last step's estimate, frames side by side
    }

    [Fact]
    public void BadAutoencoderFoldersAndOptionsExitWithOne()
    {
        var empty = TinyModels.TempDir("cli-ae-empty");
        var model = TinyModels.TempDir("cli-latent-bad");
        Assert.Equal(1, Invoke("train", "--out", model, "--autoencoder", empty, "--preset", "tiny", "--resolution", "16", "--frames", "4", "--steps", "1"));
        Assert.False(Checkpoint.Exists(model));
        Assert.Equal(1, Invoke("train", "--out", model, "--autoencoder", empty, "--resume", "--preset", "tiny", "--resolution", "16", "--frames", "4", "--steps", "1"));
        Assert.Equal(1, Invoke("train-autoencoder", "--out", TinyModels.TempDir("cli-ae-c"), "--steps", "1", "--category", "motion"));
        Assert.Equal(1, Invoke("train-autoencoder", "--out", TinyModels.TempDir("cli-ae-x"), "--steps", "1", "--world", "shapes", "--resolution", "16", "--level-channels", "8,x"));
        Assert.Equal(1, Invoke("train-autoencoder", "--out", TinyModels.TempDir("cli-ae-z"), "--steps", "1", "--world", "shapes", "--resolution", "16", "--crop", "10"));
        Assert.Equal(1, Invoke(new[] { "train-autoencoder", "--out", TinyModels.TempDir("cli-ae-y"), "--steps", "1", "--l1", "0", "--l2", "0" }.Concat(TinyAutoencoder).ToArray()));
    }
}
