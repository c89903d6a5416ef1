namespace VidGen.Media;

/// <summary>Tiles several clips side by side into one animated GIF (training sample grids, comparisons).</summary>
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
}
