namespace VidGen.Media;

/// <summary>
/// Writes a video in the format its file extension names:
/// .gif (looping, per-frame palette), .webp (lossless animated, looping), .mp4 (H.264 yuv420p through ffmpeg)
/// and .png (a filmstrip: all frames left to right in one image, which <see cref="VideoReader"/> reads back
/// as the clip). A path with no extension, or ending in a separator, is a folder of PNG frames.
/// </summary>
public static class VideoWriter
{
    /// <summary>Every file extension this writer knows, whether or not ffmpeg is installed.</summary>
    public static IReadOnlyList<string> AllExtensions { get; } = new[] { ".gif", ".webp", ".png", ".mp4" };

    /// <summary>
    /// The extensions that can be written on this machine now: .mp4 only when ffmpeg is on PATH.
    /// The web UI offers exactly these.
    /// </summary>
    public static IReadOnlyList<string> Extensions => Ffmpeg.IsAvailable ? AllExtensions : AllExtensions.Where(e => e != ".mp4").ToArray();

    public static void Write(Video video, string path, int scale = 1, Ffmpeg? ffmpeg = null)
    {
        if (scale < 1 || scale > 16) throw new ArgumentException($"scale must be between 1 and 16 (got {scale})");
        if (IsFrameFolder(path)) { PngFrames.Write(video, path, scale); return; }
        switch (Path.GetExtension(path).ToLowerInvariant())
        {
            case ".gif": GifWriter.Write(video, path, scale); break;
            case ".webp": WebpWriter.Write(video, path, scale); break;
            case ".png": ContactSheet.WriteFilmstrip(video, path, scale); break;
            case ".mp4": Mp4.Write(video, path, scale, ffmpeg); break;
            default: throw new NotSupportedException($"{path}: unsupported output format; use one of {string.Join(", ", AllExtensions)} or a folder for PNG frames");
        }
    }

    /// <summary>A trailing separator, an existing folder, or no extension at all means "a folder of PNG frames".</summary>
    public static bool IsFrameFolder(string path) =>
        path.EndsWith('/') || path.EndsWith(Path.DirectorySeparatorChar) || Directory.Exists(path) || Path.GetExtension(path).Length == 0;
}
