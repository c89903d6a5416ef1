namespace VidGen.Media;

/// <summary>
/// Reads a clip from a file or folder, choosing the decoder by the file's content (its signature), not its
/// name: GIF, WebP (still or animated), PNG (a VidGen filmstrip or a still), a folder of PNG frames, and
/// MP4 or any other video ffmpeg can decode when ffmpeg is installed.
/// Every failure is one line naming the file: <see cref="MediaFormatException"/> for bad files,
/// <see cref="FfmpegNotFoundException"/> when a video needs ffmpeg and it is missing.
/// </summary>
public static class VideoReader
{
    /// <summary>Extensions that are handed to ffmpeg when their content is not GIF/WebP/PNG.</summary>
    public static IReadOnlyList<string> FfmpegExtensions { get; } = new[] { ".mp4", ".m4v", ".mov", ".webm", ".mkv", ".avi" };

    /// <summary>File extensions a collection folder treats as clips (a folder of PNG frames is a clip too).</summary>
    public static IReadOnlyList<string> ClipExtensions { get; } = new[] { ".gif", ".webp", ".png" }.Concat(FfmpegExtensions).ToArray();

    public static bool NeedsFfmpeg(string path) =>
        !Directory.Exists(path) && FfmpegExtensions.Contains(Path.GetExtension(path).ToLowerInvariant());

    public static Video Read(string path, ReadOptions? options = null, Ffmpeg? ffmpeg = null)
    {
        options ??= ReadOptions.Default;
        if (Directory.Exists(path)) return PngFrames.Read(path, options);
        MediaFiles.CheckFile(path, options);
        Span<byte> head = stackalloc byte[16];
        int n;
        using (var fs = File.OpenRead(path)) n = fs.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        head = head[..n];
        if (head.StartsWith("GIF8"u8)) return GifReader.Read(path, options);
        if (head.Length >= 12 && WebpContainer.HasSignature(head)) return WebpReader.Read(path, options);
        if (head.StartsWith(new byte[] { 0x89, 0x50, 0x4E, 0x47 })) return PngStill.Read(path, options);
        string ext = Path.GetExtension(path).ToLowerInvariant();
        // ISO media files (MP4/MOV) carry 'ftyp' at byte 4; Matroska/WebM start with the EBML magic.
        bool looksLikeVideo = (head.Length >= 8 && head.Slice(4, 4).SequenceEqual("ftyp"u8))
                              || head.StartsWith(new byte[] { 0x1A, 0x45, 0xDF, 0xA3 }) || FfmpegExtensions.Contains(ext);
        if (looksLikeVideo) return Mp4.Read(path, options, ffmpeg);
        string expected = ext switch
        {
            ".gif" => "not a GIF file (no GIF87a/GIF89a signature)",
            ".webp" => "not a WebP file (no RIFF/WEBP signature)",
            ".png" => "not a PNG file (no PNG signature)",
            _ => $"not a video or image VidGen can read (use {string.Join(", ", ClipExtensions)} or a folder of PNG frames)",
        };
        throw new MediaFormatException(path, expected);
    }
}

/// <summary>File checks every reader shares: present, not empty, not over the size limit.</summary>
internal static class MediaFiles
{
    public static long CheckFile(string path, ReadOptions options)
    {
        var fi = new FileInfo(path);
        if (!fi.Exists) throw new FileNotFoundException($"{path}: file not found", path);
        if (fi.Length == 0) throw new MediaFormatException(path, "file is empty (0 bytes)");
        if (fi.Length > options.MaxFileBytes)
            throw new MediaFormatException(path, $"file is {fi.Length / 1048576.0:F0} MiB, over the {options.MaxFileBytes / 1048576.0:F0} MiB limit; raise the limit or use a smaller file");
        return fi.Length;
    }

    public static byte[] ReadAllBytes(string path, ReadOptions options)
    {
        CheckFile(path, options);
        return File.ReadAllBytes(path);
    }
}
