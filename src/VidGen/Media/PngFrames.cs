using System.Globalization;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace VidGen.Media;

/// <summary>
/// A clip as a folder of PNG frames (frame_0000.png, frame_0001.png, ...). The frame rate travels in a PNG
/// text chunk ("fps") of each frame, so a folder VidGen wrote reads back at the right speed; folders from
/// elsewhere play at <see cref="ReadOptions.DefaultFps"/>.
/// </summary>
public static class PngFrames
{
    internal const string FpsKey = "fps", FramesKey = "frames";

    public static void Write(Video video, string dir, int scale = 1)
    {
        Directory.CreateDirectory(dir);
        // Remove frames of an earlier, longer clip so the folder never mixes two clips.
        foreach (var old in Directory.EnumerateFiles(dir, "frame_*.png")) File.Delete(old);
        int digits = Math.Max(4, (video.Frames - 1).ToString(CultureInfo.InvariantCulture).Length);
        for (int f = 0; f < video.Frames; f++)
        {
            using var img = FrameImages.ToImage(video, f, scale);
            Tag(img, video.Fps);
            img.SaveAsPng(Path.Combine(dir, $"frame_{f.ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0')}.png"));
        }
    }

    public static Video Read(string dir, ReadOptions? options = null)
    {
        options ??= ReadOptions.Default;
        options.Validate();
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"{dir}: folder not found");
        var files = Directory.EnumerateFiles(dir)
            .Where(f => f.EndsWith(".png", StringComparison.OrdinalIgnoreCase) && !Path.GetFileName(f).StartsWith('.'))
            .OrderBy(f => Path.GetFileName(f), NaturalOrder.Instance)
            .ToList();
        if (files.Count == 0) throw new MediaFormatException(dir, "folder contains no PNG frames");
        files = files.Take(options.MaxFrames).ToList();

        var builder = new VideoBuilder(dir, options);
        double fps = 0;
        foreach (var file in files)
        {
            var bytes = MediaFiles.ReadAllBytes(file, options);
            var (w, h) = PngStill.Size(file, bytes);
            options.CheckFrameSize(file, w, h);
            options.CheckTotal(dir, files.Count, w, h);
            using var img = PngStill.Decode(file, bytes);
            if (builder.Count == 0) fps = PngStill.Number(img, FpsKey) ?? options.DefaultFps;
            builder.Add(img, file);
        }
        return builder.Build(fps);
    }

    internal static void Tag(Image img, double fps, int? frames = null)
    {
        var png = img.Metadata.GetPngMetadata();
        png.TextData.Add(new PngTextData(FpsKey, fps.ToString("R", CultureInfo.InvariantCulture), string.Empty, string.Empty));
        if (frames is int n) png.TextData.Add(new PngTextData(FramesKey, n.ToString(CultureInfo.InvariantCulture), string.Empty, string.Empty));
    }
}

/// <summary>
/// One PNG file as a clip. A VidGen filmstrip (frames side by side, with "frames" and "fps" text chunks, see
/// <see cref="ContactSheet.WriteFilmstrip"/>) is cut back into its frames; any other PNG is a one-frame clip.
/// </summary>
public static class PngStill
{
    public static Video Read(string path, ReadOptions? options = null)
    {
        options ??= ReadOptions.Default;
        options.Validate();
        var bytes = MediaFiles.ReadAllBytes(path, options);
        var (w, h) = Size(path, bytes);
        options.CheckFrameSize(path, w, h);
        using var img = Decode(path, bytes);
        double fps = Number(img, PngFrames.FpsKey) ?? options.DefaultFps;
        int frames = (int)(Number(img, PngFrames.FramesKey) ?? 1);
        if (frames < 1 || img.Width % frames != 0) frames = 1; // not a strip we wrote: treat as a still
        int fw = img.Width / frames, take = Math.Min(frames, options.MaxFrames);
        options.CheckTotal(path, take, fw, img.Height);
        var builder = new VideoBuilder(path, options);
        for (int f = 0; f < take; f++)
        {
            using var frame = img.Clone(x => x.Crop(new Rectangle(f * fw, 0, fw, img.Height)));
            builder.Add(frame);
        }
        return builder.Build(fps);
    }

    /// <summary>Width and height from the IHDR chunk, which the PNG spec requires first: no pixel is decoded.</summary>
    internal static (int W, int H) Size(string path, ReadOnlySpan<byte> b)
    {
        if (b.Length < 8 || !b[..8].SequenceEqual(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }))
            throw new MediaFormatException(path, "not a PNG file (no PNG signature)");
        if (b.Length < 24 || !b.Slice(12, 4).SequenceEqual("IHDR"u8)) throw new MediaFormatException(path, "truncated or corrupt PNG: no IHDR header");
        long w = (long)b[16] << 24 | (long)b[17] << 16 | (long)b[18] << 8 | b[19];
        long h = (long)b[20] << 24 | (long)b[21] << 16 | (long)b[22] << 8 | b[23];
        if (w <= 0 || h <= 0 || w > int.MaxValue || h > int.MaxValue) throw new MediaFormatException(path, $"corrupt PNG: invalid size {w}x{h}");
        return ((int)w, (int)h);
    }

    internal static Image<Rgb24> Decode(string path, byte[] bytes)
    {
        try { return Image.Load<Rgb24>(bytes, new PngDecoder()); }
        catch (Exception e) when (e is ImageFormatException or InvalidImageContentException or UnknownImageFormatException
                                   or IndexOutOfRangeException or ArgumentException or EndOfStreamException)
        {
            throw new MediaFormatException(path, $"corrupt or truncated PNG ({e.Message})", e);
        }
    }

    internal static double? Number(Image img, string key)
    {
        var t = img.Metadata.GetPngMetadata().TextData.FirstOrDefault(t => t.Keyword == key);
        return t.Keyword is not null && double.TryParse(t.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) && v > 0 ? v : null;
    }
}

/// <summary>"frame_2" before "frame_10": digit runs compare by value, everything else ordinally.</summary>
public sealed class NaturalOrder : IComparer<string>
{
    public static NaturalOrder Instance { get; } = new();

    public int Compare(string? a, string? b)
    {
        if (a is null || b is null) return string.CompareOrdinal(a, b);
        int i = 0, j = 0;
        while (i < a.Length && j < b.Length)
        {
            if (char.IsAsciiDigit(a[i]) && char.IsAsciiDigit(b[j]))
            {
                int si = i, sj = j;
                while (i < a.Length && char.IsAsciiDigit(a[i])) i++;
                while (j < b.Length && char.IsAsciiDigit(b[j])) j++;
                var da = a.AsSpan(si, i - si).TrimStart('0');
                var db = b.AsSpan(sj, j - sj).TrimStart('0');
                if (da.Length != db.Length) return da.Length.CompareTo(db.Length);
                int c = da.SequenceCompareTo(db);
                if (c != 0) return c;
            }
            else
            {
                if (a[i] != b[j]) return a[i].CompareTo(b[j]);
                i++; j++;
            }
        }
        int rest = (a.Length - i).CompareTo(b.Length - j);
        return rest != 0 ? rest : string.CompareOrdinal(a, b);
    }
}
