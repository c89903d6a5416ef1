using VidGen.Media;

namespace VidGen.Data;

public enum ShapeKind { Circle, Square, Triangle }
public enum ShapeSize { Small, Large }
public enum Direction { Left, Right, Up, Down }

/// <summary>One clip's content in the shapes world. <see cref="Caption"/> is the canonical caption.</summary>
public sealed record ShapeSpec(string Colour, ShapeKind Shape, ShapeSize Size, Direction Direction)
{
    public string Caption => $"a {Size.ToString().ToLowerInvariant()} {Colour} {Shape.ToString().ToLowerInvariant()} moving {Direction.ToString().ToLowerInvariant()}";
    public string CaptionWithoutSize => $"a {Colour} {Shape.ToString().ToLowerInvariant()} moving {Direction.ToString().ToLowerInvariant()}";
    public (string Colour, ShapeKind Shape, Direction Direction) Combination => (Colour, Shape, Direction);
}

/// <summary>
/// The built-in captioned dataset: one anti-aliased coloured shape moving at constant speed on black.
/// Deterministic from (seed, index). See ../shared/DESIGN.md, "The shapes world".
/// </summary>
public sealed class ShapesWorld
{
    /// <summary>Palette in caption order; RGB in [0, 1].</summary>
    public static readonly IReadOnlyList<(string Name, float R, float G, float B)> Palette = new[]
    {
        ("red", 1f, 0f, 0f), ("green", 0f, 1f, 0f), ("blue", 0f, 0f, 1f), ("yellow", 1f, 1f, 0f),
        ("magenta", 1f, 0f, 1f), ("cyan", 0f, 1f, 1f), ("white", 1f, 1f, 1f), ("orange", 1f, 0.5f, 0f),
    };

    public static IReadOnlyList<string> Colours { get; } = Palette.Select(p => p.Name).ToArray();

    /// <summary>
    /// (colour, shape, direction) combinations that never appear in training splits. Each colour once, each
    /// direction twice, each shape at least twice, so every single attribute is still seen in training:
    /// prompt fidelity on these measures composition, not memorised clips.
    /// </summary>
    public static readonly IReadOnlyList<(string Colour, ShapeKind Shape, Direction Direction)> HeldOut = new[]
    {
        ("red", ShapeKind.Circle, Direction.Left),
        ("green", ShapeKind.Square, Direction.Right),
        ("blue", ShapeKind.Triangle, Direction.Up),
        ("yellow", ShapeKind.Circle, Direction.Down),
        ("magenta", ShapeKind.Square, Direction.Left),
        ("cyan", ShapeKind.Triangle, Direction.Right),
        ("white", ShapeKind.Circle, Direction.Up),
        ("orange", ShapeKind.Triangle, Direction.Down),
    };

    public static bool IsHeldOut(ShapeSpec s) => HeldOut.Contains(s.Combination);

    /// <summary>Every (colour, shape, size, direction): 8 x 3 x 2 x 4 = 192 specs.</summary>
    public static IEnumerable<ShapeSpec> AllSpecs() =>
        from c in Colours
        from sh in Enum.GetValues<ShapeKind>()
        from sz in Enum.GetValues<ShapeSize>()
        from d in Enum.GetValues<Direction>()
        select new ShapeSpec(c, sh, sz, d);

    public int Resolution { get; }
    public int Frames { get; }
    public double Fps { get; }

    public ShapesWorld(int resolution = 32, int frames = 8, double fps = 8)
    {
        if (resolution < 16 || resolution > 128) throw new ArgumentOutOfRangeException(nameof(resolution), resolution, "the shapes world renders 16 to 128 pixels");
        if (frames < 2) throw new ArgumentOutOfRangeException(nameof(frames), frames, "a moving shape needs at least 2 frames");
        Resolution = resolution; Frames = frames; Fps = fps;
    }

    /// <summary>Object radius (half the bounding box side) in pixels.</summary>
    public float Radius(ShapeSize size) => Resolution * (size == ShapeSize.Small ? 0.12f : 0.2f);

    /// <summary>Distance the centre travels from the first to the last frame, in pixels.</summary>
    public float Travel => Resolution * 0.4f;

    /// <summary>A training spec (never a held-out combination), drawn from <paramref name="rng"/>.</summary>
    public static ShapeSpec SampleTrainingSpec(Random rng)
    {
        while (true)
        {
            var s = new ShapeSpec(Colours[rng.Next(Colours.Count)], (ShapeKind)rng.Next(3), (ShapeSize)rng.Next(2), (Direction)rng.Next(4));
            if (!IsHeldOut(s)) return s;
        }
    }

    /// <summary>Training clip <paramref name="index"/> of the split seeded by <paramref name="seed"/>.</summary>
    public (Video Video, ShapeSpec Spec, string Caption) TrainingClip(int seed, long index)
    {
        var rng = new Random(Seeds.Mix(seed, index));
        var spec = SampleTrainingSpec(rng);
        var video = Render(spec, rng);
        // Prompts may omit the size, so a third of the captions do too.
        string caption = rng.NextDouble() < 1.0 / 3 ? spec.CaptionWithoutSize : spec.Caption;
        return (video, spec, caption);
    }

    /// <summary>Renders <paramref name="spec"/> with a random start position drawn from <paramref name="rng"/>.</summary>
    public Video Render(ShapeSpec spec, Random rng)
    {
        float r = Radius(spec.Size), margin = r + 1, res = Resolution;
        var (dx, dy) = spec.Direction switch
        {
            Direction.Left => (-1f, 0f), Direction.Right => (1f, 0f), Direction.Up => (0f, -1f), _ => (0f, 1f),
        };
        float along = margin + (float)rng.NextDouble() * Math.Max(0, res - 2 * margin - Travel);
        float across = margin + (float)rng.NextDouble() * Math.Max(0, res - 2 * margin);
        // 'along' is the start measured in the direction of motion, so left/up start near the far edge.
        float startX = dx != 0 ? (dx > 0 ? along : res - along) : across;
        float startY = dy != 0 ? (dy > 0 ? along : res - along) : across;
        return Render(spec, startX, startY);
    }

    /// <summary>Renders with the centre starting at (x0, y0) pixels and moving Travel pixels in total.</summary>
    public Video Render(ShapeSpec spec, float x0, float y0)
    {
        var colour = Palette.First(p => p.Name == spec.Colour);
        float r = Radius(spec.Size);
        var (dx, dy) = spec.Direction switch
        {
            Direction.Left => (-1f, 0f), Direction.Right => (1f, 0f), Direction.Up => (0f, -1f), _ => (0f, 1f),
        };
        var video = new Video(Frames, Resolution, Resolution, Fps);
        const int ss = 4; // 4x4 supersampling per pixel gives anti-aliased edges
        for (int f = 0; f < Frames; f++)
        {
            float step = Travel * f / (Frames - 1);
            float cx = x0 + dx * step, cy = y0 + dy * step;
            int yMin = Math.Max(0, (int)(cy - r) - 1), yMax = Math.Min(Resolution - 1, (int)(cy + r) + 1);
            int xMin = Math.Max(0, (int)(cx - r) - 1), xMax = Math.Min(Resolution - 1, (int)(cx + r) + 1);
            for (int y = yMin; y <= yMax; y++)
                for (int x = xMin; x <= xMax; x++)
                {
                    int hits = 0;
                    for (int sy = 0; sy < ss; sy++)
                        for (int sx = 0; sx < ss; sx++)
                            if (Inside(spec.Shape, x + (sx + 0.5f) / ss - cx, y + (sy + 0.5f) / ss - cy, r)) hits++;
                    if (hits == 0) continue;
                    float a = hits / (float)(ss * ss);
                    video.Set(f, y, x, colour.R * a, colour.G * a, colour.B * a);
                }
        }
        return video;
    }

    /// <summary>Is the point (px, py), relative to the centre, inside a shape of bounding half-size r?</summary>
    static bool Inside(ShapeKind shape, float px, float py, float r) => shape switch
    {
        ShapeKind.Circle => px * px + py * py <= r * r,
        ShapeKind.Square => MathF.Abs(px) <= r * 0.85f && MathF.Abs(py) <= r * 0.85f,
        // Upward triangle: apex at (0, -r), base from (-r, r) to (r, r).
        _ => py <= r && py >= -r && MathF.Abs(px) <= (py + r) / 2f,
    };
}
