using VidGen.Text;

namespace VidGen.Data.World2;

/// <summary>
/// How many tokens the longest caption of the grammar takes, in a given tokenizer: the text length a model of
/// this world needs so that no caption is cut. Training captions reach about 24 words, past the built-in
/// encoder's default of 16.
/// <para>The figure is a bound computed from the grammar's shape and the lexicon, not from drawn captions: each
/// caption is an optional opening, a body of slots (noun phrases, a motion, a relation, ...) and a scene phrase,
/// and its length is at most the sum of the longest form of every slot (per style: varied captions say training
/// forms, free ones the free forms), since all three tokenizers (words, WordPiece, CLIP's BPE) split on spaces and punctuation before
/// anything else, so a phrase's tokens add up. A test draws captions of every category and style against it.</para>
/// </summary>
public static class CaptionLength
{
    /// <summary>Tokens of the longest caption in <paramref name="tokenizer"/>, special tokens included: the MaxLength at which none is cut.</summary>
    public static int Longest(IPromptTokenizer tokenizer) =>
        Math.Max(Longest(tokenizer, CaptionStyle.Varied), Longest(tokenizer, CaptionStyle.Free));

    /// <summary>
    /// The same for one style. The canonical style says the first training form of each word and no optional part,
    /// so its captions are varied ones and share that bound.
    /// </summary>
    public static int Longest(IPromptTokenizer tokenizer, CaptionStyle style)
    {
        int specials = tokenizer.Length("");
        int T(string phrase) => tokenizer.Length(phrase) - specials;
        int Max(IEnumerable<string> phrases) => phrases.Max(T);
        bool free = style == CaptionStyle.Free;
        // What the writer picks from: the free forms of a term that has them in the free style, else the training forms.
        IEnumerable<string> Said(Lexicon.Forms f) => free && f.Free.Length > 0 ? f.Free : f.Training;
        IEnumerable<string> SaidAny<TKey>(IReadOnlyDictionary<TKey, Lexicon.Forms> terms) => terms.Values.SelectMany(Said);

        int article = Max(Lexicon.Articles), size = Max(SaidAny(Lexicon.Sizes)), colour = Max(SaidAny(Lexicon.Colours));
        List<(string One, string Many)> Nouns(IEnumerable<ObjectClass> classes) =>
            classes.Select(c => Lexicon.Nouns[c]).SelectMany(n => free && n.Free.Length > 0 ? n.Free : n.Training).ToList();
        var shapes = Nouns(Terms.Shapes);
        var sprites = Nouns(Terms.Sprites);
        // Colour words go with shapes only: a noun phrase is a coloured shape or a sprite.
        int shapeOne = Max(shapes.Select(n => n.One)), one = Math.Max(colour + shapeOne, Max(sprites.Select(n => n.One)));
        int many = Math.Max(colour + Max(shapes.Select(n => n.Many)), Max(sprites.Select(n => n.Many)));
        int np = article + size + one; // "the little pink box", "the big kitty"
        int movement = new[]
        {
            Max(Said(Lexicon.MoveVerbs)) + Max(SaidAny(Lexicon.DirectionWords)), free ? Max(Lexicon.FreeVerticalPhrases.Values.SelectMany(p => p)) : 0,
            Max(SaidAny(Lexicon.ActionWords)), Max(Said(Lexicon.StillWords)),
        }.Max();
        int motion = movement + Max(SaidAny(Lexicon.SpeedWords));
        // "a large red square turning blue", and in the varied style "a large square changing from red to blue"
        int change = article + size + colour + shapeOne + Max(Said(Lexicon.ChangeTo).Select(Unformatted)) + colour;
        if (!free) change = Math.Max(change, article + size + shapeOne + T(Unformatted(Lexicon.ChangeFromTo)) + 2 * colour);
        int counted = new[]
        {
            np, Max(Said(Lexicon.CountWords[1])) + size + one,
            Max(Lexicon.CountWords.Where(c => c.Key > 1).SelectMany(c => Said(c.Value))) + size + many,
        }.Max();
        int body = new[]
        {
            np + T(free ? "with" : "and") + np,                                  // attribute
            change,                                                              // dynamic
            np + T("is") + Max(SaidAny(Lexicon.RelationWords)) + np,             // spatial
            np + motion + Max(Lexicon.Joins) + np + motion,                      // motion, two objects
            np + motion,                                                         // action, scene, motion of one
            np + T("and") + np + Max(SaidAny(Lexicon.InteractionWords)),         // interaction
            counted,                                                             // numeracy
        }.Max();
        int opening = Max(Lexicon.Openings.Append(Lexicon.PluralOpening));
        int scene = T(",") + Max(SaidAny(Lexicon.SceneWords)); // the scene in front takes a comma
        return specials + opening + body + scene;
    }

    /// <summary>A phrase template without its colour slots ("turning {0}" is "turning ", the colour counted apart).</summary>
    static string Unformatted(string template) => template.Replace("{0}", "").Replace("{1}", "");
}
