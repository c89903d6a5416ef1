using System.Text.Json;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using VidGen.Media;
using VidGen.Web;
using VidGen.Web.Jobs;

namespace VidGen.Tests.Web;

/// <summary>The API's side of jobs (URLs, previews, event names), apart from the queue.</summary>
public class JobPresenterTests
{
    static JobRecord Record(JobState state) => new()
    {
        Id = "20260101120000000-3fa2c1", CreatedAt = DateTimeOffset.UnixEpoch, State = state,
        Settings = new JobSettings { Prompt = "a red circle", Frames = 2, Fps = 8 },
    };

    [Fact]
    public void APreviewIsEncodedOnceAsThePngOfTheFramesSideBySide()
    {
        var presenter = new JobPresenter();
        var video = new Video(2, 3, 4);
        video.Set(1, 2, 3, 1, 0, 0);
        string url = presenter.PreviewUrl(video)!;
        Assert.Same(url, presenter.PreviewUrl(video)); // every open page and GET gets the one encoding
        using var png = Image.Load<Rgb24>(Convert.FromBase64String(url["data:image/png;base64,".Length..]));
        Assert.Equal((8, 3), (png.Width, png.Height));
        Assert.Equal(new Rgb24(255, 0, 0), png[4 + 3, 2]);
        Assert.Null(presenter.PreviewUrl(null));
    }

    [Fact]
    public void JobsGetTheApisUrlsOnceDoneAndEventsTheirNames()
    {
        var presenter = new JobPresenter();
        var running = presenter.View(new JobSnapshot(Record(JobState.Running), 3, null, new JobProgress(3, 10, 1.5, null, null)));
        Assert.Empty(running.Downloads);
        Assert.Null(running.Video);
        Assert.Equal(new ProgressView(3, 10, 1.5, null, null), running.Progress);

        var done = presenter.View(new JobSnapshot(Record(JobState.Done), 10, null, null));
        Assert.Equal("/api/jobs/20260101120000000-3fa2c1/video.gif", done.Video);
        Assert.Equal(ResultFiles.Formats, done.Downloads.Keys);
        Assert.Equal("/api/jobs/20260101120000000-3fa2c1/video.gif", done.Downloads["gif"]);

        Assert.Equal("job", presenter.Event(new JobChanged(new JobSnapshot(Record(JobState.Queued), 0, 1, null))).Name);
        var (name, data) = presenter.Event(new JobStepped("x", 1, 2, 0.5, 0.5, null));
        Assert.Equal(("progress", new ProgressEvent("x", 1, 2, 0.5, 0.5, null)), (name, data));
        var deleted = presenter.Event(new JobDeleted("x"));
        Assert.Equal(("deleted", """{"id":"x"}"""), (deleted.Name, JsonSerializer.Serialize(deleted.Data, deleted.Data.GetType(), WebServer.Json)));
    }
}
