using System.Buffers.Binary;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.PixelFormats;

namespace VidGen.Media;

/// <summary>One ANMF frame: where it goes on the canvas, for how long, how it combines, and its bitstream chunks.</summary>
internal sealed record WebpFrame(int X, int Y, int Width, int Height, int DurationMs, bool Blend, bool DisposeToBackground,
    RiffChunk? Alpha, RiffChunk Bitstream);

/// <summary>What a WebP file holds: canvas size, and the frames when animated (empty for a still image).</summary>
internal sealed record WebpInfo(int Width, int Height, bool Animated, int? LoopCount, IReadOnlyList<WebpFrame> Frames);

/// <summary>
/// Reads still and animated WebP. ImageSharp 2.1 refuses animated files ("Animations are not supported"), so
/// the container is parsed here: each ANMF frame's bitstream (VP8L, or VP8 with an optional ALPH chunk) is
/// re-wrapped as a single-image WebP for ImageSharp to decode, and the frames are composed on the canvas as
/// the container spec describes (offset, alpha blending or overwrite, dispose to background).
/// </summary>
public static class WebpReader
{
    public static Video Read(string path, ReadOptions? options = null)
    {
        options ??= ReadOptions.Default;
        options.Validate();
        byte[] bytes = MediaFiles.ReadAllBytes(path, options);
        var info = Inspect(path, bytes);
        options.CheckFrameSize(path, info.Width, info.Height);
        var builder = new VideoBuilder(path, options);

        if (!info.Animated)
        {
            options.CheckTotal(path, 1, info.Width, info.Height);
            using var still = Decode(path, bytes, "image");
            builder.Add(still.CloneAs<Rgb24>());
            return builder.Build(options.DefaultFps);
        }

        int frames = Math.Min(info.Frames.Count, options.MaxFrames);
        options.CheckTotal(path, frames, info.Width, info.Height);
        // Canvas starts transparent (as libwebp's decoder does); transparent shows as black, our background.
        var canvas = new Rgba32[info.Width * info.Height];
        WebpFrame? previous = null;
        for (int i = 0; i < frames; i++)
        {
            var fr = info.Frames[i];
            if (previous is { DisposeToBackground: true }) Fill(canvas, info.Width, previous, default);
            using (var img = Decode(path, FrameFile(fr, bytes), $"frame {i + 1}"))
            {
                if (img.Width != fr.Width || img.Height != fr.Height)
                    throw new MediaFormatException(path, $"corrupt WebP: frame {i + 1} bitstream is {img.Width}x{img.Height} but its ANMF header says {fr.Width}x{fr.Height}");
                Compose(canvas, info.Width, img, fr);
            }
            using var rgb = new Image<Rgb24>(info.Width, info.Height);
            rgb.ProcessPixelRows(rows =>
            {
                for (int y = 0; y < rows.Height; y++)
                {
                    var row = rows.GetRowSpan(y);
                    for (int x = 0; x < row.Length; x++)
                    {
                        var c = canvas[y * info.Width + x];
                        row[x] = new Rgb24(Over(c.R, c.A), Over(c.G, c.A), Over(c.B, c.A));
                    }
                }
            });
            builder.Add(rgb);
            previous = fr;
        }
        var durations = info.Frames.Take(frames).Select(f => f.DurationMs <= 10 ? 100 : f.DurationMs); // browsers play <= 10 ms as 100 ms
        return builder.Build(1000.0 / durations.Average());
    }

    static byte Over(byte c, byte a) => (byte)((c * a + 127) / 255); // composite over opaque black

    internal static WebpInfo Inspect(string path, ReadOnlySpan<byte> b)
    {
        var top = WebpContainer.TopLevel(path, b);
        var first = top[0];
        if (first.FourCC is "VP8 " or "VP8L")
        {
            var (w, h) = StillSize(path, b, first);
            return new WebpInfo(w, h, false, null, Array.Empty<WebpFrame>());
        }
        if (first.FourCC != "VP8X") throw new MediaFormatException(path, $"corrupt WebP: first chunk is '{first.FourCC}', expected VP8, VP8L or VP8X");
        if (first.Size < 10) throw new MediaFormatException(path, "corrupt WebP: VP8X chunk is shorter than 10 bytes");
        var x = b.Slice(first.Offset, first.Size);
        bool animated = (x[0] & 0x02) != 0;
        int cw = WebpContainer.U24(x[4..]) + 1, ch = WebpContainer.U24(x[7..]) + 1;
        if (!animated) return new WebpInfo(cw, ch, false, null, Array.Empty<WebpFrame>());

        int? loop = null;
        var frames = new List<WebpFrame>();
        foreach (var c in top.Skip(1))
        {
            if (c.FourCC == "ANIM" && c.Size >= 6) loop = BinaryPrimitives.ReadUInt16LittleEndian(b.Slice(c.Offset + 4, 2));
            if (c.FourCC != "ANMF") continue;
            if (c.Size < 16 + WebpContainer.ChunkHeaderBytes) throw new MediaFormatException(path, $"corrupt WebP: ANMF chunk {frames.Count + 1} is too short to hold a frame");
            var a = b.Slice(c.Offset, 16);
            int fx = WebpContainer.U24(a) * 2, fy = WebpContainer.U24(a[3..]) * 2;
            int fw = WebpContainer.U24(a[6..]) + 1, fh = WebpContainer.U24(a[9..]) + 1, dur = WebpContainer.U24(a[12..]);
            if (fx + fw > cw || fy + fh > ch)
                throw new MediaFormatException(path, $"corrupt WebP: frame {frames.Count + 1} ({fw}x{fh} at {fx},{fy}) lies outside the {cw}x{ch} canvas");
            RiffChunk? alpha = null, bits = null;
            foreach (var s in WebpContainer.Chunks(path, b, c.Offset + 16, c.Offset + c.Size))
            {
                if (s.FourCC == "ALPH" && alpha is null && bits is null) alpha = s;
                else if (s.FourCC is "VP8 " or "VP8L" && bits is null) bits = s;
            }
            if (bits is null) throw new MediaFormatException(path, $"corrupt WebP: frame {frames.Count + 1} has no VP8/VP8L bitstream");
            frames.Add(new WebpFrame(fx, fy, fw, fh, dur, (a[15] & 0x02) == 0, (a[15] & 0x01) != 0, alpha, bits.Value));
        }
        if (frames.Count == 0) throw new MediaFormatException(path, "animated WebP contains no frames");
        return new WebpInfo(cw, ch, true, loop, frames);
    }

    /// <summary>Canvas size of a simple (VP8/VP8L) file, read from the bitstream header without decoding.</summary>
    static (int W, int H) StillSize(string path, ReadOnlySpan<byte> b, RiffChunk c)
    {
        var d = b.Slice(c.Offset, c.Size);
        if (c.FourCC == "VP8L")
        {
            // 0x2F signature, then 14 bits width-1 and 14 bits height-1 (WebP lossless bitstream spec).
            if (d.Length < 5 || d[0] != 0x2F) throw new MediaFormatException(path, "corrupt WebP: bad VP8L signature");
            uint v = BinaryPrimitives.ReadUInt32LittleEndian(d[1..]);
            return ((int)(v & 0x3FFF) + 1, (int)((v >> 14) & 0x3FFF) + 1);
        }
        // VP8 key frame: 3-byte frame tag, start code 9D 01 2A, then 14-bit width and height (RFC 6386, 9.1).
        if (d.Length < 10 || d[3] != 0x9D || d[4] != 0x01 || d[5] != 0x2A) throw new MediaFormatException(path, "corrupt WebP: bad VP8 key frame header");
        return (BinaryPrimitives.ReadUInt16LittleEndian(d[6..]) & 0x3FFF, BinaryPrimitives.ReadUInt16LittleEndian(d[8..]) & 0x3FFF);
    }

    /// <summary>A single-image WebP holding one ANMF frame's bitstream, which ImageSharp can decode.</summary>
    static byte[] FrameFile(WebpFrame f, byte[] b) => WebpContainer.File(s =>
    {
        if (f.Alpha is RiffChunk alpha)
        {
            // Lossy with alpha needs the extended layout: VP8X (alpha flag, size), ALPH, VP8.
            Span<byte> vp8x = stackalloc byte[10];
            vp8x.Clear();
            vp8x[0] = 0x10;
            WebpContainer.PutU24(vp8x[4..], f.Width - 1);
            WebpContainer.PutU24(vp8x[7..], f.Height - 1);
            WebpContainer.WriteChunk(s, "VP8X", vp8x);
            WebpContainer.WriteChunk(s, "ALPH", b.AsSpan(alpha.Offset, alpha.Size));
        }
        WebpContainer.WriteChunk(s, f.Bitstream.FourCC, b.AsSpan(f.Bitstream.Offset, f.Bitstream.Size));
    });

    static Image<Rgba32> Decode(string path, byte[] file, string what)
    {
        try { return Image.Load<Rgba32>(file, new WebpDecoder()); }
        catch (Exception e) when (e is ImageFormatException or InvalidImageContentException or UnknownImageFormatException or NotSupportedException
                                   or IndexOutOfRangeException or ArgumentException or InvalidOperationException or EndOfStreamException)
        {
            throw new MediaFormatException(path, $"corrupt WebP {what} ({e.Message})", e);
        }
    }

    static void Fill(Rgba32[] canvas, int cw, WebpFrame r, Rgba32 colour)
    {
        for (int y = r.Y; y < r.Y + r.Height; y++) canvas.AsSpan(y * cw + r.X, r.Width).Fill(colour);
    }

    /// <summary>Puts a frame on the canvas: overwrite, or non-premultiplied "source over" blending (container spec, ANMF).</summary>
    static void Compose(Rgba32[] canvas, int cw, Image<Rgba32> img, WebpFrame f)
    {
        img.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < rows.Height; y++)
            {
                var row = rows.GetRowSpan(y);
                var dst = canvas.AsSpan((f.Y + y) * cw + f.X, f.Width);
                for (int x = 0; x < row.Length; x++)
                {
                    var s = row[x];
                    if (!f.Blend || s.A == 255) { dst[x] = s; continue; }
                    var d = dst[x];
                    float sa = s.A / 255f, da = d.A / 255f * (1 - sa), a = sa + da;
                    if (a <= 0) { dst[x] = default; continue; }
                    dst[x] = new Rgba32(
                        (byte)MathF.Round((s.R * sa + d.R * da) / a), (byte)MathF.Round((s.G * sa + d.G * da) / a),
                        (byte)MathF.Round((s.B * sa + d.B * da) / a), (byte)MathF.Round(a * 255));
                }
            }
        });
    }
}
