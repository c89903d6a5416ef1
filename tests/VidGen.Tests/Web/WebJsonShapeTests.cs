using System.Text.RegularExpressions;

namespace VidGen.Tests.Web;

/// <summary>
/// The API's JSON, byte for byte apart from ids, times and the preview image: field names, their order, nulls and
/// number formats are what clients (the page, scripts) read, so a refactor must not change them.
/// </summary>
public partial class WebJsonShapeTests(TinyModelFixture model) : IClassFixture<TinyModelFixture>
{
    [GeneratedRegex("[0-9]{17}-[0-9a-f]{6}")] private static partial Regex Ids();
    [GeneratedRegex("\"[0-9]{4}-[0-9]{2}-[0-9]{2}T[^\"]+\"")] private static partial Regex Times();
    [GeneratedRegex("\"(seconds|elapsedSeconds|etaSeconds)\":[0-9.eE+-]+")] private static partial Regex Durations();
    [GeneratedRegex("data:image/png;base64,[A-Za-z0-9+/=]+")] private static partial Regex Pngs();

    [GeneratedRegex("\"(step|stepsDone)\":[0-9]+")] private static partial Regex StepCounts();

    static string Normalise(string json) =>
        Pngs().Replace(Durations().Replace(Times().Replace(Ids().Replace(json, "ID"), "\"TIME\""), m => $"\"{m.Groups[1].Value}\":N"), "PNG");

    [Fact]
    public async Task JobsAndEventsKeepTheirJson()
    {
        await using var t = await TestServer.StartAsync(model.ModelDir);
        // Enough steps that the event stream is open before the job ends (with 2, a loaded machine finished it first: no progress events).
        using var posted = await t.PostJobAsync(new { prompt = "a red circle moving left", seed = 5, steps = 100 });
        string id = Ids().Match(await posted.Content.ReadAsStringAsync()).Value;
        var events = await WebApiTests.ReadEventsAsync(t.Http, $"/api/jobs/{id}/events", TimeSpan.FromSeconds(60));
        string done = await t.Http.GetStringAsync($"/api/jobs/{id}");

        Assert.Equal(
            """{"id":"ID","state":"done","settings":{"prompt":"a red circle moving left","negativePrompt":"","seed":5,"randomSeed":false,"steps":100,"guidance":4,"sampler":"dpm++2m","frames":4,"fps":8,"extend":"reconstruction","then":[],"initImage":null},"createdAt":"TIME","startedAt":"TIME","finishedAt":"TIME","seconds":N,"error":null,"unknownWords":[],"stepsDone":100,"position":null,"progress":null,"downloads":{DOWNLOADS},"video":"/api/jobs/ID/video.gif"}"""
                .Replace("{DOWNLOADS}", "{" + string.Join(",", VidGen.Web.Jobs.ResultFiles.Formats.Select(f => $"\"{f}\":\"/api/jobs/ID/video.{f}\"")) + "}"),
            Normalise(done));
        var last = events.Last(e => e.Name == "progress");
        Assert.Equal("""{"id":"ID","step":100,"totalSteps":100,"elapsedSeconds":N,"etaSeconds":N,"preview":"PNG"}""", Normalise(last.Data.GetRawText()));
        Assert.Equal(Normalise(done), Normalise(events[^1].Data.GetRawText()));

        using (await t.Http.DeleteAsync($"/api/jobs/{id}")) { }

        // A running job: its live progress (with the latest preview) inside the job.
        using var slow = await t.PostJobAsync(new { prompt = "a red circle moving left", seed = 1, steps = 1000 });
        string slowId = Ids().Match(await slow.Content.ReadAsStringAsync()).Value;
        var running = await t.WaitForAsync(slowId, j => j.GetProperty("stepsDone").GetInt32() >= 2);
        Assert.Equal(
            """{"id":"ID","state":"running","settings":{"prompt":"a red circle moving left","negativePrompt":"","seed":1,"randomSeed":false,"steps":1000,"guidance":4,"sampler":"dpm++2m","frames":4,"fps":8,"extend":"reconstruction","then":[],"initImage":null},"createdAt":"TIME","startedAt":"TIME","finishedAt":null,"seconds":null,"error":null,"unknownWords":[],"stepsDone":K,"position":null,"progress":{"step":K,"totalSteps":1000,"elapsedSeconds":N,"etaSeconds":N,"preview":"PNG"},"downloads":{},"video":null}""",
            StepCounts().Replace(Normalise(running.GetRawText()), m => $"\"{m.Groups[1].Value}\":K"));
        using (await t.Http.PostAsync($"/api/jobs/{slowId}/cancel", null)) { }
    }
}
