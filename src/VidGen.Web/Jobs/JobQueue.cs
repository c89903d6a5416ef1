using TorchSharp;
using VidGen.Data;
using VidGen.Diffusion.Samplers;
using VidGen.Media;
using VidGen.Models;
using VidGen.Pipelines;
using VidGen.Text;

namespace VidGen.Web.Jobs;

public enum CancelOutcome { NotFound, AlreadyFinished, Cancelled }
public enum DeleteOutcome { NotFound, Running, Deleted }

public sealed class QueueFullException(int max) : Exception($"the queue already holds {max} waiting jobs; wait for some to finish or cancel them");

/// <summary>A job the server's disk would not take; the jobs already kept are untouched.</summary>
public sealed class JobStorageException(Exception inner) : Exception($"the server could not store the job ({inner.Message}); free disk space and submit it again", inner);

/// <summary>
/// The jobs and the single worker that runs them one after another: one model instance must never run two
/// generations at once (TorchSharp modules are not re-entrant, and on a CPU two jobs would only share the cores).
/// All state changes happen under one lock, are written to disk before anyone is told, and are then published
/// as <see cref="JobChanged"/> events, so what a client sees is always what a restart would load. It knows jobs, not
/// HTTP: URLs and the encoding of previews are the API's (JobPresenter).
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "it is the job queue: jobs wait in it in order")]
public sealed class JobQueue : IDisposable
{
    readonly object gate = new();
    readonly JobStore store;
    readonly EventHub hub;
    readonly WebServerOptions options;
    readonly VideoDiffusionModel model;
    readonly TextToVideoPipeline pipeline;
    readonly Dictionary<string, JobRecord> jobs = new();
    readonly List<string> queued = new();
    readonly SemaphoreSlim wake = new(0);

    // The running job, if any (guarded by gate).
    string? runningId;
    CancellationTokenSource? runningCancel;
    bool runningCancelledByUser;
    JobProgress? runningProgress;
    TaskCompletionSource? runningFinished;

    public IReadOnlyList<string> LoadProblems { get; }
    public ModelConfig ModelConfig => model.Config;
    public IPromptTokenizer Tokenizer => model.Tokenizer;

    /// <summary>Takes ownership of <paramref name="model"/> and loads the jobs kept in <paramref name="store"/>.</summary>
    public JobQueue(VideoDiffusionModel model, JobStore store, EventHub hub, WebServerOptions options)
    {
        this.model = model;
        this.store = store;
        this.hub = hub;
        this.options = options;
        pipeline = new TextToVideoPipeline(model);
        var (loaded, problems) = store.LoadAll();
        foreach (var job in loaded)
        {
            jobs[job.Id] = job;
            if (job.State == JobState.Queued)
            {
                queued.Add(job.Id);
                store.Save(job); // a job interrupted while running was turned back into a queued one
            }
        }
        LoadProblems = problems;
        if (queued.Count > 0) wake.Release();
    }

    public JobRecord Submit(JobSettings settings)
    {
        lock (gate)
        {
            if (queued.Count >= options.MaxQueued) throw new QueueFullException(options.MaxQueued);
            var now = DateTimeOffset.UtcNow;
            string id;
            do id = JobStore.NewId(now); while (jobs.ContainsKey(id));
            var job = new JobRecord
            {
                Id = id, CreatedAt = now, Settings = settings, State = JobState.Queued,
                UnknownWords = model.Tokenizer.UnknownWords(settings.Prompt),
            };
            // Saved before it is queued: a job the disk could not take (full, read-only) is refused whole, never half-known.
            try { store.Save(job); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                try { store.Delete(id); } catch (IOException) { } // the folder it may have made
                throw new JobStorageException(e);
            }
            queued.Add(id); // before publishing, so the published view already carries its queue position
            jobs[id] = job;
            hub.Publish(new JobChanged(SnapshotLocked(job)));
            wake.Release();
            return job;
        }
    }

    /// <summary>
    /// Cancels a waiting job at once, or stops the running one between two sampler steps and waits (up to
    /// <paramref name="wait"/>) until the worker has let go of it, so the caller sees the final state.
    /// </summary>
    public async Task<(CancelOutcome Outcome, JobSnapshot? Job)> CancelAsync(string id, TimeSpan wait)
    {
        Task? finished = null;
        lock (gate)
        {
            if (!jobs.TryGetValue(id, out var job)) return (CancelOutcome.NotFound, null);
            if (job.IsFinished) return (CancelOutcome.AlreadyFinished, SnapshotLocked(job));
            if (job.State == JobState.Queued)
            {
                queued.Remove(id);
                Commit(job with { State = JobState.Cancelled, FinishedAt = DateTimeOffset.UtcNow, Error = "cancelled before it started" });
                PublishPositionsLocked();
                return (CancelOutcome.Cancelled, SnapshotLocked(jobs[id]));
            }
            // Running: the sampler checks the token between steps and throws OperationCanceledException.
            runningCancelledByUser = true;
            runningCancel!.Cancel();
            finished = runningFinished!.Task;
        }
        await Task.WhenAny(finished, Task.Delay(wait));
        lock (gate) return (CancelOutcome.Cancelled, jobs.TryGetValue(id, out var j) ? SnapshotLocked(j) : null);
    }

    public DeleteOutcome Delete(string id)
    {
        lock (gate)
        {
            if (!jobs.TryGetValue(id, out var job)) return DeleteOutcome.NotFound;
            if (job.State == JobState.Running) return DeleteOutcome.Running;
            queued.Remove(id);
            jobs.Remove(id);
            store.Delete(id);
            hub.Publish(new JobDeleted(id));
            PublishPositionsLocked();
            return DeleteOutcome.Deleted;
        }
    }

    public JobSnapshot? Snapshot(string id)
    {
        lock (gate) return jobs.TryGetValue(id, out var job) ? SnapshotLocked(job) : null;
    }

    public JobRecord? Record(string id)
    {
        lock (gate) return jobs.GetValueOrDefault(id);
    }

    /// <summary>Every job, oldest first.</summary>
    public List<JobSnapshot> Snapshots()
    {
        lock (gate) return jobs.Values.OrderBy(j => j.Id, StringComparer.Ordinal).Select(SnapshotLocked).ToList();
    }

    /// <summary>The worker loop; blocks its (dedicated) thread until <paramref name="stopping"/> is cancelled.</summary>
    public void RunWorker(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            if (!TryStartNext(stopping, out var job, out var cancel))
            {
                try { wake.Wait(stopping); } catch (OperationCanceledException) { return; }
                continue;
            }
            try { RunJob(job, cancel, stopping); }
            catch (Exception e)
            {
                // Only bookkeeping can land here (the job's own errors are caught in RunJob), e.g. a full disk.
                // Report it and go on: a dead worker would leave every later job waiting for ever.
                Console.Error.WriteLine($"vidgen serve: job {job.Id}: {e.Message}");
            }
        }
    }

    /// <summary>
    /// Takes the next waiting job and marks it running in one step under the lock, so a cancel or delete that
    /// arrives meanwhile sees either a waiting job or a running one, never one in between.
    /// </summary>
    bool TryStartNext(CancellationToken stopping, out JobRecord job, out CancellationTokenSource cancel)
    {
        lock (gate)
        {
            job = null!;
            cancel = null!;
            if (queued.Count == 0 || stopping.IsCancellationRequested) return false;
            string id = queued[0];
            queued.RemoveAt(0);
            job = jobs[id] with { State = JobState.Running, StartedAt = DateTimeOffset.UtcNow, StepsDone = 0 };
            cancel = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            runningId = id;
            runningCancel = cancel;
            runningCancelledByUser = false;
            runningProgress = new JobProgress(0, job.Settings.Steps, 0, null, null);
            runningFinished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Commit(job);
            PublishPositionsLocked();
            return true;
        }
    }

    void RunJob(JobRecord job, CancellationTokenSource cancel, CancellationToken stopping)
    {
        string id = job.Id;
        var lastPreview = DateTime.MinValue;
        int stepsDone = 0;
        double firstStep = 0;
        void OnStep(SamplerStep s)
        {
            stepsDone = s.Step;
            double elapsed = s.Elapsed.TotalSeconds;
            if (s.Step == 1) firstStep = elapsed;
            // Later steps cost about the same each; the first also pays for warm-up (allocations, thread start),
            // so once there are two the rate is measured without it.
            double perStep = s.Step >= 2 ? (elapsed - firstStep) / (s.Step - 1) : elapsed;
            double eta = perStep * (s.TotalSteps - s.Step);
            Video? preview = null;
            // X0 is only valid inside this callback, so its frames are copied out here; throttled because copying a
            // large model's frames, and encoding them for every open page (the API's part), at every fast step
            // would slow the job it is showing.
            if (s.Step == s.TotalSteps || DateTime.UtcNow - lastPreview >= options.PreviewInterval)
            {
                using var scope = torch.NewDisposeScope();
                preview = pipeline.Previews(s.X0, job.Settings.Fps)[0];
                lastPreview = DateTime.UtcNow;
            }
            lock (gate) runningProgress = new JobProgress(s.Step, s.TotalSteps, elapsed, eta, preview ?? runningProgress?.Preview);
            hub.Publish(new JobStepped(id, s.Step, s.TotalSteps, elapsed, eta, preview));
        }

        JobRecord final;
        try
        {
            using var scope = torch.NewDisposeScope();
            var result = pipeline.Generate(job.Settings.ToRequest(), OnStep, cancel.Token);
            ResultFiles.Save(store.Dir(id), result.Video, options.DownloadScale);
            final = job with
            {
                State = JobState.Done, FinishedAt = DateTimeOffset.UtcNow, Seconds = Math.Round(result.Elapsed.TotalSeconds, 3),
                StepsDone = stepsDone, UnknownWords = result.UnknownWords,
            };
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            bool byUser;
            lock (gate) byUser = runningCancelledByUser;
            final = byUser || !stopping.IsCancellationRequested
                ? job with { State = JobState.Cancelled, FinishedAt = DateTimeOffset.UtcNow, StepsDone = stepsDone, Error = $"cancelled at step {stepsDone} of {job.Settings.Steps}" }
                // The server is shutting down: the job goes back to the front of the queue and runs after a restart.
                : job with { State = JobState.Queued, StartedAt = null, StepsDone = 0 };
        }
        catch (Exception e)
        {
            // Whatever went wrong stays with this job; the worker must survive to run the next one.
            final = job with { State = JobState.Failed, FinishedAt = DateTimeOffset.UtcNow, StepsDone = stepsDone, Error = e.Message };
        }

        TaskCompletionSource finished;
        lock (gate)
        {
            runningId = null;
            runningProgress = null;
            runningCancel = null;
            finished = runningFinished!;
            runningFinished = null;
            try
            {
                if (final.State == JobState.Queued) queued.Insert(0, id);
                Commit(final);
            }
            finally
            {
                cancel.Dispose();
                finished.TrySetResult();
            }
        }
    }

    /// <summary>Stores a new state of a job, writes it to disk and tells the event streams (caller holds gate).</summary>
    void Commit(JobRecord job)
    {
        jobs[job.Id] = job;
        // A disk that fills up must not stop the queue or hide a job's end: the new state is kept and published; the
        // file keeps the last state it could store (a job whose end was not stored runs again after a restart).
        try { store.Save(job); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        hub.Publish(new JobChanged(SnapshotLocked(job)));
    }

    /// <summary>Queue positions shift when a job leaves the queue; waiting jobs get their new position.</summary>
    void PublishPositionsLocked()
    {
        foreach (var qid in queued) hub.Publish(new JobChanged(SnapshotLocked(jobs[qid])));
    }

    JobSnapshot SnapshotLocked(JobRecord job) => new(
        job,
        StepsDone: job.State == JobState.Running ? runningProgress?.Step ?? 0 : job.StepsDone,
        Position: job.State == JobState.Queued ? queued.IndexOf(job.Id) + 1 : null,
        Progress: job.Id == runningId ? runningProgress : null);

    public void Dispose()
    {
        model.Dispose();
        wake.Dispose();
    }
}
