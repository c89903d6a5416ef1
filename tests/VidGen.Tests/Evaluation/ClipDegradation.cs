using VidGen.Media;

namespace VidGen.Tests.Evaluation;

/// <summary>Artefacts a generated clip may have, applied to ground-truth clips to test the detector's tolerance.</summary>
public static class ClipDegradation
{
    /// <summary>Adds N(0, sigma^2) to every channel, clipped to [0, 1] as generated frames are.</summary>
    public static Video Noise(Video v, float sigma, Random rng)
    {
        var o = new Video(v.Frames, v.Height, v.Width, v.Fps, (float[])v.Pixels.Clone());
        for (int i = 0; i < o.Pixels.Length; i++)
        {
            // Box-Muller from the seeded Random, so a test sees the same noise every run.
            double u1 = 1 - rng.NextDouble(), u2 = rng.NextDouble();
            float n = (float)(Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
            o.Pixels[i] = Math.Clamp(o.Pixels[i] + sigma * n, 0f, 1f);
        }
        return o;
    }

    /// <summary>Separable [1, 2, 1] / 4 blur per frame (a Gaussian of sigma ~0.7 px), edges clamped.</summary>
    public static Video Blur(Video v)
    {
        var o = new Video(v.Frames, v.Height, v.Width, v.Fps);
        float[] k = { 0.25f, 0.5f, 0.25f };
        for (int f = 0; f < v.Frames; f++)
            for (int y = 0; y < v.Height; y++)
                for (int x = 0; x < v.Width; x++)
                {
                    float r = 0, g = 0, b = 0;
                    for (int dy = -1; dy <= 1; dy++)
                        for (int dx = -1; dx <= 1; dx++)
                        {
                            var c = v.Get(f, Math.Clamp(y + dy, 0, v.Height - 1), Math.Clamp(x + dx, 0, v.Width - 1));
                            float wgt = k[dy + 1] * k[dx + 1];
                            r += wgt * c.R; g += wgt * c.G; b += wgt * c.B;
                        }
                    o.Set(f, y, x, r, g, b);
                }
        return o;
    }

    /// <summary>Applies <paramref name="fn"/>(value, channel) to every value, clipped to [0, 1].</summary>
    public static Video Map(Video v, Func<float, int, float> fn)
    {
        var o = new Video(v.Frames, v.Height, v.Width, v.Fps, (float[])v.Pixels.Clone());
        for (int i = 0; i < o.Pixels.Length; i++) o.Pixels[i] = Math.Clamp(fn(o.Pixels[i], i % 3), 0f, 1f);
        return o;
    }
}
