using VidGen.Media;

namespace VidGen.Tests.Evaluation.World2;

/// <summary>
/// What a small diffusion model's clips may do to the second world's pictures, applied to ground truth to test
/// the judge: noise and blur (the existing <see cref="ClipDegradation"/>), lower contrast towards grey, a colour
/// cast, and a slight blockiness (the 4 x 4 patches a latent decoder can leave), alone and combined.
/// </summary>
public static class World2Degradations
{
    public static readonly string[] Names = { "noise+blur", "contrast+cast", "diffusion" };

    public static Video Apply(Video v, string name, Random rng) => name switch
    {
        "noise" => ClipDegradation.Noise(v, 0.05f, rng),
        "blur" => ClipDegradation.Blur(v),
        "noise+blur" => ClipDegradation.Noise(ClipDegradation.Blur(v), 0.05f, rng),
        "contrast+cast" => Cast(Contrast(v, 0.6f), 0.05f, -0.03f, 0.04f),
        // Blocky, a little soft and noisy, with a cast: the artefacts together.
        "diffusion" => ClipDegradation.Noise(Cast(Blocky(v, 4, 0.25f), -0.03f, 0.02f, 0.04f), 0.03f, rng),
        _ => throw new ArgumentException($"unknown degradation '{name}'"),
    };

    /// <summary>Contrast scaled by <paramref name="k"/> about mid-grey: black becomes 0.5 (1 - k).</summary>
    public static Video Contrast(Video v, float k) => ClipDegradation.Map(v, (x, _) => 0.5f + k * (x - 0.5f));

    /// <summary>A per-channel offset.</summary>
    public static Video Cast(Video v, float r, float g, float b) => ClipDegradation.Map(v, (x, c) => x + (c == 0 ? r : c == 1 ? g : b));

    /// <summary>Each pixel blended by <paramref name="share"/> towards the mean of its aligned <paramref name="block"/> x block square.</summary>
    public static Video Blocky(Video v, int block, float share)
    {
        var o = new Video(v.Frames, v.Height, v.Width, v.Fps, (float[])v.Pixels.Clone());
        for (int f = 0; f < v.Frames; f++)
            for (int by = 0; by < v.Height; by += block)
                for (int bx = 0; bx < v.Width; bx += block)
                    for (int c = 0; c < 3; c++)
                    {
                        int y1 = Math.Min(v.Height, by + block), x1 = Math.Min(v.Width, bx + block);
                        float mean = 0;
                        for (int y = by; y < y1; y++)
                            for (int x = bx; x < x1; x++) mean += v.Pixels[v.Index(f, y, x) + c];
                        mean /= (y1 - by) * (x1 - bx);
                        for (int y = by; y < y1; y++)
                            for (int x = bx; x < x1; x++)
                            {
                                int i = v.Index(f, y, x) + c;
                                o.Pixels[i] = (1 - share) * v.Pixels[i] + share * mean;
                            }
                    }
        return o;
    }
}
