using System.Diagnostics;

namespace VidGen.Data.World2;

/// <summary>
/// How fast the second world makes clips, for issue #13's target (10,000 training clips in under 2 minutes on 2
/// cores, since they are made inside the training loop): `vidgen dataset world2 --measure` and the benchmark's
/// world2 data stage both read it from here.
/// </summary>
public static class GenerationSpeed
{
    /// <summary>Clips per target figure: "10,000 training clips".</summary>
    public const int TargetClips = 10_000;

    /// <summary>The target for <see cref="TargetClips"/> clips, in seconds.</summary>
    public const double TargetSeconds = 120;

    /// <param name="Clips">clips rendered in parallel</param>
    /// <param name="Threads">threads they were rendered on</param>
    /// <param name="Seconds">wall time for them</param>
    /// <param name="ClipsPerSecond">their rate</param>
    /// <param name="SecondsFor10000">the time for <see cref="TargetClips"/> clips at that rate</param>
    /// <param name="MillisecondsPerClip">a clip in the batch drawn on one thread</param>
    /// <param name="BatchMilliseconds">the batch drawn on one thread, as the trainer draws it</param>
    public sealed record Measurement(int Clips, int Threads, double Seconds, double ClipsPerSecond, double SecondsFor10000, double MillisecondsPerClip, double BatchMilliseconds);

    /// <summary>
    /// Renders <paramref name="count"/> clips in memory on <paramref name="threads"/> threads (0: one per core), then a
    /// batch of <paramref name="batch"/> on one thread as the trainer draws them; the world is built (font read, art
    /// decoded) before the clock starts, and one clip warms up the code first.
    /// </summary>
    public static Measurement Measure(CompositionalWorld world, int count, int seed = 0, Split split = Split.Train, Category? category = null, int threads = 0, int batch = 16)
    {
        if (count < 1 || count > 1_000_000) throw new ArgumentException($"--count {count}: use 1 to 1000000 clips");
        if (threads < 0) throw new ArgumentException($"--threads {threads}: use 0 (all cores) or more");
        if (batch < 1) throw new ArgumentException($"batch {batch}: use 1 or more clips");
        int used = threads > 0 ? threads : Environment.ProcessorCount;
        world.Clip(seed, 0, split, category); // warm up (JIT)
        long checksum = 0;
        var clock = Stopwatch.StartNew();
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = used }, i =>
        {
            var clip = world.Clip(seed, i, split, category);
            Interlocked.Add(ref checksum, clip.Caption.Length); // keeps the work observable
        });
        double seconds = clock.Elapsed.TotalSeconds;
        var one = Stopwatch.StartNew();
        for (int i = 0; i < batch; i++) world.Clip(seed + 1, i, split, category);
        double batchMs = one.Elapsed.TotalMilliseconds;
        GC.KeepAlive(checksum);
        return new Measurement(count, used, seconds, count / seconds, seconds / count * TargetClips, batchMs / batch, batchMs);
    }
}
