namespace VidGen.Data.World2;

/// <summary>
/// The words of the caption grammar. Each term has its training forms (the first is canonical) and its free
/// forms: synonyms that never appear in a training caption, kept for testing whether a model with a pretrained
/// text encoder follows words it never saw ("crimson", "kitten", "drifting", "underwater").
/// </summary>
public static class Lexicon
{
    /// <summary>A term's ways of being said: training forms (first canonical) and free forms (never in training).</summary>
    public sealed record Forms(string[] Training, string[] Free);

    static Forms F(string[] training, params string[] free) => new(training, free);

    /// <summary>(singular, plural) nouns per class.</summary>
    public sealed record Noun((string One, string Many)[] Training, (string One, string Many)[] Free);

    public static readonly IReadOnlyDictionary<ObjectClass, Noun> Nouns = new Dictionary<ObjectClass, Noun>
    {
        [ObjectClass.Circle] = new(new[] { ("circle", "circles"), ("disc", "discs") }, new[] { ("dot", "dots"), ("orb", "orbs") }),
        [ObjectClass.Square] = new(new[] { ("square", "squares"), ("box", "boxes") }, new[] { ("block", "blocks") }),
        [ObjectClass.Triangle] = new(new[] { ("triangle", "triangles") }, new[] { ("wedge", "wedges") }),
        [ObjectClass.Star] = new(new[] { ("star", "stars") }, new[] { ("pentagram", "pentagrams") }),
        [ObjectClass.Heart] = new(new[] { ("heart", "hearts") }, new[] { ("valentine", "valentines") }),
        [ObjectClass.Cat] = new(new[] { ("cat", "cats"), ("kitty", "kitties") }, new[] { ("kitten", "kittens") }),
        [ObjectClass.Dog] = new(new[] { ("dog", "dogs"), ("puppy", "puppies") }, new[] { ("hound", "hounds") }),
        [ObjectClass.Fish] = new(new[] { ("fish", "fish") }, new[] { ("minnow", "minnows") }),
        [ObjectClass.Bird] = new(new[] { ("bird", "birds") }, new[] { ("sparrow", "sparrows") }),
        [ObjectClass.Car] = new(new[] { ("car", "cars"), ("automobile", "automobiles") }, new[] { ("sedan", "sedans") }),
        [ObjectClass.Rocket] = new(new[] { ("rocket", "rockets"), ("spaceship", "spaceships") }, new[] { ("spacecraft", "spacecraft") }),
        [ObjectClass.Apple] = new(new[] { ("apple", "apples") }, new[] { ("fruit", "fruits") }),
        [ObjectClass.Flower] = new(new[] { ("flower", "flowers"), ("tulip", "tulips") }, new[] { ("blossom", "blossoms") }),
        [ObjectClass.Tree] = new(new[] { ("tree", "trees") }, new[] { ("oak", "oaks") }),
        [ObjectClass.House] = new(new[] { ("house", "houses"), ("home", "homes") }, new[] { ("cottage", "cottages") }),
        [ObjectClass.Sun] = new(new[] { ("sun", "suns") }, new[] { ("sunburst", "sunbursts") }),
        [ObjectClass.Balloon] = new(new[] { ("balloon", "balloons") }, new[] { ("party balloon", "party balloons") }),
        [ObjectClass.Ball] = new(new[] { ("ball", "balls"), ("football", "footballs") }, new[] { ("soccer ball", "soccer balls") }),
        [ObjectClass.Boat] = new(new[] { ("boat", "boats"), ("sailboat", "sailboats") }, new[] { ("yacht", "yachts") }),
        [ObjectClass.Airplane] = new(new[] { ("airplane", "airplanes"), ("plane", "planes") }, new[] { ("jet", "jets"), ("aeroplane", "aeroplanes") }),
        [ObjectClass.Butterfly] = new(new[] { ("butterfly", "butterflies") }, new[] { ("moth", "moths") }),
    };

    public static readonly IReadOnlyDictionary<string, Forms> Colours = new Dictionary<string, Forms>
    {
        ["red"] = F(new[] { "red" }, "crimson", "scarlet"),
        ["green"] = F(new[] { "green" }, "emerald", "lime"),
        ["blue"] = F(new[] { "blue" }, "azure", "cobalt"),
        ["yellow"] = F(new[] { "yellow" }, "golden", "lemon"),
        ["magenta"] = F(new[] { "magenta", "pink" }, "fuchsia"),
        ["cyan"] = F(new[] { "cyan" }, "turquoise", "aqua"),
        ["white"] = F(new[] { "white" }, "ivory", "snowy"),
        ["orange"] = F(new[] { "orange" }, "amber", "tangerine"),
    };

    public static readonly IReadOnlyDictionary<ShapeSize, Forms> Sizes = new Dictionary<ShapeSize, Forms>
    {
        [ShapeSize.Small] = F(new[] { "small", "little" }, "tiny", "miniature"),
        [ShapeSize.Large] = F(new[] { "large", "big" }, "huge", "giant"),
    };

    /// <summary>The verb before a direction ("moving left").</summary>
    public static readonly Forms MoveVerbs = F(new[] { "moving", "going", "sliding" }, "drifting", "gliding", "travelling");

    public static readonly IReadOnlyDictionary<Movement, Forms> DirectionWords = new Dictionary<Movement, Forms>
    {
        [Movement.Left] = F(new[] { "left", "to the left" }, "leftwards"),
        [Movement.Right] = F(new[] { "right", "to the right" }, "rightwards"),
        [Movement.Up] = F(new[] { "up", "upwards" }, "skywards"),
        [Movement.Down] = F(new[] { "down", "downwards" }, "earthwards"),
    };

    /// <summary>Whole free phrases for a vertical motion, said instead of verb + direction.</summary>
    public static readonly IReadOnlyDictionary<Movement, string[]> FreeVerticalPhrases = new Dictionary<Movement, string[]>
    {
        [Movement.Up] = new[] { "rising", "ascending" },
        [Movement.Down] = new[] { "sinking", "descending" },
    };

    public static readonly IReadOnlyDictionary<Movement, Forms> ActionWords = new Dictionary<Movement, Forms>
    {
        [Movement.Spinning] = F(new[] { "spinning", "rotating" }, "twirling", "whirling"),
        [Movement.Growing] = F(new[] { "growing", "getting bigger" }, "expanding", "swelling"),
        [Movement.Shrinking] = F(new[] { "shrinking", "getting smaller" }, "dwindling", "contracting"),
        [Movement.Bouncing] = F(new[] { "bouncing", "hopping" }, "jumping", "leaping"),
    };

    public static readonly Forms StillWords = F(new[] { "standing still", "not moving", "staying still" }, "motionless", "stationary");

    public static readonly IReadOnlyDictionary<Speed, Forms> SpeedWords = new Dictionary<Speed, Forms>
    {
        [Speed.Slow] = F(new[] { "slowly" }, "leisurely", "sluggishly"),
        [Speed.Fast] = F(new[] { "quickly", "fast" }, "rapidly", "swiftly"),
    };

    /// <summary>Colour-change phrases; {0} is the new colour (the object's own colour comes before the noun).</summary>
    public static readonly Forms ChangeTo = F(new[] { "turning {0}", "changing to {0}", "becoming {0}" }, "fading to {0}", "shifting to {0}");

    /// <summary>The form that names both colours after the noun; {0} old, {1} new.</summary>
    public const string ChangeFromTo = "changing from {0} to {1}";

    public static readonly IReadOnlyDictionary<Relation, Forms> RelationWords = new Dictionary<Relation, Forms>
    {
        [Relation.LeftOf] = F(new[] { "to the left of", "left of" }, "on the left side of"),
        [Relation.RightOf] = F(new[] { "to the right of", "right of" }, "on the right side of"),
        [Relation.Above] = F(new[] { "above", "over" }, "on top of", "higher than"),
        [Relation.Below] = F(new[] { "below", "beneath" }, "underneath", "lower than"),
    };

    public static readonly IReadOnlyDictionary<Interaction, Forms> InteractionWords = new Dictionary<Interaction, Forms>
    {
        [Interaction.Towards] = F(new[] { "moving towards each other", "approaching each other", "coming together" }, "converging", "drawing closer"),
        [Interaction.Apart] = F(new[] { "moving apart", "moving away from each other", "separating" }, "diverging", "parting"),
    };

    public static readonly IReadOnlyDictionary<Scene, Forms> SceneWords = new Dictionary<Scene, Forms>
    {
        [Scene.Black] = F(new[] { "on a black background", "on black" }, "on a dark background", "in darkness"),
        [Scene.Sky] = F(new[] { "in the sky", "in a blue sky" }, "among the clouds", "in the heavens"),
        [Scene.Grass] = F(new[] { "on the grass", "on a green field", "in a field" }, "on a lawn", "in a meadow"),
        [Scene.Sea] = F(new[] { "under the sea", "in the sea", "in the ocean" }, "underwater", "beneath the waves"),
        [Scene.Night] = F(new[] { "at night", "in the night" }, "after dark", "at midnight"),
    };

    /// <summary>Counts before a plural noun (one takes the singular).</summary>
    public static readonly IReadOnlyDictionary<int, Forms> CountWords = new Dictionary<int, Forms>
    {
        [1] = F(new[] { "one" }, "a single"),
        [2] = F(new[] { "two", "a pair of" }, "a couple of", "2"),
        [3] = F(new[] { "three" }, "a trio of", "3"),
    };

    /// <summary>Optional openings of a training caption.</summary>
    public static readonly string[] Openings = { "there is", "a video of", "a clip of" };

    /// <summary>"there is" before a count above one.</summary>
    public const string PluralOpening = "there are";

    /// <summary>The articles a noun phrase may start with (or none).</summary>
    public static readonly string[] Articles = { "a", "an", "the" };

    /// <summary>Words joining two objects' clauses.</summary>
    public static readonly string[] Joins = { "and", "while" };

    /// <summary>Every phrase a training or canonical caption can use (for the tokenizer's vocabulary).</summary>
    public static IEnumerable<string> TrainingPhrases()
    {
        foreach (var n in Nouns.Values) foreach (var (one, many) in n.Training) { yield return one; yield return many; }
        IEnumerable<Forms> all = Colours.Values.Concat(Sizes.Values).Append(MoveVerbs).Concat(DirectionWords.Values).Concat(ActionWords.Values)
            .Append(StillWords).Concat(SpeedWords.Values).Append(ChangeTo).Concat(RelationWords.Values).Concat(InteractionWords.Values)
            .Concat(SceneWords.Values).Concat(CountWords.Values);
        foreach (var f in all) foreach (var t in f.Training) yield return t.Replace("{0}", "");
        yield return ChangeFromTo.Replace("{0}", "").Replace("{1}", "");
        foreach (var o in Openings) yield return o;
        foreach (var j in Joins) yield return j;
        yield return "a an the is are with";
    }

    /// <summary>Every phrase only the free style uses.</summary>
    public static IEnumerable<string> FreePhrases()
    {
        foreach (var n in Nouns.Values) foreach (var (one, many) in n.Free) { yield return one; yield return many; }
        IEnumerable<Forms> all = Colours.Values.Concat(Sizes.Values).Append(MoveVerbs).Concat(DirectionWords.Values).Concat(ActionWords.Values)
            .Append(StillWords).Concat(SpeedWords.Values).Append(ChangeTo).Concat(RelationWords.Values).Concat(InteractionWords.Values)
            .Concat(SceneWords.Values).Concat(CountWords.Values);
        foreach (var f in all) foreach (var t in f.Free) yield return t.Replace("{0}", "");
        foreach (var p in FreeVerticalPhrases.Values.SelectMany(p => p)) yield return p;
    }

    /// <summary>
    /// Words that never appear in a training caption: the words of the free phrases less every training word
    /// ("soccer ball" contributes "soccer", not "ball"). Sorted.
    /// </summary>
    public static IReadOnlyList<string> FreeWords()
    {
        var training = TrainingPhrases().SelectMany(Words).ToHashSet();
        return FreePhrases().SelectMany(Words).Where(w => !training.Contains(w)).Distinct().OrderBy(w => w, StringComparer.Ordinal).ToArray();
    }

    /// <summary>Lower-case words of a phrase, split as the word tokenizer splits them (letters and digits).</summary>
    public static IEnumerable<string> Words(string text) => Text.WordTokenizer.Words(text);
}
