using System.Text.Json;
using VidGen.Data;
using VidGen.Evaluation;
using VidGen.Media;
using VidGen.Models;
using VidGen.Pipelines;
using VidGen.Text;
using static TorchSharp.torch;

namespace VidGen.Tests.Evaluation;

public class PromptFidelityTests
{
    [Fact]
    public void PromptSetSplitsSeenAndHeldOutAndCoversEveryHeldOutCase()
    {
        var prompts = EvalPrompts.Make(60, 0.5);
        Assert.Equal(30, prompts.Count(p => p.HeldOut));
        // 30 held-out prompts walk all 8 combinations x {no size, small, large} = 24 cases before repeating.
        var heldCases = prompts.Where(p => p.HeldOut).Take(24).Select(p => p.Text).ToHashSet();
        Assert.Equal(24, heldCases.Count);
        Assert.Equal(ShapesWorld.HeldOut.ToHashSet(), prompts.Where(p => p.HeldOut).Select(p => (p.Colour, p.Shape, p.Direction)).ToHashSet());
        // Interleaved: the first 10 prompts already hold 5 held-out ones.
        Assert.Equal(5, prompts.Take(10).Count(p => p.HeldOut));
        Assert.Contains(prompts, p => p.Size is null);
        Assert.Equal("a red circle moving left", new EvalPrompt("red", ShapeKind.Circle, null, Direction.Left).Text);
        Assert.Equal("a large red circle moving left", new EvalPrompt("red", ShapeKind.Circle, ShapeSize.Large, Direction.Left).Text);

        // All-seen: 88 combinations x 3 size variants are distinct prompts before any repeats, none held out.
        var seen = EvalPrompts.Make(264, 0);
        Assert.DoesNotContain(seen, p => p.HeldOut);
        Assert.Equal(264, seen.Select(p => p.Text).Distinct().Count());
        // Fixed: the same list every time, whatever the seed of the run.
        Assert.Equal(seen.Select(p => p.Text), EvalPrompts.Make(264, 0).Select(p => p.Text));
    }

    [Fact]
    public void GroundTruthScoresAtLeast99Percent()
    {
        var report = PromptFidelity.Evaluate(ClipSources.GroundTruth(new ShapesWorld(32, 8)),
            new FidelityOptions { Clips = 96, ClipsPerPrompt = 4, Seed = 3 }, "ground truth");
        Assert.Equal((96, 24, 32, 8), (report.Clips, report.Prompts, report.Resolution, report.Frames));
        Assert.Equal(48, report.Seen.Clips);
        Assert.Equal(48, report.HeldOut.Clips);
        Assert.True(report.Overall.All >= 0.99, $"all-attributes accuracy {report.Overall.All} on ground truth");
        Assert.True(report.HeldOut.All >= 0.99 && report.Seen.All >= 0.99);
        Assert.True(report.Temporal.ConsistentFraction >= 0.99);
        Assert.Equal(0, report.NoObject);
        // 24 groups of 4 clips: 6 pairs each. Real start positions spread over several pixels (7.3 px measured
        // at 32 px with seed 0) and nearly all pairs are distinct.
        Assert.Equal(144, report.Diversity.Pairs);
        Assert.InRange(report.Diversity.MeanStartDistancePixels!.Value, 4, 12);
        Assert.InRange(report.Diversity.DistinctPairFraction!.Value, 0.8, 1);
        Assert.True(report.MeetsTargets);
    }

    [Fact]
    public void ScoresEachAttributeAgainstThePrompt()
    {
        // A "model" that always draws a large red circle moving left: each rate is the share of prompts asking for it.
        var world = new ShapesWorld(32, 8);
        var fixedSpec = new ShapeSpec("red", ShapeKind.Circle, ShapeSize.Large, Direction.Left);
        ClipSource alwaysRedCircle = (_, seed, count, _) => Enumerable.Range(0, count).Select(i => world.Render(fixedSpec, new Random((int)seed * 10 + i))).ToArray();
        var options = new FidelityOptions { Clips = 120, ClipsPerPrompt = 2 };
        var report = PromptFidelity.Evaluate(alwaysRedCircle, options, "fixed");

        var prompts = EvalPrompts.Make(60, 0.5);
        double Share(Func<EvalPrompt, bool> pick, bool heldOut) => prompts.Where(p => p.HeldOut == heldOut).Count(pick) / (double)prompts.Count(p => p.HeldOut == heldOut);
        foreach (var (acc, held) in new[] { (report.Seen, false), (report.HeldOut, true) })
        {
            Assert.Equal(Share(p => p.Colour == "red", held), acc.Colour!.Value, 9);
            Assert.Equal(Share(p => p.Shape == ShapeKind.Circle, held), acc.Shape!.Value, 9);
            Assert.Equal(Share(p => p.Direction == Direction.Left, held), acc.Direction!.Value, 9);
            var sized = prompts.Where(p => p.HeldOut == held && p.Size is not null).ToArray();
            Assert.Equal(sized.Length * 2, acc.SizedClips);
            Assert.Equal(sized.Count(p => p.Size == ShapeSize.Large) / (double)sized.Length, acc.Size!.Value, 9);
            // All attributes: colour, shape, direction right and size right or unnamed.
            Assert.Equal(Share(p => p.Colour == "red" && p.Shape == ShapeKind.Circle && p.Direction == Direction.Left && p.Size != ShapeSize.Small, held), acc.All!.Value, 9);
        }
        // The held-out list contains "red circle left", so one held-out case is right; no seen one is.
        Assert.True(report.HeldOut.All > 0);
        Assert.Equal(0, report.Seen.All);
    }

    [Fact]
    public void DiversityMeasuresStartPositionsWithinAPrompt()
    {
        var world = new ShapesWorld(32, 8);
        // Clip i of a group starts at (10 + 3i, 6 + 4i) and moves down (staying in view): neighbours 5 px apart,
        // the pair (0, 2) 10 px apart.
        ClipSource spaced = (p, _, count, _) => Enumerable.Range(0, count)
            .Select(i => world.Render(new ShapeSpec(p.Colour, p.Shape, ShapeSize.Small, Direction.Down), 10 + 3 * i, 6 + 4 * i)).ToArray();
        var report = PromptFidelity.Evaluate(spaced, new FidelityOptions { Clips = 6, ClipsPerPrompt = 3 }, "spaced");
        Assert.Equal(6, report.Diversity.Pairs);
        Assert.Equal((5 + 5 + 10) / 3.0, report.Diversity.MeanStartDistancePixels!.Value, 1);
        Assert.Equal(1.0, report.Diversity.DistinctPairFraction);

        // Identical clips: no diversity at all.
        ClipSource same = (p, _, count, _) => Enumerable.Range(0, count)
            .Select(_ => world.Render(new ShapeSpec(p.Colour, p.Shape, ShapeSize.Small, Direction.Down), 16, 8)).ToArray();
        var flat = PromptFidelity.Evaluate(same, new FidelityOptions { Clips = 8, ClipsPerPrompt = 4 }, "same");
        Assert.Equal(0, flat.Diversity.MeanStartDistancePixels!.Value, 6);
        Assert.Equal(0, flat.Diversity.DistinctPairFraction);
    }

    [Fact]
    public void BlankClipsScoreZeroAndAreCounted()
    {
        ClipSource blank = (_, _, count, _) => Enumerable.Range(0, count).Select(_ => new Video(4, 16, 16)).ToArray();
        var report = PromptFidelity.Evaluate(blank, new FidelityOptions { Clips = 5, ClipsPerPrompt = 2 }, "blank");
        Assert.Equal(5, report.NoObject);
        Assert.Equal(3, report.Prompts); // 2 + 2 + 1
        Assert.Equal(0, report.Overall.All);
        Assert.Equal(0, report.Overall.Colour);
        Assert.Equal(0, report.Temporal.ConsistentFraction);
        Assert.Equal(0, report.Diversity.Pairs);
        Assert.Null(report.Diversity.MeanStartDistancePixels);
        Assert.All(report.ClipScores, c => Assert.Equal("none", c.Detected));
    }

    [Fact]
    public void DirectionProbeCentroidsAndTheRealClipsVarianceShare()
    {
        var w = zeros(2, 3, 4, 5);                                                          // (B, F, H, W)
        w[0, 1, 2, 3] = tensor(1f);                                                         // clip 0, frame 1: one pixel at x 3, y 2
        w[1, 1, 0, 1] = tensor(1f);                                                         // clip 1, frame 1: x 1, y 0
        w[TensorIndex.Colon, 0] = tensor(1f);                                               // frame 0 uniform: the middle
        var (x, y) = DirectionProbe.Centroids(w);
        Assert.Equal(2f, x[1], 5); Assert.Equal(1f, y[1], 5);                               // mean of (3, 2) and (1, 0)
        Assert.Equal(2f, x[0], 5); Assert.Equal(1.5f, y[0], 5);
        // Large red squares: knowing the direction removes about a fifth of the per-pixel variance.
        double share = DirectionProbe.DirectionVarianceShare(new ShapesWorld(32, 8), "red", ShapeKind.Square, ShapeSize.Large, clipsPerDirection: 100);
        Assert.InRange(share, 0.18, 0.27);
        // Small circles cover less of the frame, so less variance moves with the direction, but some does.
        Assert.True(DirectionProbe.DirectionVarianceShare(new ShapesWorld(32, 8), "red", ShapeKind.Circle, ShapeSize.Small, clipsPerDirection: 100) > 0.05);
    }

    [Fact]
    public void CancellingKeepsTheClipsAlreadyScored()
    {
        // Ctrl+C during the third prompt's generation: the first two prompts' clips are reported, flagged.
        using var cts = new CancellationTokenSource();
        var truth = ClipSources.GroundTruth(new ShapesWorld(32, 8));
        int calls = 0;
        ClipSource source = (prompt, seed, count, cancel) =>
        {
            if (++calls == 3) { cts.Cancel(); cancel.ThrowIfCancellationRequested(); }
            return truth(prompt, seed, count, cancel);
        };
        var report = PromptFidelity.Evaluate(source, new FidelityOptions { Clips = 12, ClipsPerPrompt = 2 }, "cancelled", cancel: cts.Token);
        Assert.True(report.Interrupted);
        Assert.Equal(4, report.Clips);
        Assert.Equal(4, report.ClipScores.Count);
        Assert.Equal(1.0, report.Overall.Colour);
        Assert.False(report.MeetsTargets);
        Assert.Contains("\"interrupted\": true", report.ToJson());
        var full = PromptFidelity.Evaluate(truth, new FidelityOptions { Clips = 4, ClipsPerPrompt = 2 }, "full");
        Assert.False(full.Interrupted);
    }

    [Fact]
    public void BadOptionsAndMisbehavingSourcesFailClearly()
    {
        ClipSource oneShort = (_, _, count, _) => Enumerable.Range(0, count - 1).Select(_ => new Video(4, 16, 16)).ToArray();
        var e = Assert.Throws<InvalidOperationException>(() => PromptFidelity.Evaluate(oneShort, new FidelityOptions { Clips = 4 }, "short"));
        Assert.Contains("returned 3 clips", e.Message);
        Assert.Throws<ArgumentException>(() => new FidelityOptions { Clips = 0 }.Validate());
        Assert.Throws<ArgumentException>(() => new FidelityOptions { ClipsPerPrompt = 65 }.Validate());
        Assert.Throws<ArgumentException>(() => new FidelityOptions { HeldOutFraction = 1.5 }.Validate());
        Assert.Throws<ArgumentException>(() => EvalPrompts.Make(0));
    }

    [Fact]
    public void UntrainedTinyModelRunsThroughThePipelineAndWritesJson()
    {
        // Plumbing only: an untrained model draws noise, so its accuracies are near zero; the structure is what counts.
        using var oneThread = TorchThreads.Use(1);
        manual_seed(0);
        var tok = WordTokenizer.FromCaptions(ShapesWorld.AllSpecs().Select(s => s.Caption));
        using var model = new VideoDiffusionModel(ModelConfig.Tiny(16, 4), tok);
        var source = ClipSources.Pipeline(new TextToVideoPipeline(model), new GenerationRequest { Prompt = "-", Steps = 2 });
        var settings = new Dictionary<string, string> { ["steps"] = "2" };
        var report = PromptFidelity.Evaluate(source, new FidelityOptions { Clips = 6, ClipsPerPrompt = 3, Seed = 5 }, "tiny", settings);

        Assert.Equal((6, 2, 16, 4), (report.Clips, report.Prompts, report.Resolution, report.Frames));
        Assert.Equal(report.Clips, report.Seen.Clips + report.HeldOut.Clips);
        Assert.Equal(3, report.HeldOut.Clips);
        Assert.Equal(new long[] { 5, 5, 5, 6, 6, 6 }, report.ClipScores.Select(c => c.Seed));
        Assert.InRange(report.Overall.All!.Value, 0, 1);

        using var doc = JsonDocument.Parse(report.ToJson());
        var root = doc.RootElement;
        Assert.Equal("tiny", root.GetProperty("source").GetString());
        Assert.Equal("2", root.GetProperty("settings").GetProperty("steps").GetString());
        foreach (var part in new[] { "seen", "held_out", "overall" })
            foreach (var key in new[] { "clips", "sized_clips", "colour", "shape", "size", "direction", "all" })
                Assert.True(root.GetProperty(part).TryGetProperty(key, out _), $"{part}.{key} missing");
        Assert.Equal(6, root.GetProperty("seen").GetProperty("clips").GetInt32() + root.GetProperty("held_out").GetProperty("clips").GetInt32());
        Assert.True(root.GetProperty("temporal").TryGetProperty("consistent_fraction", out _));
        Assert.True(root.GetProperty("diversity").TryGetProperty("mean_start_distance_pixels", out _));
        var clips = root.GetProperty("clip_scores");
        Assert.Equal(6, clips.GetArrayLength());
        Assert.Equal(report.ClipScores[0].Prompt, clips[0].GetProperty("prompt").GetString());
        Assert.True(clips[0].TryGetProperty("all_correct", out _));
    }
}
