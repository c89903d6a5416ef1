using VidGen.Data;
using VidGen.Media;

namespace VidGen.Tests.Data;

public class ShapesWorldTests
{
    [Fact]
    public void Same_seed_and_index_give_the_same_clip_and_others_differ()
    {
        var world = new ShapesWorld(16, 4);
        var a = world.TrainingClip(7, 42);
        var b = new ShapesWorld(16, 4).TrainingClip(7, 42);
        Assert.Equal(a.Video.Pixels, b.Video.Pixels);
        Assert.Equal(a.Caption, b.Caption);
        Assert.NotEqual(a.Video.Pixels, world.TrainingClip(7, 43).Video.Pixels);
        Assert.NotEqual(a.Video.Pixels, world.TrainingClip(8, 42).Video.Pixels);
    }

    [Fact]
    public void Held_out_list_is_fixed_and_balanced()
    {
        Assert.Equal(8, ShapesWorld.HeldOut.Count);
        Assert.Equal(ShapesWorld.Colours.Order(), ShapesWorld.HeldOut.Select(h => h.Colour).Order());
        Assert.All(Enum.GetValues<Direction>(), d => Assert.Equal(2, ShapesWorld.HeldOut.Count(h => h.Direction == d)));
        Assert.All(Enum.GetValues<ShapeKind>(), s => Assert.True(ShapesWorld.HeldOut.Count(h => h.Shape == s) >= 2));
        // The documented list (README): a model is being trained against exactly these.
        Assert.Equal(("red", ShapeKind.Circle, Direction.Left), ShapesWorld.HeldOut[0]);
        Assert.Equal(("orange", ShapeKind.Triangle, Direction.Down), ShapesWorld.HeldOut[7]);
    }

    [Fact]
    public void Training_clips_never_show_a_held_out_combination_but_show_every_other_one()
    {
        var world = new ShapesWorld(16, 2);
        var seen = new HashSet<(string, ShapeKind, Direction)>();
        var rng = new Random(5);
        for (int i = 0; i < 4000; i++)
        {
            var spec = ShapesWorld.SampleTrainingSpec(rng);
            Assert.False(ShapesWorld.IsHeldOut(spec), $"held-out {spec.Caption} sampled for training");
            seen.Add(spec.Combination);
        }
        Assert.Equal(8 * 3 * 4 - ShapesWorld.HeldOut.Count, seen.Count);
        // TrainingClip goes through the same sampler; check the captions it returns too.
        var train = new ShapesTrainingClips(new ShapesWorld(16, 2), seed: 3);
        var heldCaptions = ShapesWorld.AllSpecs().Where(ShapesWorld.IsHeldOut).SelectMany(s => new[] { s.Caption, s.CaptionWithoutSize }).ToHashSet();
        for (int i = 0; i < 300; i++) Assert.DoesNotContain(train.Clip(i).Caption, heldCaptions);
    }

    [Fact]
    public void Edges_are_anti_aliased_in_sixteenths()
    {
        var world = new ShapesWorld(32, 2);
        var v = world.Render(new ShapeSpec("white", ShapeKind.Circle, ShapeSize.Large, Direction.Right), 12.3f, 15.7f);
        var values = v.Frame(0).ToArray().Where(p => p > 0 && p < 1).ToList();
        Assert.True(values.Count > 20, $"only {values.Count} partial edge pixels");
        // 4x4 supersampling: every partial pixel is k/16 of the colour.
        Assert.All(values, p => Assert.Equal(Math.Round(p * 16), p * 16, 4));
        Assert.Contains(values, p => p < 0.5f);
        Assert.Contains(values, p => p > 0.5f);
    }

    [Theory]
    [InlineData(16)]
    [InlineData(128)]
    public void Every_spec_stays_in_view_in_every_frame(int res)
    {
        var world = new ShapesWorld(res, 5);
        var rng = new Random(11);
        foreach (var spec in ShapesWorld.AllSpecs().Where((_, i) => res == 16 || i % 4 == 0))
        {
            var v = world.Render(spec, rng);
            float r = world.Radius(spec.Size);
            double area = spec.Shape switch { ShapeKind.Circle => Math.PI * r * r, ShapeKind.Square => 1.7 * r * 1.7 * r, _ => 2.0 * r * r };
            for (int f = 0; f < v.Frames; f++)
            {
                // Nothing on the border rows/columns, and the whole shape in every frame (no clipping).
                for (int i = 0; i < res; i++)
                {
                    Assert.Equal(0f, Max(v, f, 0, i)); Assert.Equal(0f, Max(v, f, res - 1, i));
                    Assert.Equal(0f, Max(v, f, i, 0)); Assert.Equal(0f, Max(v, f, i, res - 1));
                }
                // 4x4 supersampling puts edges on a quarter-pixel grid, so a 3 px shape's area varies by up to ~8%
                // with its sub-pixel position; a shape pushed past the edge would lose far more.
                double cover = Coverage(v, f);
                Assert.True(Math.Abs(cover - area) < 0.15 * area, $"{spec.Caption} at {res}px: frame {f} covers {cover:F1} px, shape area {area:F1}");
            }
        }
    }

    [Theory]
    [InlineData(Direction.Left, -1, 0)]
    [InlineData(Direction.Right, 1, 0)]
    [InlineData(Direction.Up, 0, -1)]
    [InlineData(Direction.Down, 0, 1)]
    public void Objects_move_at_constant_speed_in_the_captioned_direction(Direction d, int dx, int dy)
    {
        var world = new ShapesWorld(32, 6);
        foreach (var shape in Enum.GetValues<ShapeKind>())
        {
            var v = world.Render(new ShapeSpec("cyan", shape, ShapeSize.Small, d), new Random(2));
            var c = Enumerable.Range(0, v.Frames).Select(f => Centroid(v, f)).ToList();
            float step = world.Travel / (v.Frames - 1);
            for (int f = 1; f < v.Frames; f++)
            {
                // Edges sit on a quarter-pixel grid (4x4 supersampling), so a step is exact to about 0.25 px;
                // across the motion the centroid stays put (sloped triangle edges wobble it by up to 0.07 px).
                Assert.Equal(dx * step, c[f].X - c[f - 1].X, 0.3);
                Assert.Equal(dy * step, c[f].Y - c[f - 1].Y, 0.3);
                if (dx == 0) Assert.Equal(c[0].X, c[f].X, 0.1);
                if (dy == 0) Assert.Equal(c[0].Y, c[f].Y, 0.1);
            }
            Assert.Equal(dx * world.Travel, c[^1].X - c[0].X, 0.3);
            Assert.Equal(dy * world.Travel, c[^1].Y - c[0].Y, 0.3);
        }
    }

    [Fact]
    public void Colour_and_caption_match_the_pixels()
    {
        var world = new ShapesWorld(16, 2);
        for (int i = 0; i < 40; i++)
        {
            var (v, spec, caption) = world.TrainingClip(0, i);
            Assert.Contains(spec.Colour, caption);
            Assert.Matches("^a( (small|large))? (red|green|blue|yellow|magenta|cyan|white|orange) (circle|square|triangle) moving (left|right|up|down)$", caption);
            var p = ShapesWorld.Palette.First(c => c.Name == spec.Colour);
            float r = 0, g = 0, b = 0;
            for (int y = 0; y < 16; y++) for (int x = 0; x < 16; x++) { var q = v.Get(0, y, x); r = Math.Max(r, q.R); g = Math.Max(g, q.G); b = Math.Max(b, q.B); }
            Assert.Equal((p.R, p.G, p.B), (r, g, b));
        }
    }

    [Fact]
    public void Resolution_and_frames_are_configurable_within_bounds()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ShapesWorld(15, 8));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ShapesWorld(129, 8));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ShapesWorld(32, 1));
        var v = new ShapesWorld(128, 3, fps: 12).TrainingClip(0, 0).Video;
        Assert.Equal((3, 128, 128, 12.0), (v.Frames, v.Height, v.Width, v.Fps));
        Assert.Equal(192, ShapesWorld.AllSpecs().Count());
    }

    static float Max(Video v, int f, int y, int x) { var (r, g, b) = v.Get(f, y, x); return Math.Max(r, Math.Max(g, b)); }

    static double Coverage(Video v, int f)
    {
        double s = 0;
        for (int y = 0; y < v.Height; y++) for (int x = 0; x < v.Width; x++) s += Max(v, f, y, x);
        return s;
    }

    static (float X, float Y) Centroid(Video v, int f)
    {
        double s = 0, sx = 0, sy = 0;
        for (int y = 0; y < v.Height; y++)
            for (int x = 0; x < v.Width; x++) { float a = Max(v, f, y, x); s += a; sx += a * (x + 0.5); sy += a * (y + 0.5); }
        return ((float)(sx / s), (float)(sy / s));
    }
}
