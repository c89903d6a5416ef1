using System.Collections.Concurrent;
using VidGen.Media;

namespace VidGen.Data;

/// <summary>
/// Reads clips ahead of the trainer on worker threads: asked for clip i, it returns i (waiting only if it is not
/// ready yet) and makes sure i+1 .. i+depth are being read, at most <c>workers</c> at a time. A source's clip i
/// does not depend on when or where it is read, so training gives the same result with or without it; a clip's
/// error is raised when that clip is asked for. The trainer reads indices in increasing order; a jump (a resume)
/// drops what was read ahead.
/// </summary>
public sealed class PrefetchingClips : ITrainingClips, IDisposable
{
    private readonly ITrainingClips inner;
    private readonly int depth;
    private readonly SemaphoreSlim slots;
    private readonly ConcurrentDictionary<long, Task<(Video, string)>> ahead = new();
    private readonly CancellationTokenSource stop = new();
    private long next = -1;

    /// <param name="inner">a source whose Clip may be called from several threads at once</param>
    /// <param name="workers">clips read at the same time</param>
    /// <param name="depth">clips read ahead of the last one asked for (the bounded queue)</param>
    public PrefetchingClips(ITrainingClips inner, int workers, int depth)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(depth, 1);
        this.inner = inner;
        this.depth = depth;
        slots = new SemaphoreSlim(workers, workers);
    }

    public int Resolution => inner.Resolution;
    public int Frames => inner.Frames;
    public double Fps => inner.Fps;
    public IEnumerable<string> VocabularyCaptions() => inner.VocabularyCaptions();

    /// <summary>Clips read ahead and not yet asked for (for the data-time measurement).</summary>
    public int Ready => ahead.Values.Count(t => t.IsCompleted);

    public (Video Video, string Caption) Clip(long index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        if (index != next) // not the expected next index: what was read ahead is for another stretch
            foreach (var k in ahead.Keys.Where(k => k < index || k > index + depth)) ahead.TryRemove(k, out _);
        for (long i = index; i <= index + depth; i++) ahead.GetOrAdd(i, Start);
        next = index + 1;
        ahead.TryRemove(index, out var task);
        return task!.GetAwaiter().GetResult();
    }

    private Task<(Video, string)> Start(long i) => Task.Run(async () =>
    {
        await slots.WaitAsync(stop.Token).ConfigureAwait(false);
        try { return inner.Clip(i); }
        finally { slots.Release(); }
    });

    public void Dispose()
    {
        stop.Cancel();
        try { Task.WaitAll(ahead.Values.ToArray()); } catch (AggregateException) { } // cancelled or failed reads nobody asked for
        stop.Dispose();
        slots.Dispose();
    }
}
