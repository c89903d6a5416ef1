using VidGen.Data;
using VidGen.Data.World2;
using VidGen.Text;

namespace VidGen.Tests.Data.World2;

public class CaptionGrammarTests
{
    static ObjectSpec Shape(ObjectClass c, string colour, ShapeSize size = ShapeSize.Small, Movement m = Movement.Still, Speed s = Speed.Normal) =>
        new(c, colour, size, m, s, SizeNamed: !Terms.ChangesSize(m));

    static ObjectSpec Sprite(ObjectClass c, ShapeSize size = ShapeSize.Large, Movement m = Movement.Still, Speed s = Speed.Normal) =>
        new(c, null, size, m, s, SizeNamed: !Terms.ChangesSize(m));

    /// <summary>The canonical form of every category, as README documents it.</summary>
    public static IEnumerable<object[]> Canonical() => new[]
    {
        new object[] { new ClipSpec(Category.Attribute, Scene.Black, new[] { Shape(ObjectClass.Circle, "red"), Sprite(ObjectClass.Cat) }), "a small red circle and a large cat" },
        new object[] { new ClipSpec(Category.Dynamic, Scene.Black, new[] { Shape(ObjectClass.Square, "red", ShapeSize.Large) with { ColourTo = "blue" } }), "a large red square turning blue" },
        new object[] { new ClipSpec(Category.Spatial, Scene.Black, new[] { Sprite(ObjectClass.Cat, ShapeSize.Small), Shape(ObjectClass.Circle, "red", ShapeSize.Large) }, Relation.LeftOf), "a small cat to the left of a large red circle" },
        new object[] { new ClipSpec(Category.Motion, Scene.Black, new[] { Sprite(ObjectClass.Dog, m: Movement.Left, s: Speed.Fast) }), "a large dog moving left quickly" },
        new object[] { new ClipSpec(Category.Motion, Scene.Black, new[] { Sprite(ObjectClass.Dog, m: Movement.Left, s: Speed.Fast), Shape(ObjectClass.Star, "blue", m: Movement.Up) }), "a large dog moving left quickly and a small blue star moving up" },
        new object[] { new ClipSpec(Category.Action, Scene.Black, new[] { Shape(ObjectClass.Star, "green", m: Movement.Spinning, s: Speed.Slow) }), "a small green star spinning slowly" },
        new object[] { new ClipSpec(Category.Action, Scene.Black, new[] { Sprite(ObjectClass.Apple, m: Movement.Growing) }), "an apple growing" },
        new object[] { new ClipSpec(Category.Interaction, Scene.Black, new[] { Sprite(ObjectClass.Cat, ShapeSize.Small, Movement.Right), Sprite(ObjectClass.Dog, ShapeSize.Large, Movement.Left) }, Interaction: Interaction.Towards), "a small cat and a large dog moving towards each other" },
        new object[] { new ClipSpec(Category.Interaction, Scene.Sea, new[] { Sprite(ObjectClass.Fish, ShapeSize.Small, Movement.Left), Shape(ObjectClass.Heart, "orange", ShapeSize.Small, Movement.Right) }, Interaction: Interaction.Apart), "a small fish and a small orange heart moving apart under the sea" },
        new object[] { new ClipSpec(Category.Numeracy, Scene.Black, Enumerable.Repeat(Shape(ObjectClass.Triangle, "green"), 3).ToArray()), "three small green triangles" },
        new object[] { new ClipSpec(Category.Numeracy, Scene.Grass, new[] { Sprite(ObjectClass.Butterfly) }), "one large butterfly on the grass" },
        new object[] { new ClipSpec(Category.Scene, Scene.Sea, new[] { Sprite(ObjectClass.Fish, ShapeSize.Small, Movement.Right) }), "a small fish moving right under the sea" },
        new object[] { new ClipSpec(Category.Scene, Scene.Black, new[] { Shape(ObjectClass.Heart, "orange", ShapeSize.Large) }), "a large orange heart on a black background" },
        new object[] { new ClipSpec(Category.Attribute, Scene.Night, new[] { Shape(ObjectClass.Circle, "orange") with { SizeNamed = false }, Sprite(ObjectClass.Airplane) with { SizeNamed = false } }), "an orange circle and an airplane at night" },
        new object[] { new ClipSpec(Category.Spatial, Scene.Sky, new[] { Sprite(ObjectClass.Sun), Sprite(ObjectClass.House) }, Relation.Above), "a large sun above a large house in the sky" },
    };

    [Theory]
    [MemberData(nameof(Canonical))]
    public void Each_category_has_one_canonical_form(ClipSpec spec, string caption)
    {
        Assert.Null(spec.Problem());
        Assert.Equal(caption, Captions.Write(spec));
    }

    static IEnumerable<ClipSpec> TrainingSpecs(int n, int seed)
    {
        var rng = new Random(seed);
        for (int i = 0; i < n; i++)
        {
            var spec = SpecSampler.Draw(Terms.Categories[i % Terms.Categories.Count], rng);
            if (!HeldOut.Contains(spec)) yield return spec;
        }
    }

    [Fact]
    public void Varied_captions_use_every_training_form_and_no_free_word()
    {
        var rng = new Random(11);
        var captions = TrainingSpecs(12000, 3).Select(s => Captions.Write(s, CaptionStyle.Varied, rng)).ToList();
        var text = " " + string.Join(" | ", captions) + " ";
        // Every training phrase of every term appears at least once.
        var phrases = Lexicon.TrainingPhrases().Select(p => p.Trim()).Where(p => p != "a an the is are with" && !p.StartsWith("changing from", StringComparison.Ordinal)).Append("changing from");
        var missing = phrases.Where(p => !text.Contains(" " + p + " ", StringComparison.Ordinal) && !text.Contains(" " + p + ",", StringComparison.Ordinal)).ToList();
        Assert.True(missing.Count == 0, "never said: " + string.Join(", ", missing));
        // No free word ever does.
        var free = Lexicon.FreeWords().ToHashSet();
        var leaked = captions.SelectMany(WordTokenizer.Words).Where(free.Contains).Distinct().ToList();
        Assert.True(leaked.Count == 0, "free words in training captions: " + string.Join(", ", leaked));
        // Word orders and optional parts vary: scenes in front, openings, "the", no article, swapped objects.
        Assert.Contains(captions, c => c.StartsWith("in the sky, ", StringComparison.Ordinal) || c.StartsWith("under the sea, ", StringComparison.Ordinal));
        Assert.Contains(captions, c => c.StartsWith("there is ", StringComparison.Ordinal));
        Assert.Contains(captions, c => c.StartsWith("there are ", StringComparison.Ordinal));
        Assert.Contains(captions, c => c.StartsWith("the ", StringComparison.Ordinal));
        Assert.Contains(captions, c => c.Contains(" quickly moving ", StringComparison.Ordinal) || c.Contains(" slowly moving ", StringComparison.Ordinal));
        Assert.Contains(captions, c => c.Contains(" changing from ", StringComparison.Ordinal));
        Assert.Contains(captions, c => c.Contains(" while ", StringComparison.Ordinal));
        Assert.DoesNotContain(captions, c => c.Contains(" fast moving", StringComparison.Ordinal));
        Assert.DoesNotContain(captions, c => c.Contains("  ", StringComparison.Ordinal) || c != c.Trim());
        Assert.DoesNotContain(captions, c => c.Contains(" a orange", StringComparison.Ordinal) || c.StartsWith("a apple", StringComparison.Ordinal) || c.Contains(" a apple", StringComparison.Ordinal));
    }

    [Fact]
    public void Varied_captions_are_deterministic_from_the_random_source()
    {
        var specs = TrainingSpecs(40, 5).ToList();
        var a = specs.Select(s => Captions.Write(s, CaptionStyle.Varied, new Random(1))).ToList();
        var b = specs.Select(s => Captions.Write(s, CaptionStyle.Varied, new Random(1))).ToList();
        Assert.Equal(a, b);
        Assert.Throws<ArgumentException>(() => Captions.Write(specs[0], CaptionStyle.Varied));
    }

    [Fact]
    public void Free_words_never_appear_in_training_and_the_free_style_says_them()
    {
        var free = Lexicon.FreeWords();
        foreach (var w in new[] { "crimson", "kitten", "drifting", "underwater", "twirling", "couple", "soccer" })
            Assert.Contains(w, free);
        var training = Lexicon.TrainingPhrases().SelectMany(WordTokenizer.Words).ToHashSet();
        Assert.DoesNotContain(free, training.Contains);
        Assert.Contains("ball", training); // "soccer ball" is free only by "soccer"
        Assert.DoesNotContain("ball", free);

        var spec = new ClipSpec(Category.Motion, Scene.Sea, new[] { Shape(ObjectClass.Circle, "red", m: Movement.Left), Sprite(ObjectClass.Cat, m: Movement.Right, s: Speed.Fast) });
        var rng = new Random(3);
        for (int i = 0; i < 20; i++)
        {
            string caption = Captions.Write(spec, CaptionStyle.Free, rng);
            var words = WordTokenizer.Words(caption).ToHashSet();
            Assert.True(words.Overlaps(new[] { "crimson", "scarlet" }), caption);
            Assert.True(words.Overlaps(new[] { "dot", "orb" }), caption);
            Assert.Contains("kitten", words);
            Assert.True(words.Overlaps(new[] { "rapidly", "swiftly" }), caption);
            Assert.True(words.Overlaps(new[] { "underwater", "waves" }), caption);
        }
    }

    [Fact]
    public void Every_training_word_is_in_the_vocabulary_training_sees()
    {
        var vocabulary = World2TrainingClips.Vocabulary().SelectMany(WordTokenizer.Words).ToHashSet();
        var rng = new Random(8);
        var words = TrainingSpecs(3000, 9).SelectMany(s => WordTokenizer.Words(Captions.Write(s, CaptionStyle.Varied, rng))).ToHashSet();
        Assert.DoesNotContain(words, w => !vocabulary.Contains(w));
        Assert.DoesNotContain(Lexicon.FreeWords(), vocabulary.Contains);
    }
}
