namespace VidGen;

/// <summary>
/// Derived seeds that are the same in every process and .NET version. (System.HashCode is randomised per
/// process, so seeding from it made "fixed seed" training differ run to run and broke exact resume.)
/// </summary>
public static class Seeds
{
    /// <summary>SplitMix64 finaliser over (seed, index): neighbouring indices get unrelated streams. Non-negative.</summary>
    public static int Mix(int seed, long index)
    {
        ulong z = (ulong)seed * 0x9E3779B97F4A7C15UL + (ulong)index + 0x632BE59BD9B4E019UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return (int)((z ^ (z >> 31)) & 0x7FFFFFFF);
    }
}
