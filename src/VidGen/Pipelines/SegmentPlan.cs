namespace VidGen.Pipelines;

/// <summary>
/// How a clip longer than the model's training length is made: segments of that length, each after the first
/// sharing <see cref="Overlap"/> frames with the clip so far (sampled around them) and adding the rest. The last
/// segment is sampled whole and cut to the clip's length.
/// </summary>
/// <param name="Frames">the clip's length</param>
/// <param name="Length">frames per segment (the model's training length; the whole clip for one pass)</param>
/// <param name="Overlap">frames a segment shares with the clip before it</param>
/// <param name="Segments">segments to sample</param>
public sealed record SegmentPlan(int Frames, int Length, int Overlap, int Segments)
{
    /// <summary>One pass over the whole clip.</summary>
    public static SegmentPlan OnePass(int frames) => new(frames, frames, 0, 1);

    /// <param name="frames">the clip's length</param>
    /// <param name="length">frames per segment</param>
    /// <param name="overlap">shared frames, 1 to length - 1</param>
    public static SegmentPlan Make(int frames, int length, int overlap)
    {
        if (length < 2) throw new ArgumentException($"a model of {length} frame(s) cannot extend a clip (segments need a frame to share and one to add)");
        if (overlap < 1 || overlap >= length)
            throw new ArgumentException($"overlap must be between 1 and {length - 1} frames for this model's {length}-frame segments (got {overlap})");
        if (frames <= length) return new(frames, frames, 0, 1);
        int added = length - overlap;
        return new(frames, length, overlap, 1 + (frames - length + added - 1) / added);
    }

    /// <summary>The frame of the whole clip that segment <paramref name="k"/>'s first frame is.</summary>
    public int Start(int k) => k * (Length - Overlap);
}
