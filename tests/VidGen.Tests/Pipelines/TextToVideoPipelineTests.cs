using VidGen.Diffusion.Samplers;
using VidGen.Pipelines;

namespace VidGen.Tests.Pipelines;

public class TextToVideoPipelineTests
{
    [Theory]
    [InlineData(SamplerKind.DpmSolverPP2M)]
    [InlineData(SamplerKind.Ddpm)]
    public void SameSeedGivesBitIdenticalFrames(SamplerKind sampler)
    {
        using var m = TinyModels.Create();
        var pipe = new TextToVideoPipeline(m);
        var req = new GenerationRequest { Prompt = "a blue square moving right", Seed = 42, Steps = 4, Sampler = sampler };
        var a = pipe.Generate(req).Video;
        var b = pipe.Generate(req).Video;
        Assert.Equal(a.Pixels, b.Pixels);
        var c = pipe.Generate(req with { Seed = 43 }).Video;
        Assert.NotEqual(a.Pixels, c.Pixels);
        Assert.Equal((4, 16, 16), (a.Frames, a.Height, a.Width));
        Assert.All(a.Pixels, p => Assert.InRange(p, 0f, 1f));
    }

    [Fact]
    public void NegativePromptAndGuidanceChangeTheResult()
    {
        using var m = TinyModels.Create();
        var pipe = new TextToVideoPipeline(m);
        var req = new GenerationRequest { Prompt = "a red circle moving left", Seed = 1, Steps = 3, GuidanceScale = 3 };
        var plain = pipe.Generate(req).Video.Pixels;
        Assert.NotEqual(plain, pipe.Generate(req with { NegativePrompt = "a blue square" }).Video.Pixels);
        Assert.NotEqual(plain, pipe.Generate(req with { GuidanceScale = 1 }).Video.Pixels);
    }

    [Fact]
    public void StepsReportProgressAndCanBeCancelled()
    {
        using var m = TinyModels.Create();
        var pipe = new TextToVideoPipeline(m);
        var seen = new List<int>();
        using var cts = new CancellationTokenSource();
        Assert.Throws<OperationCanceledException>(() => pipe.Generate(
            new GenerationRequest { Prompt = "a red circle", Steps = 6 },
            s => { seen.Add(s.Step); Assert.Equal(new long[] { 1, 3, 4, 16, 16 }, s.X0.shape); if (s.Step == 2) cts.Cancel(); }, cts.Token));
        Assert.Equal(new[] { 1, 2 }, seen);
    }

    [Fact]
    public void BatchesAndFrameCountsAreHonoured()
    {
        using var m = TinyModels.Create();
        var r = new TextToVideoPipeline(m).Generate(new GenerationRequest { Prompt = "a red circle", Steps = 2, BatchSize = 3, Frames = 6, Fps = 12 });
        Assert.Equal(3, r.Batch.Count);
        Assert.Equal(6, r.Video.Frames);
        Assert.Equal(12, r.Video.Fps);
        Assert.NotEqual(r.Batch[0].Pixels, r.Batch[1].Pixels);
    }

    [Theory]
    [InlineData("", 20, "prompt is empty")]
    [InlineData("a red circle", 0, "steps must be between 1 and 1000")]
    [InlineData("a red circle", 1001, "steps must be between 1 and 1000")]
    public void BadRequestsSayWhatIsWrong(string prompt, int steps, string message)
    {
        using var m = TinyModels.Create();
        var e = Assert.Throws<ArgumentException>(() => new TextToVideoPipeline(m).Generate(new GenerationRequest { Prompt = prompt, Steps = steps }));
        Assert.Contains(message, e.Message);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(65)]
    public void AFrameCountOutOfRangeSaysThatZeroMeansTheModelsLength(int frames)
    {
        using var m = TinyModels.Create();
        var e = Assert.Throws<ArgumentException>(() => new TextToVideoPipeline(m).Generate(new GenerationRequest { Prompt = "a red circle", Frames = frames }));
        Assert.Equal($"frames must be between 1 and 64, or 0 for the model's length (got {frames})", e.Message);
        Assert.Equal(4, new TextToVideoPipeline(m).Generate(new GenerationRequest { Prompt = "a red circle", Steps = 1, Frames = 0 }).Video.Frames);
    }

    [Fact]
    public void UnknownWordsAreReported()
    {
        using var m = TinyModels.Create();
        var r = new TextToVideoPipeline(m).Generate(new GenerationRequest { Prompt = "a purple circle moving sideways", Steps = 1 });
        Assert.Equal(new[] { "purple", "sideways" }, r.UnknownWords);
    }
}
