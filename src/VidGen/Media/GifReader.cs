using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.PixelFormats;

namespace VidGen.Media;

/// <summary>
/// Reads animated (or still) GIFs. The block structure is walked first, without decoding pixels, so that a
/// truncated, zero-frame or oversized file is rejected with a clear message before ImageSharp allocates
/// anything; ImageSharp then decodes (and composites) the frames.
/// </summary>
public static class GifReader
{
    public static Video Read(string path, ReadOptions? options = null)
    {
        options ??= ReadOptions.Default;
        options.Validate();
        byte[] bytes = MediaFiles.ReadAllBytes(path, options);
        var info = GifStructure.Walk(path, bytes);
        options.CheckFrameSize(path, info.Width, info.Height);
        int frames = Math.Min(info.Frames, options.MaxFrames);
        options.CheckTotal(path, frames, info.Width, info.Height);

        Image<Rgb24> gif;
        try { gif = Image.Load<Rgb24>(bytes, new GifDecoder { MaxFrames = (uint)frames }); }
        catch (Exception e) when (e is ImageFormatException or InvalidImageContentException or UnknownImageFormatException or IndexOutOfRangeException or ArgumentException)
        {
            throw new MediaFormatException(path, $"corrupt GIF data ({e.Message})", e);
        }
        using (gif)
        {
            var builder = new VideoBuilder(path, options);
            for (int i = 0; i < gif.Frames.Count && !builder.Full; i++)
            {
                using var frame = gif.Frames.CloneFrame(i);
                builder.Add(frame);
            }
            return builder.Build(Fps(info.Delays.Take(frames)));
        }
    }

    /// <summary>
    /// Frames per second from the frame delays (1/100 s). Delays under 2 are played as 10 by browsers, so they
    /// count as 10 here too; a clip with varying delays gets its mean rate.
    /// </summary>
    public static double Fps(IEnumerable<int> delaysCs)
    {
        var d = delaysCs.Select(c => c < 2 ? 10 : c).ToList();
        return d.Count == 0 ? 10 : 100.0 / d.Average();
    }
}

/// <summary>What the GIF block structure says, found without decoding LZW data. LoopCount: 0 = forever, null = no loop extension (play once).</summary>
public sealed record GifInfo(int Width, int Height, int Frames, IReadOnlyList<int> Delays, int? LoopCount, bool HasTrailer);

/// <summary>
/// Walks a GIF's blocks (GIF89a spec: header, logical screen descriptor, global colour table, then extension
/// blocks 0x21, image descriptors 0x2C and the trailer 0x3B, each data run being length-prefixed sub-blocks).
/// </summary>
public static class GifStructure
{
    public static GifInfo Walk(string path, ReadOnlySpan<byte> b)
    {
        if (b.Length < 6 || b[0] != 'G' || b[1] != 'I' || b[2] != 'F' || b[3] != '8' || (b[4] != '7' && b[4] != '9') || b[5] != 'a')
            throw new MediaFormatException(path, "not a GIF file (no GIF87a/GIF89a signature)");
        if (b.Length < 13) throw new MediaFormatException(path, "truncated GIF: the file ends inside its header");
        int width = b[6] | b[7] << 8, height = b[8] | b[9] << 8;
        int p = 13;
        if ((b[10] & 0x80) != 0) p += 3 << ((b[10] & 7) + 1);
        var delays = new List<int>();
        int pendingDelay = 0;
        int? loop = null;
        bool trailer = false;
        while (true)
        {
            // Many encoders omit the trailer; a file that ends between blocks after whole frames is fine.
            if (p >= b.Length) break;
            byte block = b[p++];
            if (block == 0x3B) { trailer = true; break; }
            if (block == 0x21)
            {
                if (p >= b.Length) throw Truncated(path, delays.Count);
                byte label = b[p++];
                int start = p;
                if (label == 0xF9 && p + 4 < b.Length && b[p] == 4) pendingDelay = b[p + 2] | b[p + 3] << 8;
                if (label == 0xFF && p + 16 < b.Length && b[p] == 11 && b.Slice(p + 1, 11).SequenceEqual("NETSCAPE2.0"u8) && b[p + 12] == 3)
                    loop = b[p + 14] | b[p + 15] << 8;
                p = SkipSubBlocks(path, b, start, delays.Count);
            }
            else if (block == 0x2C)
            {
                if (p + 9 > b.Length) throw Truncated(path, delays.Count);
                int fx = b[p] | b[p + 1] << 8, fy = b[p + 2] | b[p + 3] << 8, fw = b[p + 4] | b[p + 5] << 8, fh = b[p + 6] | b[p + 7] << 8;
                byte packed = b[p + 8];
                p += 9;
                if ((packed & 0x80) != 0) p += 3 << ((packed & 7) + 1);
                p += 1; // LZW minimum code size
                if (p > b.Length) throw Truncated(path, delays.Count);
                p = SkipSubBlocks(path, b, p, delays.Count);
                // A frame rectangle outside the logical screen is tolerated by browsers by growing the canvas;
                // we only need the canvas for limits, so take the union.
                width = Math.Max(width, fx + fw); height = Math.Max(height, fy + fh);
                delays.Add(pendingDelay);
                pendingDelay = 0;
            }
            else throw new MediaFormatException(path, $"corrupt GIF: unknown block type 0x{block:X2} at byte {p - 1}");
        }
        if (delays.Count == 0) throw new MediaFormatException(path, "GIF contains no frames");
        return new GifInfo(width, height, delays.Count, delays, loop, trailer);
    }

    static int SkipSubBlocks(string path, ReadOnlySpan<byte> b, int p, int framesSoFar)
    {
        while (true)
        {
            if (p >= b.Length) throw Truncated(path, framesSoFar);
            int n = b[p];
            p += 1 + n;
            if (n == 0) return p;
        }
    }

    static MediaFormatException Truncated(string path, int complete) =>
        new(path, $"truncated GIF: the file ends inside frame {complete + 1} (after {complete} complete frames)");
}
