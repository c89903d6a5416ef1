using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace VidGen.Web.Jobs;

/// <summary>
/// Jobs on disk: {data}/jobs/{id}/job.json plus the job's files (frames.png, video.gif, ...). Every state change is
/// written at once (write to a temporary file, then rename, so a crash never leaves half a JSON file), which is what
/// lets the queue and the gallery survive a restart.
/// </summary>
public sealed partial class JobStore
{
    public const string RecordFile = "job.json";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public string Root { get; }
    public string JobsDir => Path.Combine(Root, "jobs");

    public JobStore(string root)
    {
        Root = Path.GetFullPath(root);
        try { Directory.CreateDirectory(JobsDir); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"cannot create the data folder {JobsDir}: {e.Message}; choose another with --data", e);
        }
    }

    /// <summary>Ids are made here and only ever contain [0-9a-z-]; anything else from a URL is rejected before any path is built.</summary>
    public static bool IsValidId(string id) => IdPattern().IsMatch(id);

    [GeneratedRegex("^[0-9]{17}-[0-9a-f]{6}$")]
    private static partial Regex IdPattern();

    /// <summary>A sortable id: creation time to the millisecond, then random hex so two jobs in one millisecond differ.</summary>
    public static string NewId(DateTimeOffset now) => $"{now.UtcDateTime:yyyyMMddHHmmssfff}-{Random.Shared.Next(0, 1 << 24):x6}";

    public string Dir(string id)
    {
        if (!IsValidId(id)) throw new ArgumentException($"'{id}' is not a job id");
        return Path.Combine(JobsDir, id);
    }

    public void Save(JobRecord job)
    {
        string dir = Dir(job.Id);
        Directory.CreateDirectory(dir);
        AtomicFiles.WriteAllText(Path.Combine(dir, RecordFile), JsonSerializer.Serialize(job, Json));
    }

    public void Delete(string id)
    {
        string dir = Dir(id);
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
    }

    /// <summary>
    /// Every readable job, oldest first. A job that was running when the server stopped goes back to the queue (it
    /// restarts from step 0: partial sampler state is not worth keeping for clips that take seconds). Unreadable
    /// folders are skipped and reported, never fatal: one damaged file must not hide the rest of the gallery.
    /// </summary>
    public (List<JobRecord> Jobs, List<string> Problems) LoadAll()
    {
        var jobs = new List<JobRecord>();
        var problems = new List<string>();
        foreach (var dir in Directory.EnumerateDirectories(JobsDir).Order(StringComparer.Ordinal))
        {
            string id = Path.GetFileName(dir), path = Path.Combine(dir, RecordFile);
            if (!IsValidId(id) || !File.Exists(path)) continue;
            try
            {
                var job = JsonSerializer.Deserialize<JobRecord>(File.ReadAllText(path), Json)
                          ?? throw new JsonException("empty file");
                if (job.Id != id) throw new JsonException($"it names job {job.Id}");
                if (job.State == JobState.Running) job = job with { State = JobState.Queued, StartedAt = null, StepsDone = 0 };
                jobs.Add(job);
            }
            catch (Exception e) when (e is JsonException or IOException or NotSupportedException)
            {
                problems.Add($"{path}: {e.Message}");
            }
        }
        return (jobs, problems);
    }
}
