using VidGen.Diffusion;
using VidGen.Models;
using VidGen.Models.Autoencoders;
using VidGen.Pipelines;
using VidGen.Training;
using static TorchSharp.torch;

namespace VidGen.Tests.Pipelines;

/// <summary>A tiny latent model end to end: built over an autoencoder, trained, saved, loaded, sampled, previewed.</summary>
public class LatentModelTests
{
    static LatentCodec TinyCodec(int seed = 0)
    {
        manual_seed(seed);
        var ae = new VideoAutoencoder(AutoencoderConfig.Tiny(16));
        using var clips = ClipTensors.ToTensor(Enumerable.Range(0, 4).Select(i => TinyModels.ShapesData().Clip(i).Video).ToList());
        return new LatentCodec(ae, LatentCodec.Measure(ae, clips));
    }

    static ModelConfig LatentConfig(LatentCodec codec) => ModelConfig.Tiny(16, 4).InLatentSpace(codec.Config);

    static TrainOptions Options(int steps) => new() { Steps = steps, BatchSize = 2, WarmupSteps = 1, CheckpointEvery = 0, Seed = 1 };

    [Fact]
    public void ConfigMovesTheUnetToTheLatentSize()
    {
        using var codec = TinyCodec();
        var cfg = LatentConfig(codec);
        Assert.Equal((4, 4, 1, 16, 4), (cfg.Unet.Channels, cfg.Unet.SampleSize, cfg.Unet.PatchSize, cfg.Resolution, cfg.DiffusionResolution));
        var back = ModelConfig.FromJson(cfg.ToJson());
        Assert.Equal(codec.Config.Scale, back.Latent!.Scale);
        Assert.Equal(codec.Config.Autoencoder.ToJson(), back.Latent.Autoencoder.ToJson());
        Assert.DoesNotContain("latent", ModelConfig.Tiny().ToJson(), StringComparison.Ordinal); // pixel configs are as before
    }

    [Fact]
    public void TrainsSavesLoadsAndGeneratesFullSizeFrames()
    {
        var dir = TinyModels.TempDir("latent-model");
        var codec = TinyCodec();
        var cfg = LatentConfig(codec);
        var losses = new List<double>();
        using (var trainer = new Trainer(cfg, TinyModels.ShapesData(), Options(3), dir, latents: codec))
            trainer.Train(p => losses.Add(p.Loss));
        Assert.Equal(3, losses.Count);
        Assert.All(losses, l => Assert.True(double.IsFinite(l) && l > 0));
        Assert.True(File.Exists(Path.Combine(dir, AutoencoderFolder.WeightsFile)));

        using var model = Checkpoint.Load(dir);
        Assert.NotNull(model.Latents);
        Assert.Equal(4, model.Config.Unet.Channels);
        var pipeline = new TextToVideoPipeline(model);
        var steps = new List<VidGen.Media.Video>();
        var result = pipeline.Generate(new GenerationRequest { Prompt = TinyModels.Captions[0], Steps = 3, Seed = 2 },
            s => steps.Add(pipeline.Previews(s.X0, 0)[0]));
        Assert.Equal((4, 16, 16), (result.Video.Frames, result.Video.Height, result.Video.Width));
        Assert.Equal(3, steps.Count);
        Assert.All(steps, v => Assert.Equal((4, 16, 16), (v.Frames, v.Height, v.Width)));
        // The same seed gives the same clip; the decode is deterministic.
        var again = pipeline.Generate(new GenerationRequest { Prompt = TinyModels.Captions[0], Steps = 3, Seed = 2 });
        Assert.Equal(result.Video.Pixels, again.Video.Pixels);
    }

    [Fact]
    public void ResumeReloadsTheAutoencoderFromTheModelFolder()
    {
        var dir = TinyModels.TempDir("latent-resume");
        var codec = TinyCodec();
        var cfg = LatentConfig(codec);
        using (var t = new Trainer(cfg, TinyModels.ShapesData(), Options(2), dir, latents: codec)) t.Train();
        var saved = ModelConfig.FromJson(File.ReadAllText(Path.Combine(dir, Checkpoint.ConfigFile)));
        using var again = new Trainer(saved, TinyModels.ShapesData(), Options(3), dir, latents: Checkpoint.LoadLatents(dir, saved));
        Assert.Equal(new[] { "Steps: 2 -> 3" }, again.Resume());
        again.Train();
        Assert.Equal(3, again.Step);
    }

    [Fact]
    public void MissingOrMismatchedAutoencoderIsOneErrorNamingTheFile()
    {
        var dir = TinyModels.TempDir("latent-bad");
        var codec = TinyCodec();
        using (var m = new VideoDiffusionModel(LatentConfig(codec), VidGen.Text.WordTokenizer.FromCaptions(TinyModels.Captions), codec, ownsLatents: true))
            Checkpoint.Save(dir, m);
        var weights = Path.Combine(dir, AutoencoderFolder.WeightsFile);
        using (var other = new VideoAutoencoder(AutoencoderConfig.Tiny(16) with { LevelChannels = new[] { 8, 12 }, Groups = 4 }))
            Checkpoint.SaveWeights(weights, other);
        var e1 = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(dir));
        Assert.Contains(AutoencoderFolder.WeightsFile, e1.Message, StringComparison.Ordinal);
        File.Delete(weights);
        var e2 = Assert.Throws<FileNotFoundException>(() => Checkpoint.Load(dir));
        Assert.Contains(AutoencoderFolder.WeightsFile, e2.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ALatentSectionThatDoesNotFitTheUnetIsAnErrorNamingConfigJson()
    {
        using var codec = TinyCodec();
        var cfg = LatentConfig(codec);
        var wrong = cfg with { Unet = cfg.Unet with { Channels = 3 } };
        var e = Assert.Throws<InvalidDataException>(() => ModelConfig.FromJson(wrong.ToJson(), "m/config.json"));
        Assert.Contains("m/config.json", e.Message, StringComparison.Ordinal);
        Assert.Contains("unet takes 3 channels", e.Message, StringComparison.Ordinal);
        var odd = cfg with { Resolution = 18 };
        Assert.Throws<InvalidDataException>(() => ModelConfig.FromJson(odd.ToJson(), "m/config.json"));
    }

    [Fact]
    public void AModelFolderGivenAsAnAutoencoderFolderIsNamedSo()
    {
        var dir = TinyModels.TempDir("latent-not-ae");
        using (var m = TinyModels.Create()) Checkpoint.Save(dir, m);
        var e = Assert.Throws<FileNotFoundException>(() => AutoencoderFolder.Load(dir));
        Assert.Contains("is a model folder, not an autoencoder folder", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ALatentConfigNeedsItsAutoencoderAndAPixelOneRefusesOne()
    {
        using var codec = TinyCodec();
        var tok = VidGen.Text.WordTokenizer.FromCaptions(TinyModels.Captions);
        Assert.Throws<ArgumentException>(() => new VideoDiffusionModel(LatentConfig(codec), tok));
        Assert.Throws<ArgumentException>(() => new VideoDiffusionModel(ModelConfig.Tiny(16, 4), tok, codec));
    }

    [Fact]
    public void ClampingKeepsLatentsWithinTheirBound()
    {
        using var x0 = tensor(new float[] { -9, -2, 0.5f, 2.5f, 7 }).view(1, 5);
        GuidedModel noNoise = (xt, t, branch) => zeros_like(xt);
        var schedule = new NoiseSchedule(ScheduleKind.Cosine, 1000);
        // Predicting no noise at t = 0 makes x0 = xt / sqrt(abar(0)), within 1e-3 of xt.
        var denoise = Guidance.Denoiser(noNoise, PredictionKind.Epsilon, schedule, new GuidanceOptions { Clip = X0Clip.Clamp, Bound = 3 });
        using var y = denoise(x0, 0);
        var expected = new float[] { -3, -2, 0.5f, 2.5f, 3 };
        var got = y.data<float>().ToArray();
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], got[i], 0.002f);
        using var d = Guidance.DynamicThreshold(x0, 1.0, bound: 3);                          // s = 9: x0 * 3 / 9
        var scaled = new float[] { -3, -2f / 3, 0.5f / 3, 2.5f / 3, 7f / 3 };
        var thresholded = d.data<float>().ToArray();
        for (int i = 0; i < scaled.Length; i++) Assert.Equal(scaled[i], thresholded[i], 1e-4f);
    }
}
