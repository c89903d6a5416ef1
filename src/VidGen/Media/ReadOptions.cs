namespace VidGen.Media;

/// <summary>
/// How <see cref="VideoReader"/> decodes a file, and the limits that turn a huge file into a clear error
/// instead of an out-of-memory crash. The defaults admit any clip a CPU model could train on
/// (hundreds of frames at 1080p would not fit) and reject decompression bombs.
/// </summary>
public sealed record ReadOptions
{
    /// <summary>Files larger than this are refused before any byte is decoded.</summary>
    public long MaxFileBytes { get; init; } = 1L << 30; // 1 GiB

    /// <summary>Largest accepted frame (canvas) in pixels, width x height.</summary>
    public long MaxPixelsPerFrame { get; init; } = 4096L * 4096;

    /// <summary>
    /// Largest accepted decode, frames x width x height at the source size. 2^26 pixels is 256 MiB as RGBA
    /// bytes, which is what the GIF decoder holds at once.
    /// </summary>
    public long MaxTotalPixels { get; init; } = 1L << 26;

    /// <summary>Decode at most this many frames from the start (a deliberate cut, not an error).</summary>
    public int MaxFrames { get; init; } = int.MaxValue;

    /// <summary>
    /// When set, every frame is resized so its shorter side is this many pixels and then center-cropped to a
    /// square, the same crop for every frame of the clip. Done while decoding, so big sources never sit in
    /// memory as floats.
    /// </summary>
    public int? FitSquare { get; init; }

    /// <summary>Frame rate for formats that carry none (PNG frame folders without VidGen's fps note).</summary>
    public double DefaultFps { get; init; } = 8;

    public static ReadOptions Default { get; } = new();

    internal void CheckFrameSize(string path, long width, long height)
    {
        if (width <= 0 || height <= 0) throw new MediaFormatException(path, $"invalid frame size {width}x{height}");
        if (width * height > MaxPixelsPerFrame)
            throw new MediaFormatException(path, $"frames are {width}x{height} pixels, more than the limit of {MaxPixelsPerFrame} pixels; downscale the file first");
    }

    internal void CheckTotal(string path, long frames, long width, long height)
    {
        if (frames * width * height > MaxTotalPixels)
            throw new MediaFormatException(path, $"too large to decode: {frames} frames of {width}x{height} exceed the limit of {MaxTotalPixels} pixels; shorten or downscale it, or decode fewer frames");
    }

    internal void Validate()
    {
        if (MaxFrames < 1) throw new ArgumentException($"MaxFrames must be at least 1 (got {MaxFrames})");
        if (FitSquare is < 1) throw new ArgumentException($"FitSquare must be at least 1 pixel (got {FitSquare})");
        if (DefaultFps <= 0) throw new ArgumentException($"DefaultFps must be positive (got {DefaultFps})");
    }
}
