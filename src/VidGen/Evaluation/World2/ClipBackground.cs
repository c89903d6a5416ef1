using VidGen.Data.World2;
using VidGen.Media;

namespace VidGen.Evaluation.World2;

/// <summary>
/// A clip's background, estimated the way the second world's scenes allow: every scene varies with the row
/// only and objects never cover more than 60% of a row's boxes, so each row's per-channel median over all
/// frames and columns is its background. Rows where that fails (two large still objects side by side can
/// cover half a row) show up as rows where most pixels differ from their "background"; they are replaced by
/// interpolating the good rows above and below. A per-frame offset absorbs flicker, and the noise level is
/// the median absolute residual of the background pixels.
/// </summary>
internal sealed class ClipBackground
{
    /// <summary>Per-pixel residual (RGB distance) below which a pixel counts as background for the statistics.</summary>
    const float BackgroundDistance = 0.1f;

    /// <summary>Share of a row's pixels that may differ from its median before the row's estimate is distrusted.</summary>
    const float SuspectShare = 0.45f;

    readonly float[] rows;     // (H, 3): the per-row background over the clip
    readonly float[] offsets;  // (F, 3): per-frame additive offset
    readonly bool[] suspect;   // (H): rows whose median was distrusted

    public int Height { get; }

    /// <summary>Robust per-channel noise level of the background pixels (1.4826 x median absolute residual).</summary>
    public float Noise { get; }

    /// <summary>The per-row background profile (H, 3), the same for every frame before the frame's offset.</summary>
    public ReadOnlySpan<float> Profile => rows;

    public ClipBackground(Video v)
    {
        int f = v.Frames, h = v.Height, w = v.Width;
        Height = h;
        var px = v.Pixels;
        rows = new float[h * 3];
        // Every other column of every frame (alternating with the frame, so all columns count): half the work of a
        // full median and the same estimate on a background that does not vary along the row.
        var scratch = new float[f * (w + 1) / 2];
        for (int y = 0; y < h; y++)
            for (int c = 0; c < 3; c++)
            {
                int k = 0;
                for (int t = 0; t < f; t++)
                    for (int x = t & 1; x < w; x += 2) scratch[k++] = px[((t * h + y) * w + x) * 3 + c];
                rows[y * 3 + c] = Median(scratch.AsSpan(0, k));
            }

        // Distrust rows where most pixels are far from the row's estimate, and interpolate them from good rows.
        var suspect = new bool[h];
        for (int y = 0; y < h; y++)
        {
            int far = 0;
            for (int t = 0; t < f; t++)
                for (int x = 0; x < w; x++)
                    if (Distance(px, ((t * h + y) * w + x) * 3, rows, y * 3) > 0.15f) far++;
            suspect[y] = far > SuspectShare * f * w;
        }
        this.suspect = suspect;
        if (suspect.Any(s => s) && suspect.Any(s => !s))
        {
            // Prefer the best-fitting scene's own rows (it knows the grass scene's horizon); a background that fits no
            // scene (a generated one) falls back to interpolating the good rows above and below.
            var (scene, error, a, shift) = BestScene();
            var model = SceneArt.Rows(scene, h);
            var fixedRows = (float[])rows.Clone();
            for (int y = 0; y < h; y++)
            {
                if (!suspect[y]) continue;
                int above = y - 1, below = y + 1;
                while (above >= 0 && suspect[above]) above--;
                while (below < h && suspect[below]) below++;
                for (int c = 0; c < 3; c++)
                {
                    float value = error < 0.04f ? (float)(0.5 + a * (model[y * 3 + c] - 0.5) + shift)
                        : above < 0 ? rows[below * 3 + c]
                        : below >= h ? rows[above * 3 + c]
                        : rows[above * 3 + c] + (rows[below * 3 + c] - rows[above * 3 + c]) * (y - above) / (float)(below - above);
                    fixedRows[y * 3 + c] = value;
                }
            }
            fixedRows.CopyTo(rows, 0);
        }

        // Per-frame offsets and the noise level, from the pixels close to the background.
        offsets = new float[f * 3];
        var residuals = new List<float>(f * h * w / 4 + 16);
        for (int t = 0; t < f; t++)
        {
            double sr = 0, sg = 0, sb = 0; int n = 0;
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                {
                    int i = ((t * h + y) * w + x) * 3;
                    if (Distance(px, i, rows, y * 3) > BackgroundDistance) continue;
                    float er = px[i] - rows[y * 3], eg = px[i + 1] - rows[y * 3 + 1], eb = px[i + 2] - rows[y * 3 + 2];
                    sr += er; sg += eg; sb += eb; n++;
                    if ((x + y) % 4 == 0) { residuals.Add(MathF.Abs(er)); residuals.Add(MathF.Abs(eg)); residuals.Add(MathF.Abs(eb)); }
                }
            if (n > 0) { offsets[t * 3] = (float)(sr / n); offsets[t * 3 + 1] = (float)(sg / n); offsets[t * 3 + 2] = (float)(sb / n); }
        }
        Noise = residuals.Count == 0 ? 0 : 1.4826f * Median(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(residuals));
    }

    /// <summary>Background of channel <paramref name="c"/> in row <paramref name="y"/> of frame <paramref name="t"/>.</summary>
    public float At(int t, int y, int c) => rows[y * 3 + c] + offsets[t * 3 + c];

    static float Distance(float[] px, int i, float[] rows, int j)
    {
        float dr = px[i] - rows[j], dg = px[i + 1] - rows[j + 1], db = px[i + 2] - rows[j + 2];
        return MathF.Sqrt(dr * dr + dg * dg + db * db);
    }

    /// <summary>Median of <paramref name="values"/> (the upper one of an even count), which it reorders.</summary>
    internal static float Median(Span<float> values) => values.Length == 0 ? 0 : Select(values, values.Length / 2);

    /// <summary>The k-th smallest value (Hoare's quickselect with a middle pivot; deterministic).</summary>
    static float Select(Span<float> a, int k)
    {
        int lo = 0, hi = a.Length - 1;
        while (lo < hi)
        {
            float pivot = a[(lo + hi) >> 1];
            int i = lo, j = hi;
            while (i <= j)
            {
                while (a[i] < pivot) i++;
                while (a[j] > pivot) j--;
                if (i <= j) { (a[i], a[j]) = (a[j], a[i]); i++; j--; }
            }
            if (k <= j) hi = j;
            else if (k >= i) lo = i;
            else return a[k];
        }
        return a[k];
    }

    /// <summary>
    /// The scene whose rows best match this background under what degraded output does to a frame: a contrast
    /// change about mid-grey, observed = a (proto - 0.5) + 0.5 + s, with a in [0.5, 1.3] and a small grey shift s
    /// in [-0.12, 0.12]; and that fit's root-mean-square error. (A free gain and offset would let a dimmed,
    /// darkened sky pass for the night.) Rows whose median was distrusted do not count.
    /// </summary>
    public (Scene Scene, float Error) ClassifyScene()
    {
        var (scene, error, _, _) = BestScene();
        return (scene, error);
    }

    (Scene Scene, float Error, double Gain, double Shift) BestScene()
    {
        var best = (Scene: Scene.Black, Error: float.MaxValue, Gain: 1.0, Shift: 0.0);
        foreach (var scene in Terms.Scenes)
        {
            var (error, gain, shift) = Fit(SceneArt.Rows(scene, Height));
            if (error < best.Error) best = (scene, error, gain, shift);
        }
        return best;
    }

    /// <summary>
    /// The least-squares fit of observed - 0.5 = a (proto - 0.5) + s over the trusted rows, on a grid of gains a in
    /// [0.5, 1.3] (a flat prototype such as black leaves a to the mean, so it is searched rather than solved), each
    /// with its best clamped s: the lowest root-mean-square error and its a and s.
    /// </summary>
    (float Error, double Gain, double Shift) Fit(float[] proto)
    {
        var best = (Error: double.MaxValue, Gain: 1.0, Shift: 0.0);
        int n = 0;
        for (int y = 0; y < Height; y++) if (!suspect[y]) n += 3;
        if (n == 0) return (float.MaxValue, 1, 0);
        for (int k = 0; k <= 40; k++)
        {
            double a = 0.5 + 0.02 * k, mean = 0;
            for (int i = 0; i < proto.Length; i++) if (!suspect[i / 3]) mean += rows[i] - 0.5 - a * (proto[i] - 0.5);
            double s = Math.Clamp(mean / n, -0.12, 0.12), e = 0;
            for (int i = 0; i < proto.Length; i++)
            {
                if (suspect[i / 3]) continue;
                double d = rows[i] - 0.5 - a * (proto[i] - 0.5) - s;
                e += d * d;
            }
            if (e < best.Error) best = (e, a, s);
        }
        return ((float)Math.Sqrt(best.Error / n), best.Gain, best.Shift);
    }
}
