namespace VidGen.Data.World2;

/// <summary>What an object is: five geometric shapes (drawn in a palette colour) and sixteen emoji sprites (their own colours).</summary>
public enum ObjectClass
{
    Circle, Square, Triangle, Star, Heart,
    Cat, Dog, Fish, Bird, Car, Rocket, Apple, Flower, Tree, House, Sun, Balloon, Ball, Boat, Airplane, Butterfly,
}

/// <summary>How an object moves: still, one of four translations, or one of four actions done in place.</summary>
public enum Movement { Still, Left, Right, Up, Down, Spinning, Growing, Shrinking, Bouncing }

/// <summary>Speed of a movement. Normal is what a caption without a speed word means.</summary>
public enum Speed { Normal, Slow, Fast }

/// <summary>The background. Black is the default: a caption that names no scene means black.</summary>
public enum Scene { Black, Sky, Grass, Sea, Night }

/// <summary>Where the first object is relative to the second.</summary>
public enum Relation { LeftOf, RightOf, Above, Below }

/// <summary>Two objects moving towards each other or apart.</summary>
public enum Interaction { Towards, Apart }

/// <summary>
/// What a clip tests, after T2V-CompBench's categories (consistent attribute binding, dynamic attribute, spatial
/// relation, motion, action, interaction, numeracy) plus the scene.
/// </summary>
public enum Category { Attribute, Dynamic, Spatial, Motion, Action, Interaction, Numeracy, Scene }

/// <summary>Facts about the terms that every part of the world agrees on.</summary>
public static class Terms
{
    public static IReadOnlyList<ObjectClass> Classes { get; } = Enum.GetValues<ObjectClass>();
    public static IReadOnlyList<ObjectClass> Shapes { get; } = Classes.Where(IsShape).ToArray();
    public static IReadOnlyList<ObjectClass> Sprites { get; } = Classes.Where(c => !IsShape(c)).ToArray();
    public static IReadOnlyList<Category> Categories { get; } = Enum.GetValues<Category>();
    public static IReadOnlyList<Scene> Scenes { get; } = Enum.GetValues<Scene>();

    /// <summary>Translations (the "motion" category) in caption order.</summary>
    public static IReadOnlyList<Movement> Directions { get; } = new[] { Movement.Left, Movement.Right, Movement.Up, Movement.Down };

    /// <summary>Movements done in place (the "action" category).</summary>
    public static IReadOnlyList<Movement> Actions { get; } = new[] { Movement.Spinning, Movement.Growing, Movement.Shrinking, Movement.Bouncing };

    public static bool IsShape(ObjectClass c) => c <= ObjectClass.Heart;
    public static bool IsTranslation(Movement m) => m is Movement.Left or Movement.Right or Movement.Up or Movement.Down;
    public static bool IsAction(Movement m) => m is Movement.Spinning or Movement.Growing or Movement.Shrinking or Movement.Bouncing;

    /// <summary>Growing and shrinking change the size over the clip, so no size word is said for them.</summary>
    public static bool ChangesSize(Movement m) => m is Movement.Growing or Movement.Shrinking;

    /// <summary>A circle looks the same at every angle: spinning it would not show, so the world never asks for it.</summary>
    public static bool CanSpin(ObjectClass c) => c != ObjectClass.Circle;

    public static Relation Inverse(Relation r) => r switch
    {
        Relation.LeftOf => Relation.RightOf,
        Relation.RightOf => Relation.LeftOf,
        Relation.Above => Relation.Below,
        _ => Relation.Above,
    };

    /// <summary>The shapes world's palette (names and RGB in [0, 1]); shapes take one of these colours.</summary>
    public static IReadOnlyList<string> Colours => ShapesWorld.Colours;

    public static (float R, float G, float B) Rgb(string colour)
    {
        foreach (var p in ShapesWorld.Palette)
            if (p.Name == colour) return (p.R, p.G, p.B);
        throw new ArgumentException($"unknown colour '{colour}'; use one of {string.Join(", ", Colours)}");
    }

    /// <summary>Lower-case names as captions, JSON and the command line write them.</summary>
    public static string Name(ObjectClass c) => c.ToString().ToLowerInvariant();
    public static string Name(Movement m) => m.ToString().ToLowerInvariant();
    public static string Name(Speed s) => s.ToString().ToLowerInvariant();
    public static string Name(Category c) => c.ToString().ToLowerInvariant();
    public static string Name(Interaction i) => i.ToString().ToLowerInvariant();
    public static string Name(ShapeSize s) => s.ToString().ToLowerInvariant();

    public static string Name(Scene s) => s switch { Scene.Sea => "sea", _ => s.ToString().ToLowerInvariant() };

    public static string Name(Relation r) => r switch
    {
        Relation.LeftOf => "left_of",
        Relation.RightOf => "right_of",
        Relation.Above => "above",
        _ => "below",
    };

    public static Category ParseCategory(string text) =>
        Enum.TryParse<Category>(text.Trim(), ignoreCase: true, out var c) && !int.TryParse(text, out _)
            ? c
            : throw new ArgumentException($"--category {text}: use one of {string.Join(", ", Categories.Select(Name))}");
}
