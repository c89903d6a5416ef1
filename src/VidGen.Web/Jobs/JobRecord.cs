using VidGen.Media;

namespace VidGen.Web.Jobs;

public enum JobState { Queued, Running, Done, Failed, Cancelled }

/// <summary>One job as kept on disk (jobs/{id}/job.json): its settings and how it ended.</summary>
public sealed record JobRecord
{
    public required string Id { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required JobSettings Settings { get; init; }
    public JobState State { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    /// <summary>Sampling time of a finished job.</summary>
    public double? Seconds { get; init; }
    /// <summary>Why a job failed, or "cancelled".</summary>
    public string? Error { get; init; }
    /// <summary>Prompt words the model never saw in training: it cannot follow them (shown as a warning).</summary>
    public IReadOnlyList<string> UnknownWords { get; init; } = Array.Empty<string>();
    /// <summary>Steps reached; for a cancelled job, where it stopped.</summary>
    public int StepsDone { get; init; }

    public bool IsFinished => State is JobState.Done or JobState.Failed or JobState.Cancelled;
}

/// <summary>
/// Live progress of the running job (memory only: a restart re-runs the job from the start). <see cref="Preview"/> is
/// the latest x0 estimate's frames, refreshed at most every <see cref="WebServerOptions.PreviewInterval"/>.
/// </summary>
public sealed record JobProgress(int Step, int TotalSteps, double ElapsedSeconds, double? EtaSeconds, Video? Preview);

/// <summary>
/// A job as the queue knows it at one moment: its record, the steps it has done, its place in the queue (1 = next;
/// null unless queued) and, while it runs, its progress. The API turns it into what clients see (JobPresenter).
/// </summary>
public sealed record JobSnapshot(JobRecord Record, int StepsDone, int? Position, JobProgress? Progress)
{
    public string Id => Record.Id;
    public JobState State => Record.State;
}
