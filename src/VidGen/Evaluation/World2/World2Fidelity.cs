using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using VidGen.Data.World2;
using VidGen.Media;
using VidGen.Pipelines;

namespace VidGen.Evaluation.World2;

/// <summary>One evaluation prompt of the second world: the spec asked for, its caption, and whether it holds a held-out combination.</summary>
public sealed record World2Prompt(int Index, ClipSpec Spec, string Text)
{
    public IReadOnlyList<HeldOutKind> HeldOutKinds => HeldOut.KindsIn(Spec);
    public bool IsHeldOut => HeldOutKinds.Count > 0;
}

/// <summary>
/// The fixed prompt list of `vidgen eval --world world2`: prompt i tests category i mod 8 (or the one asked
/// for); a share of the prompts, interleaved, is built around a held-out combination (walking each category's
/// lists in turn), the rest are training-like specs from a fixed seed. The same arguments always give the same
/// prompts, so runs with different models score the same list. The style words them: canonical
/// (the default), varied like training captions, or free (words no training caption uses).
/// </summary>
public static class World2EvalPrompts
{
    public static IReadOnlyList<World2Prompt> Make(ObjectArt art, int count, double heldOutShare = 0.5, Category? category = null, CaptionStyle style = CaptionStyle.Canonical)
    {
        if (count < 1) throw new ArgumentException($"the prompt set needs at least one prompt (got {count})");
        if (!(heldOutShare >= 0 && heldOutShare <= 1)) throw new ArgumentException($"the held-out share must be between 0 and 1 (got {heldOutShare})");
        // Only specs that fit the default 64 px frame, so ground truth can render every prompt (the art gives the
        // reach of turning objects).
        var planner = new LayoutPlanner(new WorldGeometry(), art);
        var prompts = new List<World2Prompt>(count);
        var perCategory = new Dictionary<Category, (int Held, int Seen)>();
        for (int i = 0; i < count; i++)
        {
            var c = category ?? Terms.Categories[i % Terms.Categories.Count];
            perCategory.TryGetValue(c, out var n);
            int k = prompts.Count(p => p.Spec.Category == c);
            // Held out when this category's running held-out quota steps up (a Bresenham-style interleave).
            bool held = (int)Math.Floor((k + 1) * heldOutShare) > (int)Math.Floor(k * heldOutShare);
            var rng = new Random(Seeds.Mix(0xE7A1 + (int)c, held ? n.Held : 1_000_000 + n.Seen));
            ClipSpec spec;
            var kinds = HeldOut.KindsFor(c);
            do
            {
                if (held)
                {
                    var kind = kinds[n.Held % kinds.Count];
                    spec = SpecSampler.DrawHeldOut(c, kind, n.Held / kinds.Count, rng);
                }
                else
                {
                    do spec = SpecSampler.Draw(c, rng);
                    while (HeldOut.Contains(spec));
                }
            }
            while (planner.TryLayout(spec, new Random(0)) is null);
            perCategory[c] = held ? (n.Held + 1, n.Seen) : (n.Held, n.Seen + 1);
            string text = Captions.Write(spec, style, style == CaptionStyle.Canonical ? null : rng);
            prompts.Add(new World2Prompt(i, spec, text));
        }
        return prompts;
    }
}

/// <summary>
/// Makes <paramref name="count"/> clips for a prompt from <paramref name="seed"/>: a model through its pipeline,
/// or ground truth (the judge's own accuracy). Any source of clips fits, as with the shapes world's ClipSource.
/// </summary>
public delegate IReadOnlyList<Video> World2ClipSource(World2Prompt prompt, long seed, int count, CancellationToken cancel);

public static class World2ClipSources
{
    /// <summary>Rendered clips of the prompt's spec, each with a layout drawn from (seed, clip).</summary>
    public static World2ClipSource GroundTruth(CompositionalWorld world) => (prompt, seed, count, _) =>
        Enumerable.Range(0, count).Select(k => world.Render(prompt.Spec, new Random(Seeds.Mix((int)(seed & 0x7FFFFFFF), k))).Video).ToArray();

    /// <summary>Ground truth passed through <paramref name="degrade"/> (tests of the judge's tolerance).</summary>
    public static World2ClipSource Degraded(World2ClipSource source, Func<Video, Random, Video> degrade) => (prompt, seed, count, cancel) =>
        source(prompt, seed, count, cancel).Select((v, k) => degrade(v, new Random(Seeds.Mix((int)(seed & 0x7FFFFFFF) ^ 0x5EED, k)))).ToArray();

    /// <summary>
    /// Clips of <paramref name="source"/> through an autoencoder and back (does coding keep what the judge reads?);
    /// each clip's PSNR against its original goes to <paramref name="psnr"/>.
    /// </summary>
    public static World2ClipSource Reconstructed(World2ClipSource source, VidGen.Models.Autoencoders.VideoAutoencoder autoencoder, Action<double>? psnr = null) => (prompt, seed, count, cancel) =>
    {
        var originals = source(prompt, seed, count, cancel);
        var back = Reconstruction.RoundTrip(autoencoder, originals);
        for (int i = 0; i < originals.Count; i++) psnr?.Invoke(Reconstruction.Psnr(originals[i], back[i]));
        return back;
    };

    /// <summary>A model through its pipeline: one batched request per prompt, with the given sampler settings.</summary>
    public static World2ClipSource Pipeline(TextToVideoPipeline pipeline, GenerationRequest settings) => (prompt, seed, count, cancel) =>
        pipeline.Generate(settings with { Prompt = prompt.Text, Seed = seed, BatchSize = count }, cancel: cancel).Batch;
}

public sealed record World2Options
{
    /// <summary>Clips in total.</summary>
    public int Clips { get; init; } = 240;
    /// <summary>Clips per prompt, generated as one batch from one seed.</summary>
    public int ClipsPerPrompt { get; init; } = 4;
    /// <summary>Share of prompts built around held-out combinations.</summary>
    public double HeldOutFraction { get; init; } = 0.5;
    /// <summary>Prompt group g uses seed Seed + g.</summary>
    public long Seed { get; init; }
    /// <summary>Only this category (null: all eight in turn).</summary>
    public Category? Category { get; init; }
    /// <summary>How the prompts are worded (free: with words no training caption has).</summary>
    public CaptionStyle Style { get; init; } = CaptionStyle.Canonical;

    public void Validate()
    {
        if (Clips < 1 || Clips > 100_000) throw new ArgumentException($"clips must be between 1 and 100000 (got {Clips})");
        if (ClipsPerPrompt < 1 || ClipsPerPrompt > 64) throw new ArgumentException($"clips per prompt (batch) must be between 1 and 64 (got {ClipsPerPrompt})");
        if (!(HeldOutFraction >= 0 && HeldOutFraction <= 1)) throw new ArgumentException($"the held-out share must be between 0 and 1 (got {HeldOutFraction})");
    }
}

/// <summary>One scored clip: what was asked, what the judge read, and the verdict.</summary>
public sealed record World2ClipResult(int Index, int Group, World2Prompt Prompt, long Seed, ClipReading Reading, ClipVerdict Verdict);

/// <summary>Accuracy of a set of clips, as fractions; null where the set is empty or the attribute is never asked.</summary>
public sealed record World2Accuracy(int Clips, double? Category, IReadOnlyDictionary<string, double?> Attributes)
{
    public static World2Accuracy Of(IReadOnlyCollection<World2ClipResult> clips)
    {
        double? Rate(Func<AttributeChecks, bool?> pick)
        {
            var asked = clips.Select(c => pick(c.Verdict.Checks)).Where(v => v is not null).ToArray();
            return asked.Length == 0 ? null : asked.Count(v => v == true) / (double)asked.Length;
        }
        var attributes = new Dictionary<string, double?>
        {
            ["count"] = Rate(c => c.Count), ["class"] = Rate(c => c.Class), ["colour"] = Rate(c => c.Colour),
            ["colour_change"] = Rate(c => c.ColourChange), ["size"] = Rate(c => c.Size), ["movement"] = Rate(c => c.Movement),
            ["speed"] = Rate(c => c.Speed), ["scene"] = Rate(c => c.Scene), ["relation"] = Rate(c => c.Relation),
            ["interaction"] = Rate(c => c.Interaction), ["all"] = Rate(c => c.All),
        };
        return new World2Accuracy(clips.Count, clips.Count == 0 ? null : clips.Count(c => c.Verdict.CategoryCorrect) / (double)clips.Count, attributes);
    }
}

/// <summary>Per category (and over all), the accuracy on seen prompts, on held-out ones and on both.</summary>
public sealed record World2CategoryRow(string Category, World2Accuracy Seen, World2Accuracy HeldOut, World2Accuracy All);

public sealed record World2Report(
    string Source, IReadOnlyDictionary<string, string> Settings, int Resolution, int Frames, int Clips, int Prompts,
    IReadOnlyList<World2CategoryRow> Categories, World2CategoryRow Overall, double Seconds,
    IReadOnlyList<World2ClipResult> ClipResults, bool Interrupted = false)
{
    /// <summary>The full report as JSON: figures per category and every clip's spec, caption, reading and verdict.</summary>
    public string ToJson()
    {
        var options = new JsonSerializerOptions { WriteIndented = true };
        JsonObject Accuracy(World2Accuracy a)
        {
            var attributes = new JsonObject();
            foreach (var (k, v) in a.Attributes) attributes[k] = v;
            return new JsonObject { ["clips"] = a.Clips, ["category"] = a.Category, ["attributes"] = attributes };
        }
        JsonObject Row(World2CategoryRow r) => new() { ["category"] = r.Category, ["seen"] = Accuracy(r.Seen), ["held_out"] = Accuracy(r.HeldOut), ["all"] = Accuracy(r.All) };
        var settings = new JsonObject();
        foreach (var (k, v) in Settings) settings[k] = v;
        var clips = new JsonArray();
        foreach (var c in ClipResults)
            clips.Add(new JsonObject
            {
                ["index"] = c.Index,
                ["group"] = c.Group,
                ["seed"] = c.Seed,
                ["prompt"] = c.Prompt.Text,
                ["held_out"] = c.Prompt.IsHeldOut,
                ["held_out_kinds"] = new JsonArray(c.Prompt.HeldOutKinds.Select(k => (JsonNode?)HeldOut.Name(k)).ToArray()),
                ["spec"] = World2Json.Spec(c.Prompt.Spec),
                ["read"] = ReadingJson(c.Reading),
                ["category_correct"] = c.Verdict.CategoryCorrect,
                ["checks"] = ChecksJson(c.Verdict.Checks),
                ["matching"] = new JsonArray(c.Verdict.Matching.Select(m => (JsonNode?)m).ToArray()),
            });
        var root = new JsonObject
        {
            ["world"] = "world2",
            ["source"] = Source,
            ["settings"] = settings,
            ["resolution"] = Resolution,
            ["frames"] = Frames,
            ["clips"] = Clips,
            ["prompts"] = Prompts,
            ["seconds"] = Math.Round(Seconds, 2),
            ["interrupted"] = Interrupted,
            ["overall"] = Row(Overall),
            ["categories"] = new JsonArray(Categories.Select(r => (JsonNode?)Row(r)).ToArray()),
            ["clip_results"] = clips,
        };
        return root.ToJsonString(options);
    }

    public static JsonObject ReadingJson(ClipReading r) => new()
    {
        ["scene"] = Terms.Name(r.Scene),
        ["scene_error"] = Math.Round(r.SceneError, 4),
        ["count"] = r.Count,
        ["objects"] = new JsonArray(r.Objects.Select(o =>
        {
            var node = World2Json.ObjectNode(new ObjectSpec(o.Class, o.Colour, o.Size, o.Movement, o.Speed, o.ColourTo), o.Track);
            node.Remove("size_named");
            node["frames_seen"] = o.FramesSeen;
            node["fit_error"] = Math.Round(o.FitError, 4);
            return (JsonNode?)node;
        }).ToArray()),
        ["relations"] = new JsonArray(Pairs(r.Count).Select(p => (JsonNode?)new JsonObject { ["a"] = p.A, ["b"] = p.B, ["relation"] = Terms.Name(r.RelationOf(p.A, p.B)) }).ToArray()),
    };

    static IEnumerable<(int A, int B)> Pairs(int n)
    {
        for (int a = 0; a < n; a++)
            for (int b = a + 1; b < n; b++) yield return (a, b);
    }

    static JsonObject ChecksJson(AttributeChecks c) => new()
    {
        ["count"] = c.Count, ["class"] = c.Class, ["colour"] = c.Colour, ["colour_change"] = c.ColourChange, ["size"] = c.Size,
        ["movement"] = c.Movement, ["speed"] = c.Speed, ["scene"] = c.Scene, ["relation"] = c.Relation, ["interaction"] = c.Interaction, ["all"] = c.All,
    };
}

/// <summary>
/// Prompt fidelity on the second world: clips for the fixed prompt list, read back by <see cref="World2Judge"/>,
/// scored per category (<see cref="World2Scoring"/>) and reported per category and per seen / held-out.
/// </summary>
public static class World2Fidelity
{
    /// <param name="source">makes the clips for each prompt (a model's pipeline, or ground truth)</param>
    /// <param name="options">how many clips, per prompt, from which seed, which category and wording</param>
    /// <param name="judge">reads the clips back</param>
    /// <param name="sourceName">names the source in the report</param>
    /// <param name="settings">sampler settings to record in the report</param>
    /// <param name="prompts">the prompt list (null: <see cref="World2EvalPrompts.Make"/> for the options)</param>
    /// <param name="onClip">called for each clip with its result and video, in order (progress, saving failures)</param>
    /// <param name="cancel">stops after the current prompt; the report then covers the clips made</param>
    public static World2Report Evaluate(World2ClipSource source, World2Options options, World2Judge judge, string sourceName,
        IReadOnlyDictionary<string, string>? settings = null, IReadOnlyList<World2Prompt>? prompts = null,
        Action<World2ClipResult, Video>? onClip = null, CancellationToken cancel = default)
    {
        options.Validate();
        var clock = Stopwatch.StartNew();
        int groups = (options.Clips + options.ClipsPerPrompt - 1) / options.ClipsPerPrompt;
        prompts ??= World2EvalPrompts.Make(judge.Art, groups, options.HeldOutFraction, options.Category, options.Style);
        if (prompts.Count < groups) throw new ArgumentException($"{groups} prompt groups need {groups} prompts (got {prompts.Count})");
        var results = new List<World2ClipResult>(options.Clips);
        int resolution = 0, frames = 0;
        bool interrupted = false;
        for (int g = 0; g < groups; g++)
        {
            if (cancel.IsCancellationRequested) { interrupted = true; break; }
            int count = Math.Min(options.ClipsPerPrompt, options.Clips - g * options.ClipsPerPrompt);
            long seed = options.Seed + g;
            IReadOnlyList<Video> clips;
            try { clips = source(prompts[g], seed, count, cancel); }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested) { interrupted = true; break; }
            if (clips.Count != count) throw new InvalidOperationException($"the clip source returned {clips.Count} clips for \"{prompts[g].Text}\", expected {count}");
            // Clips of one prompt are read in parallel; the results keep their order.
            var readings = new ClipReading[clips.Count];
            Parallel.For(0, clips.Count, k => readings[k] = judge.Read(clips[k]));
            for (int k = 0; k < clips.Count; k++)
            {
                resolution = Math.Min(clips[k].Width, clips[k].Height); frames = clips[k].Frames;
                var verdict = World2Scoring.Score(prompts[g].Spec, readings[k], resolution);
                var result = new World2ClipResult(results.Count, g, prompts[g], seed, readings[k], verdict);
                results.Add(result);
                onClip?.Invoke(result, clips[k]);
            }
        }
        World2CategoryRow Row(string name, IEnumerable<World2ClipResult> set)
        {
            var all = set.ToArray();
            return new World2CategoryRow(name, World2Accuracy.Of(all.Where(r => !r.Prompt.IsHeldOut).ToArray()), World2Accuracy.Of(all.Where(r => r.Prompt.IsHeldOut).ToArray()), World2Accuracy.Of(all));
        }
        var rows = Terms.Categories.Where(c => results.Any(r => r.Prompt.Spec.Category == c))
            .Select(c => Row(Terms.Name(c), results.Where(r => r.Prompt.Spec.Category == c))).ToArray();
        return new World2Report(sourceName, settings ?? new Dictionary<string, string>(), resolution, frames, results.Count, groups,
            rows, Row("all", results), clock.Elapsed.TotalSeconds, results, interrupted);
    }
}
