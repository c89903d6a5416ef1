using VidGen.Data;
using VidGen.Data.World2;

namespace VidGen.Tests.Data;

public class WorldExamplesTests
{
    [Fact]
    public void World2_examples_give_distinct_fixed_prompts_per_category_in_training_words_and_held_out_ones_apart()
    {
        var seen = WorldExamples.For(WorldKind.World2, 3);
        var held = WorldExamples.For(WorldKind.World2, 3, heldOut: true);
        Assert.Equal(Terms.Categories.Select(Terms.Name), seen.Select(g => g.Category));
        Assert.Equal(Terms.Categories.Select(Terms.Name), held.Select(g => g.Category));
        foreach (var g in seen.Concat(held))
        {
            Assert.Equal(3, g.Prompts.Count);
            Assert.Equal(3, g.Prompts.Distinct().Count());
        }
        // The same list every time, and no held-out prompt is also a seen one.
        Assert.Equal(seen.SelectMany(g => g.Prompts), WorldExamples.For(WorldKind.World2, 3).SelectMany(g => g.Prompts));
        Assert.Empty(seen.SelectMany(g => g.Prompts).Intersect(held.SelectMany(g => g.Prompts)));
        // Canonical wording: every word is one the training captions use (a built-in encoder knows them).
        var tokenizer = VidGen.Text.WordTokenizer.FromCaptions(World2TrainingClips.Vocabulary());
        Assert.All(seen.Concat(held).SelectMany(g => g.Prompts), p => Assert.Empty(tokenizer.UnknownWords(p)));
    }

    [Fact]
    public void Shapes_examples_are_captions_of_the_split_asked_for()
    {
        var seen = Assert.Single(WorldExamples.For(WorldKind.Shapes, 4));
        var held = Assert.Single(WorldExamples.For(WorldKind.Shapes, 4, heldOut: true));
        Assert.Equal(4, seen.Prompts.Distinct().Count());
        var heldCaptions = ShapesWorld.AllSpecs().Where(ShapesWorld.IsHeldOut).Select(s => s.Caption).ToHashSet();
        Assert.All(held.Prompts, p => Assert.Contains(p, heldCaptions));
        Assert.All(seen.Prompts, p => Assert.DoesNotContain(p, heldCaptions));
    }
}
