using VidGen.Data.World2;

namespace VidGen.Evaluation.World2;

/// <summary>
/// Which of a clip's attributes the judge read as its spec says; null where the spec does not ask (no shape
/// to have a colour, no size named, no speed word, no relation). Class, colour and size are per object and
/// all objects must agree; count and scene are always asked (an unnamed scene means black).
/// </summary>
public sealed record AttributeChecks(
    bool Count, bool Class, bool? Colour, bool? ColourChange, bool? Size, bool? Movement, bool? Speed,
    bool Scene, bool? Relation, bool? Interaction)
{
    public bool All => Count && Class && Colour != false && ColourChange != false && Size != false && Movement != false
        && Speed != false && Scene && Relation != false && Interaction != false;
}

/// <summary>
/// One clip's verdict: whether its category's test passed, the attribute checks behind it, and which read
/// object each spec object was matched to (-1: none).
/// </summary>
public sealed record ClipVerdict(Category Category, bool HeldOut, bool CategoryCorrect, AttributeChecks Checks, IReadOnlyList<int> Matching);

/// <summary>
/// Compares a reading with a spec. Spec objects are matched to read objects by the assignment that agrees on
/// the most (class, then colour, size and movement), never by position, since position is what relations test.
/// A category passes when the count is right, every object has the right class and colour (and size where named),
/// and the category's own test holds:
/// <list type="bullet">
/// <item>attribute: nothing more (the binding of each colour to its class is the test)</item>
/// <item>dynamic: the colour at the end is the one named</item>
/// <item>spatial: the first object's mean centre is on the named side of the second's (dominant axis)</item>
/// <item>motion and action: each object's movement, and its speed where a speed word is said</item>
/// <item>interaction: the distance between the two closes (towards) or opens (apart) by at least a tenth of the side</item>
/// <item>numeracy: nothing more (the count is the test)</item>
/// <item>scene: the scene</item>
/// </list>
/// </summary>
public static class World2Scoring
{
    /// <summary>Change of the distance between two objects, as a share of the side, that counts as an interaction.</summary>
    public const float InteractionShare = 0.1f;

    public static ClipVerdict Score(ClipSpec spec, ClipReading reading, int resolution)
    {
        var specs = spec.Objects;
        var read = reading.Objects;
        var matching = Match(specs, read);
        bool count = read.Count == specs.Count;

        bool cls = true; bool? colour = null, change = null, size = null, movement = null, speed = null;
        for (int i = 0; i < specs.Count; i++)
        {
            var s = specs[i];
            ObjectReading? r = matching[i] >= 0 ? read[matching[i]] : null;
            cls &= r is not null && r.Class == s.Class;
            if (s.Colour is not null) colour = (colour ?? true) && r is not null && r.Colour == s.Colour;
            if (s.ColourTo is not null) change = (change ?? true) && r is not null && r.ColourTo == s.ColourTo;
            if (s.SizeNamed) size = (size ?? true) && r is not null && r.Size == s.Size;
            if (s.Movement != Movement.Still) movement = (movement ?? true) && r is not null && r.Movement == s.Movement;
            if (s.Speed != Speed.Normal) speed = (speed ?? true) && r is not null && r.Speed == s.Speed;
        }

        bool? relation = null, interaction = null;
        if (spec.Relation is Relation rel)
            relation = matching[0] >= 0 && matching[1] >= 0 && reading.RelationOf(matching[0], matching[1]) == rel;
        if (spec.Interaction is Interaction inter)
            interaction = matching[0] >= 0 && matching[1] >= 0 && reading.InteractionOf(matching[0], matching[1], InteractionShare * resolution) == inter;

        var checks = new AttributeChecks(count, cls, colour, change, size, movement, speed, reading.Scene == spec.Scene, relation, interaction);
        bool objects = count && cls && colour != false && size != false;
        bool passed = spec.Category switch
        {
            Category.Dynamic => objects && change == true,
            Category.Spatial => objects && relation == true,
            Category.Motion or Category.Action => objects && movement == true && speed != false,
            Category.Interaction => objects && interaction == true,
            Category.Scene => objects && checks.Scene,
            _ => objects,
        };
        return new ClipVerdict(spec.Category, HeldOut.Contains(spec), passed, checks, matching);
    }

    /// <summary>For each spec object, the read object it is matched to (-1: none), by the most agreeing assignment.</summary>
    static int[] Match(IReadOnlyList<ObjectSpec> specs, IReadOnlyList<ObjectReading> read)
    {
        int n = specs.Count;
        var best = Enumerable.Repeat(-1, n).ToArray();
        double bestScore = double.MinValue;
        var current = new int[n];
        var used = new bool[read.Count];
        void Search(int i, double score)
        {
            if (i == n)
            {
                if (score > bestScore) { bestScore = score; Array.Copy(current, best, n); }
                return;
            }
            current[i] = -1;
            Search(i + 1, score - 10);
            for (int k = 0; k < read.Count; k++)
            {
                if (used[k]) continue;
                used[k] = true; current[i] = k;
                Search(i + 1, score + Agreement(specs[i], read[k]));
                used[k] = false;
            }
            current[i] = -1;
        }
        Search(0, 0);
        return best;
    }

    static double Agreement(ObjectSpec s, ObjectReading r) =>
        (r.Class == s.Class ? 4 : 0) + (s.Colour is not null && r.Colour == s.Colour ? 2 : 0)
        + (r.Movement == s.Movement ? 1 : 0) + (r.Size == s.Size ? 0.5 : 0) + (s.ColourTo is not null && r.ColourTo == s.ColourTo ? 0.5 : 0);
}
