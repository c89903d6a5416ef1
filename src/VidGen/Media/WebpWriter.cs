using SixLabors.ImageSharp.Formats.Webp;

namespace VidGen.Media;

/// <summary>
/// Writes animated WebP. ImageSharp 2.1 encodes only still WebP, so each frame is encoded losslessly by
/// ImageSharp (a VP8L bitstream) and the frames are wrapped in the extended container ourselves:
/// VP8X (animation flag, canvas size), ANIM (background, loop count), then one ANMF per frame
/// (offset, size, duration, blend/dispose flags, the frame's VP8L chunk). Lossless, so a clip reads back exactly.
/// </summary>
public static class WebpWriter
{
    const byte Vp8xAnimationFlag = 0x02; // bit "A" of the VP8X flags byte
    const byte AnmfNoBlend = 0x02;       // bit "B": 1 = overwrite the canvas rectangle instead of alpha-blending

    /// <summary>Frame duration in milliseconds for <paramref name="fps"/> (WebP stores whole milliseconds).</summary>
    public static int DurationMs(double fps) => Math.Clamp((int)Math.Round(1000.0 / Math.Max(fps, 0.001), MidpointRounding.AwayFromZero), 1, 0xFFFFFF);

    public static void Write(Video video, string path, int scale = 1)
    {
        var bytes = Encode(video, scale);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllBytes(path, bytes);
    }

    public static byte[] Encode(Video video, int scale = 1)
    {
        int w = video.Width * scale, h = video.Height * scale;
        int duration = DurationMs(video.Fps);
        var encoder = new WebpEncoder { FileFormat = WebpFileFormatType.Lossless };
        return WebpContainer.File(s =>
        {
            Span<byte> vp8x = stackalloc byte[10];
            vp8x.Clear();
            vp8x[0] = Vp8xAnimationFlag; // frames are opaque: no alpha flag
            WebpContainer.PutU24(vp8x[4..], w - 1);
            WebpContainer.PutU24(vp8x[7..], h - 1);
            WebpContainer.WriteChunk(s, "VP8X", vp8x);

            // Background colour is stored as B, G, R, A: opaque black, the colour every clip is composed on.
            WebpContainer.WriteChunk(s, "ANIM", new byte[] { 0, 0, 0, 255, 0, 0 }); // last two bytes: loop count 0 = forever

            Span<byte> head = stackalloc byte[16];
            for (int f = 0; f < video.Frames; f++)
            {
                byte[] still;
                using (var img = FrameImages.ToImage(video, f, scale))
                using (var ms = new MemoryStream())
                {
                    img.Save(ms, encoder);
                    still = ms.ToArray();
                }
                // Take the VP8L chunk out of ImageSharp's single-image file.
                var chunks = WebpContainer.TopLevel("(encoded frame)", still);
                var vp8l = chunks.FirstOrDefault(c => c.FourCC == "VP8L");
                if (vp8l.FourCC is null) throw new InvalidOperationException("ImageSharp did not produce a lossless VP8L bitstream");

                using var frame = new MemoryStream();
                head.Clear();
                // Frame X and Y (stored halved) stay 0: every frame covers the whole canvas.
                WebpContainer.PutU24(head[6..], w - 1);
                WebpContainer.PutU24(head[9..], h - 1);
                WebpContainer.PutU24(head[12..], duration);
                head[15] = AnmfNoBlend; // dispose bit 0: leave the canvas as is (the next frame overwrites it all)
                frame.Write(head);
                WebpContainer.WriteChunk(frame, "VP8L", still.AsSpan(vp8l.Offset, vp8l.Size));
                WebpContainer.WriteChunk(s, "ANMF", frame.ToArray());
            }
        });
    }
}
