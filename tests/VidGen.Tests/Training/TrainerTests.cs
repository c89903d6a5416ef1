using TorchSharp;
using VidGen.Data;
using VidGen.Models;
using VidGen.Training;
using static TorchSharp.torch;

namespace VidGen.Tests.Training;

public class TrainerTests
{
    static TrainOptions Options(int steps) => new()
    {
        Steps = steps, BatchSize = 4, LearningRate = 2e-3, WarmupSteps = 2, CheckpointEvery = 0, Seed = 3, EmaDecay = 0.9,
    };

    [Fact]
    public void LossFallsOnAFixedSeed()
    {
        var dir = TinyModels.TempDir("train");
        using var trainer = new Trainer(ModelConfig.Tiny(16, 4), TinyModels.ShapesData(), Options(40), dir);
        var losses = new List<double>();
        trainer.Train(p => losses.Add(p.Loss));
        Assert.Equal(40, losses.Count);
        double first = losses.Take(8).Average(), last = losses.Skip(32).Average();
        // Measured with the default (plain v) loss: last/first = 0.61 at 40 and at 80 steps.
        Assert.True(last < 0.75 * first, $"loss did not fall: first {first:F4}, last {last:F4}");
        Assert.True(Checkpoint.Exists(dir));
        Assert.Equal(40, File.ReadLines(Path.Combine(dir, Trainer.LogFile)).Count());
    }

    [Fact]
    public void TinyModelOverfitsOneClip()
    {
        var one = new SingleClip(TinyModels.ShapesData());
        var options = Options(250) with { CaptionDropout = 0, LearningRate = 1e-2, Loss = new VidGen.Diffusion.LossOptions { MinSnrGamma = 0 } };
        using var trainer = new Trainer(ModelConfig.Tiny(16, 4), one, options, TinyModels.TempDir("overfit"));
        var losses = new List<double>();
        trainer.Train(p => losses.Add(p.Loss));
        // Measured: the 30-step mean falls from ~0.64 to ~0.085 by step 250 (on many clips it stays near 0.45).
        double first = losses.Take(30).Average(), last = losses.Skip(220).Average();
        Assert.True(last < 0.15 && last < 0.25 * first, $"loss {first:F4} -> {last:F4}");
    }

    [Fact]
    public void ResumeContinuesExactly()
    {
        var straightDir = TinyModels.TempDir("straight");
        using (var straight = new Trainer(ModelConfig.Tiny(16, 4), TinyModels.ShapesData(), Options(4), straightDir))
            straight.Train();

        var splitDir = TinyModels.TempDir("split");
        using (var first = new Trainer(ModelConfig.Tiny(16, 4), TinyModels.ShapesData(), Options(4), splitDir))
        {
            using var cts = new CancellationTokenSource();
            first.Train(p => { if (p.Step == 2) cts.Cancel(); }, cts.Token); // like Ctrl+C after step 2: saves and stops
            Assert.Equal(2, first.Step);
        }
        using (var second = new Trainer(ModelConfig.Tiny(16, 4), TinyModels.ShapesData(), Options(4), splitDir))
        {
            Assert.Empty(second.Resume());
            Assert.Equal(2, second.Step);
            second.Train();
        }
        var a = Safetensors.Load(Path.Combine(straightDir, Trainer.StateDir, Trainer.RawWeights));
        var b = Safetensors.Load(Path.Combine(splitDir, Trainer.StateDir, Trainer.RawWeights));
        foreach (var (k, v) in a) Assert.True(v.allclose(b[k], rtol: 1e-5, atol: 1e-6), k);
    }

    [Fact]
    public void ResumeNamesTheSettingsThatDifferFromTheSavedRun()
    {
        var dir = TinyModels.TempDir("resume-changed");
        using (var first = new Trainer(ModelConfig.Tiny(16, 4), TinyModels.ShapesData(), Options(2), dir))
            first.Train();
        var changed = Options(2) with { Steps = 6, Loss = Options(2).Loss with { TimestepShift = 1.5 }, CheckpointEvery = 7 };
        using var second = new Trainer(ModelConfig.Tiny(16, 4), TinyModels.ShapesData(), changed, dir);
        var diffs = second.Resume();
        Assert.Equal(2, diffs.Count); // where checkpoints go is not a difference in what is computed
        Assert.Contains(diffs, d => d.StartsWith("Steps: 2 -> 6", StringComparison.Ordinal));
        Assert.Contains(diffs, d => d.StartsWith("TimestepShift:", StringComparison.Ordinal) && d.EndsWith("-> 1.5", StringComparison.Ordinal));
    }

    [Fact]
    public void SampleGridsAreWrittenEveryNSteps()
    {
        var dir = TinyModels.TempDir("grid");
        using var trainer = new Trainer(ModelConfig.Tiny(16, 4), TinyModels.ShapesData(), Options(4) with { SampleEvery = 2 }, dir);
        trainer.Train();
        var grids = Directory.GetFiles(Path.Combine(dir, "samples")).Select(Path.GetFileName).OrderBy(n => n).ToArray();
        Assert.Equal(new[] { "step_000002.gif", "step_000004.gif" }, grids);
        var sheet = VidGen.Media.VideoReader.Read(Path.Combine(dir, "samples", "step_000004.gif"));
        Assert.Equal(4, sheet.Frames);
        Assert.Equal((16 * 4 + 3) * 2, sheet.Width); // 4 clips side by side, 1 px gaps, written at scale 2
    }

    [Fact]
    public void LearningRateWarmsUpThenDecaysToTheFloor()
    {
        var o = new TrainOptions { Steps = 1000, WarmupSteps = 100, LearningRate = 1e-3, MinLrFraction = 0.1 };
        Assert.Equal(1e-5, Trainer.LearningRateAt(o, 0), 12);
        Assert.Equal(1e-3, Trainer.LearningRateAt(o, 99), 12);
        Assert.Equal(0.55e-3, Trainer.LearningRateAt(o, 550), 9);
        Assert.Equal(1e-4, Trainer.LearningRateAt(o, 1000), 12);
    }

    [Fact]
    public void EmaDecayWarmsUp()
    {
        Assert.Equal(0.1, Ema.DecayAt(0.999, 0), 12);
        Assert.Equal(0.999, Ema.DecayAt(0.999, 1_000_000), 12);
    }

    [Fact]
    public void MismatchedDataAndModelSizesAreRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => new Trainer(ModelConfig.Tiny(16, 4), TinyModels.ShapesData(32, 8), Options(1), TinyModels.TempDir("x")));
        Assert.Contains("8x32px", e.Message);
    }

    [Fact]
    public void ALibtorchErrorInAStepGoesBackToTheCheckpointAndStillEndsExactly()
    {
        var straightDir = TinyModels.TempDir("recover-straight");
        using (var straight = new Trainer(ModelConfig.Tiny(16, 4), TinyModels.ShapesData(), Options(6) with { CheckpointEvery = 2 }, straightDir))
            straight.Train();
        // Clip 17 is in step 4's batch (batch 4): the first time it is drawn, the step fails as libtorch's errors do.
        var faultyDir = TinyModels.TempDir("recover-faulty");
        var faulty = new FailingClips(TinyModels.ShapesData(), [17]);
        using (var t = new Trainer(ModelConfig.Tiny(16, 4), faulty, Options(6) with { CheckpointEvery = 2 }, faultyDir))
        {
            t.Train();
            Assert.Equal((6, 1), (t.Step, t.Recoveries));
        }
        Assert.True(faulty.Failed);
        Assert.Contains(File.ReadLines(Path.Combine(faultyDir, Trainer.LogFile)), l => l.Contains("\"recovered\"", StringComparison.Ordinal) && l.Contains("\"resumed_at\":4", StringComparison.Ordinal));
        var a = VidGen.Models.Safetensors.Load(Path.Combine(straightDir, Checkpoint.WeightsFile));
        var b = VidGen.Models.Safetensors.Load(Path.Combine(faultyDir, Checkpoint.WeightsFile));
        Assert.All(a.Keys, k => Assert.True(a[k].allclose(b[k], 0, 0), k));
    }

    [Fact]
    public void ARunThatGetsPastACheckpointBetweenErrorsKeepsRecovering()
    {
        // Six errors, one in the step after each checkpoint (batch 4: clip 4k+1 is in step k's batch): more than
        // MaxRecoveriesInARow in all, but never more than one in a row.
        var faulty = new FailingClips(TinyModels.ShapesData(), [9, 17, 25, 33, 41, 49]);
        var dir = TinyModels.TempDir("recover-many");
        using (var t = new Trainer(ModelConfig.Tiny(16, 4), faulty, Options(14) with { CheckpointEvery = 2 }, dir))
        {
            t.Train();
            Assert.Equal((14, 6), (t.Step, t.Recoveries));
        }
        Assert.Equal(6, File.ReadLines(Path.Combine(dir, Trainer.LogFile)).Count(l => l.Contains("\"recovered\"", StringComparison.Ordinal)));
    }

    [Fact]
    public void AnErrorThatComesBackEveryTimeStopsTheRunAfterFiveTries()
    {
        var faulty = new FailingClips(TinyModels.ShapesData(), [17], always: true);
        using var t = new Trainer(ModelConfig.Tiny(16, 4), faulty, Options(6) with { CheckpointEvery = 2 }, TinyModels.TempDir("recover-stuck"));
        Assert.Throws<System.Runtime.InteropServices.ExternalException>(() => t.Train());
        Assert.Equal((4, Trainer.MaxRecoveriesInARow), (t.Step, t.Recoveries));
    }

    [Fact]
    public void StepsRunWithNoGarbageCollectionInside()
    {
        // Reading each clip throws 16 MB away, as world2's clip readers do in kind: without the region that many
        // allocations collect several times a step (and a collection mid-call can free a TorchSharp Scalar in use).
        var dir = TinyModels.TempDir("no-gc");
        using (var t = new Trainer(ModelConfig.Tiny(16, 4), new Littering(TinyModels.ShapesData()), Options(4), dir))
            t.Train();
        var steps = File.ReadLines(Path.Combine(dir, Trainer.LogFile)).Select(l => System.Text.Json.Nodes.JsonNode.Parse(l)!)
            .Where(n => n["step"] is not null).ToList();
        Assert.Equal(4, steps.Count);
        Assert.All(steps, n => Assert.Equal(0, (int)n["collections"]!));
    }

    sealed class Littering(ITrainingClips inner) : ITrainingClips
    {
        private long sink;
        public int Resolution => inner.Resolution;
        public int Frames => inner.Frames;
        public double Fps => inner.Fps;
        public IEnumerable<string> VocabularyCaptions() => inner.VocabularyCaptions();
        public (VidGen.Media.Video Video, string Caption) Clip(long index)
        {
            for (int i = 0; i < 256; i++) sink += new byte[64 << 10].Length;
            return inner.Clip(index);
        }
    }

    [Fact]
    public void ALibtorchErrorBeforeAnyCheckpointIsNotSwallowed()
    {
        var faulty = new FailingClips(TinyModels.ShapesData(), [1]);
        using var t = new Trainer(ModelConfig.Tiny(16, 4), faulty, Options(3), TinyModels.TempDir("recover-none"));
        Assert.Throws<System.Runtime.InteropServices.ExternalException>(() => t.Train());
    }

    /// <summary>Throws libtorch's kind of error the first time each of <paramref name="failAt"/> is read (every time, with <paramref name="always"/>).</summary>
    sealed class FailingClips(ITrainingClips inner, long[] failAt, bool always = false) : ITrainingClips
    {
        private readonly HashSet<long> failed = [];
        public bool Failed => failed.Count > 0;
        public int Resolution => inner.Resolution;
        public int Frames => inner.Frames;
        public double Fps => inner.Fps;
        public IEnumerable<string> VocabularyCaptions() => inner.VocabularyCaptions();
        public (VidGen.Media.Video Video, string Caption) Clip(long index)
        {
            if (failAt.Contains(index) && (failed.Add(index) || always))
            {
#pragma warning disable CA2201 // the exception TorchSharp's CheckForErrors throws, which is what the trainer must survive
                throw new System.Runtime.InteropServices.ExternalException("Unknown scalar type.\nException raised from type at Scalar.h");
#pragma warning restore CA2201
            }
            return inner.Clip(index);
        }
    }
}
