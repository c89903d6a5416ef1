using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace VidGen.Tests.Web;

/// <summary>
/// The server under load, on loopback, in bounded loops that stop by themselves: concurrent clients submitting
/// jobs with random cancels and deletes and malformed or oversized requests mixed in, while event streams stay
/// open. No 5xx; every accepted job that was not deleted ends finished, exactly once in the list, a done one with
/// its files; the server's peak RSS is reported and bounded. The suite runs a short version; README's "Reliability"
/// gives the full one (VIDGEN_LOAD_CLIENTS=100 VIDGEN_LOAD_JOBS=500 VIDGEN_LOAD_STREAMS=200).
/// </summary>
public sealed class ServerLoadTests : IClassFixture<TinyModelFixture>
{
    readonly TinyModelFixture model;
    public ServerLoadTests(TinyModelFixture model) => this.model = model;

    static int Setting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), out var v) && v > 0 ? v : fallback;

    sealed class Tally
    {
        public readonly ConcurrentDictionary<string, byte> Accepted = new(), Deleted = new();
        public readonly ConcurrentBag<string> ServerErrors = new();
        public int Malformed, Refused, Cancels, Full;

        public void Check(HttpResponseMessage res, string what)
        {
            if ((int)res.StatusCode >= 500) ServerErrors.Add($"{what}: {(int)res.StatusCode} {res.Content.ReadAsStringAsync().Result}");
        }
    }

    static readonly string[] Prompts = { "a red circle moving left", "a blue square moving up", "a red square", "a blue circle moving up" };

    static ByteArrayContent Bad(Random rng) => rng.Next(6) switch
    {
        0 => new StringContent("""{"prompt": "a red circle",""", Encoding.UTF8, "application/json"),
        1 => new StringContent("""{"prompt": "a red circle", "stepz": 3}""", Encoding.UTF8, "application/json"),
        2 => new StringContent("prompt=a red circle", Encoding.UTF8, "application/x-www-form-urlencoded"),
        3 => new StringContent("""{"prompt": "a red circle", "steps": -5}""", Encoding.UTF8, "application/json"),
        4 => new StringContent("{\"prompt\": \"" + new string('x', 3 << 20) + "\"}", Encoding.UTF8, "application/json"), // over the 1 MiB limit
        _ => new ByteArrayContent(Enumerable.Range(0, 512).Select(i => (byte)(i * 37)).ToArray()) { Headers = { { "Content-Type", "application/json" } } },
    };

    static async Task Client(HttpClient http, int seed, int jobs, Tally tally)
    {
        var rng = new Random(seed);
        int retries = 0;
        for (int i = 0; i < jobs; i++)
        {
            if (rng.Next(5) == 0)
            {
                try
                {
                    using var bad = await http.PostAsync("/api/jobs", Bad(rng));
                    tally.Check(bad, "malformed POST");
                    if (bad.StatusCode is not (HttpStatusCode.BadRequest or HttpStatusCode.UnsupportedMediaType or HttpStatusCode.RequestEntityTooLarge))
                        tally.ServerErrors.Add($"malformed POST answered {(int)bad.StatusCode}");
                }
                catch (HttpRequestException) { } // Kestrel may close the connection on an oversized body before reading it all
                Interlocked.Increment(ref tally.Malformed);
            }
            using var res = await http.PostAsJsonAsync("/api/jobs", new { prompt = Prompts[rng.Next(Prompts.Length)], steps = rng.Next(1, 4), seed = rng.Next(1000) });
            tally.Check(res, "POST /api/jobs");
            if (res.StatusCode == HttpStatusCode.TooManyRequests) // the queue is full: back off and submit that job again (bounded)
            {
                Interlocked.Increment(ref tally.Full);
                if (retries++ < 400) i--;
                await Task.Delay(rng.Next(50, 250));
                continue;
            }
            if (res.StatusCode != HttpStatusCode.Accepted) { tally.ServerErrors.Add($"a valid job answered {(int)res.StatusCode}"); continue; }
            var id = JsonDocument.Parse(await res.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
            tally.Accepted[id] = 0;
            switch (rng.Next(10))
            {
                case 0:
                    using (var c = await http.PostAsync($"/api/jobs/{id}/cancel", null)) { tally.Check(c, "cancel"); Interlocked.Increment(ref tally.Cancels); }
                    break;
                case 1:
                    using (var c = await http.PostAsync($"/api/jobs/{id}/cancel", null)) tally.Check(c, "cancel before delete");
                    using (var d = await http.DeleteAsync($"/api/jobs/{id}"))
                    {
                        tally.Check(d, "DELETE");
                        if (d.StatusCode == HttpStatusCode.NoContent) tally.Deleted[id] = 0;
                        else if (d.StatusCode != HttpStatusCode.Conflict) tally.ServerErrors.Add($"DELETE answered {(int)d.StatusCode}");
                    }
                    break;
                case 2:
                    using (var g = await http.GetAsync($"/api/jobs/{id}")) tally.Check(g, "GET job");
                    break;
                case 3:
                    using (var nf = await http.GetAsync("/api/jobs/20990101000000000-zzzzzz")) { tally.Check(nf, "GET unknown"); Interlocked.Increment(ref tally.Refused); }
                    break;
            }
        }
    }

    /// <summary>An event stream held open, read line by line, until the run ends.</summary>
    static async Task<int> Listen(HttpClient http, Tally tally, CancellationToken stop)
    {
        int lines = 0;
        try
        {
            using var res = await http.GetAsync("/api/events", HttpCompletionOption.ResponseHeadersRead, stop);
            tally.Check(res, "GET /api/events");
            using var reader = new StreamReader(await res.Content.ReadAsStreamAsync(stop));
            while (await reader.ReadLineAsync(stop) is not null) lines++;
        }
        catch (OperationCanceledException) { }
        catch (IOException) { } // the server closed the stream
        return lines;
    }

    [Fact]
    public async Task Concurrent_clients_with_cancels_deletes_and_malformed_requests_lose_nothing_and_get_no_5xx()
    {
        int clients = Setting("VIDGEN_LOAD_CLIENTS", 12), jobs = Setting("VIDGEN_LOAD_JOBS", 60), streams = Setting("VIDGEN_LOAD_STREAMS", 20);
        var data = TinyModels.TempDir("load");
        using var server = ServerProcess.Start(model.ModelDir, data);
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = clients + streams + 8 };
        using var http = new HttpClient(handler) { BaseAddress = server.Http.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
        var tally = new Tally();
        using var stop = new CancellationTokenSource();
        var listeners = Enumerable.Range(0, streams).Select(_ => Listen(http, tally, stop.Token)).ToList();

        var started = DateTime.UtcNow;
        int perClient = (jobs + clients - 1) / clients;
        await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Client(http, 1000 + c, perClient, tally)));

        // Every accepted job that was not deleted finishes (bounded wait), then appears exactly once.
        var deadline = DateTime.UtcNow.AddMinutes(5);
        JsonElement list;
        while (true)
        {
            list = JsonDocument.Parse(await http.GetStringAsync("/api/jobs")).RootElement.Clone();
            var states = list.EnumerateArray().Select(j => j.GetProperty("state").GetString()).ToList();
            if (states.All(s => s is "done" or "failed" or "cancelled")) break;
            Assert.True(DateTime.UtcNow < deadline, $"jobs stuck: {string.Join(", ", states.GroupBy(s => s).Select(g => $"{g.Key} {g.Count()}"))}");
            await Task.Delay(200);
        }
        double seconds = (DateTime.UtcNow - started).TotalSeconds;
        stop.Cancel();
        var streamLines = await Task.WhenAll(listeners);
        double peak = server.PeakRssMiB();

        Assert.Empty(tally.ServerErrors);
        var ids = list.EnumerateArray().Select(j => j.GetProperty("id").GetString()!).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count()); // none duplicated
        var expected = tally.Accepted.Keys.Except(tally.Deleted.Keys).Order().ToList();
        Assert.Equal(expected, ids.Order().ToList()); // none lost, none resurrected
        foreach (var job in list.EnumerateArray().Where(j => j.GetProperty("state").GetString() == "done"))
        {
            using var gif = await http.GetAsync($"/api/jobs/{job.GetProperty("id").GetString()}/video.gif");
            Assert.Equal(HttpStatusCode.OK, gif.StatusCode);
        }
        Assert.All(streamLines, n => Assert.True(n > 0, "an event stream saw nothing"));
        Assert.True(tally.Accepted.Count >= jobs / 2, $"only {tally.Accepted.Count} of {jobs} jobs were accepted");
        Assert.InRange(peak, 1, 2048); // MiB: bounded, not growing with the number of jobs
        Console.WriteLine($"load: {clients} clients, {tally.Accepted.Count} jobs accepted ({tally.Full} refused as queue full), {tally.Deleted.Count} deleted, "
            + $"{tally.Cancels} cancels, {tally.Malformed} malformed, {streams} event streams ({streamLines.Sum()} lines), {seconds:F0} s, server peak RSS {peak:F0} MiB");
    }
}
