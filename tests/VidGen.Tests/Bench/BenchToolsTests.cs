using VidGen.Bench;
using VidGen.Data;
using VidGen.Diffusion.Samplers;
using VidGen.Pipelines;
using VidGen.Text;
using VidGen.Models;

namespace VidGen.Tests.Bench;

public class BenchToolsTests
{
    [Fact]
    public void MultiPromptBatchOfOneEqualsThePipeline()
    {
        using var oneThread = TorchThreads.Use(1);
        using var model = TinyModels.Create(seed: 2);
        var request = new GenerationRequest { Prompt = "a red circle moving left", Seed = 5, Steps = 3, Sampler = SamplerKind.DpmSolverPP2M };
        var viaPipeline = new TextToVideoPipeline(model).Generate(request).Video;
        var viaBatch = MultiPromptSampling.Generate(model, new[] { request.Prompt }, request);
        Assert.Single(viaBatch);
        Assert.Equal(viaPipeline.Pixels, viaBatch[0].Pixels);
    }

    [Fact]
    public void MultiPromptRowsFollowTheirOwnPromptAndShareStartingNoiseAcrossSamplers()
    {
        using var oneThread = TorchThreads.Use(1);
        using var model = TinyModels.Create(seed: 2);
        var prompts = new[] { "a red circle moving left", "a blue square moving right" };
        var settings = new GenerationRequest { Prompt = "-", Seed = 5, Steps = 2, Sampler = SamplerKind.Ddim };
        var two = MultiPromptSampling.Generate(model, prompts, settings);
        Assert.Equal(2, two.Length);
        Assert.NotEqual(two[0].Pixels, two[1].Pixels);
        // Same prompt list, same seed: the same clips (deterministic sampler).
        Assert.Equal(two[1].Pixels, MultiPromptSampling.Generate(model, prompts, settings)[1].Pixels);
    }

    [Fact]
    public void ScoreMapsClipsToTheEvaluatorsPrompts()
    {
        var prompts = MultiPromptSampling.Prompts(6);
        var world = new ShapesWorld(32, 8);
        var rng = new Random(1);
        // Real clips of each prompt: the detector reads them all correctly.
        var clips = prompts.Select(p => world.Render(new ShapeSpec(p.Colour, p.Shape, p.Size ?? ShapeSize.Large, p.Direction), rng)).ToList();
        var report = MultiPromptSampling.Score(prompts, clips, 10, "real", new Dictionary<string, string>());
        Assert.Equal(6, report.Clips);
        Assert.Equal(3, report.HeldOut.Clips);
        Assert.Equal(1.0, report.Overall.All);
        // A clip swapped to another prompt's is scored wrong.
        clips[0] = clips[1];
        Assert.True(MultiPromptSampling.Score(prompts, clips, 10, "swapped", new Dictionary<string, string>()).Overall.All < 1.0);
    }

    [Fact]
    public void LeastSquaresRecoversALine()
    {
        var (a, b) = ProfileStage.LeastSquares(new double[] { 2, 4, 8, 16 }, new double[] { 0.03 + 0.02 * 2, 0.03 + 0.02 * 4, 0.03 + 0.02 * 8, 0.03 + 0.02 * 16 });
        Assert.Equal(0.03, a, 9);
        Assert.Equal(0.02, b, 9);
    }

    [SkippableFact]
    public void PeakMemoryReadsAChildsHighWaterMark()
    {
        Skip.IfNot(PeakMemory.Supported, "needs /proc (Linux)");
        var python = new[] { "/usr/bin/python3", "/usr/local/bin/python3" }.FirstOrDefault(File.Exists);
        Skip.If(python is null, "needs python3 to allocate a known amount in a child");
        // The child touches 300 MiB, then holds it for a moment: its peak is at least that.
        var run = PeakMemory.Run(python!, new[] { "-c", "import time; b = bytearray(300 * 1024 * 1024); time.sleep(0.3)" }, TimeSpan.FromSeconds(30));
        Assert.Equal(0, run.ExitCode);
        Assert.InRange(run.PeakRssMiB, 300, 400);
        Assert.True(run.Samples > 3);
        var small = PeakMemory.Run(python!, new[] { "-c", "import time; time.sleep(0.2)" }, TimeSpan.FromSeconds(30));
        Assert.InRange(small.PeakRssMiB, 1, 60);
    }

    [SkippableFact]
    public void PeakMemoryStopsAChildThatRunsTooLong()
    {
        Skip.IfNot(PeakMemory.Supported);
        Assert.Throws<TimeoutException>(() => PeakMemory.Run("/bin/sleep", new[] { "10" }, TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public void ResultsNameAModelUnderTheWorkingDirectoryRelatively()
    {
        Assert.Equal(Path.Combine("models", "default"), BenchRunner.DisplayPath(Path.Combine(Environment.CurrentDirectory, "models", "default")));
        Assert.Equal(Path.Combine("models", "default"), BenchRunner.DisplayPath(Path.Combine("models", "default")));
        string outside = Path.GetFullPath(Path.Combine(Environment.CurrentDirectory, "..", "elsewhere"));
        Assert.Equal(outside, BenchRunner.DisplayPath(outside));
    }
}
