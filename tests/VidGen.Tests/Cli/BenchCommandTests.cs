using System.CommandLine;
using System.Text.Json;
using VidGen.Bench;
using VidGen.Bench.Flops;
using VidGen.Bench.Results;
using VidGen.Cli.Commands;
using VidGen.Data;
using VidGen.Data.World2;
using VidGen.Models;
using VidGen.Text;
using VidGen.Training;

namespace VidGen.Tests.Cli;

/// <summary>`vidgen bench` end to end on a tiny model (a smoke run: the figures themselves live in bench/results).</summary>
public sealed class BenchCommandTests : IDisposable
{
    readonly string dir = Path.Combine(Path.GetTempPath(), "vidgen-bench-test-" + Guid.NewGuid().ToString("N"));

    public BenchCommandTests() => Directory.CreateDirectory(dir);
    public void Dispose() => Directory.Delete(dir, recursive: true);

    static int Invoke(params string[] args) => new RootCommand { BenchCommand.Create() }.Parse(args).Invoke();

    [Fact]
    public void QuickRunOnATinyModelWritesACompleteReport()
    {
        using var oneThread = TorchThreads.Use(1);
        TorchSharp.torch.manual_seed(1);
        string modelDir = Path.Combine(dir, "tiny"), json = Path.Combine(dir, "results", "tiny.json");
        var config = ModelConfig.Tiny(16, 4);
        var tok = WordTokenizer.FromCaptions(ShapesWorld.AllSpecs().Select(s => s.Caption));
        using (var model = new VideoDiffusionModel(config, tok)) Checkpoint.Save(modelDir, model);

        Assert.Equal(0, Invoke("bench", "--model", modelDir, "--quick", "--no-memory", "--ddpm-steps", "3", "--ddpm-clips", "2",
            "--fast-clips", "0", "--train-batch", "2", "--latent-preset", "tiny", "--name", "tiny", "--out", json));

        var report = BenchReport.FromJson(File.ReadAllText(json));
        var flops = ModelFlops.Count(config, 4);
        Assert.Equal("tiny", report.Name);
        Assert.True(report.Model.Trained);
        Assert.Equal(flops.UnetForward, report.Flops.UnetForwardPerClip);
        Assert.Equal(flops.TrainingPerClip, report.Flops.TrainingPerClip);
        Assert.True(report.Ceiling.Matmul.BestGflops > 0);
        // MFU is the measured rate over the ceiling, and videos/s the batch over the step time.
        Assert.Equal(report.Training.Gflops / report.Ceiling.Matmul.BestGflops, report.Training.Mfu, 9);
        Assert.Equal(2 / report.Training.SecondsPerStep, report.Training.VideosPerSecond, 9);
        var gen = Assert.Single(report.Generation, g => g.Frames == 4);
        Assert.Equal(20, gen.Evaluations);
        Assert.Equal(flops.Generation(1, 20, guided: true) / gen.Seconds / 1e9, gen.Gflops, 6);
        // The recipe comparison ran both samplers on the same two clips; with 3 DDPM steps it cannot meet the target.
        Assert.NotNull(report.Recipe);
        Assert.Equal(3, report.Recipe!.Ddpm.Steps);
        Assert.Equal(2, report.Recipe.Ddpm.Clips);
        Assert.Equal(2, report.Recipe.Fast.Clips);
        Assert.Equal(report.Recipe.Ddpm.Seconds / report.Recipe.Fast.Seconds, report.Recipe.Speedup, 9);
        Assert.False(report.Targets.Single(t => t.Name.StartsWith("speed-up")).Met);
        Assert.Empty(report.Memory);
        // The packaged text encoder's figures, read back from the JSON, and their target row.
        Assert.NotNull(report.TextEncoder);
        Assert.Equal(16, report.TextEncoder!.Prompts);
        Assert.True(report.TextEncoder.LoadSeconds > 0 && report.TextEncoder.MinEncodeMs > 0 && report.TextEncoder.MinEncodeMs <= report.TextEncoder.MedianEncodeMs);
        var encodeTarget = report.Targets.Single(t => t.Name.StartsWith("MiniLM encode", StringComparison.Ordinal));
        Assert.Equal(report.TextEncoder.MedianEncodeMs <= 50, encodeTarget.Met);
        // The second world's data: a step's batch at 64x64x16, and the clips behind the 10,000-clip target (a quick run scales a few hundred).
        if (EmojiFont.IsInstalled() || string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            var w2 = report.World2Data;
            Assert.NotNull(w2);
            Assert.Equal((2, 64, 16, World2DataStage.QuickClips), (w2!.Batch, w2.Resolution, w2.Frames, w2.Clips));
            Assert.True(w2.RenderSecondsPerStep > 0 && w2.DataSecondsPerStep > w2.RenderSecondsPerStep && w2.Seconds > 0);
            Assert.Equal(w2.Seconds / w2.Clips * GenerationSpeed.TargetClips, w2.SecondsFor10000, 9);
            var clipsTarget = report.Targets.Single(t => t.Name.StartsWith("10,000 world2 training clips", StringComparison.Ordinal));
            Assert.Equal(("< 120 s", w2.SecondsFor10000 < 120), (clipsTarget.Target, clipsTarget.Met));
        }
        else Assert.Null(report.World2Data);
        // The world2 recipe's levers (quick: one micro-batch split and one network, on the tiny preset), each against the recipe's own step.
        if (EmojiFont.IsInstalled() || string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            var recipe = report.Levers.Where(l => l.Name.StartsWith("world2 recipe step", StringComparison.Ordinal)).ToList();
            Assert.Equal(new[] { "world2 recipe step (16 clips): micro-batches: 2 x 8", "world2 recipe step (16 clips): network: dim 24" }, recipe.Select(l => l.Name));
            Assert.All(recipe, l => Assert.True(l.BaselineSeconds > 0 && l.VariantSeconds > 0 && l.Baseline == "4 x 4 (tiny preset)", $"{l.Name}: {l.Baseline}"));
            Assert.Equal(recipe[0].BaselineSeconds, recipe[1].BaselineSeconds); // one baseline, timed once a round for both
        }
        // The latent stage: 64x64x16 coded to 16x16 latents, times that are positive and add up, and its target rows.
        var latent = report.Latent;
        Assert.NotNull(latent);
        Assert.Equal(("tiny", 64, 16, 16, 8), (latent!.Preset, latent.Resolution, latent.Frames, latent.LatentResolution, latent.LatentChannels));
        Assert.True(latent.DecodeMs > 0 && latent.EncodeBatchMs > 0 && latent.GenerationSeconds > 0);
        Assert.Equal(latent.EncodeBatchMs / 1000 / latent.TrainSecondsPerStep, latent.EncodeShareOfStep, 9);
        Assert.Equal(latent.Gflops / report.Ceiling.Matmul.BestGflops, latent.Mfu, 9);
        Assert.True(latent.BestGemmGflops >= report.Ceiling.Matmul.BestGflops && latent.MfuOfBestGemm <= latent.Mfu);
        Assert.Null(latent.Command); // --no-memory: no child processes
        Assert.Equal(latent.DecodeMs <= 100, report.Targets.Single(t => t.Name.StartsWith("latent decode", StringComparison.Ordinal)).Met);
        Assert.Equal(latent.GenerationSeconds <= 2.5, report.Targets.Single(t => t.Name.StartsWith("latent generation", StringComparison.Ordinal)).Met);
        // Levers that keep the model's function report a tiny output difference.
        var kernelLevers = report.Levers.Where(l => l.MaxAbsDiff is not null && !l.Name.StartsWith("bf16", StringComparison.Ordinal)).ToList();
        Assert.Equal(6, kernelLevers.Count); // five temporal-kernel settings against the plain modules, batched guidance
        Assert.All(kernelLevers, l => Assert.True(l.MaxAbsDiff < 1e-4, $"{l.Name}: {l.MaxAbsDiff}"));
        // The network variants are timed against the model: two attention layouts and one without frame conditioning.
        var variants = report.Levers.Where(l => l.Name.StartsWith("attention:", StringComparison.Ordinal) || l.Name.StartsWith("frame conditioning:", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, variants.Count);
        Assert.All(variants, l => Assert.True(l.BaselineSeconds > 0 && l.VariantSeconds > 0, l.Name));
        Assert.NotNull(report.Profile);
        Assert.Equal(flops.Blocks.Count(b => b.Kind is not (BlockKind.TextEncoder or BlockKind.TimeEmbedding or BlockKind.FrameConditioning or BlockKind.Coordinates)), report.Profile!.InferenceBlocks.Count);
        // The profile timed the real model's blocks, in the order its forward runs them, with their counted FLOPs.
        var timed = flops.Blocks.Where(b => BlockProfile.Timed(b.Kind)).ToList();
        Assert.Equal(timed.Select(b => b.Name), report.Profile.InferenceBlocks.Select(b => b.Name));
        Assert.Equal(timed.Select(b => b.Total * 2), report.Profile.InferenceBlocks.Select(b => b.Flops));
        Assert.Equal(timed.Select(b => b.Total * 2 * 3), report.Profile.TrainingBlocks.Select(b => b.Flops));
        Assert.All(report.Profile.InferenceBlocks.Where(b => b.Kind == BlockKind.Resnet), b => Assert.True(b.NormSiluSeconds > 0, b.Name));
    }

    [Theory]
    [InlineData("--ddpm-clips", "0")]
    [InlineData("--train-steps", "0")]
    [InlineData("--model", "/nonexistent/vidgen-model")]
    [InlineData("--device", "tpu")]
    public void BadInputExitsWithOne(params string[] options)
    {
        Assert.Equal(1, Invoke(new[] { "bench", "--quick", "--no-memory", "--out", Path.Combine(dir, "x.json") }.Concat(options).ToArray()));
        Assert.False(File.Exists(Path.Combine(dir, "x.json")));
    }
}
