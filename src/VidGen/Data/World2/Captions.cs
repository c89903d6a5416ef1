using System.Globalization;

namespace VidGen.Data.World2;

/// <summary>
/// How a caption is worded. Canonical: the one documented form per category (first training form of every
/// word, no optional parts). Varied: what training captions look like (synonyms, word orders, with or without
/// articles, openings and the scene in front or behind). Free: the varied grammar with every word that has a
/// free synonym said with it: words no training caption contains.
/// </summary>
public enum CaptionStyle { Canonical, Varied, Free }

/// <summary>
/// The caption grammar. Canonical forms (sizes only where the spec names them; the scene phrase only for a
/// non-black scene, and always in the scene category):
/// <list type="bullet">
/// <item>attribute: "a small red circle and a large cat"</item>
/// <item>dynamic: "a large red square turning blue"</item>
/// <item>spatial: "a small cat to the left of a large red circle" (to the left of, to the right of, above, below)</item>
/// <item>motion: "a large dog moving left quickly" and, for two objects, "... and a small blue star moving up"</item>
/// <item>action: "a small green star spinning slowly" (spinning, growing, shrinking, bouncing; growing and shrinking name no size)</item>
/// <item>interaction: "a small cat and a large dog moving towards each other" (or "moving apart")</item>
/// <item>numeracy: "three small green triangles" ("one", "two", "three")</item>
/// <item>scene: "a small fish moving right under the sea" (on a black background, in the sky, on the grass, under the sea, at night)</item>
/// </list>
/// </summary>
public static class Captions
{
    static readonly string[] And = { "and" };
    static readonly System.Text.CompositeFormat ChangeFromToFormat = System.Text.CompositeFormat.Parse(Lexicon.ChangeFromTo);

    /// <summary>The caption of <paramref name="spec"/> in <paramref name="style"/>; Varied and Free draw their choices from <paramref name="rng"/>.</summary>
    public static string Write(ClipSpec spec, CaptionStyle style = CaptionStyle.Canonical, Random? rng = null)
    {
        if (style != CaptionStyle.Canonical && rng is null) throw new ArgumentException($"the {style} caption style needs a random source");
        var w = new Writer(style, rng);
        var o = spec.Objects;
        string body = spec.Category switch
        {
            Category.Attribute => w.Maybe(0.5)
                ? $"{w.Np(o[1])} {w.Pick(And, "with")} {w.Np(o[0])}"
                : $"{w.Np(o[0])} {w.Pick(And, "with")} {w.Np(o[1])}",
            Category.Dynamic => w.Change(o[0]),
            Category.Spatial => w.Maybe(0.3)
                ? $"{w.Np(o[1])}{w.Is()} {w.Say(Lexicon.RelationWords[Terms.Inverse(spec.Relation!.Value)])} {w.Np(o[0])}"
                : $"{w.Np(o[0])}{w.Is()} {w.Say(Lexicon.RelationWords[spec.Relation!.Value])} {w.Np(o[1])}",
            Category.Motion when o.Count == 1 => $"{w.Np(o[0])} {w.Motion(o[0])}",
            Category.Motion => w.Maybe(0.3)
                ? $"{w.Np(o[1])} {w.Motion(o[1])} {w.Join()} {w.Np(o[0])} {w.Motion(o[0])}"
                : $"{w.Np(o[0])} {w.Motion(o[0])} {w.Join()} {w.Np(o[1])} {w.Motion(o[1])}",
            Category.Action => $"{w.Np(o[0])} {w.Motion(o[0])}",
            Category.Interaction => w.Maybe(0.5)
                ? $"{w.Np(o[1])} and {w.Np(o[0])} {w.Say(Lexicon.InteractionWords[spec.Interaction!.Value])}"
                : $"{w.Np(o[0])} and {w.Np(o[1])} {w.Say(Lexicon.InteractionWords[spec.Interaction!.Value])}",
            Category.Numeracy => w.Counted(o[0], o.Count),
            _ => o[0].Movement == Movement.Still
                ? w.Np(o[0]) + (w.Maybe(0.3) ? " " + w.Say(Lexicon.StillWords) : "")
                : $"{w.Np(o[0])} {w.Motion(o[0])}",
        };

        // The scene: always said in the scene category, always for a non-black scene, and now and then for black.
        bool sayScene = spec.Category == Category.Scene || spec.Scene != Scene.Black || w.Maybe(0.1);
        if (sayScene)
        {
            string scene = w.Say(Lexicon.SceneWords[spec.Scene]);
            body = w.Maybe(0.25) ? $"{scene}, {body}" : $"{body} {scene}";
        }
        if (w.Maybe(0.12))
        {
            string opening = w.Pick(Lexicon.Openings);
            if (opening == Lexicon.Openings[0] && spec.Category == Category.Numeracy && spec.Count > 1) opening = Lexicon.PluralOpening;
            body = $"{opening} {body}";
        }
        return body;
    }

    /// <summary>One caption's choices: canonical takes the first form and no option; the others draw from the random source.</summary>
    sealed class Writer(CaptionStyle style, Random? rng)
    {
        public bool Maybe(double p) => style != CaptionStyle.Canonical && rng!.NextDouble() < p;

        public string Pick(string[] training, params string[] free)
        {
            if (style == CaptionStyle.Canonical) return training[0];
            if (style == CaptionStyle.Free && free.Length > 0) return free[rng!.Next(free.Length)];
            return training[rng!.Next(training.Length)];
        }

        public string Say(Lexicon.Forms forms) => Pick(forms.Training, forms.Free);

        public string Is() => Maybe(0.2) ? " is" : "";

        public string Join() => Pick(Lexicon.Joins);

        (string One, string Many) Noun(ObjectClass c)
        {
            var n = Lexicon.Nouns[c];
            if (style == CaptionStyle.Canonical) return n.Training[0];
            if (style == CaptionStyle.Free && n.Free.Length > 0) return n.Free[rng!.Next(n.Free.Length)];
            return n.Training[rng!.Next(n.Training.Length)];
        }

        string Adjectives(ObjectSpec o, bool colour = true)
        {
            var words = new List<string>(2);
            if (o.SizeNamed) words.Add(Say(Lexicon.Sizes[o.Size]));
            if (colour && o.Colour is not null) words.Add(Say(Lexicon.Colours[o.Colour]));
            return words.Count == 0 ? "" : string.Join(' ', words) + " ";
        }

        /// <summary>A singular noun phrase: article, size, colour, noun.</summary>
        public string Np(ObjectSpec o, bool colour = true)
        {
            string phrase = Adjectives(o, colour) + Noun(o.Class).One;
            // Training captions sometimes use "the" or no article; the canonical form always "a"/"an".
            if (Maybe(0.1)) return phrase;
            if (Maybe(0.15)) return "the " + phrase;
            return Article(phrase) + " " + phrase;
        }

        public static string Article(string phrase) => "aeiou".Contains(phrase[0]) ? "an" : "a";

        /// <summary>A movement, with its speed word before or after it.</summary>
        public string Motion(ObjectSpec o)
        {
            string phrase;
            if (Terms.IsTranslation(o.Movement))
            {
                if (style == CaptionStyle.Free && Lexicon.FreeVerticalPhrases.TryGetValue(o.Movement, out var whole) && rng!.Next(2) == 0)
                    phrase = whole[rng.Next(whole.Length)];
                else
                    phrase = $"{Say(Lexicon.MoveVerbs)} {Say(Lexicon.DirectionWords[o.Movement])}";
            }
            else if (o.Movement == Movement.Still) return Say(Lexicon.StillWords);
            else phrase = Say(Lexicon.ActionWords[o.Movement]);
            if (o.Speed == Speed.Normal) return phrase;
            string speed = Say(Lexicon.SpeedWords[o.Speed]);
            // Adverbs in -ly may come first ("quickly spinning"); "fast" only follows.
            return speed.EndsWith("ly", StringComparison.Ordinal) && Maybe(0.3) ? $"{speed} {phrase}" : $"{phrase} {speed}";
        }

        public string Change(ObjectSpec o)
        {
            string from = Say(Lexicon.Colours[o.Colour!]), to = Say(Lexicon.Colours[o.ColourTo!]);
            if (style == CaptionStyle.Varied && Maybe(0.25))
                return $"{Np(o, colour: false)} {string.Format(CultureInfo.InvariantCulture, ChangeFromToFormat, from, to)}";
            string np = Np(o, colour: false);
            // The old colour goes just before the noun, after the size: "a large red square".
            int noun = np.LastIndexOf(' ');
            string before = noun < 0 ? "" : np[..(noun + 1)], nounWord = noun < 0 ? np : np[(noun + 1)..];
            // "a square" + "orange" is "an orange square": a bare article is chosen again for the colour word.
            string withColour = before is "a " or "an " ? $"{Article(from)} {from} {nounWord}" : $"{before}{from} {nounWord}";
            return $"{withColour} {string.Format(CultureInfo.InvariantCulture, Pick(Lexicon.ChangeTo.Training, Lexicon.ChangeTo.Free), to)}";
        }

        /// <summary>"three small green triangles"; one object takes "one" or an article and the singular.</summary>
        public string Counted(ObjectSpec o, int count)
        {
            var (one, many) = Noun(o.Class);
            string adjectives = Adjectives(o);
            if (count == 1)
            {
                if (Maybe(0.5)) { string p = adjectives + one; return $"{Article(p)} {p}"; }
                return $"{Say(Lexicon.CountWords[1])} {adjectives}{one}";
            }
            return $"{Say(Lexicon.CountWords[count])} {adjectives}{many}";
        }
    }
}
