using System.Runtime;

namespace VidGen.Training;

/// <summary>
/// Runs a training step with no garbage collection inside it. TorchSharp 0.107 hands libtorch the raw handle of a
/// <c>Scalar</c> without keeping the Scalar alive (every <c>t + 1</c>, and every <c>a + b</c> through add's default
/// alpha, makes one), so a collection started by another thread (the clip readers) during the call can finalize it
/// while libtorch reads it: "Unknown scalar type" every few hundred world2 steps. With no collection in the step,
/// the finalizer only frees Scalars of calls that have returned.
/// </summary>
internal static class CollectionFreeRegion
{
    /// <summary>Managed bytes all threads together may allocate in one step before the runtime collects anyway (then
    /// the step runs as it did before, and the log counts the collection).</summary>
    internal const long Budget = 512L << 20;

    /// <param name="body">the step</param>
    /// <param name="collections">gen-0 collections that happened inside it: 0 when the region held</param>
    internal static T Run<T>(Func<T> body, out int collections)
    {
        collections = 0;
        bool started;
        try { started = GC.TryStartNoGCRegion(Budget); }
        catch (InvalidOperationException) { started = false; } // a region is already open in this process (a second trainer)
        int before = GC.CollectionCount(0);
        try { return body(); }
        finally
        {
            collections = GC.CollectionCount(0) - before;
            // Past the budget the runtime has ended the region itself; ending it again would throw.
            if (started && GCSettings.LatencyMode == GCLatencyMode.NoGCRegion) GC.EndNoGCRegion();
        }
    }
}
