using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace VidGen.Media;

/// <summary>
/// Many frames in one picture: animated side-by-side tiles (sample grids, comparisons), a PNG filmstrip of one
/// clip, and a PNG contact sheet with one clip per row.
/// </summary>
public static class ContactSheet
{
    public static Video Tile(IReadOnlyList<Video> clips, int gap = 1)
    {
        if (clips.Count == 0) throw new ArgumentException("no clips to tile");
        int f = clips.Max(c => c.Frames), h = clips.Max(c => c.Height);
        int w = clips.Sum(c => c.Width) + gap * (clips.Count - 1);
        var sheet = new Video(f, h, w, clips[0].Fps);
        int x0 = 0;
        foreach (var c in clips)
        {
            for (int fi = 0; fi < f; fi++)
                for (int y = 0; y < c.Height; y++)
                    for (int x = 0; x < c.Width; x++)
                    {
                        var (r, g, b) = c.Get(Math.Min(fi, c.Frames - 1), y, x);
                        sheet.Set(fi, y, x0 + x, r, g, b);
                    }
            x0 += c.Width + gap;
        }
        return sheet;
    }

    public static void WriteGif(IReadOnlyList<Video> clips, string path, int scale = 2) => GifWriter.Write(Tile(clips), path, scale);

    /// <summary>
    /// All frames of one clip left to right in one PNG, no gaps, with "frames" and "fps" text chunks so
    /// <see cref="PngStill.Read"/> cuts it back into the clip.
    /// </summary>
    public static void WriteFilmstrip(Video video, string path, int scale = 1)
    {
        using var img = Filmstrip(video, scale);
        PngFrames.Tag(img, video.Fps, video.Frames);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        img.SaveAsPng(path);
    }

    public static Image<Rgb24> Filmstrip(Video video, int scale = 1) => Grid(new[] { video }, scale, gap: 0);

    /// <summary>One PNG with clip i in row i and frame j in column j, separated by grey lines.</summary>
    public static void WriteGridPng(IReadOnlyList<Video> clips, string path, int scale = 1, int gap = 1)
    {
        using var img = Grid(clips, scale, gap);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        img.SaveAsPng(path);
    }

    public static Image<Rgb24> Grid(IReadOnlyList<Video> clips, int scale = 1, int gap = 1)
    {
        if (clips.Count == 0) throw new ArgumentException("no clips for a contact sheet");
        if (scale < 1) throw new ArgumentException($"scale must be at least 1 (got {scale})");
        int cw = clips.Max(c => c.Width) * scale, ch = clips.Max(c => c.Height) * scale, cols = clips.Max(c => c.Frames);
        var img = new Image<Rgb24>(cols * cw + (cols - 1) * gap, clips.Count * ch + (clips.Count - 1) * gap, new Rgb24(64, 64, 64));
        img.ProcessPixelRows(rows =>
        {
            for (int r = 0; r < clips.Count; r++)
            {
                var c = clips[r];
                for (int f = 0; f < c.Frames; f++)
                    for (int y = 0; y < c.Height * scale; y++)
                    {
                        var row = rows.GetRowSpan(r * (ch + gap) + y);
                        int x0 = f * (cw + gap);
                        for (int x = 0; x < c.Width * scale; x++)
                        {
                            var (red, green, blue) = c.Get(f, y / scale, x / scale);
                            row[x0 + x] = new Rgb24(FrameImages.ToByte(red), FrameImages.ToByte(green), FrameImages.ToByte(blue));
                        }
                    }
            }
        });
        return img;
    }
}
