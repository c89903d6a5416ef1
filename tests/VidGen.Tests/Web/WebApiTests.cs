using System.Net;
using System.Text;
using System.Text.Json;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace VidGen.Tests.Web;

/// <summary>The HTTP API against the real server (Kestrel on a free 127.0.0.1 port) with a tiny model.</summary>
public class WebApiTests(TinyModelFixture model) : IClassFixture<TinyModelFixture>
{
    static string State(JsonElement job) => job.GetProperty("state").GetString()!;
    static string Id(JsonElement job) => job.GetProperty("id").GetString()!;

    [Fact]
    public async Task PostedJobRunsToDoneWithResolvedSettingsAndServesAGif()
    {
        await using var t = await TestServer.StartAsync(model.ModelDir);
        using var res = await t.PostJobAsync(new { prompt = "a red circle moving left", seed = 5, steps = 3, guidance = 2.5, sampler = "ddim" });
        Assert.Equal(HttpStatusCode.Accepted, res.StatusCode);
        var posted = JsonDocument.Parse(await res.Content.ReadAsStringAsync()).RootElement;
        string id = Id(posted);
        Assert.Equal($"/api/jobs/{id}", res.Headers.Location?.ToString());
        Assert.Contains(State(posted), new[] { "queued", "running" });

        var job = await t.WaitForStateAsync(id, "done");
        var s = job.GetProperty("settings");
        Assert.Equal("a red circle moving left", s.GetProperty("prompt").GetString());
        Assert.Equal(5, s.GetProperty("seed").GetInt64());
        Assert.False(s.GetProperty("randomSeed").GetBoolean());
        Assert.Equal(3, s.GetProperty("steps").GetInt32());
        Assert.Equal(2.5, s.GetProperty("guidance").GetDouble());
        Assert.Equal("ddim", s.GetProperty("sampler").GetString());
        Assert.Equal(4, s.GetProperty("frames").GetInt32()); // 0 resolved to the model's frame count
        Assert.Equal(8, s.GetProperty("fps").GetDouble());
        Assert.Equal(3, job.GetProperty("stepsDone").GetInt32());
        Assert.Equal($"/api/jobs/{id}/video.gif", job.GetProperty("video").GetString());
        Assert.Equal($"/api/jobs/{id}/video.gif", job.GetProperty("downloads").GetProperty("gif").GetString());

        using var gif = await t.Http.GetAsync($"/api/jobs/{id}/video.gif");
        Assert.Equal(HttpStatusCode.OK, gif.StatusCode);
        Assert.Equal("image/gif", gif.Content.Headers.ContentType?.MediaType);
        var bytes = await gif.Content.ReadAsByteArrayAsync();
        Assert.Equal("GIF89a", Encoding.ASCII.GetString(bytes, 0, 6));
        using var img = Image.Load<Rgba32>(bytes);
        Assert.Equal(4, img.Frames.Count);
        Assert.Equal(32, img.Width); // 16 px frames at the test server's download scale 2

        using var download = await t.Http.GetAsync($"/api/jobs/{id}/video.gif?download=1");
        Assert.Equal("a_red_circle_moving_left_5.gif", download.Content.Headers.ContentDisposition?.FileNameStar ?? download.Content.Headers.ContentDisposition?.FileName);
    }

    [Fact]
    public async Task SameSettingsReproduceTheVideoAndAnotherSeedChangesIt()
    {
        await using var t = await TestServer.StartAsync(model.ModelDir);
        var a = Id(await t.SubmitAsync(new { prompt = "a blue square moving up", seed = 11, steps = 2 }));
        var b = Id(await t.SubmitAsync(new { prompt = "a blue square moving up", seed = 11, steps = 2 }));
        var c = Id(await t.SubmitAsync(new { prompt = "a blue square moving up", seed = 12, steps = 2 }));
        foreach (var id in new[] { a, b, c }) await t.WaitForStateAsync(id, "done");
        byte[] Frames(string id) => File.ReadAllBytes(Path.Combine(t.DataDir, "jobs", id, "frames.png"));
        Assert.Equal(Frames(a), Frames(b));
        Assert.NotEqual(Frames(a), Frames(c));
    }

    [Fact]
    public async Task RandomSeedIsDrawnAtSubmissionAndStored()
    {
        await using var t = await TestServer.StartAsync(model.ModelDir);
        var job = await t.SubmitAsync(new { prompt = "a red circle moving left", seed = "random", steps = 1 });
        var s = job.GetProperty("settings");
        Assert.True(s.GetProperty("randomSeed").GetBoolean());
        long seed = s.GetProperty("seed").GetInt64();
        Assert.InRange(seed, 0, int.MaxValue);
        var done = await t.WaitForStateAsync(Id(job), "done");
        Assert.Equal(seed, done.GetProperty("settings").GetProperty("seed").GetInt64());
    }

    public static TheoryData<string, string> BadJobs => new()
    {
        { """{"prompt": "   "}""", "the prompt is empty" },
        { """{"steps": 5}""", "prompt is missing" },
        { """{"prompt": "a red circle", "steps": 0}""", "steps must be between 1 and 1000 (got 0)" },
        { """{"prompt": "a red circle", "steps": 5000}""", "steps must be between 1 and 1000 (got 5000)" },
        { """{"prompt": "a red circle", "steps": 2.5}""", "steps must be a whole number" },
        { """{"prompt": "a red circle", "sampler": "warp"}""", "unknown sampler 'warp'; use one of: ddpm, ddim, dpm++2m, euler, heun" },
        { """{"prompt": "a red circle", "seed": "abc"}""", "seed must be a whole number or \"random\"" },
        { """{"prompt": "a red circle", "seed": -1}""", "seed must be between 0 and" },
        { """{"prompt": "a red circle", "guidance": 99}""", "guidance must be between 0 and 50 (got 99)" },
        { """{"prompt": "a red circle", "frames": 999}""", "frames must be between 1 and 256 for this model (got 999)" },
        { """{"prompt": "a red circle", "frames": 99, "extend": "none"}""", "frames must be between 1 and 32 for this model in one pass (got 99)" },
        { """{"prompt": "a red circle", "extend": "sideways"}""", "unknown extend 'sideways'" },
        { """{"prompt": "a red circle", "then": "a blue square"}""", "then must be a list of prompts" },
        { """{"prompt": "a red circle", "then": ["a blue square"]}""", "the prompt schedule has 2 prompts but 4 frames make 1 segment(s)" },
        { """{"prompt": "a red circle", "initImage": "not base64!"}""", "initImage must be a base64 picture or a data: URL" },
        { """{"prompt": "a red circle", "initImage": "aGVsbG8gd29ybGQ="}""", "initImage is not a readable PNG, GIF or WebP picture" },
        { """{"prompt": "a red circle", "fps": 500}""", "fps must be between 1 and 60 (got 500)" },
        { """{"prompt": "a red circle", "stepz": 3}""", "unknown field 'stepz'" },
        { """{"prompt": 7}""", "prompt must be a string" },
        { """["a red circle"]""", "the request body must be a JSON object" },
        { """{"prompt": "a red circle",""", "the request body is not valid JSON" },
    };

    [Theory]
    [MemberData(nameof(BadJobs))]
    public async Task InvalidJobsAre400WithAClearMessageAndCreateNothing(string body, string message)
    {
        await using var t = await TestServer.StartAsync(model.ModelDir);
        using var res = await t.Http.PostAsync("/api/jobs", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, res.StatusCode);
        var error = JsonDocument.Parse(await res.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString();
        Assert.Contains(message, error);
        Assert.Equal("[]", await t.Http.GetStringAsync("/api/jobs"));
        Assert.Empty(Directory.GetDirectories(Path.Combine(t.DataDir, "jobs")));
    }

    [Fact]
    public async Task NonJsonBodyIs415AndUnknownThingsAre404()
    {
        await using var t = await TestServer.StartAsync(model.ModelDir);
        using var form = await t.Http.PostAsync("/api/jobs", new StringContent("prompt=a red circle", Encoding.UTF8, "application/x-www-form-urlencoded"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, form.StatusCode);
        Assert.Contains("Content-Type: application/json", await form.Content.ReadAsStringAsync());

        using var missing = await t.Http.GetAsync("/api/jobs/20250101000000000-abcdef");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("no job '20250101000000000-abcdef'", await missing.Content.ReadAsStringAsync());

        string id = Id(await t.SubmitAsync(new { prompt = "a red circle moving left", steps = 1, seed = 1 }));
        await t.WaitForStateAsync(id, "done");
        using var badFormat = await t.Http.GetAsync($"/api/jobs/{id}/video.avi");
        Assert.Equal(HttpStatusCode.NotFound, badFormat.StatusCode);
        Assert.Contains("no 'avi' download; this server writes gif", await badFormat.Content.ReadAsStringAsync());

        using var noEndpoint = await t.Http.GetAsync("/api/nothing");
        Assert.Equal(HttpStatusCode.NotFound, noEndpoint.StatusCode);
        Assert.Contains("no API endpoint GET /api/nothing", await noEndpoint.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task EventStreamSendsEveryStepWithAPreviewAndClosesWhenDone()
    {
        await using var t = await TestServer.StartAsync(model.ModelDir);
        const int steps = 6;
        string id = Id(await t.SubmitAsync(new { prompt = "a red circle moving left", steps, seed = 3 }));
        var events = await ReadEventsAsync(t.Http, $"/api/jobs/{id}/events", TimeSpan.FromSeconds(60));

        // The stream may join after the first steps; it must end with the job done and show the steps in order.
        var last = events[^1];
        Assert.Equal("job", last.Name);
        Assert.Equal("done", last.Data.GetProperty("state").GetString());
        var progress = events.Where(e => e.Name == "progress").Select(e => e.Data).ToList();
        Assert.NotEmpty(progress);
        var stepNumbers = progress.Select(p => p.GetProperty("step").GetInt32()).ToList();
        Assert.Equal(stepNumbers.OrderBy(x => x).ToList(), stepNumbers);
        Assert.Equal(steps, stepNumbers[^1]);
        Assert.All(progress, p => Assert.Equal(steps, p.GetProperty("totalSteps").GetInt32()));
        Assert.Equal(0, progress[^1].GetProperty("etaSeconds").GetDouble());

        // The last step always carries a preview: frames side by side as a PNG data URL.
        string preview = progress[^1].GetProperty("preview").GetString()!;
        Assert.StartsWith("data:image/png;base64,", preview);
        using var png = Image.Load<Rgb24>(Convert.FromBase64String(preview["data:image/png;base64,".Length..]));
        Assert.Equal((4 * 16, 16), (png.Width, png.Height));
        // ...and it is the final estimate: identical to the stored frames.
        using var stored = Image.Load<Rgb24>(Path.Combine(t.DataDir, "jobs", id, "frames.png"));
        Assert.Equal(Pixels(stored), Pixels(png));
    }

    [Fact]
    public async Task CancelStopsTheRunningJobBetweenStepsAndTheNextJobRuns()
    {
        await using var t = await TestServer.StartAsync(model.ModelDir);
        string slow = Id(await t.SubmitAsync(new { prompt = "a red circle moving left", steps = 1000, seed = 1 }));
        string next = Id(await t.SubmitAsync(new { prompt = "a blue square moving up", steps = 2, seed = 2 }));
        await t.WaitForAsync(slow, j => State(j) == "running" && j.GetProperty("stepsDone").GetInt32() >= 1);
        Assert.Equal(1, (await t.GetJobAsync(next)).GetProperty("position").GetInt32());

        using var res = await t.Http.PostAsync($"/api/jobs/{slow}/cancel", null);
        Assert.Equal(HttpStatusCode.OK, res.StatusCode);
        var cancelled = JsonDocument.Parse(await res.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("cancelled", State(cancelled)); // the answer waits until the worker has let go
        int stoppedAt = cancelled.GetProperty("stepsDone").GetInt32();
        Assert.InRange(stoppedAt, 1, 999);
        Assert.Equal($"cancelled at step {stoppedAt} of 1000", cancelled.GetProperty("error").GetString());

        await t.WaitForStateAsync(next, "done");
        var after = await t.GetJobAsync(slow);
        Assert.Equal("cancelled", State(after));
        Assert.Equal(stoppedAt, after.GetProperty("stepsDone").GetInt32()); // no step ran after the cancel
        Assert.False(File.Exists(Path.Combine(t.DataDir, "jobs", slow, "video.gif")));

        using var again = await t.Http.PostAsync($"/api/jobs/{slow}/cancel", null);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("already finished (cancelled)", await again.Content.ReadAsStringAsync());
        using var video = await t.Http.GetAsync($"/api/jobs/{slow}/video.gif");
        Assert.Equal(HttpStatusCode.Conflict, video.StatusCode);
    }

    [Fact]
    public async Task QueuedJobsRunInOrderAndACancelledWaitingJobNeverStarts()
    {
        await using var t = await TestServer.StartAsync(model.ModelDir);
        string blocker = Id(await t.SubmitAsync(new { prompt = "a red circle moving left", steps = 1000, seed = 1 }));
        await t.WaitForStateAsync(blocker, "running");
        var ids = new List<string>();
        for (int i = 0; i < 3; i++) ids.Add(Id(await t.SubmitAsync(new { prompt = $"a blue square moving up", steps = 2, seed = i })));
        for (int i = 0; i < 3; i++) Assert.Equal(i + 1, (await t.GetJobAsync(ids[i])).GetProperty("position").GetInt32());

        using var cancelWaiting = await t.Http.PostAsync($"/api/jobs/{ids[1]}/cancel", null);
        var c = JsonDocument.Parse(await cancelWaiting.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("cancelled", State(c));
        Assert.Equal(2, (await t.GetJobAsync(ids[2])).GetProperty("position").GetInt32()); // moved up

        using (await t.Http.PostAsync($"/api/jobs/{blocker}/cancel", null)) { }
        var first = await t.WaitForStateAsync(ids[0], "done");
        var third = await t.WaitForStateAsync(ids[2], "done");
        Assert.True(first.GetProperty("finishedAt").GetDateTimeOffset() <= third.GetProperty("startedAt").GetDateTimeOffset());
        var skipped = await t.GetJobAsync(ids[1]);
        Assert.Equal("cancelled", State(skipped));
        Assert.Equal(JsonValueKind.Null, skipped.GetProperty("startedAt").ValueKind);
    }

    [Fact]
    public async Task ResultsAndTheQueueSurviveARestart()
    {
        await using var t = await TestServer.StartAsync(model.ModelDir);
        string done = Id(await t.SubmitAsync(new { prompt = "a red circle moving left", steps = 2, seed = 9, negativePrompt = "blue" }));
        await t.WaitForStateAsync(done, "done");
        byte[] gifBefore = await t.Http.GetByteArrayAsync($"/api/jobs/{done}/video.gif");

        string interrupted = Id(await t.SubmitAsync(new { prompt = "a red circle moving left", steps = 1000, seed = 1 }));
        string waiting = Id(await t.SubmitAsync(new { prompt = "a blue square moving up", steps = 2, seed = 4 }));
        await t.WaitForStateAsync(interrupted, "running");

        await t.RestartAsync(); // the running job is stopped and written back as queued

        var kept = await t.GetJobAsync(done);
        Assert.Equal("done", State(kept));
        Assert.Equal("blue", kept.GetProperty("settings").GetProperty("negativePrompt").GetString());
        Assert.Equal(9, kept.GetProperty("settings").GetProperty("seed").GetInt64());
        Assert.Equal(gifBefore, await t.Http.GetByteArrayAsync($"/api/jobs/{done}/video.gif"));

        // The interrupted job is back at the front of the queue (and starts again at once), the waiting one behind it.
        Assert.Contains(State(await t.GetJobAsync(interrupted)), new[] { "queued", "running" });
        Assert.Equal("queued", State(await t.GetJobAsync(waiting)));
        using (await t.Http.PostAsync($"/api/jobs/{interrupted}/cancel", null)) { }
        await t.WaitForStateAsync(waiting, "done");

        var all = JsonDocument.Parse(await t.Http.GetStringAsync("/api/jobs")).RootElement;
        Assert.Equal(new[] { done, interrupted, waiting }, all.EnumerateArray().Select(Id).ToArray());
    }

    [Fact]
    public async Task DeleteRemovesAResultFromDiskButNotARunningJob()
    {
        await using var t = await TestServer.StartAsync(model.ModelDir);
        string id = Id(await t.SubmitAsync(new { prompt = "a red circle moving left", steps = 1, seed = 1 }));
        await t.WaitForStateAsync(id, "done");
        using (var del = await t.Http.DeleteAsync($"/api/jobs/{id}")) Assert.Equal(HttpStatusCode.NoContent, del.StatusCode);
        Assert.False(Directory.Exists(Path.Combine(t.DataDir, "jobs", id)));
        using (var gone = await t.Http.GetAsync($"/api/jobs/{id}")) Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);

        string running = Id(await t.SubmitAsync(new { prompt = "a red circle moving left", steps = 1000, seed = 1 }));
        await t.WaitForStateAsync(running, "running");
        using (var busy = await t.Http.DeleteAsync($"/api/jobs/{running}"))
        {
            Assert.Equal(HttpStatusCode.Conflict, busy.StatusCode);
            Assert.Contains("cancel it first", await busy.Content.ReadAsStringAsync());
        }
        using (await t.Http.PostAsync($"/api/jobs/{running}/cancel", null)) { }
    }

    [Fact]
    public async Task ADamagedJobFileIsSkippedAndReportedWithoutHidingTheRest()
    {
        await using var t = await TestServer.StartAsync(model.ModelDir);
        string id = Id(await t.SubmitAsync(new { prompt = "a red circle moving left", steps = 1, seed = 1 }));
        await t.WaitForStateAsync(id, "done");
        await t.StopAsync();
        string broken = Path.Combine(t.DataDir, "jobs", "20200101000000000-000000");
        Directory.CreateDirectory(broken);
        File.WriteAllText(Path.Combine(broken, "job.json"), "{ not json");

        await t.RestartAsync();
        var problem = Assert.Single(t.Server.LoadProblems);
        Assert.Contains("20200101000000000-000000", problem);
        var all = JsonDocument.Parse(await t.Http.GetStringAsync("/api/jobs")).RootElement;
        Assert.Equal(id, Id(Assert.Single(all.EnumerateArray())));
    }

    [Fact]
    public async Task ServesThePageAndRefusesForeignHostsAndOrigins()
    {
        await using var t = await TestServer.StartAsync(model.ModelDir);
        using var page = await t.Http.GetAsync("/");
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        string html = await page.Content.ReadAsStringAsync();
        Assert.Contains("<title>VidGen</title>", html);
        Assert.DoesNotContain("http", html.Replace("http-equiv", "")); // nothing from elsewhere: it works offline
        using var js = await t.Http.GetAsync("/app.js");
        Assert.Equal("text/javascript", js.Content.Headers.ContentType?.MediaType);

        var info = JsonDocument.Parse(await t.Http.GetStringAsync("/api/info")).RootElement;
        Assert.Equal(new[] { "ddpm", "ddim", "dpm++2m", "euler", "heun" }, info.GetProperty("samplers").EnumerateArray().Select(e => e.GetString()).ToArray());
        Assert.Contains("gif", info.GetProperty("formats").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(16, info.GetProperty("model").GetProperty("resolution").GetInt32());

        var rebinding = new HttpRequestMessage(HttpMethod.Get, "/api/jobs");
        rebinding.Headers.Host = "evil.example";
        using (var res = await t.Http.SendAsync(rebinding)) Assert.Equal(HttpStatusCode.Forbidden, res.StatusCode);

        var crossSite = new HttpRequestMessage(HttpMethod.Post, "/api/jobs") { Content = new StringContent("""{"prompt":"a red circle"}""", Encoding.UTF8, "application/json") };
        crossSite.Headers.Add("Origin", "http://evil.example");
        using (var res = await t.Http.SendAsync(crossSite)) Assert.Equal(HttpStatusCode.Forbidden, res.StatusCode);
        Assert.Equal("[]", await t.Http.GetStringAsync("/api/jobs"));

        var sameSite = new HttpRequestMessage(HttpMethod.Post, "/api/jobs") { Content = new StringContent("""{"prompt":"a red circle","steps":1}""", Encoding.UTF8, "application/json") };
        sameSite.Headers.Add("Origin", t.Server.Url.GetLeftPart(UriPartial.Authority));
        using (var res = await t.Http.SendAsync(sameSite)) Assert.Equal(HttpStatusCode.Accepted, res.StatusCode);
    }

    static byte[] Pixels(Image<Rgb24> img)
    {
        var bytes = new byte[img.Width * img.Height * 3];
        img.CopyPixelDataTo(bytes);
        return bytes;
    }

    public sealed record Sse(string Name, JsonElement Data);

    /// <summary>Reads a server-sent event stream until the server closes it.</summary>
    public static async Task<List<Sse>> ReadEventsAsync(HttpClient http, string url, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        using var res = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cts.Token);
        Assert.Equal("text/event-stream", res.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await res.Content.ReadAsStreamAsync(cts.Token));
        var events = new List<Sse>();
        string? name = null, data = null;
        while (await reader.ReadLineAsync(cts.Token) is { } line)
        {
            if (line.StartsWith("event: ")) name = line[7..];
            else if (line.StartsWith("data: ")) data = line[6..];
            else if (line.Length == 0 && name is not null && data is not null)
            {
                events.Add(new Sse(name, JsonDocument.Parse(data).RootElement.Clone()));
                name = data = null;
            }
        }
        return events;
    }
}
