namespace VidGen.Data.World2;

/// <summary>
/// The five backgrounds, procedural and varying with the row only (vertical gradients, the grass scene's
/// horizon), with no texture: a judge can then take each row's median as the background, and an object
/// differs from it wherever it is. The colours were chosen against the palette and the artwork: every
/// palette colour is at least 0.5 (RGB distance) from every row of every scene, and at most a fifth of any
/// sprite's opaque pixels lies within 0.25 of a scene's colours (a sky-blue sky would hide the blue fish, bird
/// and airplane, so the sky is a violet-blue and the sea a dark teal).
/// </summary>
public static class SceneArt
{
    // Row colours at the top (v = 0) and bottom (v = 1) of the frame, RGB in [0, 1].
    static readonly (float R, float G, float B) SkyTop = (0.35f, 0.30f, 0.75f), SkyBottom = (0.55f, 0.50f, 0.90f);
    static readonly (float R, float G, float B) GrassTop = (0.15f, 0.45f, 0.05f), GrassBottom = (0.08f, 0.30f, 0.02f);
    static readonly (float R, float G, float B) SeaTop = (0.00f, 0.35f, 0.35f), SeaBottom = (0.00f, 0.18f, 0.22f);
    static readonly (float R, float G, float B) NightTop = (0.02f, 0.02f, 0.10f), NightBottom = (0.06f, 0.08f, 0.28f);

    /// <summary>Where the grass scene's horizon is, as a fraction of the height from the top.</summary>
    public const float Horizon = 0.4f;

    /// <summary>The background colour of row <paramref name="y"/> of <paramref name="height"/> (pixel centre at y + 0.5).</summary>
    public static (float R, float G, float B) Row(Scene scene, int y, int height)
    {
        float v = (y + 0.5f) / height;
        switch (scene)
        {
            case Scene.Black: return (0, 0, 0);
            case Scene.Sky: return Lerp(SkyTop, SkyBottom, v);
            case Scene.Sea: return Lerp(SeaTop, SeaBottom, v);
            case Scene.Night: return Lerp(NightTop, NightBottom, v);
            default:
                {
                    // Sky above the horizon, grass below; the row the horizon crosses is mixed by how much of it
                    // lies below (anti-aliased like the objects).
                    float horizon = Horizon * height;
                    float grassShare = Math.Clamp(y + 1 - horizon, 0f, 1f);
                    var sky = Lerp(SkyTop, SkyBottom, v / Horizon);
                    var grass = Lerp(GrassTop, GrassBottom, Math.Clamp((v - Horizon) / (1 - Horizon), 0f, 1f));
                    return Lerp(sky, grass, grassShare);
                }
        }
    }

    /// <summary>All rows of a scene: (H, 3) floats.</summary>
    public static float[] Rows(Scene scene, int height)
    {
        var rows = new float[height * 3];
        for (int y = 0; y < height; y++)
        {
            var (r, g, b) = Row(scene, y, height);
            rows[3 * y] = r; rows[3 * y + 1] = g; rows[3 * y + 2] = b;
        }
        return rows;
    }

    static (float, float, float) Lerp((float R, float G, float B) a, (float R, float G, float B) b, float t) =>
        (a.R + (b.R - a.R) * t, a.G + (b.G - a.G) * t, a.B + (b.B - a.B) * t);
}
