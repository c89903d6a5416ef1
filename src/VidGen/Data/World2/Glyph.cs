namespace VidGen.Data.World2;

/// <summary>
/// One object's artwork as premultiplied RGBA on a square canvas that fills the object's box, with a pyramid of
/// halved copies (136, 68, 34, 17 px for the emoji) so any drawing size samples a level at most one texel per
/// sample apart. Shapes are stored white (RGB = alpha) and tinted when drawn, so one glyph serves every colour.
/// <para><see cref="Rasterise"/> is the only way pixels are made, for the renderer and for the judge's
/// templates alike, so a template at the right pose reproduces a ground-truth clip exactly.</para>
/// </summary>
public sealed class Glyph
{
    /// <summary>Samples per pixel side: 2 x 2 bilinear samples of a level at least twice the box size.</summary>
    public const int Supersampling = 2;

    readonly float[][] levels; // each (N, N, 4) premultiplied RGBA, N = sizes[i]
    readonly int[] sizes;

    public ObjectClass Class { get; }

    /// <summary>True for shapes: the RGB is white and the colour is given when drawing.</summary>
    public bool Tinted { get; }

    /// <summary>
    /// Farthest visible (alpha > 1%) point from the centre, in box half-sides: how far a spinning object reaches
    /// (a square's corners reach 0.92 * sqrt(2); most emoji about 1.1-1.3).
    /// </summary>
    public float Reach { get; }

    /// <summary>Share of the box the artwork covers (sum of alpha over the canvas area).</summary>
    public float Coverage { get; }

    /// <summary>Builds the pyramid from a square premultiplied RGBA canvas (N, N, 4).</summary>
    public Glyph(ObjectClass cls, float[] rgba, int size, bool tinted)
    {
        if (rgba.Length != size * size * 4) throw new ArgumentException($"glyph canvas holds {rgba.Length} values, expected {size}x{size}x4");
        Class = cls; Tinted = tinted;
        var lv = new List<float[]> { rgba };
        var sz = new List<int> { size };
        // Halve with a 2x2 box while the level stays at least 12 px (odd sides drop their last row and column).
        while (sz[^1] / 2 >= 12)
        {
            int n = sz[^1], m = n / 2;
            var src = lv[^1];
            var dst = new float[m * m * 4];
            for (int y = 0; y < m; y++)
                for (int x = 0; x < m; x++)
                    for (int c = 0; c < 4; c++)
                    {
                        int a = ((2 * y) * n + 2 * x) * 4 + c, b = ((2 * y + 1) * n + 2 * x) * 4 + c;
                        dst[(y * m + x) * 4 + c] = 0.25f * (src[a] + src[a + 4] + src[b] + src[b + 4]);
                    }
            lv.Add(dst); sz.Add(m);
        }
        levels = lv.ToArray(); sizes = sz.ToArray();

        double alpha = 0; float reach = 0;
        float u0 = 1, v0 = 1, u1 = -1, v1 = -1;
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
            {
                float a = rgba[(y * size + x) * 4 + 3];
                alpha += a;
                if (a <= 0.01f) continue;
                float u = (x + 0.5f) / size * 2 - 1, v = (y + 0.5f) / size * 2 - 1;
                reach = MathF.Max(reach, MathF.Sqrt(u * u + v * v));
                if (a < 0.5f) continue;
                u0 = MathF.Min(u0, u); u1 = MathF.Max(u1, u); v0 = MathF.Min(v0, v); v1 = MathF.Max(v1, v);
            }
        Reach = reach;
        Coverage = (float)(alpha / (size * size));
        VisibleBox = (u0, v0, u1, v1);
    }

    /// <summary>The box (in box half-sides, -1 to 1, v downwards) holding the artwork's at least half-opaque texels.</summary>
    public (float U0, float V0, float U1, float V1) VisibleBox { get; }

    /// <summary>
    /// Premultiplied RGBA coverage of the glyph at <paramref name="pose"/> over the pixel rectangle
    /// (<paramref name="x0"/>, <paramref name="y0"/>, <paramref name="w"/> x <paramref name="h"/>), into
    /// <paramref name="dest"/> (h, w, 4), each pixel the mean of <paramref name="samples"/>^2 bilinear samples (the
    /// renderer's <see cref="Supersampling"/> unless a caller trades accuracy for speed, as the judge's coarse
    /// search does).
    /// </summary>
    public void Rasterise(TrackPoint pose, int x0, int y0, int w, int h, Span<float> dest, int samples = Supersampling)
    {
        if (dest.Length < w * h * 4) throw new ArgumentException($"destination holds {dest.Length} values, expected at least {w * h * 4}");
        if (samples is < 1 or > 8) throw new ArgumentException($"samples per pixel side must be 1 to 8 (got {samples})");
        int ss = samples;
        float r = MathF.Max(pose.Radius, 1e-3f);
        // The smallest level with at least ss texels per pixel of the box, so each sample reads one texel's worth.
        int li = 0;
        for (int i = levels.Length - 1; i >= 0; i--)
            if (sizes[i] >= 2 * r * ss) { li = i; break; }
        var tex = levels[li];
        int n = sizes[li];
        float scale = n / (2 * r); // texels per pixel
        float angle = pose.Angle * (MathF.PI / 180f);
        float cos = MathF.Cos(angle) * scale, sin = MathF.Sin(angle) * scale;
        float half = n / 2f - 0.5f;
        float inv = 1f / (ss * ss);
        for (int yy = 0; yy < h; yy++)
            for (int xx = 0; xx < w; xx++)
            {
                float sr = 0, sg = 0, sb = 0, sa = 0;
                for (int j = 0; j < ss; j++)
                {
                    float dy = y0 + yy + (j + 0.5f) / ss - pose.Y;
                    for (int i = 0; i < ss; i++)
                    {
                        float dx = x0 + xx + (i + 0.5f) / ss - pose.X;
                        // Inverse rotation into texel coordinates (texel centres at integers).
                        float tu = dx * cos + dy * sin + half, tv = -dx * sin + dy * cos + half;
                        if (tu <= -1 || tv <= -1 || tu >= n || tv >= n) continue;
                        int iu = (int)MathF.Floor(tu), iv = (int)MathF.Floor(tv);
                        float fu = tu - iu, fv = tv - iv;
                        Tap(tex, n, iu, iv, (1 - fu) * (1 - fv), ref sr, ref sg, ref sb, ref sa);
                        Tap(tex, n, iu + 1, iv, fu * (1 - fv), ref sr, ref sg, ref sb, ref sa);
                        Tap(tex, n, iu, iv + 1, (1 - fu) * fv, ref sr, ref sg, ref sb, ref sa);
                        Tap(tex, n, iu + 1, iv + 1, fu * fv, ref sr, ref sg, ref sb, ref sa);
                    }
                }
                int o = (yy * w + xx) * 4;
                dest[o] = sr * inv; dest[o + 1] = sg * inv; dest[o + 2] = sb * inv; dest[o + 3] = sa * inv;
            }
    }

    static void Tap(float[] tex, int n, int x, int y, float wgt, ref float r, ref float g, ref float b, ref float a)
    {
        if ((uint)x >= (uint)n || (uint)y >= (uint)n || wgt <= 0) return;
        int o = (y * n + x) * 4;
        r += wgt * tex[o]; g += wgt * tex[o + 1]; b += wgt * tex[o + 2]; a += wgt * tex[o + 3];
    }

    /// <summary>
    /// The pixel rectangle a pose can touch: the rotated box (or, rotated, the visible reach), one pixel of
    /// margin for the filter, clipped to the frame. Empty when the object is entirely outside.
    /// </summary>
    public (int X0, int Y0, int W, int H) Bounds(TrackPoint pose, int width, int height)
    {
        float a = pose.Angle * (MathF.PI / 180f);
        float extent = pose.Angle == 0 ? pose.Radius : pose.Radius * MathF.Min(Reach, MathF.Abs(MathF.Cos(a)) + MathF.Abs(MathF.Sin(a)));
        int x0 = Math.Max(0, (int)MathF.Floor(pose.X - extent) - 1), y0 = Math.Max(0, (int)MathF.Floor(pose.Y - extent) - 1);
        int x1 = Math.Min(width, (int)MathF.Ceiling(pose.X + extent) + 1), y1 = Math.Min(height, (int)MathF.Ceiling(pose.Y + extent) + 1);
        return (x0, y0, Math.Max(0, x1 - x0), Math.Max(0, y1 - y0));
    }
}
