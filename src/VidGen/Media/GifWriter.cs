using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.PixelFormats;

namespace VidGen.Media;

/// <summary>Writes a <see cref="Video"/> as a looping animated GIF (frame delay from fps).</summary>
public static class GifWriter
{
    public static void Write(Video video, string path, int scale = 1)
    {
        using var gif = FrameImages.ToAnimation(video, scale);
        int delayCs = Math.Max(2, (int)Math.Round(100.0 / Math.Max(video.Fps, 0.1))); // GIF delay is in 1/100 s
        foreach (var frame in gif.Frames)
        {
            var meta = frame.Metadata.GetGifMetadata();
            meta.FrameDelay = delayCs;
            meta.DisposalMethod = GifDisposalMethod.RestoreToBackground;
        }
        gif.Metadata.GetGifMetadata().RepeatCount = 0; // loop forever
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        // A local palette per frame keeps colours exact for small clips; Wu quantizer gives a good palette.
        gif.SaveAsGif(path, new GifEncoder { ColorTableMode = GifColorTableMode.Local });
    }
}

/// <summary>Conversions between <see cref="Video"/> frames and ImageSharp images.</summary>
public static class FrameImages
{
    public static Image<Rgb24> ToImage(Video video, int f, int scale = 1)
    {
        var img = new Image<Rgb24>(video.Width * scale, video.Height * scale);
        img.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < rows.Height; y++)
            {
                var row = rows.GetRowSpan(y);
                for (int x = 0; x < row.Length; x++)
                {
                    var (r, g, b) = video.Get(f, y / scale, x / scale);
                    row[x] = new Rgb24(ToByte(r), ToByte(g), ToByte(b));
                }
            }
        });
        return img;
    }

    /// <summary>All frames as one multi-frame image (frame 0 is the root frame).</summary>
    public static Image<Rgb24> ToAnimation(Video video, int scale = 1)
    {
        var root = ToImage(video, 0, scale);
        for (int f = 1; f < video.Frames; f++)
        {
            using var frame = ToImage(video, f, scale);
            root.Frames.AddFrame(frame.Frames.RootFrame);
        }
        return root;
    }

    public static byte ToByte(float v) => (byte)Math.Clamp((int)MathF.Round(v * 255f), 0, 255);
}
