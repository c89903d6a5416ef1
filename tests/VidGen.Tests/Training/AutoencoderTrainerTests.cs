using VidGen.Data;
using VidGen.Media;
using VidGen.Models;
using VidGen.Models.Autoencoders;
using VidGen.Pipelines;
using VidGen.Training;

namespace VidGen.Tests.Training;

public class AutoencoderTrainerTests
{
    static AutoencoderTrainOptions Options(int steps) => new()
    {
        Steps = steps, BatchClips = 4, FramesPerClip = 2, WarmupSteps = 2, CheckpointEvery = 0, ValidationClips = 2, Seed = 5, LearningRate = 3e-3, CropSize = 8,
    };

    [Fact]
    public void TinyAutoencoderOverfitsOneClip()
    {
        var one = new SingleClip(TinyModels.ShapesData(16, 4));
        var clip = one.Clip(0).Video;
        var dir = TinyModels.TempDir("ae-overfit");
        using var trainer = new AutoencoderTrainer(AutoencoderConfig.Tiny(16), one, Options(150) with { LearningRate = 1e-2, CropSize = 0 }, dir, new[] { clip });
        using (var untrained = new VideoAutoencoder(AutoencoderConfig.Tiny(16)))
        {
            double before = Reconstruction.MeanPsnr(untrained, new[] { clip });
            trainer.Train();
            // Measured: 5.4 dB untrained, 27.4 dB after 150 steps on the one clip with the default L2 loss (19.3 with L1 + edges).
            Assert.True(trainer.LastValidationPsnr > 24 && trainer.LastValidationPsnr > before + 15, $"PSNR {before:F1} -> {trainer.LastValidationPsnr:F1} dB");
        }
        Assert.True(AutoencoderFolder.Exists(dir));
        var log = File.ReadLines(Path.Combine(dir, AutoencoderTrainer.LogFile)).ToList();
        Assert.Equal(150, log.Count);
        Assert.Contains("\"validation_psnr\":", log[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void ResumeContinuesExactly()
    {
        var data = TinyModels.ShapesData(16, 4);
        var straightDir = TinyModels.TempDir("ae-straight");
        using (var straight = new AutoencoderTrainer(AutoencoderConfig.Tiny(16), data, Options(4), straightDir)) straight.Train();

        var splitDir = TinyModels.TempDir("ae-split");
        using (var first = new AutoencoderTrainer(AutoencoderConfig.Tiny(16), data, Options(4), splitDir))
        {
            using var cancel = new CancellationTokenSource();
            first.Train(p => { if (p.Step == 2) cancel.Cancel(); }, cancel.Token);
            Assert.Equal(2, first.Step);
        }
        using (var second = new AutoencoderTrainer(AutoencoderConfig.Tiny(16), data, Options(4), splitDir))
        {
            Assert.Empty(second.Resume());
            Assert.Equal(2, second.Step);
            second.Train();
        }
        var a = Safetensors.Load(Path.Combine(straightDir, AutoencoderFolder.WeightsFile));
        var b = Safetensors.Load(Path.Combine(splitDir, AutoencoderFolder.WeightsFile));
        Assert.Equal(a.Keys.OrderBy(k => k), b.Keys.OrderBy(k => k));
        var differ = a.Keys.Where(k => !a[k].allclose(b[k], 0, 0)).OrderBy(k => k).ToList();
        Assert.True(differ.Count == 0, $"differ after resume: {string.Join(", ", differ.Take(8))} (max diff {(differ.Count > 0 ? (a[differ[0]] - b[differ[0]]).abs().max().item<float>() : 0)})");
    }

    [Fact]
    public void ResumeReportsChangedSettings()
    {
        var data = TinyModels.ShapesData(16, 4);
        var dir = TinyModels.TempDir("ae-changed");
        using (var t = new AutoencoderTrainer(AutoencoderConfig.Tiny(16), data, Options(2), dir)) t.Train();
        using var again = new AutoencoderTrainer(AutoencoderConfig.Tiny(16), data, Options(2) with { EdgeWeight = 0.5 }, dir);
        var changed = again.Resume();
        Assert.Equal(new[] { "edge: 0 -> 0.5" }, changed);
    }

    [Fact]
    public void AdversarialTermChangesTheUpdateAndTrainsTheCritic()
    {
        var data = TinyModels.ShapesData(16, 4);
        AutoencoderTrainer Make(double weight) => new(AutoencoderConfig.Tiny(16), data, Options(3) with { AdversarialWeight = weight, AdversarialStart = 0 }, TinyModels.TempDir("ae-adv"));
        using var plain = Make(0);
        using var adversarial = Make(0.5);
        var critic = adversarial.Discriminator!.parameters().Select(p => p.detach().clone()).ToList();
        plain.TrainStep();
        var terms = adversarial.TrainStep();
        Assert.NotEqual(0, terms.Adversarial);
        // Same seed, same batch: only the adversarial term can make the two updates differ.
        var a = plain.Autoencoder.parameters().ToList();
        var b = adversarial.Autoencoder.parameters().ToList();
        Assert.Contains(a.Zip(b), pair => !pair.First.allclose(pair.Second, 0, 0));
        Assert.Contains(critic.Zip(adversarial.Discriminator.parameters()), pair => !pair.First.allclose(pair.Second, 0, 0));
        // Before its start the critic is neither used nor trained.
        using var late = new AutoencoderTrainer(AutoencoderConfig.Tiny(16), data, Options(3) with { AdversarialWeight = 0.5, AdversarialStart = 5 }, TinyModels.TempDir("ae-adv-late"));
        Assert.Equal((0.0, 0.0), (late.TrainStep() is var t ? (t.Adversarial, t.Discriminator) : default));
    }

    [Fact]
    public void ResumeWithTheAdversaryContinuesExactly()
    {
        var data = TinyModels.ShapesData(16, 4);
        var options = Options(4) with { AdversarialWeight = 0.2, AdversarialStart = 1 };
        var straightDir = TinyModels.TempDir("ae-adv-straight");
        using (var straight = new AutoencoderTrainer(AutoencoderConfig.Tiny(16), data, options, straightDir)) straight.Train();
        var splitDir = TinyModels.TempDir("ae-adv-split");
        using (var first = new AutoencoderTrainer(AutoencoderConfig.Tiny(16), data, options, splitDir))
        {
            using var cancel = new CancellationTokenSource();
            first.Train(p => { if (p.Step == 2) cancel.Cancel(); }, cancel.Token);
        }
        using (var second = new AutoencoderTrainer(AutoencoderConfig.Tiny(16), data, options, splitDir))
        {
            Assert.Empty(second.Resume());
            second.Train();
        }
        var a = Safetensors.Load(Path.Combine(straightDir, AutoencoderFolder.WeightsFile));
        var b = Safetensors.Load(Path.Combine(splitDir, AutoencoderFolder.WeightsFile));
        Assert.All(a.Keys, k => Assert.True(a[k].allclose(b[k], 0, 0), k));
    }

    [Fact]
    public void EdgeLossIsZeroForAConstantShiftAndPositiveForBlur()
    {
        using var x = TorchSharp.torch.rand(1, 3, 8, 8);
        using var shifted = x + 0.3f;
        Assert.Equal(0, AutoencoderTrainer.EdgeLoss(shifted, x).item<float>(), 6);
        using var flat = TorchSharp.torch.full_like(x, 0.5f);
        Assert.True(AutoencoderTrainer.EdgeLoss(flat, x).item<float>() > 0.1f);
    }

    [Fact]
    public void BadOptionsAreRefused()
    {
        Assert.Throws<ArgumentException>(() => (Options(1) with { L1Weight = 0, L2Weight = 0 }).Validate());
        Assert.Throws<ArgumentException>(() => (Options(1) with { EdgeWeight = -1 }).Validate());
        Assert.Throws<ArgumentException>(() => (Options(1) with { CropSize = -1 }).Validate());
        Assert.Throws<ArgumentException>(() => new AutoencoderTrainer(AutoencoderConfig.Tiny(16), TinyModels.ShapesData(18, 4), Options(1), TinyModels.TempDir("ae-size")));
    }
}
