namespace VidGen.Data.World2;

/// <summary>The kinds of combination the world holds out of training, one list each (see <see cref="HeldOut"/>).</summary>
public enum HeldOutKind { ColourShape, ObjectPair, ColourChange, ObjectMotion, ObjectAction, RelationTriple, ClassCount, ObjectScene }

/// <summary>
/// Fixed combinations that never appear in a training clip, in any category: a spec holding one of them is
/// rejected by training and drawn on purpose for the held-out split, where it is scored apart. Every single
/// term stays in training (each colour, class, motion, scene and count is seen with others), so scoring the
/// held-out combinations measures composition rather than memorised clips. Changing a list changes what
/// "held-out" means for every trained model: it is part of the world, like the shapes world's list.
/// </summary>
public static class HeldOut
{
    /// <summary>Shape-colour pairs (attribute binding): each colour once, each shape at least once.</summary>
    public static readonly IReadOnlyList<(string Colour, ObjectClass Shape)> ColourShapes = new[]
    {
        ("red", ObjectClass.Star), ("green", ObjectClass.Heart), ("blue", ObjectClass.Triangle), ("yellow", ObjectClass.Square),
        ("magenta", ObjectClass.Circle), ("cyan", ObjectClass.Star), ("white", ObjectClass.Heart), ("orange", ObjectClass.Square),
    };

    /// <summary>Classes never shown together in one clip (attribute binding and interaction).</summary>
    public static readonly IReadOnlyList<(ObjectClass A, ObjectClass B)> ObjectPairs = new[]
    {
        (ObjectClass.Cat, ObjectClass.Dog), (ObjectClass.Fish, ObjectClass.Boat), (ObjectClass.Car, ObjectClass.Airplane),
        (ObjectClass.Sun, ObjectClass.Balloon), (ObjectClass.Heart, ObjectClass.Flower), (ObjectClass.Square, ObjectClass.House),
    };

    /// <summary>Colour changes (from, to) of the dynamic attribute.</summary>
    public static readonly IReadOnlyList<(string From, string To)> ColourChanges = new[]
    {
        ("red", "blue"), ("green", "magenta"), ("yellow", "cyan"), ("white", "orange"), ("blue", "yellow"),
    };

    /// <summary>Class-direction pairs (motion): each direction twice.</summary>
    public static readonly IReadOnlyList<(ObjectClass Class, Movement Direction)> ObjectMotions = new[]
    {
        (ObjectClass.Cat, Movement.Left), (ObjectClass.Airplane, Movement.Left), (ObjectClass.Dog, Movement.Right), (ObjectClass.Star, Movement.Right),
        (ObjectClass.Bird, Movement.Up), (ObjectClass.Rocket, Movement.Up), (ObjectClass.Fish, Movement.Down), (ObjectClass.Heart, Movement.Down),
    };

    /// <summary>Class-action pairs: each action twice.</summary>
    public static readonly IReadOnlyList<(ObjectClass Class, Movement Action)> ObjectActions = new[]
    {
        (ObjectClass.Cat, Movement.Spinning), (ObjectClass.Square, Movement.Spinning), (ObjectClass.Heart, Movement.Growing), (ObjectClass.Tree, Movement.Growing),
        (ObjectClass.Balloon, Movement.Shrinking), (ObjectClass.Apple, Movement.Shrinking), (ObjectClass.Ball, Movement.Bouncing), (ObjectClass.Dog, Movement.Bouncing),
    };

    /// <summary>(A, relation, B) triples; the same scene said the other way round (B, inverse, A) is held out too.</summary>
    public static readonly IReadOnlyList<(ObjectClass A, Relation Relation, ObjectClass B)> RelationTriples = new[]
    {
        (ObjectClass.Circle, Relation.LeftOf, ObjectClass.Square), (ObjectClass.Star, Relation.Above, ObjectClass.Heart),
        (ObjectClass.Bird, Relation.Below, ObjectClass.Fish), (ObjectClass.Tree, Relation.RightOf, ObjectClass.House),
        (ObjectClass.Apple, Relation.LeftOf, ObjectClass.Balloon), (ObjectClass.Rocket, Relation.Below, ObjectClass.Sun),
    };

    /// <summary>(class, count) pairs of numeracy.</summary>
    public static readonly IReadOnlyList<(ObjectClass Class, int Count)> ClassCounts = new[]
    {
        (ObjectClass.Star, 2), (ObjectClass.Cat, 3), (ObjectClass.Car, 2), (ObjectClass.Apple, 3), (ObjectClass.Tree, 2), (ObjectClass.Heart, 3),
    };

    /// <summary>Class-scene pairs: each non-black scene twice.</summary>
    public static readonly IReadOnlyList<(ObjectClass Class, Scene Scene)> ObjectScenes = new[]
    {
        (ObjectClass.Fish, Scene.Sky), (ObjectClass.House, Scene.Sky), (ObjectClass.Bird, Scene.Sea), (ObjectClass.Circle, Scene.Sea),
        (ObjectClass.Boat, Scene.Grass), (ObjectClass.Star, Scene.Grass), (ObjectClass.Car, Scene.Night), (ObjectClass.Butterfly, Scene.Night),
    };

    /// <summary>The kind the held-out split of <paramref name="category"/> draws from (attribute alternates two).</summary>
    public static IReadOnlyList<HeldOutKind> KindsFor(Category category) => category switch
    {
        Category.Attribute => new[] { HeldOutKind.ColourShape, HeldOutKind.ObjectPair },
        Category.Dynamic => new[] { HeldOutKind.ColourChange },
        Category.Spatial => new[] { HeldOutKind.RelationTriple },
        Category.Motion => new[] { HeldOutKind.ObjectMotion },
        Category.Action => new[] { HeldOutKind.ObjectAction },
        Category.Interaction => new[] { HeldOutKind.ObjectPair },
        Category.Numeracy => new[] { HeldOutKind.ClassCount },
        _ => new[] { HeldOutKind.ObjectScene },
    };

    /// <summary>Number of entries in a kind's list.</summary>
    public static int Entries(HeldOutKind kind) => kind switch
    {
        HeldOutKind.ColourShape => ColourShapes.Count,
        HeldOutKind.ObjectPair => ObjectPairs.Count,
        HeldOutKind.ColourChange => ColourChanges.Count,
        HeldOutKind.ObjectMotion => ObjectMotions.Count,
        HeldOutKind.ObjectAction => ObjectActions.Count,
        HeldOutKind.RelationTriple => RelationTriples.Count,
        HeldOutKind.ClassCount => ClassCounts.Count,
        _ => ObjectScenes.Count,
    };

    /// <summary>Every held-out combination <paramref name="spec"/> contains, by kind (empty: a training spec).</summary>
    public static IReadOnlyList<HeldOutKind> KindsIn(ClipSpec spec)
    {
        var kinds = new List<HeldOutKind>();
        var objects = spec.Objects;
        if (objects.Any(o => o.Colour is not null && (ColourShapes.Contains((o.Colour, o.Class)) || (o.ColourTo is not null && ColourShapes.Contains((o.ColourTo, o.Class))))))
            kinds.Add(HeldOutKind.ColourShape);
        bool pair = false;
        for (int i = 0; i < objects.Count; i++)
            for (int j = i + 1; j < objects.Count; j++)
                pair |= ObjectPairs.Contains((objects[i].Class, objects[j].Class)) || ObjectPairs.Contains((objects[j].Class, objects[i].Class));
        if (pair) kinds.Add(HeldOutKind.ObjectPair);
        if (objects.Any(o => o.Colour is not null && o.ColourTo is not null && ColourChanges.Contains((o.Colour, o.ColourTo))))
            kinds.Add(HeldOutKind.ColourChange);
        if (objects.Any(o => ObjectMotions.Contains((o.Class, o.Movement)))) kinds.Add(HeldOutKind.ObjectMotion);
        if (objects.Any(o => ObjectActions.Contains((o.Class, o.Movement)))) kinds.Add(HeldOutKind.ObjectAction);
        if (spec.Relation is Relation r && objects.Count >= 2
            && (RelationTriples.Contains((objects[0].Class, r, objects[1].Class)) || RelationTriples.Contains((objects[1].Class, Terms.Inverse(r), objects[0].Class))))
            kinds.Add(HeldOutKind.RelationTriple);
        if (spec.Category == Category.Numeracy && ClassCounts.Contains((objects[0].Class, objects.Count))) kinds.Add(HeldOutKind.ClassCount);
        if (objects.Any(o => ObjectScenes.Contains((o.Class, spec.Scene)))) kinds.Add(HeldOutKind.ObjectScene);
        return kinds;
    }

    public static bool Contains(ClipSpec spec) => KindsIn(spec).Count > 0;

    public static string Name(HeldOutKind kind) => kind switch
    {
        HeldOutKind.ColourShape => "colour_shape",
        HeldOutKind.ObjectPair => "object_pair",
        HeldOutKind.ColourChange => "colour_change",
        HeldOutKind.ObjectMotion => "object_motion",
        HeldOutKind.ObjectAction => "object_action",
        HeldOutKind.RelationTriple => "relation_triple",
        HeldOutKind.ClassCount => "class_count",
        _ => "object_scene",
    };
}
