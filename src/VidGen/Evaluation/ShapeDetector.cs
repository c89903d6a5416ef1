using VidGen.Data;
using VidGen.Media;

namespace VidGen.Evaluation;

/// <summary>
/// What one frame shows: the object's soft mask measurements (coverage-weighted, so anti-aliased or blurred
/// edges count by how much they are covered) and the labels they give. Coordinates are pixels, y downwards,
/// pixel centres at +0.5.
/// </summary>
public sealed record FrameMeasurement(
    bool Found,
    float Contrast,
    float CentroidX, float CentroidY,
    float Area, float LongestRow, float LongestColumn,
    float Fill, float Skew,
    float ChromaR, float ChromaG, float ChromaB,
    string? Colour, ShapeKind? Shape)
{
    public static readonly FrameMeasurement Empty = new(false, 0, float.NaN, float.NaN, 0, 0, 0, 0, 0, 0, 0, 0, null, null);
}

/// <summary>
/// What a whole clip shows. Null labels mean the detector found no object (or, for direction, no motion):
/// they never match a prompt. <see cref="Frames"/> holds the per-frame labels used for temporal consistency.
/// </summary>
public sealed record Detection(
    string? Colour, ShapeKind? Shape, ShapeSize? Size, Direction? Direction,
    IReadOnlyList<FrameMeasurement> Frames,
    float ColourDistance, float Fill, float Skew, float RadiusPixels, float DisplacementX, float DisplacementY)
{
    public bool Found => Colour is not null;
    public int FramesWithObject => Frames.Count(f => f.Found);

    /// <summary>Fraction of frames whose own colour and shape labels equal the clip's (empty frames disagree).</summary>
    public double FrameAgreement => Frames.Count == 0 ? 0 : Frames.Count(f => f.Found && f.Colour == Colour && f.Shape == Shape) / (double)Frames.Count;

    public string Describe() => Found
        ? $"{Lower(Size)} {Colour} {Lower(Shape)} moving {Lower(Direction)}"
        : "none";

    static string Lower<T>(T? v) where T : struct, Enum => v?.ToString().ToLowerInvariant() ?? "none";
}

/// <summary>
/// Reads a shapes-world clip back: the colour, shape, size and direction of its one object.
/// <para>Per frame: the object is the largest 8-connected blob whose max channel is above half-way between the
/// background (the frame median) and the peak. Its soft mask is that blob plus a ring of <see cref="RingWidth"/>
/// pixels, each pixel weighted by its coverage (brightness over the blob's own level, clipped to [0, 1]), so
/// anti-aliased edges, blur and dim generated objects measure like crisp ones.</para>
/// <para>Colour: the nearest palette entry to the mean background-subtracted colour scaled to a maximum channel
/// of 1, so brightness drops out (a half-covered orange edge pixel still reads orange, not dark red).</para>
/// <para>Shape: two geometry measures. Fill = area / (longest row x longest column), as coverage sums: 1 for the
/// square, pi/4 for the circle, 1/2 for the triangle. Vertical skewness of the mask: -0.566 for the upward
/// triangle (its mass sits at the base), 0 for the symmetric shapes. The nearest (fill, skew) prototype wins.</para>
/// <para>Size: the radius implied by the area for that shape against the geometric mean of the small and large
/// <see cref="ShapesWorld.Radius"/>. Direction: dominant axis and sign of the least-squares centroid velocity.</para>
/// Clip labels come from features averaged over the frames that show an object; every frame also gets its own
/// colour and shape for temporal consistency.
/// </summary>
public sealed class ShapeDetector
{
    /// <summary>Peak-over-background brightness below which a frame counts as empty.</summary>
    public float MinContrast { get; init; } = 0.25f;

    /// <summary>
    /// Net centroid travel, as a fraction of the frame side, below which the clip counts as not moving
    /// (direction "none"). The shapes world moves objects 0.4 of the side; a quarter of that is unambiguous.
    /// </summary>
    public float MinTravel { get; init; } = 0.1f;

    /// <summary>Pixels around the half-brightness blob that still count towards the soft mask (edges, blur tails).</summary>
    public int RingWidth { get; init; } = 2;

    // Shape prototypes in (fill, skew) and how far a feature may stray: fill is noisier at small sizes and the
    // skew of a triangle shrinks under strong blur, so each axis is scaled by its own tolerance.
    static readonly (ShapeKind Shape, float Fill, float Skew)[] Prototypes =
    {
        (ShapeKind.Circle, MathF.PI / 4, 0f), (ShapeKind.Square, 1f, 0f), (ShapeKind.Triangle, 0.5f, -0.566f),
    };
    // Skew is the steadier measure (fill of a 4-pixel shape or a blurred one drifts towards the circle's), so it
    // gets the tighter scale. Measured on all 192 specs x 3 seeds: clean 16 px triangles skew -0.74..-0.47 and fill
    // up to 0.91; squares at 16 px skew up to +-0.16 from the renderer's quarter-pixel supersampling.
    const float FillScale = 0.2f, SkewScale = 0.1f;

    // Radii as fractions of the frame side, taken from the renderer so the two never disagree.
    static readonly float SmallFraction = new ShapesWorld(100).Radius(ShapeSize.Small) / 100f;
    static readonly float LargeFraction = new ShapesWorld(100).Radius(ShapeSize.Large) / 100f;

    public Detection Detect(Video video)
    {
        var frames = new FrameMeasurement[video.Frames];
        for (int f = 0; f < video.Frames; f++) frames[f] = MeasureFrame(video, f);
        var found = frames.Where(m => m.Found).ToArray();
        // An object seen in fewer than half the frames is not a video of that object.
        if (found.Length == 0 || found.Length * 2 < frames.Length)
            return new Detection(null, null, null, null, frames, float.NaN, float.NaN, float.NaN, float.NaN, 0, 0);

        // Clip labels come from features averaged over frames, steadier than any one frame.
        float cr = found.Average(m => m.ChromaR), cg = found.Average(m => m.ChromaG), cb = found.Average(m => m.ChromaB);
        var (colour, colourDistance) = NearestColour(cr, cg, cb);
        float fill = found.Average(m => m.Fill), skew = found.Average(m => m.Skew);
        var shape = NearestShape(fill, skew);
        float radius = found.Average(m => RadiusFromArea(m.Area, shape));
        float side = Math.Min(video.Width, video.Height);
        // Split at the geometric mean of the two radii so both sizes get the same relative margin (29%).
        var size = radius < side * MathF.Sqrt(SmallFraction * LargeFraction) ? ShapeSize.Small : ShapeSize.Large;

        var (vx, vy) = Velocity(frames);
        float dx = vx * (video.Frames - 1), dy = vy * (video.Frames - 1);
        Direction? direction = null;
        if (MathF.Max(MathF.Abs(dx), MathF.Abs(dy)) >= MinTravel * side)
            direction = MathF.Abs(dx) >= MathF.Abs(dy) ? (dx < 0 ? Direction.Left : Direction.Right) : (dy < 0 ? Direction.Up : Direction.Down);
        return new Detection(colour, shape, size, direction, frames, colourDistance, fill, skew, radius, dx, dy);
    }

    /// <summary>Measures frame <paramref name="f"/>: segmentation, soft mask, shape and colour features.</summary>
    public FrameMeasurement MeasureFrame(Video video, int f)
    {
        int h = video.Height, w = video.Width, n = h * w;
        var px = video.Frame(f);
        var value = new float[n];
        var r = new float[n]; var g = new float[n]; var b = new float[n];
        for (int i = 0; i < n; i++)
        {
            r[i] = px[3 * i]; g[i] = px[3 * i + 1]; b[i] = px[3 * i + 2];
            // Max channel, not luminance: every palette colour has a channel at 1, so blue is as bright as white.
            value[i] = MathF.Max(r[i], MathF.Max(g[i], b[i]));
        }
        // The object covers at most ~12% of the frame, so the median is background (black, or a generated tint).
        float bg = Median(value), bgR = Median(r), bgG = Median(g), bgB = Median(b);
        float peak = value.Max();
        if (peak - bg < MinContrast) return FrameMeasurement.Empty with { Contrast = peak - bg };

        float threshold = bg + 0.5f * (peak - bg);
        var component = LargestComponent(value, threshold, bg, w, h);

        // The blob's own level (90th percentile inside it) is what "fully covered" means for this object, so a
        // dim or unevenly bright generated object still gets coverage near 1 in its interior.
        var inside = component.Select(i => value[i]).OrderBy(v => v).ToArray();
        float level = inside[(int)(0.9f * (inside.Length - 1))];
        float span = MathF.Max(level - bg, 1e-6f);

        // Soft mask over the blob and a ring around it: anti-aliased edge pixels below half coverage and blur tails.
        var region = Dilate(component, w, h, RingWidth);
        double a = 0, sx = 0, sy = 0, sr = 0, sg = 0, sb = 0;
        var colMass = new float[w]; var rowMass = new float[h];
        foreach (int i in region)
        {
            float alpha = Math.Clamp((value[i] - bg) / span, 0f, 1f);
            if (alpha <= 0) continue;
            int x = i % w, y = i / w;
            a += alpha; sx += alpha * (x + 0.5); sy += alpha * (y + 0.5);
            // Colour weighted by coverage squared: interior pixels speak for the object, faint fringes barely.
            float wc = alpha * alpha;
            sr += wc * (r[i] - bgR); sg += wc * (g[i] - bgG); sb += wc * (b[i] - bgB);
            colMass[x] += alpha; rowMass[y] += alpha;
        }
        if (a <= 0) return FrameMeasurement.Empty with { Contrast = peak - bg };
        float cx = (float)(sx / a), cy = (float)(sy / a);
        double m3 = 0;
        foreach (int i in region)
        {
            float alpha = Math.Clamp((value[i] - bg) / span, 0f, 1f);
            double d = i / w + 0.5 - cy;
            m3 += alpha * d * d * d;
        }
        m3 /= a;
        // Skewness normalised by the spread a crisp triangle of this area would have (variance A/9 for base 2r,
        // height 2r, area 2r^2) rather than the measured spread: blur adds to the variance but not to the third
        // cumulant or the area, so this stays at -0.566 for a blurred triangle instead of shrinking towards 0.
        float skew = (float)(m3 / Math.Pow(a / 9, 1.5));
        // Fill = area / (longest column x longest row), both measured as coverage sums: 1 for the square, pi/4 for
        // the circle, 1/2 for the triangle (its middle column and its base both span 2r). Sums over whole
        // columns, unlike a thresholded bounding box, barely move under noise, blur or sub-pixel position.
        float longestRow = rowMass.Max(), longestColumn = colMass.Max();
        float fill = (float)(a / Math.Max(longestRow * longestColumn, 1e-6));

        float mx = (float)Math.Max(sr, Math.Max(sg, sb));
        if (mx <= 0) return FrameMeasurement.Empty with { Contrast = peak - bg };
        float chR = (float)Math.Max(sr, 0) / mx, chG = (float)Math.Max(sg, 0) / mx, chB = (float)Math.Max(sb, 0) / mx;
        var (colour, _) = NearestColour(chR, chG, chB);
        return new FrameMeasurement(true, peak - bg, cx, cy, (float)a, longestRow, longestColumn, fill, skew, chR, chG, chB, colour, NearestShape(fill, skew));
    }

    /// <summary>Nearest palette entry (Euclidean in RGB) to a colour scaled to maximum channel 1.</summary>
    public static (string Name, float Distance) NearestColour(float r, float g, float b)
    {
        string best = ShapesWorld.Palette[0].Name; float bestD = float.MaxValue;
        foreach (var p in ShapesWorld.Palette)
        {
            float d = MathF.Sqrt((r - p.R) * (r - p.R) + (g - p.G) * (g - p.G) + (b - p.B) * (b - p.B));
            if (d < bestD) { bestD = d; best = p.Name; }
        }
        return (best, bestD);
    }

    public static ShapeKind NearestShape(float fill, float skew)
    {
        var best = ShapeKind.Circle; float bestD = float.MaxValue;
        foreach (var (shape, pf, ps) in Prototypes)
        {
            float df = (fill - pf) / FillScale, ds = (skew - ps) / SkewScale;
            float d = df * df + ds * ds;
            if (d < bestD) { bestD = d; best = shape; }
        }
        return best;
    }

    /// <summary>
    /// The bounding half-size (as in <see cref="ShapesWorld.Radius"/>) of a shape with this area:
    /// circle pi r^2, square (1.7 r)^2 (the world draws squares at 0.85 r), triangle base 2r x height 2r / 2.
    /// </summary>
    public static float RadiusFromArea(float area, ShapeKind shape) => MathF.Sqrt(area / shape switch
    {
        ShapeKind.Circle => MathF.PI,
        ShapeKind.Square => 1.7f * 1.7f,
        _ => 2f,
    });

    /// <summary>Least-squares centroid velocity (pixels per frame) over the frames where the object was found.</summary>
    static (float Vx, float Vy) Velocity(FrameMeasurement[] frames)
    {
        double st = 0, sx = 0, sy = 0, stt = 0, stx = 0, sty = 0; int k = 0;
        for (int t = 0; t < frames.Length; t++)
        {
            if (!frames[t].Found) continue;
            k++; st += t; stt += (double)t * t;
            sx += frames[t].CentroidX; sy += frames[t].CentroidY;
            stx += t * frames[t].CentroidX; sty += t * frames[t].CentroidY;
        }
        double den = k * stt - st * st;
        if (k < 2 || den <= 0) return (0, 0);
        return ((float)((k * stx - st * sx) / den), (float)((k * sty - st * sy) / den));
    }

    /// <summary>Pixels of the 8-connected blob above <paramref name="threshold"/> with the most brightness over background.</summary>
    static List<int> LargestComponent(float[] value, float threshold, float bg, int w, int h)
    {
        var label = new int[value.Length];
        var best = new List<int>(); double bestMass = -1;
        var stack = new Stack<int>();
        int next = 0;
        for (int start = 0; start < value.Length; start++)
        {
            if (value[start] <= threshold || label[start] != 0) continue;
            next++;
            var pixels = new List<int>(); double mass = 0;
            label[start] = next; stack.Push(start);
            while (stack.Count > 0)
            {
                int i = stack.Pop();
                pixels.Add(i); mass += value[i] - bg;
                int x = i % w, y = i / w;
                for (int ny = Math.Max(0, y - 1); ny <= Math.Min(h - 1, y + 1); ny++)
                    for (int nx = Math.Max(0, x - 1); nx <= Math.Min(w - 1, x + 1); nx++)
                    {
                        int j = ny * w + nx;
                        if (label[j] == 0 && value[j] > threshold) { label[j] = next; stack.Push(j); }
                    }
            }
            if (mass > bestMass) { bestMass = mass; best = pixels; }
        }
        return best;
    }

    /// <summary>The pixels plus every pixel within <paramref name="radius"/> (chessboard distance).</summary>
    static List<int> Dilate(List<int> pixels, int w, int h, int radius)
    {
        var seen = new HashSet<int>();
        foreach (int i in pixels)
        {
            int x = i % w, y = i / w;
            for (int ny = Math.Max(0, y - radius); ny <= Math.Min(h - 1, y + radius); ny++)
                for (int nx = Math.Max(0, x - radius); nx <= Math.Min(w - 1, x + radius); nx++)
                    seen.Add(ny * w + nx);
        }
        return seen.ToList();
    }

    static float Median(float[] values)
    {
        var copy = (float[])values.Clone();
        Array.Sort(copy);
        return copy[copy.Length / 2];
    }
}
