using System.Text.Json;
using VidGen.Models;
using VidGen.Pipelines;
using VidGen.Web.Jobs;

namespace VidGen.Tests.Web;

/// <summary>The web API's defaults and limits are the library's (<see cref="GenerationRequest.Defaults"/>), so they cannot drift.</summary>
public class WebDefaultsTests(TinyModelFixture model) : IClassFixture<TinyModelFixture>
{
    [Fact]
    public void AJobWithOnlyAPromptAsksForTheLibrarysDefaultRequest()
    {
        var cfg = ModelConfig.Tiny(16, 4);
        var posted = JobSettings.Parse(JsonDocument.Parse("""{"prompt": "a red circle"}""").RootElement, cfg, () => 7);
        // Every field: frames and fps are resolved to the model's, the seed was drawn, the rest is the library's.
        Assert.Equal(GenerationRequest.Defaults with { Prompt = "a red circle", Seed = 7, Frames = cfg.Frames, Fps = cfg.Fps }, posted.ToRequest());
        Assert.Equal("dpm++2m", posted.Sampler);

        // A job.json that lacks the optional fields reads back with the same defaults.
        var stored = JsonSerializer.Deserialize<JobSettings>("""{"prompt": "a red circle", "seed": 7}""", JobStore.Json)!;
        Assert.Equal(GenerationRequest.Defaults with { Prompt = "a red circle", Seed = 7 }, stored.ToRequest());
    }

    [Fact]
    public async Task InfoOffersExamplePromptsOfTheWorldTheModelRecordsAndNoneForAModelOfACollection()
    {
        var dir = TinyModels.TempDir("web-world2-model");
        using (var m = TinyModels.Create(config: ModelConfig.Tiny(16, 4) with { World = VidGen.WorldKind.World2 })) Checkpoint.Save(dir, m);
        await using (var t = await TestServer.StartAsync(dir))
        {
            var info = JsonDocument.Parse(await t.Http.GetStringAsync("/api/info")).RootElement.GetProperty("model");
            Assert.Equal("world2", info.GetProperty("world").GetString());
            var groups = info.GetProperty("examples").EnumerateArray().ToList();
            var expected = VidGen.Data.WorldExamples.For(VidGen.WorldKind.World2, 2);
            Assert.Equal(expected.Select(g => g.Category), groups.Select(g => g.GetProperty("category").GetString()));
            Assert.Equal(expected.SelectMany(g => g.Prompts), groups.SelectMany(g => g.GetProperty("prompts").EnumerateArray().Select(p => p.GetString())));
        }
        await using (var t = await TestServer.StartAsync(model.ModelDir)) // the fixture's model records no world
        {
            var info = JsonDocument.Parse(await t.Http.GetStringAsync("/api/info")).RootElement.GetProperty("model");
            Assert.Equal(JsonValueKind.Null, info.GetProperty("examples").ValueKind);
        }
    }

    [Fact]
    public async Task InfoSendsTheLibrarysDefaultsNamesAndLimits()
    {
        await using var t = await TestServer.StartAsync(model.ModelDir);
        var info = JsonDocument.Parse(await t.Http.GetStringAsync("/api/info")).RootElement;
        var library = GenerationRequest.Defaults;
        var defaults = info.GetProperty("defaults");
        Assert.Equal(library.Steps, defaults.GetProperty("steps").GetInt32());
        Assert.Equal(library.GuidanceScale, defaults.GetProperty("guidance").GetDouble());
        Assert.Equal(Names.Sampler.Name(library.Sampler), defaults.GetProperty("sampler").GetString());
        Assert.Equal(4, defaults.GetProperty("frames").GetInt32()); // the model's
        Assert.Equal(Names.Sampler.All, info.GetProperty("samplers").EnumerateArray().Select(e => e.GetString()!).ToArray());

        var limits = info.GetProperty("limits");
        double[] Range(string name) => limits.GetProperty(name).EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.Equal(new double[] { 1, GenerationRequest.MaxSteps }, Range("steps"));
        Assert.Equal(new double[] { 0, GenerationRequest.MaxGuidance }, Range("guidance"));
        // Frames: extension's limit (the default method), and what the network makes in one pass.
        Assert.Equal("""{"steps":[1,1000],"guidance":[0,50],"frames":[1,256],"oneShotFrames":32,"schedule":64,"fps":[1,60],"seed":[0,9007199254740991],"promptLength":500}""", limits.GetRawText());
        Assert.Equal(Names.Extend.Name(library.Extend), defaults.GetProperty("extend").GetString());
        Assert.Equal(Names.Extend.All, info.GetProperty("extendMethods").EnumerateArray().Select(e => e.GetString()!).ToArray());
    }
}

public class WebInitImageTests
{
    [Fact]
    public void An_uploaded_picture_is_fitted_to_the_models_frame_and_kept_small_with_the_job()
    {
        var cfg = ModelConfig.Tiny(16, 4);
        using var image = new SixLabors.ImageSharp.Image<SixLabors.ImageSharp.PixelFormats.Rgb24>(40, 20, new SixLabors.ImageSharp.PixelFormats.Rgb24(200, 30, 10));
        using var png = new MemoryStream();
        SixLabors.ImageSharp.ImageExtensions.SaveAsPng(image, png);
        string upload = "data:image/png;base64," + Convert.ToBase64String(png.ToArray());
        var body = JsonDocument.Parse(JsonSerializer.Serialize(new { prompt = "a red circle", initImage = upload, frames = 8, then = new[] { " a blue square " } })).RootElement;
        var settings = JobSettings.Parse(body, cfg, () => 1);
        Assert.Equal(new[] { "a blue square" }, settings.Then);
        var request = settings.ToRequest();
        Assert.Equal((1, 16, 16), (request.InitImage!.Frames, request.InitImage.Height, request.InitImage.Width));
        Assert.Equal(200 / 255f, request.InitImage.Get(0, 8, 8).R, 1e-6);
        Assert.True(settings.InitImage!.Length < 2000, $"{settings.InitImage.Length} base64 characters");
        // What job.json keeps reads back to the same request.
        var stored = JsonSerializer.Deserialize<JobSettings>(JsonSerializer.Serialize(settings, JobStore.Json), JobStore.Json)!;
        Assert.Equal(request.InitImage.Pixels, stored.ToRequest().InitImage!.Pixels);
    }
}
