using VidGen.Data;

namespace VidGen.Evaluation;

/// <summary>One evaluation prompt. A null <see cref="Size"/> means the prompt does not name a size, so size is not scored.</summary>
public sealed record EvalPrompt(string Colour, ShapeKind Shape, ShapeSize? Size, Direction Direction)
{
    /// <summary>A (colour, shape, direction) combination never shown in training.</summary>
    public bool HeldOut => ShapesWorld.IsHeldOut(new ShapeSpec(Colour, Shape, ShapeSize.Small, Direction));

    /// <summary>The canonical caption, or the size-less one: both forms appear in training captions.</summary>
    public string Text => Size is { } s
        ? new ShapeSpec(Colour, Shape, s, Direction).Caption
        : new ShapeSpec(Colour, Shape, ShapeSize.Small, Direction).CaptionWithoutSize;
}

/// <summary>The fixed prompt list `vidgen eval` uses, so runs with different models or seeds score the same prompts.</summary>
public static class EvalPrompts
{
    static readonly ShapeSize?[] SizeVariants = { null, ShapeSize.Small, ShapeSize.Large };

    /// <summary>
    /// <paramref name="count"/> prompts, a <paramref name="heldOutFraction"/> share of them on held-out combinations.
    /// Held-out prompts walk the 8 held-out combinations without a size, then small, then large (24 cases, then
    /// again). Seen prompts walk the 88 seen combinations in a fixed shuffled order, cycling the size variants.
    /// The two kinds are interleaved, so any prefix (a run cut short) keeps the requested share.
    /// </summary>
    public static IReadOnlyList<EvalPrompt> Make(int count, double heldOutFraction = 0.5)
    {
        if (count < 1) throw new ArgumentException($"the prompt set needs at least one prompt (got {count})");
        if (!(heldOutFraction >= 0 && heldOutFraction <= 1)) throw new ArgumentException($"the held-out share must be between 0 and 1 (got {heldOutFraction})");
        var held = ShapesWorld.HeldOut;
        var seen = (from c in ShapesWorld.Colours
                    from sh in Enum.GetValues<ShapeKind>()
                    from d in Enum.GetValues<Direction>()
                    where !held.Contains((c, sh, d))
                    select (Colour: c, Shape: sh, Direction: d)).ToArray();
        // A fixed shuffle: a short run then spans many colours, shapes and directions instead of "red ..." only.
        new Random(0).Shuffle(seen);

        var prompts = new List<EvalPrompt>(count);
        int h = 0, s = 0;
        for (int i = 0; i < count; i++)
        {
            // Prompt i is held out when the running held-out quota steps up (a Bresenham-style interleave).
            bool takeHeld = (int)Math.Floor((i + 1) * heldOutFraction) > (int)Math.Floor(i * heldOutFraction);
            if (takeHeld)
            {
                var (c, sh, d) = held[h % held.Count];
                prompts.Add(new EvalPrompt(c, sh, SizeVariants[h / held.Count % SizeVariants.Length], d));
                h++;
            }
            else
            {
                var (c, sh, d) = seen[s % seen.Length];
                prompts.Add(new EvalPrompt(c, sh, SizeVariants[(s + s / seen.Length) % SizeVariants.Length], d));
                s++;
            }
        }
        return prompts;
    }
}
