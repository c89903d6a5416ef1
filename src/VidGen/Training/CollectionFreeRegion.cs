using System.Runtime;

namespace VidGen.Training;

/// <summary>
/// Runs training steps with no garbage collection inside them. TorchSharp 0.107 hands libtorch the raw handle of a
/// <c>Scalar</c> without keeping the Scalar alive (every <c>t + 1</c>, and every <c>a + b</c> through add's default
/// alpha, makes one), so a collection started by another thread (the clip readers) during the call can finalize it
/// while libtorch reads it: "Unknown scalar type" every few hundred world2 steps. With no collection in a step, the
/// finalizer only frees Scalars of calls that have returned.
/// </summary>
/// <remarks>
/// Opening a region costs a full blocking collection (tens of ms), more than a tiny model's whole step, so one
/// region spans many steps: a step starts a new one only when less than half of <see cref="Budget"/> is left. Between
/// steps nothing is collected either; the region ends with <see cref="Dispose"/>. One open region per process: a
/// second trainer running at the same time runs its steps as before.
/// </remarks>
internal sealed class CollectionFreeRegion : IDisposable
{
    /// <summary>Managed bytes all threads together may allocate in one region before the runtime collects anyway
    /// (then that step runs as it did before, and the log counts the collection).</summary>
    internal const long Budget = 512L << 20;

    private bool owned;
    private long openedAt;

    /// <param name="body">the step</param>
    /// <param name="collections">gen-0 collections that happened inside it: 0 when the region held</param>
    internal T Run<T>(Func<T> body, out int collections)
    {
        Reopen();
        int before = GC.CollectionCount(0);
        try { return body(); }
        finally { collections = GC.CollectionCount(0) - before; }
    }

    private void Reopen()
    {
        bool holding = owned && GCSettings.LatencyMode == GCLatencyMode.NoGCRegion;
        if (holding && GC.GetTotalAllocatedBytes() - openedAt < Budget / 2) return;
        if (holding) GC.EndNoGCRegion(); // past the budget the runtime has ended it itself; ending it again would throw
        try { owned = GC.TryStartNoGCRegion(Budget); }
        catch (InvalidOperationException) { owned = false; } // another trainer in this process holds the region
        openedAt = GC.GetTotalAllocatedBytes();
    }

    public void Dispose()
    {
        if (owned && GCSettings.LatencyMode == GCLatencyMode.NoGCRegion) GC.EndNoGCRegion();
        owned = false;
    }
}
