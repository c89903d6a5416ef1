using VidGen.Data.World2;

namespace VidGen.Data;

/// <summary>A few prompts of one kind that a model of a world knows how to follow.</summary>
public sealed record ExampleGroup(string Category, IReadOnlyList<string> Prompts);

/// <summary>
/// Example prompts per category for a world's model: what the web page offers as "what the model knows" (a
/// pretrained encoder has no closed word list to show) and what the gallery draws. Fixed seeds: the same list every
/// time. Canonical wording, training-like combinations; with <c>heldOut</c>, combinations no training clip has.
/// </summary>
public static class WorldExamples
{
    public static IReadOnlyList<ExampleGroup> For(WorldKind world, int perCategory = 3, bool heldOut = false) => world switch
    {
        WorldKind.World2 => Terms.Categories.Select(c => new ExampleGroup(Terms.Name(c), World2Prompts(c, perCategory, heldOut))).ToList(),
        WorldKind.Shapes => new[] { new ExampleGroup("shapes", ShapesPrompts(perCategory, heldOut)) },
        _ => throw new ArgumentOutOfRangeException(nameof(world), world, null),
    };

    static List<string> World2Prompts(Category category, int count, bool heldOut)
    {
        var rng = new Random(Seeds.Mix(0xE8A3 + (int)category, heldOut ? 1 : 0));
        var kinds = HeldOut.KindsFor(category);
        var prompts = new List<string>(count);
        for (int i = 0; prompts.Count < count && i < 100 * count; i++)
        {
            ClipSpec spec;
            if (heldOut) spec = SpecSampler.DrawHeldOut(category, kinds[i % kinds.Count], i / kinds.Count, rng);
            else
            {
                do spec = SpecSampler.Draw(category, rng);
                while (HeldOut.Contains(spec));
            }
            string text = Captions.Write(spec);
            if (!prompts.Contains(text)) prompts.Add(text);
        }
        return prompts;
    }

    static List<string> ShapesPrompts(int count, bool heldOut)
    {
        var specs = ShapesWorld.AllSpecs().Where(s => ShapesWorld.IsHeldOut(s) == heldOut).ToList();
        // Spread over the list (it is ordered by colour, shape, direction) rather than its first few.
        return Enumerable.Range(0, Math.Min(count, specs.Count)).Select(i => specs[(int)((long)i * specs.Count / Math.Min(count, specs.Count))].Caption).ToList();
    }
}
