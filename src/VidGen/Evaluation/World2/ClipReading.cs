using VidGen.Data;
using VidGen.Data.World2;

namespace VidGen.Evaluation.World2;

/// <summary>
/// One object as the judge reads it: the same attributes a spec gives (class, colour and the colour it turns
/// into, size, movement, speed) and its track. <see cref="Colour"/> is null for sprites; <see cref="ColourTo"/>
/// is null unless the colour at the end differs from the start. <see cref="Speed"/> is Normal for still objects.
/// <see cref="FitError"/> is the template's root-mean-square residual per channel on the frames it was fitted to.
/// </summary>
public sealed record ObjectReading(
    ObjectClass Class, string? Colour, string? ColourTo, ShapeSize Size, Movement Movement, Speed Speed,
    IReadOnlyList<TrackPoint> Track, int FramesSeen, float FitError)
{
    public string Descriptor => Colour is null ? Terms.Name(Class) : $"{Colour} {Terms.Name(Class)}";

    /// <summary>Mean centre over the frames (pixels).</summary>
    public (float X, float Y) Centre => (Track.Average(p => p.X), Track.Average(p => p.Y));

    public string Describe() =>
        $"{Terms.Name(Size)} {Descriptor}{(ColourTo is null ? "" : " turning " + ColourTo)} {Terms.Name(Movement)}{(Speed == Speed.Normal ? "" : " " + Terms.Name(Speed))}";
}

/// <summary>What the judge reads in a clip: the scene and the objects (their number is the count).</summary>
public sealed record ClipReading(Scene Scene, IReadOnlyList<ObjectReading> Objects, float SceneError)
{
    public int Count => Objects.Count;

    /// <summary>Where object <paramref name="a"/> is relative to object <paramref name="b"/>: the dominant axis of their mean centres.</summary>
    public Relation RelationOf(int a, int b) => RelationBetween(Objects[a].Centre, Objects[b].Centre);

    public static Relation RelationBetween((float X, float Y) a, (float X, float Y) b)
    {
        float dx = a.X - b.X, dy = a.Y - b.Y;
        return MathF.Abs(dx) >= MathF.Abs(dy) ? (dx < 0 ? Relation.LeftOf : Relation.RightOf) : (dy < 0 ? Relation.Above : Relation.Below);
    }

    /// <summary>
    /// Whether objects <paramref name="a"/> and <paramref name="b"/> close or open the distance between them by at least
    /// <paramref name="minChange"/> pixels from the first to the last frame; null when it changes less.
    /// </summary>
    public Interaction? InteractionOf(int a, int b, float minChange)
    {
        var (ta, tb) = (Objects[a].Track, Objects[b].Track);
        float Distance(int f) => MathF.Sqrt((ta[f].X - tb[f].X) * (ta[f].X - tb[f].X) + (ta[f].Y - tb[f].Y) * (ta[f].Y - tb[f].Y));
        float change = Distance(ta.Count - 1) - Distance(0);
        return change <= -minChange ? Interaction.Towards : change >= minChange ? Interaction.Apart : null;
    }

    public string Describe() => $"{Terms.Name(Scene)}: " + (Objects.Count == 0 ? "nothing" : string.Join("; ", Objects.Select(o => o.Describe())));
}
