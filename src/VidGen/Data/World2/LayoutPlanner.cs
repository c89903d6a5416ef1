namespace VidGen.Data.World2;

/// <summary>
/// Draws where a spec's objects are in every frame: random start points inside the range that keeps each whole
/// path in view, then checks that no two boxes come within <see cref="WorldGeometry.Gap"/> in any frame, that
/// objects never cover more than <see cref="WorldGeometry.MaxRowCover"/> of a row, and that a spatial relation
/// is unambiguous (the other axis at most 0.45 of the stated one). A spec that fails every attempt is
/// unsatisfiable (three large objects that do not fit): <see cref="TryLayout"/> says so with null.
/// </summary>
public sealed class LayoutPlanner(WorldGeometry geometry, ObjectArt art)
{
    /// <summary>Attempts before a spec counts as unsatisfiable (numeracy, the tightest, gets more).</summary>
    public int Attempts { get; init; } = 60;

    /// <summary>The relation's other axis, as a share of the stated axis, at most (so "left of" is never nearly "above").</summary>
    public const float RelationSlant = 0.45f;

    public Layout? TryLayout(ClipSpec spec, Random rng)
    {
        int attempts = spec.Category == Category.Numeracy ? Attempts * 4 : Attempts;
        for (int a = 0; a < attempts; a++)
        {
            var tracks = spec.Category switch
            {
                Category.Spatial => Spatial(spec, rng),
                Category.Interaction => Interacting(spec, rng),
                _ => Independent(spec, rng),
            };
            if (tracks is not null && Fits(spec, tracks)) return new Layout(tracks);
        }
        return null;
    }

    /// <summary>Each object placed on its own; null when one of them has no room at all.</summary>
    TrackPoint[][]? Independent(ClipSpec spec, Random rng)
    {
        var tracks = new TrackPoint[spec.Objects.Count][];
        for (int i = 0; i < tracks.Length; i++)
            if (Free(spec.Objects[i], rng) is TrackPoint[] t) tracks[i] = t;
            else return null;
        return tracks;
    }

    /// <summary>The path of <paramref name="o"/> relative to its anchor (start point, or centre for actions), per frame.</summary>
    TrackPoint[] Path(ObjectSpec o, float ax, float ay, Random rng, float? travelOverride = null)
    {
        var g = geometry;
        int n = g.Frames;
        var path = new TrackPoint[n];
        float r = g.Radius(o.Size);
        float travel = travelOverride ?? g.Travel(o.Speed);
        // Spinning direction is drawn here so the same spec can turn either way; the track records it.
        float spin = o.Movement == Movement.Spinning ? (rng.Next(2) == 0 ? 1 : -1) * WorldGeometry.SpinDegrees(o.Speed) : 0;
        for (int f = 0; f < n; f++)
        {
            float t = g.Time(f);
            float x = ax, y = ay, rr = r, angle = 0;
            switch (o.Movement)
            {
                case Movement.Left: x -= travel * t; break;
                case Movement.Right: x += travel * t; break;
                case Movement.Up: y -= travel * t; break;
                case Movement.Down: y += travel * t; break;
                case Movement.Spinning: angle = spin * t; break;
                case Movement.Growing: rr = g.MidRadius * MathF.Pow(WorldGeometry.GrowthRatio(o.Speed), t - 0.5f); break;
                case Movement.Shrinking: rr = g.MidRadius * MathF.Pow(WorldGeometry.GrowthRatio(o.Speed), 0.5f - t); break;
                case Movement.Bouncing: y -= g.BounceHeight * MathF.Abs(MathF.Sin(MathF.PI * WorldGeometry.Bounces(o.Speed) * t)); break;
            }
            path[f] = new TrackPoint(x, y, rr, angle);
        }
        return path;
    }

    /// <summary>How far from its centre an object reaches at a pose: its box, or its visible radius when it turns.</summary>
    float Reach(ObjectSpec o, TrackPoint p) => o.Movement == Movement.Spinning ? p.Radius * art[o.Class].Reach : p.Radius;

    /// <summary>An object anywhere its whole path stays in view: the anchor is drawn from the range that allows.</summary>
    TrackPoint[]? Free(ObjectSpec o, Random rng)
    {
        var rel = Path(o, 0, 0, rng);
        var (lo, hi) = AnchorRange(o, rel);
        if (lo.X > hi.X || lo.Y > hi.Y) return null;
        float ax = lo.X + (float)rng.NextDouble() * (hi.X - lo.X), ay = lo.Y + (float)rng.NextDouble() * (hi.Y - lo.Y);
        return Shift(rel, ax, ay);
    }

    /// <summary>Anchors for which every frame's reach lies inside the frame (half a pixel of margin).</summary>
    ((float X, float Y) Lo, (float X, float Y) Hi) AnchorRange(ObjectSpec o, TrackPoint[] rel)
    {
        float s = geometry.Resolution, m = 0.5f;
        float loX = float.MinValue, loY = float.MinValue, hiX = float.MaxValue, hiY = float.MaxValue;
        foreach (var p in rel)
        {
            float e = Reach(o, p);
            loX = MathF.Max(loX, m + e - p.X); hiX = MathF.Min(hiX, s - m - e - p.X);
            loY = MathF.Max(loY, m + e - p.Y); hiY = MathF.Min(hiY, s - m - e - p.Y);
        }
        return ((loX, loY), (hiX, hiY));
    }

    static TrackPoint[] Shift(TrackPoint[] rel, float ax, float ay) => rel.Select(p => p with { X = p.X + ax, Y = p.Y + ay }).ToArray();

    bool InView(ObjectSpec o, TrackPoint[] track)
    {
        float s = geometry.Resolution;
        foreach (var p in track)
        {
            float e = Reach(o, p);
            if (p.X - e < 0.5f || p.X + e > s - 0.5f || p.Y - e < 0.5f || p.Y + e > s - 0.5f) return false;
        }
        return true;
    }

    /// <summary>Object 0 placed relative to object 1 as the relation says, both still.</summary>
    TrackPoint[][]? Spatial(ClipSpec spec, Random rng)
    {
        var (a, b) = (spec.Objects[0], spec.Objects[1]);
        var tb = Free(b, rng);
        if (tb is null) return null;
        float ra = geometry.Radius(a.Size), rb = geometry.Radius(b.Size);
        float min = ra + rb + geometry.Gap;
        float along = min + (float)rng.NextDouble() * 0.5f * geometry.Resolution;
        float across = ((float)rng.NextDouble() * 2 - 1) * RelationSlant * along;
        var (dx, dy) = spec.Relation switch
        {
            Relation.LeftOf => (-along, across),
            Relation.RightOf => (along, across),
            Relation.Above => (across, -along),
            _ => (across, along),
        };
        var ta = tb.Select(p => new TrackPoint(p.X + dx, p.Y + dy, ra, 0)).ToArray();
        return InView(a, ta) ? new[] { ta, tb } : null;
    }

    /// <summary>Two objects on one line (a little offset across it) closing or opening the gap between them.</summary>
    TrackPoint[][]? Interacting(ClipSpec spec, Random rng)
    {
        var (a, b) = (spec.Objects[0], spec.Objects[1]);
        var g = geometry;
        bool horizontal = a.Movement is Movement.Left or Movement.Right;
        // Object a comes first along the axis (left or top) when it moves towards b, or away from b, that way.
        bool aFirst = spec.Interaction == Interaction.Towards ? a.Movement is Movement.Right or Movement.Down : a.Movement is Movement.Left or Movement.Up;
        float ra = g.Radius(a.Size), rb = g.Radius(b.Size);
        float closest = ra + rb + g.Gap + (float)rng.NextDouble() * 0.08f * g.Resolution;
        float start = spec.Interaction == Interaction.Towards ? closest + 2 * g.InteractionTravel : closest;
        float offset = ((float)rng.NextDouble() * 2 - 1) * 0.06f * g.Resolution;
        // Centre of the pair at the start, drawn from where both whole paths stay in view.
        float spanA = (aFirst ? -1 : 1) * start / 2, spanB = -spanA;
        var pa = Path(a, spanA * (horizontal ? 1 : 0) + (horizontal ? 0 : offset / 2), spanA * (horizontal ? 0 : 1) + (horizontal ? offset / 2 : 0), rng, g.InteractionTravel);
        var pb = Path(b, spanB * (horizontal ? 1 : 0) - (horizontal ? 0 : offset / 2), spanB * (horizontal ? 0 : 1) - (horizontal ? offset / 2 : 0), rng, g.InteractionTravel);
        var (loA, hiA) = AnchorRange(a, pa);
        var (loB, hiB) = AnchorRange(b, pb);
        float loX = MathF.Max(loA.X, loB.X), hiX = MathF.Min(hiA.X, hiB.X), loY = MathF.Max(loA.Y, loB.Y), hiY = MathF.Min(hiA.Y, hiB.Y);
        if (loX > hiX || loY > hiY) return null;
        float cx = loX + (float)rng.NextDouble() * (hiX - loX), cy = loY + (float)rng.NextDouble() * (hiY - loY);
        return new[] { Shift(pa, cx, cy), Shift(pb, cx, cy) };
    }

    /// <summary>Separation between every two objects in every frame, the row cover, and the relation's slant.</summary>
    bool Fits(ClipSpec spec, TrackPoint[][] tracks)
    {
        var g = geometry;
        var o = spec.Objects;
        for (int f = 0; f < g.Frames; f++)
        {
            for (int i = 0; i < tracks.Length; i++)
                for (int j = i + 1; j < tracks.Length; j++)
                {
                    var (p, q) = (tracks[i][f], tracks[j][f]);
                    float need = Reach(o[i], p) + Reach(o[j], q) + g.Gap;
                    if (MathF.Abs(p.X - q.X) < need && MathF.Abs(p.Y - q.Y) < need) return false;
                }
            // Each object's top row meets every box that spans it; their widths must leave most of the row free.
            for (int i = 0; i < tracks.Length; i++)
            {
                float top = tracks[i][f].Y - Reach(o[i], tracks[i][f]);
                float cover = 0;
                for (int j = 0; j < tracks.Length; j++)
                {
                    var q = tracks[j][f];
                    float e = Reach(o[j], q);
                    if (q.Y - e <= top + 1e-3f && q.Y + e >= top) cover += 2 * e;
                }
                if (cover > g.MaxRowCover) return false;
            }
        }
        return true;
    }
}
