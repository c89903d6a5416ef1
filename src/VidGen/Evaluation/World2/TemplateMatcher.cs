using VidGen.Data.World2;
using VidGen.Media;

namespace VidGen.Evaluation.World2;

/// <summary>
/// Scores how well one object hypothesis (class, pose) explains a region of one frame, against the artwork
/// itself: the glyph is rasterised exactly as the renderer draws it and composited over the estimated
/// background, with a least-squares photometric fit so the comparison survives lower contrast and colour casts.
/// <para>Both kinds follow one photometric model: observed - (1 - alpha) bg = g P + alpha m, with a gain g in
/// [0.45, 1.3] and an offset m that is grey (in [-0.05, 0.3]) up to a cast of 0.06 per channel (what lower
/// contrast towards grey and a small colour cast do to a premultiplied image P). A sprite's P is its artwork, so
/// it cannot be recoloured (a red circle does not fit as an apple); a shape's P is its white glyph times each
/// palette colour in turn, the best being its colour (so a blurred orange-and-yellow sun does not fit as a circle
/// of some in-between colour). The score is the sum of squared residuals over the region, the same region for
/// every hypothesis, so scores compare.</para>
/// </summary>
internal sealed class TemplateMatcher(ObjectArt art, Video video)
{
    float[] buffer = new float[64 * 64 * 4];

    /// <summary>
    /// A rectangle of one frame's pixels with a mask of those that count (other objects' pixels do not), holding
    /// each pixel's residual E = observed - background and an integral image of the used pixels' |E|^2, so a
    /// hypothesis only visits the pixels its glyph can touch and the rest of the region adds its residual energy.
    /// </summary>
    public sealed class Region
    {
        public int X0 { get; }
        public int Y0 { get; }
        public int W { get; }
        public int H { get; }
        public int Frame { get; }
        public int Pixels { get; }
        internal readonly bool[] Use;
        internal readonly float[] Residual;   // (H, W, 3)
        internal readonly float[] Background; // (H, 3): each row's background
        readonly double[] integral;           // (H + 1, W + 1)

        public Region(Video video, ClipBackground background, int frame, int x0, int y0, int w, int h, bool[] use)
        {
            X0 = x0; Y0 = y0; W = w; H = h; Frame = frame; Use = use;
            Residual = new float[w * h * 3];
            Background = new float[h * 3];
            integral = new double[(h + 1) * (w + 1)];
            var px = video.Pixels;
            int n = 0;
            for (int yy = 0; yy < h; yy++)
            {
                int y = y0 + yy;
                for (int c = 0; c < 3; c++) Background[yy * 3 + c] = background.At(frame, y, c);
                double row = 0;
                for (int xx = 0; xx < w; xx++)
                {
                    int i = ((frame * video.Height + y) * video.Width + x0 + xx) * 3, j = (yy * w + xx) * 3;
                    float e0 = px[i] - Background[yy * 3], e1 = px[i + 1] - Background[yy * 3 + 1], e2 = px[i + 2] - Background[yy * 3 + 2];
                    Residual[j] = e0; Residual[j + 1] = e1; Residual[j + 2] = e2;
                    if (use[yy * w + xx]) { row += e0 * e0 + e1 * e1 + e2 * e2; n++; }
                    integral[(yy + 1) * (w + 1) + xx + 1] = integral[yy * (w + 1) + xx + 1] + row;
                }
            }
            Pixels = n;
            TotalEnergy = Energy(0, 0, w, h);
        }

        /// <summary>Sum of |E|^2 over the used pixels of [x0, x1) x [y0, y1), region coordinates.</summary>
        internal double Energy(int x0, int y0, int x1, int y1) =>
            integral[y1 * (W + 1) + x1] - integral[y0 * (W + 1) + x1] - integral[y1 * (W + 1) + x0] + integral[y0 * (W + 1) + x0];

        internal double TotalEnergy { get; }
    }

    /// <summary>A hypothesis's score: the residual over the region's pixels and, for a shape, its best palette colour.</summary>
    public readonly record struct Fit(double Ssd, string? Colour, int Pixels);

    /// <summary>Range of the photometric gain (what lower contrast or a dim generated object does to the colours).</summary>
    const double MinGain = 0.45, MaxGain = 1.3;

    /// <summary>Range of the grey offset (lower contrast lifts dark colours towards grey).</summary>
    const double MinGrey = -0.05, MaxGrey = 0.3;

    /// <summary>
    /// How much the templates are blurred before they are compared: 0 none, then binomial kernels [1 2 1]/4,
    /// [1 4 6 4 1]/16 and [1 6 15 20 15 6 1]/64 (sigma 0.71, 1.0, 1.22 px). The judge picks the level that explains
    /// the clip best once per clip: blurred or blocky clips are then compared with templates blurred alike, instead
    /// of favouring the smoothest shape (a blurred sun reads as a circle against sharp templates).
    /// </summary>
    public int Blur { get; set; }

    /// <summary>Largest per-channel colour cast a sprite's fit may add on top of its grey offset.</summary>
    const double Cast = 0.06;

    static readonly float[][] Kernels =
    {
        new[] { 1f },
        new[] { 0.25f, 0.5f, 0.25f },
        new[] { 1 / 16f, 4 / 16f, 6 / 16f, 4 / 16f, 1 / 16f },
        new[] { 1 / 64f, 6 / 64f, 15 / 64f, 20 / 64f, 15 / 64f, 6 / 64f, 1 / 64f },
    };

    public const int MaxBlur = 3;

    float[] blurred = new float[64 * 64 * 4];

    public Fit Score(ObjectClass cls, TrackPoint pose, Region region, int samples)
    {
        var glyph = art[cls];
        var (bx, by, bw, bh) = glyph.Bounds(pose, video.Width, video.Height);
        int br = Blur;
        // The glyph is drawn over its bounds widened by the blur radius (inside the frame), blurred, and then only
        // the part inside the region is visited; the rest of the region adds its |E|^2.
        int rx0 = Math.Max(0, Math.Max(bx - br, region.X0 - br)), ry0 = Math.Max(0, Math.Max(by - br, region.Y0 - br));
        int rx1 = Math.Min(video.Width, Math.Min(bx + bw + br, region.X0 + region.W + br)), ry1 = Math.Min(video.Height, Math.Min(by + bh + br, region.Y0 + region.H + br));
        int rw = rx1 - rx0, rh = ry1 - ry0;
        int gx0 = Math.Max(rx0, region.X0), gy0 = Math.Max(ry0, region.Y0);
        int gx1 = Math.Min(rx1, region.X0 + region.W), gy1 = Math.Min(ry1, region.Y0 + region.H);
        if (rw <= 0 || rh <= 0 || gx1 <= gx0 || gy1 <= gy0) return new Fit(region.TotalEnergy, null, region.Pixels);
        if (buffer.Length < rw * rh * 4) { buffer = new float[rw * rh * 4]; blurred = new float[rw * rh * 4]; }
        glyph.Rasterise(pose, rx0, ry0, rw, rh, buffer, samples);
        if (br > 0) BlurInPlace(buffer, blurred, rw, rh, Kernels[br]);
        int gw = rw;
        int ox = rx0, oy = ry0;

        double sa2 = 0, sr2 = 0, srp = 0, sp2 = 0;
        double sar0 = 0, sar1 = 0, sar2 = 0, sap0 = 0, sap1 = 0, sap2 = 0;
        var use = region.Use; var res = region.Residual; var rowBg = region.Background;
        for (int y = gy0; y < gy1; y++)
        {
            int yy = y - region.Y0;
            float b0 = rowBg[yy * 3], b1 = rowBg[yy * 3 + 1], b2 = rowBg[yy * 3 + 2];
            for (int x = gx0; x < gx1; x++)
            {
                int xx = x - region.X0;
                if (!use[yy * region.W + xx]) continue;
                int o = ((y - oy) * gw + (x - ox)) * 4, j = (yy * region.W + xx) * 3;
                float p0 = buffer[o], p1 = buffer[o + 1], p2 = buffer[o + 2], a = buffer[o + 3];
                // R = observed - (1 - alpha) * background = E + alpha * background: what the object contributes.
                float r0 = res[j] + a * b0, r1 = res[j + 1] + a * b1, r2 = res[j + 2] + a * b2;
                sa2 += a * a; sr2 += r0 * r0 + r1 * r1 + r2 * r2;
                sar0 += a * r0; sar1 += a * r1; sar2 += a * r2;
                sap0 += a * p0; sap1 += a * p1; sap2 += a * p2;
                srp += r0 * p0 + r1 * p1 + r2 * p2; sp2 += p0 * p0 + p1 * p1 + p2 * p2;
            }
        }
        sr2 += region.TotalEnergy - region.Energy(gx0 - region.X0, gy0 - region.Y0, gx1 - region.X0, gy1 - region.Y0);
        int n = region.Pixels;
        if (sa2 < 1e-6) return new Fit(sr2, null, n);
        if (!glyph.Tinted) return new Fit(Residual(sr2, sa2, srp, sp2, sar0, sar1, sar2, sap0, sap1, sap2), null, n);
        // A shape is the white glyph times a palette colour Q: P = alpha Q, so its sums follow from alpha's, and
        // each palette colour is tried under the same photometric model as a sprite; the best one is its colour.
        double bestSsd = double.MaxValue; string? bestColour = null;
        foreach (var (name, q0, q1, q2) in Data.ShapesWorld.Palette)
        {
            double e = Residual(sr2, sa2, q0 * sar0 + q1 * sar1 + q2 * sar2, (q0 * q0 + q1 * q1 + q2 * q2) * sa2,
                sar0, sar1, sar2, q0 * sa2, q1 * sa2, q2 * sa2);
            if (e < bestSsd) { bestSsd = e; bestColour = name; }
        }
        return new Fit(bestSsd, bestColour, n);
    }

    /// <summary>
    /// The residual of R = g P + alpha m from the sums over the visited pixels: sum R^2, sum alpha^2, sum R.P,
    /// sum P^2, and per channel sum alpha R_c and sum alpha P_c. The offset m is grey up to a small cast per
    /// channel. The gain is the least-squares one with a grey offset (clamped), or, where that is undefined (white
    /// against a grey offset: only their sum is known), the best of a grid over the gain's range.
    /// </summary>
    static double Residual(double sr2, double sa2, double srp, double sp2, double sar0, double sar1, double sar2, double sap0, double sap1, double sap2)
    {
        // Normal equations of R_c = g P_c + alpha grey: [sp2, sP; sP, 3 sa2] [g; grey] = [srp; sR].
        double sP = sap0 + sap1 + sap2, sR = sar0 + sar1 + sar2;
        double det = sp2 * 3 * sa2 - sP * sP;
        if (det > 1e-6 * Math.Max(1e-12, sp2 * sa2))
            return ResidualAt(Math.Clamp((srp * 3 * sa2 - sP * sR) / det, MinGain, MaxGain), sr2, sa2, srp, sp2, sar0, sar1, sar2, sap0, sap1, sap2);
        double best = double.MaxValue;
        for (double g = MinGain; g <= MaxGain + 1e-9; g += 0.1)
            best = Math.Min(best, ResidualAt(g, sr2, sa2, srp, sp2, sar0, sar1, sar2, sap0, sap1, sap2));
        return best;
    }

    static double ResidualAt(double g, double sr2, double sa2, double srp, double sp2, double sar0, double sar1, double sar2, double sap0, double sap1, double sap2)
    {
        double u0 = (sar0 - g * sap0) / sa2, u1 = (sar1 - g * sap1) / sa2, u2 = (sar2 - g * sap2) / sa2;
        double grey = Math.Clamp((u0 + u1 + u2) / 3, MinGrey, MaxGrey);
        double m0 = grey + Math.Clamp(u0 - grey, -Cast, Cast), m1 = grey + Math.Clamp(u1 - grey, -Cast, Cast), m2 = grey + Math.Clamp(u2 - grey, -Cast, Cast);
        double e = sr2 - 2 * g * srp - 2 * (m0 * sar0 + m1 * sar1 + m2 * sar2) + g * g * sp2
            + 2 * g * (m0 * sap0 + m1 * sap1 + m2 * sap2) + (m0 * m0 + m1 * m1 + m2 * m2) * sa2;
        return Math.Max(e, 0);
    }

    /// <summary>Separable convolution of an (h, w, 4) buffer with <paramref name="k"/>, zero outside.</summary>
    static void BlurInPlace(float[] a, float[] tmp, int w, int h, float[] k)
    {
        int r = k.Length / 2;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                for (int c = 0; c < 4; c++)
                {
                    float s = 0;
                    for (int i = -r; i <= r; i++)
                    {
                        int xx = x + i;
                        if ((uint)xx < (uint)w) s += k[i + r] * a[(y * w + xx) * 4 + c];
                    }
                    tmp[(y * w + x) * 4 + c] = s;
                }
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                for (int c = 0; c < 4; c++)
                {
                    float s = 0;
                    for (int i = -r; i <= r; i++)
                    {
                        int yy = y + i;
                        if ((uint)yy < (uint)h) s += k[i + r] * tmp[(yy * w + x) * 4 + c];
                    }
                    a[(y * w + x) * 4 + c] = s;
                }
    }

    /// <summary>
    /// Coordinate descent on centre and radius from <paramref name="start"/>: a 3 x 3 grid of centres, then the
    /// radius up and down, repeated (at most <paramref name="iterations"/> times per level) at steps of 1, 0.5 and
    /// 0.25 px (radius 10%, 5%, 2.5%), from level <paramref name="firstLevel"/> to <paramref name="levels"/> - 1.
    /// Coarse levels sample once per pixel; level 2 samples as the renderer does, so a true pose scores exactly.
    /// </summary>
    public (TrackPoint Pose, Fit Fit) Refine(ObjectClass cls, TrackPoint start, Region region, int levels = 3, int firstLevel = 0, int iterations = 3)
    {
        var pose = start;
        Fit best = default;
        for (int level = firstLevel; level < levels; level++)
        {
            float step = level switch { 0 => 1f, 1 => 0.5f, _ => 0.25f };
            float rstep = level switch { 0 => 0.10f, 1 => 0.05f, _ => 0.025f };
            int samples = level >= 2 ? Glyph.Supersampling : 1;
            best = Score(cls, pose, region, samples);
            for (int iteration = 0; iteration < iterations; iteration++)
            {
                bool moved = false;
                var centre = pose;
                for (int dy = -1; dy <= 1; dy++)
                    for (int dx = -1; dx <= 1; dx++)
                    {
                        if (dx == 0 && dy == 0) continue;
                        var candidate = centre with { X = centre.X + dx * step, Y = centre.Y + dy * step };
                        var fit = Score(cls, candidate, region, samples);
                        if (fit.Ssd < best.Ssd) { best = fit; pose = candidate; moved = true; }
                    }
                var sized = pose;
                foreach (float k in new[] { 1 - rstep, 1 + rstep })
                {
                    var candidate = sized with { Radius = sized.Radius * k };
                    var fit = Score(cls, candidate, region, samples);
                    if (fit.Ssd < best.Ssd) { best = fit; pose = candidate; moved = true; }
                }
                if (!moved) break;
            }
        }
        return (pose, best);
    }
}
