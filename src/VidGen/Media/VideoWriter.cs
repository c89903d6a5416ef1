namespace VidGen.Media;

/// <summary>Writes a video in the format its file extension names.</summary>
public static class VideoWriter
{
    public static IReadOnlyList<string> Extensions { get; } = new[] { ".gif" };

    public static void Write(Video video, string path, int scale = 1)
    {
        if (scale < 1 || scale > 16) throw new ArgumentException($"scale must be between 1 and 16 (got {scale})");
        switch (Path.GetExtension(path).ToLowerInvariant())
        {
            case ".gif": GifWriter.Write(video, path, scale); break;
            default: throw new NotSupportedException($"{path}: unsupported output format; use one of {string.Join(", ", Extensions)}");
        }
    }
}
