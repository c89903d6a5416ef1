using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using VidGen.Data;
using VidGen.Media;
using VidGen.Pipelines;

namespace VidGen.Evaluation;

/// <summary>
/// Makes <paramref name="count"/> clips for one prompt from one seed (a model's batch, or rendered ground truth).
/// Clips of one call differ only by their noise / start position: the diversity figure compares them.
/// </summary>
public delegate IReadOnlyList<Video> ClipSource(EvalPrompt prompt, long seed, int count, CancellationToken cancel);

public static class ClipSources
{
    /// <summary>Real shapes-world clips: the detector's own accuracy. An unsized prompt gets a random size.</summary>
    public static ClipSource GroundTruth(ShapesWorld world) => (prompt, seed, count, _) =>
    {
        var rng = new Random((int)(seed & 0x7FFFFFFF));
        return Enumerable.Range(0, count)
            .Select(_ => world.Render(new ShapeSpec(prompt.Colour, prompt.Shape, prompt.Size ?? (ShapeSize)rng.Next(2), prompt.Direction), rng))
            .ToArray();
    };

    /// <summary>A model through its pipeline: one batched request per prompt, with the given sampler settings.</summary>
    public static ClipSource Pipeline(TextToVideoPipeline pipeline, GenerationRequest settings) => (prompt, seed, count, cancel) =>
        pipeline.Generate(settings with { Prompt = prompt.Text, Seed = seed, BatchSize = count }, cancel: cancel).Batch;
}

/// <summary>What `vidgen eval` scores; the initialisers are its defaults (the CLI reads <see cref="Defaults"/>).</summary>
public sealed record FidelityOptions
{
    public static FidelityOptions Defaults { get; } = new();

    /// <summary>Clips in total (the targets ask for at least 200).</summary>
    public int Clips { get; init; } = 240;
    /// <summary>Clips per prompt, generated as one batch from one seed; the diversity figure compares them.</summary>
    public int ClipsPerPrompt { get; init; } = 4;
    /// <summary>Share of prompts on held-out combinations. Half: both figures then rest on the same number of clips.</summary>
    public double HeldOutFraction { get; init; } = 0.5;
    /// <summary>Prompt group g uses seed Seed + g.</summary>
    public long Seed { get; init; }

    public void Validate()
    {
        if (Clips < 1 || Clips > 100_000) throw new ArgumentException($"clips must be between 1 and 100000 (got {Clips})");
        if (ClipsPerPrompt < 1 || ClipsPerPrompt > 64) throw new ArgumentException($"clips per prompt (batch) must be between 1 and 64 (got {ClipsPerPrompt})");
        if (!(HeldOutFraction >= 0 && HeldOutFraction <= 1)) throw new ArgumentException($"the held-out share must be between 0 and 1 (got {HeldOutFraction})");
    }
}

/// <summary>One scored clip. <see cref="SizeCorrect"/> is null when the prompt names no size.</summary>
public sealed record ClipScore(
    int Index, int Group, string Prompt, bool HeldOut, long Seed, bool Found, string Detected,
    bool ColourCorrect, bool ShapeCorrect, bool? SizeCorrect, bool DirectionCorrect, bool AllCorrect,
    double FrameAgreement, float? StartX, float? StartY);

/// <summary>Accuracies over a set of clips, as fractions; null where the set is empty (size: no prompt named one).</summary>
public sealed record AttributeAccuracy(int Clips, int SizedClips, double? Colour, double? Shape, double? Size, double? Direction, double? All)
{
    public static AttributeAccuracy Of(IReadOnlyCollection<ClipScore> clips)
    {
        var sized = clips.Where(c => c.SizeCorrect is not null).ToArray();
        double? Rate(IReadOnlyCollection<ClipScore> set, Func<ClipScore, bool> ok) => set.Count == 0 ? null : set.Count(ok) / (double)set.Count;
        return new AttributeAccuracy(clips.Count, sized.Length,
            Rate(clips, c => c.ColourCorrect), Rate(clips, c => c.ShapeCorrect), Rate(sized, c => c.SizeCorrect == true),
            Rate(clips, c => c.DirectionCorrect), Rate(clips, c => c.AllCorrect));
    }
}

/// <summary>
/// Temporal consistency: the share of clips whose per-frame colour and shape equal the clip's own in at least
/// <see cref="Threshold"/> of their frames (with 8 frames: all 8), and the mean per-frame agreement.
/// A frame without an object disagrees; so does every frame of a clip without one.
/// </summary>
public sealed record TemporalConsistency(double Threshold, double? ConsistentFraction, double? MeanFrameAgreement);

/// <summary>
/// Diversity between clips of the same prompt (different noise): first-frame object centres compared pairwise,
/// in pixels, and the share of pairs further apart than <see cref="DistinctPixels"/> (5% of the frame side).
/// Pairs where either clip has no object are skipped. Null when no pair could be compared.
/// </summary>
public sealed record Diversity(int Pairs, double DistinctPixels, double? MeanStartDistancePixels, double? DistinctPairFraction);

public sealed record FidelityReport(
    string Source,
    IReadOnlyDictionary<string, string> Settings,
    int Resolution, int Frames, int Clips, int Prompts,
    AttributeAccuracy Seen, AttributeAccuracy HeldOut, AttributeAccuracy Overall,
    TemporalConsistency Temporal, Diversity Diversity,
    // The same figure for real clips of the same prompts: what diversity the training data has.
    Diversity? GroundTruthDiversity,
    int NoObject, double Seconds,
    IReadOnlyList<ClipScore> ClipScores,
    // Cancelled (Ctrl+C) before all clips were made: the figures cover the clips that were.
    bool Interrupted = false)
{
    /// <summary>The shapes world's targets: all-attributes accuracy at least 90% on seen and 80% on held-out combinations.</summary>
    public const double SeenTarget = 0.9, HeldOutTarget = 0.8;

    public bool MeetsTargets => !Interrupted && Seen.All >= SeenTarget && HeldOut.All >= HeldOutTarget;

    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);
}

/// <summary>
/// Prompt fidelity on the shapes world: generate clips for a fixed prompt set covering seen and held-out
/// combinations, read each back with <see cref="ShapeDetector"/>, and score it against its prompt.
/// </summary>
public static class PromptFidelity
{
    /// <summary>Centre distance, as a share of the frame side, above which two start positions count as distinct.</summary>
    public const double DistinctShare = 0.05;
    /// <summary>Share of frames that must agree for a clip to count as temporally consistent.</summary>
    public const double ConsistencyThreshold = 0.9;

    /// <param name="source">makes the clips for each prompt (a model's pipeline, or ground truth)</param>
    /// <param name="options">how many clips, per prompt, from which seed</param>
    /// <param name="sourceName">names the source in the report</param>
    /// <param name="settings">sampler settings to record in the report</param>
    /// <param name="detector">reads the clips back (null: the default detector)</param>
    /// <param name="cancel">stops after the current clip; the report then covers the clips made</param>
    /// <param name="onClip">called for each clip with its score and video, in order (progress, saving failures)</param>
    public static FidelityReport Evaluate(ClipSource source, FidelityOptions options, string sourceName,
        IReadOnlyDictionary<string, string>? settings = null, ShapeDetector? detector = null,
        Action<ClipScore, Video>? onClip = null, CancellationToken cancel = default)
    {
        options.Validate();
        detector ??= new ShapeDetector();
        var clock = Stopwatch.StartNew();
        int groups = (options.Clips + options.ClipsPerPrompt - 1) / options.ClipsPerPrompt;
        var prompts = EvalPrompts.Make(groups, options.HeldOutFraction);
        var scores = new List<ClipScore>(options.Clips);
        var starts = new List<(float X, float Y)?>[groups];
        int resolution = 0, frames = 0;
        bool interrupted = false;
        for (int g = 0; g < groups && !interrupted; g++)
        {
            if (cancel.IsCancellationRequested) { interrupted = true; break; }
            int count = Math.Min(options.ClipsPerPrompt, options.Clips - g * options.ClipsPerPrompt);
            long seed = options.Seed + g;
            IReadOnlyList<Video> clips;
            try { clips = source(prompts[g], seed, count, cancel); }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested) { interrupted = true; break; }
            if (clips.Count != count) throw new InvalidOperationException($"the clip source returned {clips.Count} clips for \"{prompts[g].Text}\", expected {count}");
            starts[g] = new();
            foreach (var clip in clips)
            {
                resolution = Math.Min(clip.Width, clip.Height); frames = clip.Frames;
                var d = detector.Detect(clip);
                var score = Score(scores.Count, g, prompts[g], seed, d);
                scores.Add(score);
                starts[g].Add(score.StartX is { } x && score.StartY is { } y ? (x, y) : null);
                onClip?.Invoke(score, clip);
            }
        }

        var consistency = new TemporalConsistency(ConsistencyThreshold,
            scores.Count == 0 ? null : scores.Count(s => s.FrameAgreement >= ConsistencyThreshold - 1e-9) / (double)scores.Count,
            scores.Count == 0 ? null : scores.Average(s => s.FrameAgreement));
        return new FidelityReport(sourceName, settings ?? new Dictionary<string, string>(), resolution, frames, scores.Count, groups,
            AttributeAccuracy.Of(scores.Where(s => !s.HeldOut).ToArray()),
            AttributeAccuracy.Of(scores.Where(s => s.HeldOut).ToArray()),
            AttributeAccuracy.Of(scores),
            consistency, DiversityOf(starts.Where(g => g is not null), DistinctShare * resolution), null,
            scores.Count(s => !s.Found), clock.Elapsed.TotalSeconds, scores, interrupted);
    }

    /// <summary>
    /// The diversity of real clips for the same prompts at this size: the reference a model's figure is read
    /// against (the shapes world's start positions are uniform over the space that keeps the object in view).
    /// </summary>
    public static Diversity GroundTruthDiversity(FidelityOptions options, int resolution, int frames) =>
        Evaluate(ClipSources.GroundTruth(new ShapesWorld(resolution, frames)), options, "ground truth").Diversity;

    static ClipScore Score(int index, int group, EvalPrompt prompt, long seed, Detection d)
    {
        bool colour = d.Colour == prompt.Colour, shape = d.Shape == prompt.Shape, direction = d.Direction == prompt.Direction;
        bool? size = prompt.Size is null ? null : d.Size == prompt.Size;
        // The first frame that shows the object: where this noise put it.
        var first = d.Found ? d.Frames.FirstOrDefault(f => f.Found) : null;
        return new ClipScore(index, group, prompt.Text, prompt.HeldOut, seed, d.Found, d.Describe(),
            colour, shape, size, direction, colour && shape && direction && size != false,
            d.FrameAgreement, first?.CentroidX, first?.CentroidY);
    }

    static Diversity DiversityOf(IEnumerable<List<(float X, float Y)?>> groups, double distinct)
    {
        int pairs = 0, apart = 0; double sum = 0;
        foreach (var group in groups)
        {
            var found = group.Where(p => p is not null).Select(p => p!.Value).ToArray();
            for (int i = 0; i < found.Length; i++)
                for (int j = i + 1; j < found.Length; j++)
                {
                    double dist = Math.Sqrt(Math.Pow(found[i].X - found[j].X, 2) + Math.Pow(found[i].Y - found[j].Y, 2));
                    pairs++; sum += dist;
                    if (dist > distinct) apart++;
                }
        }
        return new Diversity(pairs, distinct, pairs == 0 ? null : sum / pairs, pairs == 0 ? null : apart / (double)pairs);
    }
}
