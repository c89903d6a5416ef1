namespace VidGen.Data.World2;

/// <summary>
/// Draws clip specs per category from a random source: any spec (<see cref="Draw"/>), or one built around a
/// given held-out combination (<see cref="DrawHeldOut"/>). Training rejects every spec holding a held-out
/// combination, so the two never meet.
/// </summary>
public static class SpecSampler
{
    /// <summary>Share of non-scene clips drawn on black, the default; the rest on one of the four other scenes.</summary>
    public const double BlackShare = 0.5;

    /// <summary>Share of objects whose caption names the size (it may go unsaid).</summary>
    public const double SizeNamedShare = 2.0 / 3;

    /// <summary>A spec of <paramref name="category"/>; it may hold held-out combinations.</summary>
    public static ClipSpec Draw(Category category, Random rng)
    {
        var scene = category == Category.Scene ? Terms.Scenes[rng.Next(Terms.Scenes.Count)] : DrawScene(rng);
        switch (category)
        {
            case Category.Attribute:
                {
                    var a = Still(Thing(rng), rng);
                    var b = Still(ThingUnlike(a, rng), rng);
                    return new ClipSpec(category, scene, new[] { a, b });
                }
            case Category.Dynamic:
                {
                    var shape = Terms.Shapes[rng.Next(Terms.Shapes.Count)];
                    string from = Colour(rng), to = Colour(rng);
                    while (to == from) to = Colour(rng);
                    return new ClipSpec(category, scene, new[] { Still((shape, from), rng) with { ColourTo = to } });
                }
            case Category.Spatial:
                {
                    var a = Still(Thing(rng), rng);
                    var b = Still(ThingUnlike(a, rng), rng);
                    return new ClipSpec(category, scene, new[] { a, b }, Relation: (Relation)rng.Next(4));
                }
            case Category.Motion:
                {
                    var a = Moving(Thing(rng), Terms.Directions[rng.Next(4)], rng);
                    if (rng.NextDouble() < 0.6) return new ClipSpec(category, scene, new[] { a });
                    var b = Moving(ThingUnlike(a, rng), Terms.Directions[rng.Next(4)], rng);
                    return new ClipSpec(category, scene, new[] { a, b });
                }
            case Category.Action:
                {
                    var thing = Thing(rng);
                    var action = Terms.Actions[rng.Next(4)];
                    while (action == Movement.Spinning && !Terms.CanSpin(thing.Class)) action = Terms.Actions[rng.Next(4)];
                    return new ClipSpec(category, scene, new[] { Moving(thing, action, rng) });
                }
            case Category.Interaction:
                {
                    var first = Thing(rng);
                    var second = ThingUnlikeOf(first, rng);
                    return Interacting(scene, first, second, rng);
                }
            case Category.Numeracy:
                {
                    var o = Still(Thing(rng), rng);
                    int count = 1 + rng.Next(3);
                    return new ClipSpec(category, scene, Enumerable.Repeat(o, count).ToArray());
                }
            default:
                {
                    var thing = Thing(rng);
                    var o = rng.NextDouble() < 0.5 ? Still(thing, rng) : Moving(thing, Terms.Directions[rng.Next(4)], rng) with { Speed = Speed.Normal };
                    return new ClipSpec(category, scene, new[] { o });
                }
        }
    }

    /// <summary>
    /// A spec of <paramref name="category"/> holding entry <paramref name="entry"/> of <paramref name="kind"/>'s
    /// held-out list (the rest drawn from <paramref name="rng"/>).
    /// </summary>
    public static ClipSpec DrawHeldOut(Category category, HeldOutKind kind, int entry, Random rng)
    {
        if (!HeldOut.KindsFor(category).Contains(kind)) throw new ArgumentException($"the {Terms.Name(category)} split holds out {string.Join(" or ", HeldOut.KindsFor(category).Select(HeldOut.Name))}, not {HeldOut.Name(kind)}");
        entry %= HeldOut.Entries(kind);
        var scene = category == Category.Scene ? Terms.Scenes[rng.Next(Terms.Scenes.Count)] : DrawScene(rng);
        switch (kind)
        {
            case HeldOutKind.ColourShape:
                {
                    var (colour, shape) = HeldOut.ColourShapes[entry];
                    var a = Still((shape, colour), rng);
                    var b = Still(ThingUnlike(a, rng), rng);
                    return new ClipSpec(category, scene, rng.Next(2) == 0 ? new[] { a, b } : new[] { b, a });
                }
            case HeldOutKind.ObjectPair:
                {
                    var (ca, cb) = HeldOut.ObjectPairs[entry];
                    var (a, b) = ((ca, ColourFor(ca, rng)), (cb, ColourFor(cb, rng)));
                    if (rng.Next(2) == 0) (a, b) = (b, a);
                    if (category == Category.Interaction) return Interacting(scene, a, b, rng);
                    return new ClipSpec(category, scene, new[] { Still(a, rng), Still(b, rng) });
                }
            case HeldOutKind.ColourChange:
                {
                    var (from, to) = HeldOut.ColourChanges[entry];
                    var shape = Terms.Shapes[rng.Next(Terms.Shapes.Count)];
                    return new ClipSpec(category, scene, new[] { Still((shape, from), rng) with { ColourTo = to } });
                }
            case HeldOutKind.ObjectMotion:
                {
                    var (cls, direction) = HeldOut.ObjectMotions[entry];
                    var a = Moving((cls, ColourFor(cls, rng)), direction, rng);
                    if (rng.NextDouble() < 0.6) return new ClipSpec(category, scene, new[] { a });
                    var b = Moving(ThingUnlike(a, rng), Terms.Directions[rng.Next(4)], rng);
                    return new ClipSpec(category, scene, rng.Next(2) == 0 ? new[] { a, b } : new[] { b, a });
                }
            case HeldOutKind.ObjectAction:
                {
                    var (cls, action) = HeldOut.ObjectActions[entry];
                    return new ClipSpec(category, scene, new[] { Moving((cls, ColourFor(cls, rng)), action, rng) });
                }
            case HeldOutKind.RelationTriple:
                {
                    var (ca, relation, cb) = HeldOut.RelationTriples[entry];
                    var a = Still((ca, ColourFor(ca, rng)), rng);
                    var b = Still((cb, ColourFor(cb, rng)), rng);
                    // Said either way round: "a circle left of a square" or "a square right of a circle".
                    return rng.Next(2) == 0
                        ? new ClipSpec(category, scene, new[] { a, b }, Relation: relation)
                        : new ClipSpec(category, scene, new[] { b, a }, Relation: Terms.Inverse(relation));
                }
            case HeldOutKind.ClassCount:
                {
                    var (cls, count) = HeldOut.ClassCounts[entry];
                    var o = Still((cls, ColourFor(cls, rng)), rng);
                    return new ClipSpec(category, scene, Enumerable.Repeat(o, count).ToArray());
                }
            default:
                {
                    var (cls, objectScene) = HeldOut.ObjectScenes[entry];
                    var thing = (cls, ColourFor(cls, rng));
                    var o = rng.NextDouble() < 0.5 ? Still(thing, rng) : Moving(thing, Terms.Directions[rng.Next(4)], rng) with { Speed = Speed.Normal };
                    return new ClipSpec(category, objectScene, new[] { o });
                }
        }
    }

    static Scene DrawScene(Random rng) => rng.NextDouble() < BlackShare ? Scene.Black : Terms.Scenes[1 + rng.Next(Terms.Scenes.Count - 1)];

    static string Colour(Random rng) => Terms.Colours[rng.Next(Terms.Colours.Count)];

    static string? ColourFor(ObjectClass c, Random rng) => Terms.IsShape(c) ? Colour(rng) : null;

    /// <summary>A class and colour: a shape (in a palette colour) half the time, a sprite otherwise.</summary>
    static (ObjectClass Class, string? Colour) Thing(Random rng)
    {
        if (rng.Next(2) == 0) return (Terms.Shapes[rng.Next(Terms.Shapes.Count)], Colour(rng));
        return (Terms.Sprites[rng.Next(Terms.Sprites.Count)], null);
    }

    /// <summary>A thing with another descriptor than <paramref name="other"/>, so the caption tells them apart.</summary>
    static (ObjectClass Class, string? Colour) ThingUnlike(ObjectSpec other, Random rng) => ThingUnlikeOf((other.Class, other.Colour), rng);

    static (ObjectClass Class, string? Colour) ThingUnlikeOf((ObjectClass Class, string? Colour) other, Random rng)
    {
        while (true)
        {
            var t = Thing(rng);
            if (t != other) return t;
        }
    }

    static ObjectSpec Still((ObjectClass Class, string? Colour) t, Random rng) =>
        new(t.Class, t.Colour, (ShapeSize)rng.Next(2), SizeNamed: rng.NextDouble() < SizeNamedShare);

    static ObjectSpec Moving((ObjectClass Class, string? Colour) t, Movement movement, Random rng)
    {
        double u = rng.NextDouble();
        var speed = u < 0.5 ? Speed.Normal : u < 0.75 ? Speed.Slow : Speed.Fast;
        var size = (ShapeSize)rng.Next(2);
        bool named = !Terms.ChangesSize(movement) && rng.NextDouble() < SizeNamedShare;
        return new ObjectSpec(t.Class, t.Colour, size, movement, speed, SizeNamed: named);
    }

    /// <summary>Two objects moving towards each other or apart, along a horizontal (two thirds) or vertical line.</summary>
    static ClipSpec Interacting(Scene scene, (ObjectClass Class, string? Colour) a, (ObjectClass Class, string? Colour) b, Random rng)
    {
        var interaction = (Interaction)rng.Next(2);
        bool horizontal = rng.NextDouble() < 2.0 / 3;
        var (one, other) = horizontal ? (Movement.Left, Movement.Right) : (Movement.Up, Movement.Down);
        if (rng.Next(2) == 0) (one, other) = (other, one);
        var oa = Still(a, rng) with { Movement = one };
        var ob = Still(b, rng) with { Movement = other };
        return new ClipSpec(Category.Interaction, scene, new[] { oa, ob }, Interaction: interaction);
    }
}
