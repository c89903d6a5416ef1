using VidGen.Media;

namespace VidGen.Data;

/// <summary>What to do with a clip that has fewer source frames than a training window needs.</summary>
public enum ShortClipPolicy
{
    /// <summary>Play it again from the start (0 1 2 0 1 2 ...). Most GIFs are loops already.</summary>
    Loop,
    /// <summary>Hold the last frame (0 1 2 2 2 ...). Never pads with black: the model would learn fades to black.</summary>
    Pad,
    /// <summary>Leave the clip out of the collection (counted in the skip report).</summary>
    Skip,
}

/// <summary>
/// Which source frames make a training clip of <see cref="Frames"/> frames: every <see cref="Stride"/>-th frame,
/// or, with <see cref="TargetFps"/>, the frames nearest to evenly spaced times at that rate (using each clip's
/// own frame rate), starting at a chosen window start.
/// </summary>
public sealed record FrameSampling
{
    public int Frames { get; init; } = 8;
    public int Stride { get; init; } = 1;
    public double? TargetFps { get; init; }
    public ShortClipPolicy ShortClips { get; init; } = ShortClipPolicy.Loop;

    public void Validate()
    {
        if (Frames < 1) throw new ArgumentException($"frames must be at least 1 (got {Frames})");
        if (Stride < 1) throw new ArgumentException($"--frame-stride must be at least 1 (got {Stride})");
        if (TargetFps is double t && !(t > 0 && double.IsFinite(t))) throw new ArgumentException($"--target-fps must be a positive number (got {t})");
        if (TargetFps is not null && Stride != 1) throw new ArgumentException("use either --frame-stride or --target-fps, not both");
    }

    /// <summary>Source frames advanced per output frame.</summary>
    public double Step(double sourceFps) => TargetFps is double t ? sourceFps / t : Stride;

    /// <summary>Source frames one window covers, first to last inclusive.</summary>
    public int Span(double sourceFps) => Offset(Frames - 1, sourceFps) + 1;

    int Offset(int k, double sourceFps) => (int)Math.Floor(k * Step(sourceFps) + 1e-9);

    public bool IsShort(int available, double sourceFps) => available < Span(sourceFps);

    /// <summary>How many window starts fit (at least 1 for a short clip that is looped or padded; 0 when it is skipped).</summary>
    public int WindowStarts(int available, double sourceFps) =>
        !IsShort(available, sourceFps) ? available - Span(sourceFps) + 1 : ShortClips == ShortClipPolicy.Skip ? 0 : 1;

    /// <summary>Source frame indices for the window at <paramref name="start"/>; null when a short clip is skipped.</summary>
    public int[]? Indices(int available, double sourceFps, int start = 0)
    {
        if (available < 1) throw new ArgumentException("a clip needs at least one frame");
        var idx = new int[Frames];
        if (!IsShort(available, sourceFps))
        {
            if (start < 0 || start > available - Span(sourceFps)) throw new ArgumentOutOfRangeException(nameof(start), start, $"window start must be 0..{available - Span(sourceFps)}");
            for (int k = 0; k < Frames; k++) idx[k] = start + Offset(k, sourceFps);
            return idx;
        }
        if (ShortClips == ShortClipPolicy.Skip) return null;
        for (int k = 0; k < Frames; k++)
        {
            int o = Offset(k, sourceFps);
            idx[k] = ShortClips == ShortClipPolicy.Loop ? o % available : Math.Min(o, available - 1);
        }
        return idx;
    }

    /// <summary>The frames at <paramref name="indices"/> as a new clip, mirrored left-right as a whole when <paramref name="flip"/>.</summary>
    public static Video Take(Video source, IReadOnlyList<int> indices, bool flip, double fps)
    {
        var v = new Video(indices.Count, source.Height, source.Width, fps);
        int row = source.Width * 3, frame = source.Height * row;
        for (int k = 0; k < indices.Count; k++)
        {
            var src = source.Pixels.AsSpan(indices[k] * frame, frame);
            var dst = v.Pixels.AsSpan(k * frame, frame);
            if (!flip) { src.CopyTo(dst); continue; }
            // One decision per clip, applied to every frame: motion direction stays consistent (the original
            // flipped each frame independently, which turns "moving left" into jitter).
            for (int y = 0; y < source.Height; y++)
                for (int x = 0; x < source.Width; x++)
                    src.Slice(y * row + x * 3, 3).CopyTo(dst.Slice(y * row + (source.Width - 1 - x) * 3, 3));
        }
        return v;
    }
}
