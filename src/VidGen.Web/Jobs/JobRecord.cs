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

/// <summary>Live progress of the running job (memory only: a restart re-runs the job from the start).</summary>
public sealed record JobProgress(int Step, int TotalSteps, double ElapsedSeconds, double? EtaSeconds, string? Preview);

/// <summary>A job as the HTTP API shows it: the record plus queue position, live progress and result links.</summary>
public sealed record JobView
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
    public JobProgress? Progress { get; init; }
    /// <summary>Format (gif, webp, mp4, ...) -> download URL; empty until the job is done.</summary>
    public IReadOnlyDictionary<string, string> Downloads { get; init; } = new Dictionary<string, string>();
    /// <summary>The video to show inline (the GIF), null until done.</summary>
    public string? Video { get; init; }
}
