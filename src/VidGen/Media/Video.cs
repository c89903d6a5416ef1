namespace VidGen.Media;

/// <summary>
/// A short RGB clip held in memory: frames x height x width x 3 floats in [0, 1], row-major (F, H, W, C).
/// The one frame type every layer exchanges; tensors for the network are made from it in Pipelines/Data.
/// </summary>
public sealed class Video
{
    public int Frames { get; }
    public int Height { get; }
    public int Width { get; }
    public double Fps { get; set; }
    /// <summary>(F, H, W, 3) values in [0, 1].</summary>
    public float[] Pixels { get; }

    public Video(int frames, int height, int width, double fps = 8, float[]? pixels = null)
    {
        if (frames <= 0 || height <= 0 || width <= 0)
            throw new ArgumentException($"a video needs at least one frame of at least 1x1 pixels (got {frames}x{height}x{width})");
        Frames = frames; Height = height; Width = width; Fps = fps;
        Pixels = pixels ?? new float[(long)frames * height * width * 3];
        if (Pixels.Length != (long)frames * height * width * 3)
            throw new ArgumentException($"pixel buffer holds {Pixels.Length} values, expected {frames}*{height}*{width}*3");
    }

    public int Index(int f, int y, int x) => ((f * Height + y) * Width + x) * 3;

    public (float R, float G, float B) Get(int f, int y, int x)
    {
        int i = Index(f, y, x);
        return (Pixels[i], Pixels[i + 1], Pixels[i + 2]);
    }

    public void Set(int f, int y, int x, float r, float g, float b)
    {
        int i = Index(f, y, x);
        Pixels[i] = r; Pixels[i + 1] = g; Pixels[i + 2] = b;
    }

    /// <summary>One frame as (H, W, 3) floats.</summary>
    public ReadOnlySpan<float> Frame(int f) => Pixels.AsSpan(f * Height * Width * 3, Height * Width * 3);
}
