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
    [InlineData(GenerationRequest.MaxFrames + 1)]
    public void AFrameCountOutOfRangeSaysThatZeroMeansTheModelsLength(int frames)
    {
        using var m = TinyModels.Create();
        var e = Assert.Throws<ArgumentException>(() => new TextToVideoPipeline(m).Generate(new GenerationRequest { Prompt = "a red circle", Frames = frames }));
        Assert.Equal($"frames must be between 1 and {GenerationRequest.MaxFrames}, or 0 for the model's length (got {frames})", e.Message);
        Assert.Equal(4, new TextToVideoPipeline(m).Generate(new GenerationRequest { Prompt = "a red circle", Steps = 1, Frames = 0 }).Video.Frames);
    }

    [Fact]
    public void APromptListGivesEachRowItsPromptAndItsSliceOfTheSeedsNoise()
    {
        using var m = TinyModels.Create();
        var pipe = new TextToVideoPipeline(m);
        const string red = "a red circle moving left", blue = "a blue square moving up";
        var settings = new GenerationRequest { Seed = 5, Steps = 2, Sampler = SamplerKind.Ddim }; // no Prompt: the list has them

        // One prompt twice is exactly one prompt with BatchSize 2: rows are slices of the same noise.
        var listed = pipe.Generate(new[] { red, red }, settings);
        var batched = pipe.Generate(settings with { Prompt = red, BatchSize = 2 });
        Assert.Equal(batched.Batch.Select(v => v.Pixels), listed.Batch.Select(v => v.Pixels));

        // Two prompts: each row follows its own; the same list and seed give the same clips.
        var two = pipe.Generate(new[] { red, blue }, settings);
        Assert.Equal(new[] { red, blue }, two.Prompts);
        Assert.NotEqual(two.Batch[0].Pixels, two.Batch[1].Pixels);
        Assert.Equal(two.Batch[1].Pixels, pipe.Generate(new[] { red, blue }, settings).Batch[1].Pixels);

        // BatchSize clips per prompt, prompt by prompt (diffusers' order), from consecutive slices of the noise.
        var perPrompt = pipe.Generate(new[] { red, blue }, settings with { BatchSize = 2 });
        Assert.Equal(new[] { red, red, blue, blue }, perPrompt.Prompts);
        var spelledOut = pipe.Generate(new[] { red, red, blue, blue }, settings);
        Assert.Equal(spelledOut.Batch.Select(v => v.Pixels), perPrompt.Batch.Select(v => v.Pixels));

        // The benchmark's many-prompt batch is the list overload with one clip per prompt, whatever BatchSize says.
        var rows = VidGen.Bench.MultiPromptSampling.Generate(m, new[] { red, blue }, settings with { BatchSize = 3 });
        Assert.Equal(two.Batch.Select(v => v.Pixels), rows.Select(v => v.Pixels));
    }

    [Fact]
    public void ABadPromptListSaysWhatIsWrong()
    {
        using var m = TinyModels.Create();
        var pipe = new TextToVideoPipeline(m);
        var settings = new GenerationRequest { Steps = 2 };
        Assert.Equal("no prompts to generate", Assert.Throws<ArgumentException>(() => pipe.Generate(Array.Empty<string>(), settings)).Message);
        Assert.Equal("prompt 1 of 2 is empty", Assert.Throws<ArgumentException>(() => pipe.Generate(new[] { "a red circle", " " }, settings)).Message);
        Assert.Contains("prompt is empty", Assert.Throws<ArgumentException>(() => pipe.Generate(new[] { "" }, settings)).Message);
        Assert.Contains("steps must be between 1 and 1000", Assert.Throws<ArgumentException>(() => pipe.Generate(new[] { "a red circle" }, settings with { Steps = 0 })).Message);
    }

    [Fact]
    public void UnknownWordsAreReported()
    {
        using var m = TinyModels.Create();
        var r = new TextToVideoPipeline(m).Generate(new GenerationRequest { Prompt = "a purple circle moving sideways", Steps = 1 });
        Assert.Equal(new[] { "purple", "sideways" }, r.UnknownWords);
    }
}
