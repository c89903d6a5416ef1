using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace VidGen.Media;

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

    /// <summary>One image as a one-frame clip.</summary>
    public static Video FromImage(Image<Rgb24> image, double fps = 8)
    {
        var video = new Video(1, image.Height, image.Width, fps);
        image.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < rows.Height; y++)
            {
                var row = rows.GetRowSpan(y);
                for (int x = 0; x < row.Length; x++) video.Set(0, y, x, row[x].R / 255f, row[x].G / 255f, row[x].B / 255f);
            }
        });
        return video;
    }

    /// <summary>Frame 0 of <paramref name="video"/> resized on its shorter side and centre-cropped to <paramref name="size"/> squared, as training fits frames.</summary>
    public static Video FitFirstFrame(Video video, int size)
    {
        using var image = ToImage(video, 0);
        FitSquare(image, size);
        return FromImage(image, video.Fps);
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

    /// <summary>Frame <paramref name="f"/> as packed RGB bytes (H, W, 3), for encoders that take raw pixels (ffmpeg).</summary>
    public static void ToRgbBytes(Video video, int f, int scale, Span<byte> dest)
    {
        int w = video.Width * scale, h = video.Height * scale;
        if (dest.Length != w * h * 3) throw new ArgumentException($"destination holds {dest.Length} bytes, expected {w * h * 3}");
        var src = video.Frame(f);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int s = ((y / scale) * video.Width + x / scale) * 3, d = (y * w + x) * 3;
                dest[d] = ToByte(src[s]); dest[d + 1] = ToByte(src[s + 1]); dest[d + 2] = ToByte(src[s + 2]);
            }
    }

    public static byte ToByte(float v) => (byte)Math.Clamp((int)MathF.Round(v * 255f), 0, 255);

    /// <summary>
    /// Resizes so the shorter side is <paramref name="size"/> and center-crops to a square. The crop is taken
    /// first (the centred square of side min(w, h)), so the result depends only on the frame size: every frame
    /// of a clip gets exactly the same crop. Bicubic resampling; ImageSharp widens the kernel when it
    /// shrinks, so downscaling does not alias.
    /// </summary>
    public static void FitSquare(Image<Rgb24> image, int size)
    {
        var rect = CenterSquare(image.Width, image.Height);
        if (rect.Width == size && rect.Height == size && rect.X == 0 && rect.Y == 0) return;
        image.Mutate(x =>
        {
            if (rect.Width != image.Width || rect.Height != image.Height) x.Crop(rect);
            if (rect.Width != size) x.Resize(size, size);
        });
    }

    /// <summary>The centred square of side min(width, height); odd leftovers go to the right/bottom.</summary>
    public static Rectangle CenterSquare(int width, int height)
    {
        int side = Math.Min(width, height);
        return new Rectangle((width - side) / 2, (height - side) / 2, side, side);
    }
}

/// <summary>
/// Collects decoded frames (optionally fitted to a square) into a <see cref="Video"/>. Checks that every frame
/// has the same size and that the running total stays within <see cref="ReadOptions.MaxTotalPixels"/>.
/// </summary>
internal sealed class VideoBuilder
{
    private readonly string path;
    private readonly ReadOptions options;
    private readonly List<float[]> frames = new();
    private int width = -1, height = -1;

    public VideoBuilder(string path, ReadOptions options) { this.path = path; this.options = options; }

    public int Count => frames.Count;
    public bool Full => frames.Count >= options.MaxFrames;

    /// <summary>Takes ownership of nothing: <paramref name="frame"/> may be changed in place by the square fit.</summary>
    public void Add(Image<Rgb24> frame, string? framePath = null)
    {
        if (options.FitSquare is int s) FrameImages.FitSquare(frame, s);
        Add(frame.Width, frame.Height, framePath, span =>
        {
            frame.ProcessPixelRows(rows =>
            {
                for (int y = 0; y < rows.Height; y++)
                {
                    var row = rows.GetRowSpan(y);
                    int o = y * rows.Width * 3;
                    for (int x = 0; x < row.Length; x++)
                    {
                        span[o + 3 * x] = row[x].R / 255f; span[o + 3 * x + 1] = row[x].G / 255f; span[o + 3 * x + 2] = row[x].B / 255f;
                    }
                }
            });
        });
    }

    /// <summary>Adds one packed RGB frame (H, W, 3) that is already at its final size.</summary>
    public void AddRgb(ReadOnlySpan<byte> rgb, int w, int h)
    {
        var copy = rgb.ToArray();
        Add(w, h, null, span => { for (int i = 0; i < copy.Length; i++) span[i] = copy[i] / 255f; });
    }

    private void Add(int w, int h, string? framePath, Action<float[]> fill)
    {
        if (width < 0) { width = w; height = h; }
        else if (w != width || h != height)
            throw new MediaFormatException(framePath ?? path, $"frame {frames.Count} is {w}x{h} but earlier frames are {width}x{height}; all frames of a clip must share one size");
        var data = new float[w * h * 3];
        fill(data);
        frames.Add(data);
    }

    public Video Build(double fps)
    {
        if (frames.Count == 0) throw new MediaFormatException(path, "contains no frames");
        var pixels = new float[(long)frames.Count * width * height * 3];
        for (int i = 0; i < frames.Count; i++) frames[i].CopyTo(pixels, (long)i * width * height * 3);
        return new Video(frames.Count, height, width, fps > 0 && double.IsFinite(fps) ? fps : options.DefaultFps, pixels);
    }
}
