using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace VidGen.Tests.Web;

/// <summary>
/// Crash safety of the server: `vidgen serve` SIGKILLed while a job runs, several times. Each restart on the same
/// data folder keeps the finished job with its files and puts the interrupted one back in the queue, which then
/// finishes with its files: nothing lost, duplicated or stuck.
/// </summary>
public sealed class KilledServerTests : IClassFixture<TinyModelFixture>
{
    readonly TinyModelFixture model;
    public KilledServerTests(TinyModelFixture model) => this.model = model;

    static async Task<JsonElement> Job(HttpClient http, string id) => JsonDocument.Parse(await http.GetStringAsync($"/api/jobs/{id}")).RootElement.Clone();

    static async Task<JsonElement> WaitFor(HttpClient http, string id, Func<JsonElement, bool> until, int seconds = 120)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        JsonElement j;
        do
        {
            j = await Job(http, id);
            if (until(j)) return j;
            await Task.Delay(20);
        } while (DateTime.UtcNow < deadline);
        throw new TimeoutException($"job {id} is stuck: {j}");
    }

    static string State(JsonElement j) => j.GetProperty("state").GetString()!;

    static async Task<string> Submit(HttpClient http, object body)
    {
        using var res = await http.PostAsJsonAsync("/api/jobs", body);
        Assert.Equal(HttpStatusCode.Accepted, res.StatusCode);
        return JsonDocument.Parse(await res.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
    }

    static async Task AssertHasItsFiles(HttpClient http, string id)
    {
        using var gif = await http.GetAsync($"/api/jobs/{id}/video.gif");
        Assert.Equal(HttpStatusCode.OK, gif.StatusCode);
        var bytes = await gif.Content.ReadAsByteArrayAsync();
        Assert.True(bytes.Length > 6 && bytes[0] == 'G' && bytes[1] == 'I' && bytes[2] == 'F', $"job {id}'s GIF is not a GIF");
    }

    [Fact]
    public async Task A_server_killed_mid_job_restarts_with_the_finished_job_intact_and_finishes_the_interrupted_one()
    {
        var data = TinyModels.TempDir("killed-server");
        var rng = new Random(7);
        string finished, slow;
        using (var first = ServerProcess.Start(model.ModelDir, data))
        {
            finished = await Submit(first.Http, new { prompt = "a red circle moving left", steps = 2, seed = 1 });
            await WaitFor(first.Http, finished, j => State(j) == "done");
            slow = await Submit(first.Http, new { prompt = "a blue square moving up", steps = 400, seed = 2 });
            await WaitFor(first.Http, slow, j => State(j) == "running" && j.GetProperty("stepsDone").GetInt32() >= 1);
            first.Kill();
        }
        for (int kill = 0; kill < 3; kill++)
        {
            using var again = ServerProcess.Start(model.ModelDir, data);
            Assert.Equal("done", State(await Job(again.Http, finished)));
            await AssertHasItsFiles(again.Http, finished);
            if (State(await WaitFor(again.Http, slow, j => State(j) is "running" or "done")) == "done") break;
            await Task.Delay(rng.Next(50, 400));
            again.Kill();
        }
        using var last = ServerProcess.Start(model.ModelDir, data);
        var done = await WaitFor(last.Http, slow, j => State(j) is "done" or "failed" or "cancelled");
        Assert.Equal("done", State(done));
        await AssertHasItsFiles(last.Http, slow);
        var all = JsonDocument.Parse(await last.Http.GetStringAsync("/api/jobs")).RootElement;
        Assert.Equal(new[] { finished, slow }.Order(), all.EnumerateArray().Select(j => j.GetProperty("id").GetString()!).Order()); // none lost, none duplicated
    }
}

/// <summary>
/// The server on a full disk (a tmpfs mounted for the test: root only; CI runs it, elsewhere it is skipped with the
/// reason): a job the disk cannot take is refused with 507 and one line, the finished job keeps its files, and once
/// space is freed jobs run again.
/// </summary>
public sealed class FullDiskServerTests : IClassFixture<TinyModelFixture>
{
    readonly TinyModelFixture model;
    public FullDiskServerTests(TinyModelFixture model) => this.model = model;

    static bool Sh(string command)
    {
        using var p = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("/bin/sh", new[] { "-c", command }) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        p.WaitForExit();
        return p.ExitCode == 0;
    }

    static async Task<JsonElement> WaitDone(HttpClient http, string id)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(60); DateTime.UtcNow < deadline; await Task.Delay(20))
        {
            var j = JsonDocument.Parse(await http.GetStringAsync($"/api/jobs/{id}")).RootElement.Clone();
            if (j.GetProperty("state").GetString() is "done" or "failed" or "cancelled") return j;
        }
        throw new TimeoutException($"job {id} did not finish");
    }

    [SkippableFact]
    public async Task A_full_disk_refuses_new_jobs_with_507_and_keeps_finished_ones()
    {
        var mount = TinyModels.TempDir("full-disk-web");
        if (!Sh($"mount -t tmpfs -o size=512k tmpfs '{mount}'"))
        {
            const string why = "mounting a tmpfs needs root (CAP_SYS_ADMIN)";
            Assert.False(string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase), why + "; CI must run this test");
            Skip.If(true, why);
        }
        try
        {
            using var server = ServerProcess.Start(model.ModelDir, Path.Combine(mount, "data"));
            var http = server.Http;
            async Task<HttpResponseMessage> Post(int seed) => await http.PostAsJsonAsync("/api/jobs", new { prompt = "a red circle moving left", steps = 2, seed });
            using var first = await Post(1);
            Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
            var done = JsonDocument.Parse(await first.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
            Assert.Equal("done", (await WaitDone(http, done)).GetProperty("state").GetString());

            Sh($"dd if=/dev/zero of='{mount}/filler' bs=4k 2>/dev/null; sync"); // the disk is now full to the last block
            using var refused = await Post(2);
            Assert.Equal((HttpStatusCode)507, refused.StatusCode);
            var error = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString()!;
            Assert.StartsWith("the server could not store the job (", error);
            Assert.Contains("free disk space and submit it again", error);
            Assert.DoesNotContain('\n', error);
            using (var gif = await http.GetAsync($"/api/jobs/{done}/video.gif")) Assert.Equal(HttpStatusCode.OK, gif.StatusCode);
            Assert.Single(JsonDocument.Parse(await http.GetStringAsync("/api/jobs")).RootElement.EnumerateArray()); // the refused job left nothing behind

            File.Delete(Path.Combine(mount, "filler"));
            using var again = await Post(3);
            Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
            var id = JsonDocument.Parse(await again.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
            Assert.Equal("done", (await WaitDone(http, id)).GetProperty("state").GetString());
        }
        finally { Sh($"umount -l '{mount}'"); }
    }
}
