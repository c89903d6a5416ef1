using System.Runtime.CompilerServices;
using static TorchSharp.torch;

namespace VidGen.Tests;

/// <summary>
/// libtorch's settings as this test process started, before any test changed them. The intra-op thread count is
/// process-wide and some tests set it (set_num_threads(1), TrainOptions.Threads = 1) without restoring it; with
/// another thread count the CPU kernels split their sums differently, so results that must be bit-identical to
/// files written in a fresh process (the bundled-model goldens) run with the start-up count.
/// </summary>
public static class TorchDefaults
{
    public static int Threads { get; private set; }

#pragma warning disable CA2255 // a test assembly, not a library: this must run before any test can change the thread count
    [ModuleInitializer]
    internal static void Capture() => Threads = get_num_threads();
#pragma warning restore CA2255

    /// <summary>Runs <paramref name="work"/> with the start-up thread count, then restores the count it found.</summary>
    public static T WithStartupThreads<T>(Func<T> work)
    {
        int before = get_num_threads();
        set_num_threads(Threads);
        try { return work(); }
        finally { set_num_threads(before); }
    }
}
