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
