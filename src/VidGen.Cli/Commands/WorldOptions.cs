using System.CommandLine;
using VidGen.Data.World2;

namespace VidGen.Cli.Commands;

/// <summary>
/// The options that choose a world and shape the second one, defined once for `train`, `eval` and `dataset world2`
/// (--world, --category, --emoji-font), and how a command reads them. Each command makes its own instances, since
/// an option belongs to one command; the names, texts and defaults come from here.
/// </summary>
public static class WorldOptions
{
    public const string Shapes = "shapes", World2 = "world2";

    /// <summary>--world: shapes (the default) or world2; <paramref name="note"/> adds what the command does with the second.</summary>
    public static Option<string> World(string note = "") => new("--world")
    {
        Description = $"{Shapes} (one object, 32x32x8) | {World2} (the compositional world, {Default.Resolution}x{Default.Resolution}x{Default.Frames}{note})",
        DefaultValueFactory = _ => Shapes,
    };

    /// <summary>--category: one of the second world's categories (none: all); <paramref name="prefix"/> marks it as world2's in a shared command's help.</summary>
    public static Option<string?> Category(string prefix = "") => new("--category")
    {
        Description = $"{prefix}only this category: {string.Join(", ", Terms.Categories.Select(Terms.Name))} (default: all)",
    };

    /// <summary>--emoji-font: where the sprites come from.</summary>
    public static Option<string?> EmojiFont(string prefix = "") => new("--emoji-font")
    {
        Description = $"{prefix}the colour emoji font the sprites come from (default ${Data.World2.EmojiFont.EnvironmentVariable}, else {Data.World2.EmojiFont.DefaultPath})",
    };

    /// <summary>The second world's default clip size and rate (64x64, 16 frames at 8 fps).</summary>
    public static WorldGeometry Default { get; } = new();

    /// <summary>Whether --world names the second world (shapes, the default, does not); anything else is a one-line error.</summary>
    public static bool IsWorld2(string world) => world.Trim().ToLowerInvariant() switch
    {
        Shapes => false,
        World2 => true,
        _ => throw new ArgumentException($"--world {world}: use {Shapes} or {World2}"),
    };

    /// <summary>The category --category names, or null for all.</summary>
    public static Category? ParseCategory(ParseResult r, Option<string?> category) => r.GetValue(category) is string c ? Terms.ParseCategory(c) : null;
}
