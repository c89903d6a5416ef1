namespace VidGen.Data;

/// <summary>
/// Which stored clip, window and flip training index i reads from a list of clips: the list shuffled once per epoch
/// (Fisher-Yates from (seed, epoch)), the window start and the flip from (seed, i). Shared by
/// <see cref="VideoCollection"/> and <see cref="Shards.ShardedClips"/>, so a packed collection trains on the very
/// clips the unpacked one would. Not thread-safe (it caches the latest epoch's order): callers lock.
/// </summary>
public sealed class ClipSchedule
{
    private readonly int seed;
    private long cachedEpoch = -1;
    private int[] order = Array.Empty<int>();
    private int cachedCount = -1;

    public ClipSchedule(int seed) => this.seed = seed;

    /// <summary>The epoch's shuffled order of positions 0..count-1; the latest one is kept.</summary>
    public int[] Order(long epoch, int count)
    {
        if (epoch == cachedEpoch && count == cachedCount) return order;
        var rng = new Random(Seeds.Mix(seed ^ 0x5EED, -1 - epoch));
        order = Enumerable.Range(0, count).ToArray();
        for (int i = order.Length - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        (cachedEpoch, cachedCount) = (epoch, count);
        return order;
    }

    /// <summary>The first window start and the flip of training index <paramref name="index"/> over a source clip.</summary>
    public (int Start, bool Flip) Window(long index, FrameSampling sampling, int sourceFrames, double sourceFps, bool flip)
    {
        var rng = new Random(Seeds.Mix(seed, index));
        int start = rng.Next(sampling.WindowStarts(sourceFrames, sourceFps));
        return (start, flip && rng.NextDouble() < 0.5);
    }

    /// <summary>Training clip <paramref name="index"/>'s frames from its source clip: the window, flipped or not, at <paramref name="fps"/>.</summary>
    public Media.Video Take(long index, Media.Video source, FrameSampling sampling, bool flip, double fps, out bool flipped)
    {
        var (start, f) = Window(index, sampling, source.Frames, source.Fps, flip);
        flipped = f;
        return FrameSampling.Take(source, sampling.Indices(source.Frames, source.Fps, start)!, f, fps);
    }
}
