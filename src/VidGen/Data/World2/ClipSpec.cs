using VidGen.Media;

namespace VidGen.Data.World2;

/// <summary>
/// One object as a caption describes it. <see cref="Colour"/> is a palette name for shapes and null for sprites
/// (they keep the artwork's colours); <see cref="ColourTo"/> is the colour a shape turns into over the clip (the
/// dynamic attribute), null when it keeps its colour. <see cref="SizeNamed"/> says whether the caption names the
/// size (it is always drawn at one; growing and shrinking objects never name it).
/// </summary>
public sealed record ObjectSpec(
    ObjectClass Class, string? Colour, ShapeSize Size,
    Movement Movement = Movement.Still, Speed Speed = Speed.Normal,
    string? ColourTo = null, bool SizeNamed = true)
{
    /// <summary>Class and colour: what must be bound together for the object to count as the one asked for.</summary>
    public string Descriptor => Colour is null ? Terms.Name(Class) : $"{Colour} {Terms.Name(Class)}";

    /// <summary>One line naming what is wrong, or null when the object is well formed.</summary>
    public string? Problem()
    {
        if (Terms.IsShape(Class))
        {
            if (Colour is null) return $"a {Terms.Name(Class)} needs a colour";
            if (!Terms.Colours.Contains(Colour)) return $"unknown colour '{Colour}'";
            if (ColourTo is not null && !Terms.Colours.Contains(ColourTo)) return $"unknown colour '{ColourTo}'";
            if (ColourTo == Colour) return $"a {Descriptor} cannot turn into its own colour";
        }
        else if (Colour is not null || ColourTo is not null) return $"a {Terms.Name(Class)} is drawn in its own colours; it takes no colour";
        if (Movement == Movement.Spinning && !Terms.CanSpin(Class)) return "a circle spinning looks the same as a still one";
        if (Movement == Movement.Still && Speed != Speed.Normal) return "a still object has no speed";
        if (Terms.ChangesSize(Movement) && SizeNamed) return $"a {Terms.Name(Movement)} object changes size, so its size cannot be named";
        return null;
    }
}

/// <summary>
/// What one clip shows, as its caption says it: the category it tests, the scene, the objects (for numeracy, the
/// identical copies), and the relation between object 0 and object 1 (spatial) or their interaction.
/// Where each object is comes from a <see cref="Layout"/> drawn for the spec.
/// </summary>
public sealed record ClipSpec(
    Category Category, Scene Scene, IReadOnlyList<ObjectSpec> Objects,
    Relation? Relation = null, Interaction? Interaction = null)
{
    public int Count => Objects.Count;

    /// <summary>One line naming what is wrong, or null when the spec is well formed.</summary>
    public string? Problem()
    {
        if (Objects.Count is < 1 or > 3) return $"a clip shows 1 to 3 objects (got {Objects.Count})";
        foreach (var o in Objects)
            if (o.Problem() is string p) return p;
        if (Objects.Any(o => o.ColourTo is not null) && Category != Category.Dynamic) return "only dynamic-attribute clips change colour";
        int expected = Category switch
        {
            Category.Attribute or Category.Spatial or Category.Interaction => 2,
            Category.Dynamic or Category.Action or Category.Scene => 1,
            Category.Motion => Objects.Count is 1 or 2 ? Objects.Count : -1,
            _ => Objects.Count,
        };
        if (Objects.Count != expected) return $"a {Terms.Name(Category)} clip cannot show {Objects.Count} objects";
        if ((Category == Category.Spatial) != (Relation is not null)) return "spatial clips, and only they, have a relation";
        if ((Category == Category.Interaction) != (Interaction is not null)) return "interaction clips, and only they, have an interaction";
        switch (Category)
        {
            case Category.Dynamic when Objects[0].ColourTo is null: return "a dynamic-attribute clip needs a colour change";
            case Category.Motion when Objects.Any(o => !Terms.IsTranslation(o.Movement)): return "every object of a motion clip moves left, right, up or down";
            case Category.Action when !Terms.IsAction(Objects[0].Movement): return "an action clip's object spins, grows, shrinks or bounces";
            case Category.Numeracy when Objects.Any(o => o != Objects[0]): return "the objects of a numeracy clip are identical";
            case Category.Numeracy or Category.Attribute or Category.Spatial or Category.Dynamic when Objects.Any(o => o.Movement != Movement.Still):
                return $"the objects of a {Terms.Name(Category)} clip stand still";
            case Category.Interaction:
                var (a, b) = (Objects[0].Movement, Objects[1].Movement);
                bool opposite = (a, b) is (Movement.Left, Movement.Right) or (Movement.Right, Movement.Left) or (Movement.Up, Movement.Down) or (Movement.Down, Movement.Up);
                if (!opposite || Objects.Any(o => o.Speed != Speed.Normal)) return "the two objects of an interaction clip move in opposite directions at normal speed";
                break;
            case Category.Scene when Objects[0].Movement is not (Movement.Still or Movement.Left or Movement.Right or Movement.Up or Movement.Down) || Objects[0].Speed != Speed.Normal:
                return "a scene clip's object stands still or moves at normal speed";
        }
        if (Category is Category.Attribute or Category.Spatial or Category.Interaction && Objects[0].Descriptor == Objects[1].Descriptor)
            return "the two objects must differ in class or colour, or the caption could not tell them apart";
        return null;
    }

    public ClipSpec Validated() => Problem() is string p ? throw new ArgumentException($"clip spec: {p}") : this;
}

/// <summary>
/// One frame of an object's path: the centre (pixels, x right, y down, pixel centres at +0.5), the half side of
/// its square box (pixels; the artwork or shape fills the box), and its rotation (degrees, clockwise on screen).
/// </summary>
public readonly record struct TrackPoint(float X, float Y, float Radius, float Angle);

/// <summary>Where every object of a spec is in every frame: Tracks[object][frame].</summary>
public sealed record Layout(IReadOnlyList<TrackPoint[]> Tracks);

/// <summary>A rendered clip: the spec, its layout, the caption it was given and the frames.</summary>
public sealed record World2Clip(ClipSpec Spec, Layout Layout, string Caption, Video Video)
{
    public IReadOnlyList<HeldOutKind> HeldOutKinds => HeldOut.KindsIn(Spec);
    public bool IsHeldOut => HeldOutKinds.Count > 0;
}
