using VidGen.Data;
using VidGen.Media;

namespace VidGen.Tests.Media;

/// <summary>A fresh folder under the system temp folder, deleted afterwards.</summary>
public sealed class TempDir : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "vidgen-test-" + Guid.NewGuid().ToString("N")[..12]);
    public TempDir() => Directory.CreateDirectory(Path);
    public string File(string name) => System.IO.Path.Combine(Path, name);
    public void Dispose() { try { Directory.Delete(Path, recursive: true); } catch (IOException) { } }
}

/// <summary>Tiny clips the tests make themselves.</summary>
public static class TestClips
{
    /// <summary>A 16x16, 4-frame shapes-world clip at 10 fps (GIF delays of exactly 10 cs).</summary>
    public static Video Shapes(int resolution = 16, int frames = 4, double fps = 10, int index = 0) =>
        new ShapesWorld(resolution, frames, fps).TrainingClip(1, index).Video;

    /// <summary>Every pixel a different colour and every frame different: the hardest case for a 256-colour palette.</summary>
    public static Video Gradient(int w = 24, int h = 20, int frames = 3, double fps = 10)
    {
        var v = new Video(frames, h, w, fps);
        for (int f = 0; f < frames; f++)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    v.Set(f, y, x, x / (w - 1f), y / (h - 1f), (f + 1) / (float)frames * ((x + y) % 3) / 2f);
        return v;
    }

    /// <summary>Values quantised to bytes, as any 8-bit file stores them.</summary>
    public static Video Quantised(Video v) =>
        new(v.Frames, v.Height, v.Width, v.Fps, v.Pixels.Select(p => FrameImages.ToByte(p) / 255f).ToArray());

    public static float MaxAbsDiff(Video a, Video b)
    {
        Assert.Equal((a.Frames, a.Height, a.Width), (b.Frames, b.Height, b.Width));
        float m = 0;
        for (int i = 0; i < a.Pixels.Length; i++) m = Math.Max(m, Math.Abs(a.Pixels[i] - b.Pixels[i]));
        return m;
    }

    public static double MeanAbsDiff(Video a, Video b)
    {
        Assert.Equal((a.Frames, a.Height, a.Width), (b.Frames, b.Height, b.Width));
        double s = 0;
        for (int i = 0; i < a.Pixels.Length; i++) s += Math.Abs(a.Pixels[i] - b.Pixels[i]);
        return s / a.Pixels.Length;
    }

    /// <summary>Asserts the exception is one line naming the file.</summary>
    public static void AssertNamesFile(Exception e, string path)
    {
        Assert.Contains(path, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}

/// <summary>
/// A fact that needs ffmpeg. Skipped on a developer machine without ffmpeg; under CI=true it always runs,
/// so a CI image that lost ffmpeg fails loudly instead of silently skipping the MP4 tests.
/// </summary>
public sealed class FfmpegFactAttribute : FactAttribute
{
    public FfmpegFactAttribute()
    {
        if (!Ffmpeg.IsAvailable && !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            Skip = "ffmpeg is not installed (apt-get install ffmpeg); CI installs it and runs this test";
    }
}
