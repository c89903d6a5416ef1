using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using VidGen.Media;

namespace VidGen.Web.Jobs;

/// <summary>
/// A finished job's files. frames.png keeps every frame losslessly (frames side by side, 8 bits a channel, as any
/// output format stores them), so a format added to <see cref="VideoWriter"/> later (WebP, MP4) can still be made for
/// an old result on first download. The GIF is written at once because the gallery shows it.
/// </summary>
public static class ResultFiles
{
    public const string FramesFile = "frames.png";
    static readonly SemaphoreSlim ConvertGate = new(1, 1);

    /// <summary>Formats offered for download, without the dot: whatever <see cref="VideoWriter.Extensions"/> lists today.</summary>
    public static IReadOnlyList<string> Formats => VideoWriter.Extensions.Select(e => e.TrimStart('.').ToLowerInvariant()).ToList();

    public static string VideoFile(string format) => "video." + format;

    public static void Save(string dir, Video video, int scale)
    {
        Directory.CreateDirectory(dir);
        using (var strip = StripImage(video, 1)) strip.SaveAsPng(Path.Combine(dir, FramesFile));
        WriteAtomically(video, Path.Combine(dir, VideoFile("gif")), scale);
    }

    /// <summary>
    /// The file for one format, written from frames.png on first request. One conversion at a time: MP4 runs ffmpeg
    /// and two requests for the same file must not write it together.
    /// </summary>
    public static async Task<string> GetOrCreateAsync(string dir, string format, int frames, double fps, int scale, CancellationToken cancel)
    {
        string path = Path.Combine(dir, VideoFile(format));
        if (File.Exists(path)) return path;
        await ConvertGate.WaitAsync(cancel);
        try
        {
            if (File.Exists(path)) return path;
            var video = LoadFrames(Path.Combine(dir, FramesFile), frames, fps);
            await Task.Run(() => WriteAtomically(video, path, scale), cancel);
            return path;
        }
        finally { ConvertGate.Release(); }
    }

    static void WriteAtomically(Video video, string path, int scale)
    {
        // The extension must stay last (VideoWriter picks the format from it), so the temporary name goes in front.
        string tmp = Path.Combine(Path.GetDirectoryName(path)!, ".tmp-" + Path.GetFileName(path));
        VideoWriter.Write(video, tmp, scale);
        if (!File.Exists(tmp)) throw new IOException($"the {Path.GetExtension(path)} writer produced no single file");
        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>All frames side by side, (H, F*W): the stored frames and the live preview of the x0 estimate.</summary>
    public static Image<Rgb24> StripImage(Video video, int scale)
    {
        var img = new Image<Rgb24>(video.Frames * video.Width * scale, video.Height * scale);
        img.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < rows.Height; y++)
            {
                var row = rows.GetRowSpan(y);
                for (int x = 0; x < row.Length; x++)
                {
                    int f = x / scale / video.Width, fx = x / scale % video.Width;
                    var (r, g, b) = video.Get(f, y / scale, fx);
                    row[x] = new Rgb24(FrameImages.ToByte(r), FrameImages.ToByte(g), FrameImages.ToByte(b));
                }
            }
        });
        return img;
    }

    /// <summary>Reads frames.png back into a video of the given frame count.</summary>
    public static Video LoadFrames(string path, int frames, double fps)
    {
        using var img = Image.Load<Rgb24>(path);
        if (frames < 1 || img.Width % frames != 0) throw new InvalidDataException($"{path}: {img.Width} pixels wide cannot hold {frames} frames side by side");
        int w = img.Width / frames, h = img.Height;
        var video = new Video(frames, h, w, fps);
        img.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < h; y++)
            {
                var row = rows.GetRowSpan(y);
                for (int x = 0; x < row.Length; x++)
                    video.Set(x / w, y, x % w, row[x].R / 255f, row[x].G / 255f, row[x].B / 255f);
            }
        });
        return video;
    }
}
