using System.Net.Http.Json;
using System.Text.Json;
using TorchSharp;
using VidGen.Models;
using VidGen.Text;
using VidGen.Training;
using VidGen.Web;

namespace VidGen.Tests.Web;

/// <summary>One tiny seeded model folder (16x16, 4 frames, untrained weights) shared by the web tests.</summary>
public sealed class TinyModelFixture : IDisposable
{
    public string ModelDir { get; } = Path.Combine(Path.GetTempPath(), "vidgen-web-model-" + Guid.NewGuid().ToString("N")[..8]);

    public TinyModelFixture()
    {
        torch.manual_seed(1234);
        var cfg = ModelConfig.Tiny(16, 4);
        var tok = WordTokenizer.FromCaptions(new[] { "a red circle moving left", "a blue square moving up" });
        using var m = new VideoDiffusionModel(cfg, tok);
        Checkpoint.Save(ModelDir, m);
    }

    public void Dispose()
    {
        try { Directory.Delete(ModelDir, recursive: true); } catch (IOException) { }
    }
}

/// <summary>A real server on a free loopback port with its own data folder, and an HttpClient pointed at it.</summary>
public sealed class TestServer : IAsyncDisposable
{
    public RunningWebServer Server { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;
    public string DataDir { get; }
    readonly string modelDir;
    readonly bool ownsData;

    TestServer(string modelDir, string? dataDir)
    {
        this.modelDir = modelDir;
        ownsData = dataDir is null;
        DataDir = dataDir ?? Path.Combine(Path.GetTempPath(), "vidgen-web-data-" + Guid.NewGuid().ToString("N")[..8]);
    }

    public static async Task<TestServer> StartAsync(string modelDir, string? dataDir = null)
    {
        var t = new TestServer(modelDir, dataDir);
        await t.RestartAsync();
        return t;
    }

    /// <summary>Stops the server (if running) and starts a new one on the same data folder.</summary>
    public async Task RestartAsync()
    {
        if (Server is not null) await StopAsync();
        Server = await WebServer.StartAsync(new WebServerOptions { Port = 0, ModelDir = modelDir, DataDir = DataDir, DownloadScale = 2 });
        Http = new HttpClient { BaseAddress = Server.Url, Timeout = TimeSpan.FromSeconds(60) };
    }

    public async Task StopAsync()
    {
        Http.Dispose();
        await Server.StopAsync();
    }

    public async Task<HttpResponseMessage> PostJobAsync(object body) => await Http.PostAsJsonAsync("/api/jobs", body);

    public async Task<JsonElement> SubmitAsync(object body)
    {
        using var res = await PostJobAsync(body);
        string text = await res.Content.ReadAsStringAsync();
        Assert.True(res.StatusCode == System.Net.HttpStatusCode.Accepted, $"POST /api/jobs answered {(int)res.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public async Task<JsonElement> GetJobAsync(string id) =>
        JsonDocument.Parse(await Http.GetStringAsync($"/api/jobs/{id}")).RootElement.Clone();

    /// <summary>Polls a job until <paramref name="until"/> holds; fails with the last state seen after the timeout.</summary>
    public async Task<JsonElement> WaitForAsync(string id, Func<JsonElement, bool> until, int timeoutSeconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        JsonElement job;
        do
        {
            job = await GetJobAsync(id);
            if (until(job)) return job;
            await Task.Delay(25);
        } while (DateTime.UtcNow < deadline);
        throw new TimeoutException($"job {id} did not reach the expected state in {timeoutSeconds} s; last seen: {job}");
    }

    public Task<JsonElement> WaitForStateAsync(string id, string state, int timeoutSeconds = 60) =>
        WaitForAsync(id, j => j.GetProperty("state").GetString() == state, timeoutSeconds);

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (ownsData)
            try { Directory.Delete(DataDir, recursive: true); } catch (IOException) { }
    }
}
