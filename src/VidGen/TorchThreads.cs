using static TorchSharp.torch;

namespace VidGen;

/// <summary>
/// libtorch's intra-op thread count is process-wide, and it changes how reductions split work (so the last bits of
/// results). Code that wants another count for a while takes it for a scope, and the scope gives the previous count
/// back: nothing set inside a trainer, an evaluation or a test leaks into what runs after it.
/// </summary>
public static class TorchThreads
{
    /// <summary>Sets <paramref name="threads"/> until the result is disposed; 0 or less changes nothing.</summary>
    public static IDisposable Use(int threads)
    {
        if (threads <= 0) return new Restore(0);
        int previous = get_num_threads();
        set_num_threads(threads);
        return new Restore(previous);
    }

    private sealed class Restore(int previous) : IDisposable
    {
        private int previous = previous;

        public void Dispose()
        {
            if (previous > 0) set_num_threads(previous);
            previous = 0;
        }
    }
}
