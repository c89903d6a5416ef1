using VidGen.Media;

namespace VidGen.Data.World2;

/// <summary>Which clips to draw: training (no held-out combination anywhere) or held-out (each clip built around one).</summary>
public enum Split { Train, HeldOut }

/// <summary>
/// The second world: up to three objects (shapes in the palette and emoji sprites), each with its own size,
/// motion or action and speed, a colour change, spatial relations, interaction and counts, on one of five
/// scenes, captioned from a grammar. Clips are 64 x 64, 16 frames at 8 fps by default and deterministic from
/// (seed, index): the same arguments give the same clip in every process, whatever the thread count.
/// <para>A drawn spec that cannot be laid out (too many large objects for the frame) is re-drawn from the same
/// random stream, so generation never fails on one; see <see cref="LayoutPlanner"/>.</para>
/// </summary>
public sealed class CompositionalWorld
{
    /// <summary>Spec draws before giving up: only a world whose sizes leave no room at all gets there.</summary>
    public const int MaxDraws = 1000;

    readonly float[][] sceneRows; // per scene, (H, 3)

    public WorldGeometry Geometry { get; }
    public ObjectArt Art { get; }
    public LayoutPlanner Planner { get; }
    public int Resolution => Geometry.Resolution;
    public int Frames => Geometry.Frames;
    public double Fps => Geometry.Fps;

    public CompositionalWorld(ObjectArt art, WorldGeometry? geometry = null)
    {
        Geometry = geometry ?? new WorldGeometry();
        Geometry.Validate();
        Art = art;
        Planner = new LayoutPlanner(Geometry, art);
        sceneRows = Terms.Scenes.Select(s => SceneArt.Rows(s, Geometry.Resolution)).ToArray();
    }

    /// <summary>Opens the emoji font (see <see cref="EmojiFont.ResolvePath"/>) and builds the world at the given size.</summary>
    public static CompositionalWorld Open(string? emojiFont = null, int resolution = 64, int frames = 16, double fps = 8)
    {
        var geometry = new WorldGeometry { Resolution = resolution, Frames = frames, Fps = fps };
        geometry.Validate();
        return new CompositionalWorld(ObjectArt.Load(emojiFont), geometry);
    }

    /// <summary>
    /// Clip <paramref name="index"/> of a split seeded by <paramref name="seed"/>, of one category or (null) of
    /// all categories in turn.
    /// </summary>
    public World2Clip Clip(int seed, long index, Split split = Split.Train, Category? category = null) =>
        split == Split.Train ? TrainingClip(seed, index, category) : HeldOutClip(seed, index, category);

    /// <summary>A training clip: drawn specs holding any held-out combination, or that cannot be laid out, are drawn again.</summary>
    public World2Clip TrainingClip(int seed, long index, Category? category = null)
    {
        var rng = new Random(Seeds.Mix(seed, index));
        var c = category ?? Terms.Categories[rng.Next(Terms.Categories.Count)];
        for (int draw = 0; draw < MaxDraws; draw++)
        {
            var spec = SpecSampler.Draw(c, rng);
            if (HeldOut.Contains(spec)) continue;
            if (Planner.TryLayout(spec, rng) is not Layout layout) continue;
            return Make(spec, layout, Captions.Write(spec, CaptionStyle.Varied, rng));
        }
        throw Unfit(c);
    }

    /// <summary>
    /// A held-out clip: category <c>index mod 8</c> when none is given, and within a category the entries of its
    /// held-out lists in turn, so a split of N clips covers every entry about equally.
    /// </summary>
    public World2Clip HeldOutClip(int seed, long index, Category? category = null)
    {
        var rng = new Random(Seeds.Mix(seed ^ 0x4E1D, index));
        long k = index;
        var c = category ?? Terms.Categories[(int)(index % Terms.Categories.Count)];
        if (category is null) k = index / Terms.Categories.Count;
        var kinds = HeldOut.KindsFor(c);
        var kind = kinds[(int)(k % kinds.Count)];
        int entry = (int)(k / kinds.Count % HeldOut.Entries(kind));
        for (int draw = 0; draw < MaxDraws; draw++)
        {
            var spec = SpecSampler.DrawHeldOut(c, kind, entry, rng);
            if (Planner.TryLayout(spec, rng) is not Layout layout) continue;
            return Make(spec, layout, Captions.Write(spec, CaptionStyle.Varied, rng));
        }
        throw Unfit(c);
    }

    /// <summary>Renders a given spec with a layout drawn from <paramref name="rng"/>; one line naming the problem if it cannot be laid out.</summary>
    public World2Clip Render(ClipSpec spec, Random rng, CaptionStyle style = CaptionStyle.Canonical)
    {
        spec.Validated();
        var layout = Planner.TryLayout(spec, rng)
            ?? throw new ArgumentException($"\"{Captions.Write(spec)}\" does not fit a {Resolution}px frame (objects too large or too many for their motions)");
        return Make(spec, layout, Captions.Write(spec, style, style == CaptionStyle.Canonical ? null : rng));
    }

    World2Clip Make(ClipSpec spec, Layout layout, string caption) => new(spec, layout, caption, Render(spec, layout));

    InvalidOperationException Unfit(Category c) =>
        new($"no {Terms.Name(c)} clip fits a {Resolution}px frame with object sizes {Geometry.SmallRadius} and {Geometry.LargeRadius} after {MaxDraws} draws");

    /// <summary>
    /// The frames of <paramref name="spec"/> laid out as <paramref name="layout"/>: the scene's rows, then each
    /// object composited over its own bounding box (premultiplied: out = colour * coverage + (1 - alpha) * under).
    /// </summary>
    public Video Render(ClipSpec spec, Layout layout)
    {
        var g = Geometry;
        int s = g.Resolution;
        var video = new Video(g.Frames, s, s, g.Fps);
        var px = video.Pixels;
        var rows = sceneRows[(int)spec.Scene];
        int frameSize = s * s * 3;
        for (int f = 0; f < g.Frames; f++)
            for (int y = 0; y < s; y++)
                for (int x = 0; x < s; x++)
                    rows.AsSpan(3 * y, 3).CopyTo(px.AsSpan(f * frameSize + (y * s + x) * 3, 3));

        var patch = new float[(s + 2) * (s + 2) * 4];
        for (int i = 0; i < spec.Objects.Count; i++)
        {
            var o = spec.Objects[i];
            var glyph = Art[o.Class];
            for (int f = 0; f < g.Frames; f++)
            {
                var pose = layout.Tracks[i][f];
                var (x0, y0, w, h) = glyph.Bounds(pose, s, s);
                if (w == 0 || h == 0) continue;
                glyph.Rasterise(pose, x0, y0, w, h, patch);
                var (tr, tg, tb) = Tint(o, g.Time(f));
                for (int yy = 0; yy < h; yy++)
                    for (int xx = 0; xx < w; xx++)
                    {
                        int p = (yy * w + xx) * 4;
                        float a = patch[p + 3];
                        if (a <= 0) continue;
                        int q = f * frameSize + ((y0 + yy) * s + x0 + xx) * 3;
                        px[q] = tr * patch[p] + (1 - a) * px[q];
                        px[q + 1] = tg * patch[p + 1] + (1 - a) * px[q + 1];
                        px[q + 2] = tb * patch[p + 2] + (1 - a) * px[q + 2];
                    }
            }
        }
        return video;
    }

    /// <summary>The multiplier of a glyph's RGB at time t: a shape's (possibly changing) colour, white for sprites.</summary>
    public static (float R, float G, float B) Tint(ObjectSpec o, float t)
    {
        if (o.Colour is null) return (1, 1, 1);
        var a = Terms.Rgb(o.Colour);
        if (o.ColourTo is null) return a;
        var b = Terms.Rgb(o.ColourTo);
        float w = WorldGeometry.ColourBlend(t);
        return (a.R + (b.R - a.R) * w, a.G + (b.G - a.G) * w, a.B + (b.B - a.B) * w);
    }

    /// <summary>The background rows of a scene at this world's resolution, (H, 3).</summary>
    public ReadOnlySpan<float> SceneRows(Scene scene) => sceneRows[(int)scene];
}
