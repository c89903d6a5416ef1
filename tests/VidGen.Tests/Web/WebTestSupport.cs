using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
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

/// <summary>
/// `vidgen serve` as a child process (the CLI beside the tests) on a free loopback port: a server that can be
/// SIGKILLed and whose memory can be read from /proc, which an in-process server allows neither of.
/// </summary>
public sealed partial class ServerProcess : IDisposable
{
    public Process Process { get; }
    public HttpClient Http { get; }

    ServerProcess(Process p, Uri url)
    {
        Process = p;
        Http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(30) };
    }

    public static ServerProcess Start(string modelDir, string dataDir, params string[] extra)
    {
        var psi = new ProcessStartInfo(ChildProcesses.DotnetHost, new[] { ChildProcesses.CliDll, "serve", "--model", modelDir, "--data", dataDir, "--port", "0" }.Concat(extra))
        { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment["NO_COLOR"] = "1";
        psi.Environment["COLUMNS"] = "400"; // the URL on one line
        var p = Process.Start(psi)!;
        var url = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        p.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            log.Enqueue(e.Data);
            if (UrlPattern().Match(e.Data) is { Success: true } m) url.TrySetResult(new Uri(m.Value));
        };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) log.Enqueue(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        if (!url.Task.Wait(TimeSpan.FromSeconds(60)))
        {
            p.Kill();
            Assert.Fail("the server printed no URL in 60 s: " + string.Join("\n", log));
        }
        return new ServerProcess(p, url.Task.Result);
    }

    public void Kill()
    {
        Process.Kill(); // SIGKILL
        Process.WaitForExit();
    }

    public void Dispose()
    {
        Http.Dispose();
        if (!Process.HasExited) Kill();
        Process.Dispose();
    }

    [GeneratedRegex(@"http://127\.0\.0\.1:\d+/?")]
    private static partial Regex UrlPattern();

    /// <summary>The server's peak resident memory so far (VmHWM), in MiB.</summary>
    public double PeakRssMiB()
    {
        var line = File.ReadLines($"/proc/{Process.Id}/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) / 1024.0;
    }
}
