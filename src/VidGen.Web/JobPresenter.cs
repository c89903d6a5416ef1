using System.Runtime.CompilerServices;
using SixLabors.ImageSharp;
using VidGen.Media;
using VidGen.Web.Jobs;

namespace VidGen.Web;

/// <summary>
/// How the HTTP API shows jobs: the queue's snapshots and events become the JSON clients read, with the API's URLs
/// (result downloads, the inline video) and live previews as PNG data URLs. The queue knows jobs; this knows HTTP.
/// </summary>
internal sealed class JobPresenter
{
    // One encoding per preview, whoever asks first: every open event stream and every GET of the running job show
    // the same image. Weak keys: a preview the queue has replaced is dropped with its frames.
    readonly ConditionalWeakTable<Video, string> previews = new();

    public static string JobUrl(string id) => $"/api/jobs/{id}";

    public static string VideoUrl(string id, string format) => $"{JobUrl(id)}/video.{format}";

    public JobView View(JobSnapshot s)
    {
        var job = s.Record;
        bool done = job.State == JobState.Done;
        return new JobView
        {
            Id = job.Id, State = job.State, Settings = job.Settings, CreatedAt = job.CreatedAt,
            StartedAt = job.StartedAt, FinishedAt = job.FinishedAt, Seconds = job.Seconds, Error = job.Error,
            UnknownWords = job.UnknownWords, StepsDone = s.StepsDone, Position = s.Position,
            Progress = s.Progress is { } p ? new ProgressView(p.Step, p.TotalSteps, p.ElapsedSeconds, p.EtaSeconds, PreviewUrl(p.Preview)) : null,
            Downloads = done ? ResultFiles.Formats.ToDictionary(f => f, f => VideoUrl(job.Id, f)) : new Dictionary<string, string>(),
            Video = done ? VideoUrl(job.Id, "gif") : null,
        };
    }

    /// <summary>The server-sent event for a job event: its name and JSON payload.</summary>
    public (string Name, object Data) Event(JobEvent e) => e switch
    {
        JobChanged c => ("job", View(c.Job)),
        JobStepped p => ("progress", new ProgressEvent(p.JobId, p.Step, p.TotalSteps, p.ElapsedSeconds, p.EtaSeconds, PreviewUrl(p.Preview))),
        JobDeleted d => ("deleted", new { id = d.JobId }),
        _ => throw new ArgumentOutOfRangeException(nameof(e), e, "no server-sent event for this job event"),
    };

    /// <summary>The frames side by side as a PNG data URL, small enough to send over server-sent events at every step.</summary>
    public string? PreviewUrl(Video? preview) => preview is null ? null : previews.GetValue(preview, Encode);

    static string Encode(Video video)
    {
        using var img = ResultFiles.StripImage(video, 1);
        using var ms = new MemoryStream();
        img.SaveAsPng(ms);
        return "data:image/png;base64," + Convert.ToBase64String(ms.GetBuffer(), 0, (int)ms.Length);
    }
}

/// <summary>A job as the HTTP API shows it: the record plus queue position, live progress and result links.</summary>
internal sealed record JobView
{
    public required string Id { get; init; }
    public required JobState State { get; init; }
    public required JobSettings Settings { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public double? Seconds { get; init; }
    public string? Error { get; init; }
    public IReadOnlyList<string> UnknownWords { get; init; } = Array.Empty<string>();
    public int StepsDone { get; init; }
    /// <summary>1 = next to run; null unless queued.</summary>
    public int? Position { get; init; }
    public ProgressView? Progress { get; init; }
    /// <summary>Format (gif, webp, mp4, ...) -> download URL; empty until the job is done.</summary>
    public IReadOnlyDictionary<string, string> Downloads { get; init; } = new Dictionary<string, string>();
    /// <summary>The video to show inline (the GIF), null until done.</summary>
    public string? Video { get; init; }
}

/// <summary>The running job's progress inside <see cref="JobView"/>; <see cref="Preview"/> is the latest one.</summary>
internal sealed record ProgressView(int Step, int TotalSteps, double ElapsedSeconds, double? EtaSeconds, string? Preview);

/// <summary>Progress of the running job as sent over the event stream; <see cref="Preview"/> is null when unchanged.</summary>
internal sealed record ProgressEvent(string Id, int Step, int TotalSteps, double ElapsedSeconds, double EtaSeconds, string? Preview);
