using System.Text.Json;
using VidGen.Data.World2;
using VidGen.Evaluation.World2;
using VidGen.Media;
using VidGen.Tests.Data.World2;

namespace VidGen.Tests.Evaluation.World2;

public class World2FidelityTests(ArtFixture fixture) : IClassFixture<ArtFixture>
{
    [EmojiFact]
    public void The_prompt_list_is_fixed_balanced_and_interleaved()
    {
        var prompts = World2EvalPrompts.Make(fixture.Art, 64);
        Assert.Equal(64, prompts.Count);
        Assert.All(Terms.Categories, c => Assert.Equal(8, prompts.Count(p => p.Spec.Category == c)));
        Assert.All(Terms.Categories, c => Assert.Equal(4, prompts.Count(p => p.Spec.Category == c && p.IsHeldOut)));
        // Held-out prompts hold their category's kind; seen prompts hold none.
        Assert.All(prompts.Where(p => p.IsHeldOut), p => Assert.Contains(p.HeldOutKinds, k => HeldOut.KindsFor(p.Spec.Category).Contains(k)));
        Assert.All(prompts, p => Assert.Equal(Captions.Write(p.Spec), p.Text));
        Assert.Equal(prompts.Select(p => p.Text), World2EvalPrompts.Make(fixture.Art, 64).Select(p => p.Text));
        // A prefix keeps the share, and one category gives only that one.
        Assert.Equal(8, prompts.Take(16).Count(p => p.IsHeldOut));
        Assert.All(World2EvalPrompts.Make(fixture.Art, 10, category: Category.Numeracy), p => Assert.Equal(Category.Numeracy, p.Spec.Category));
        Assert.DoesNotContain(World2EvalPrompts.Make(fixture.Art, 16, heldOutShare: 0), p => p.IsHeldOut);
        // Free wording says words training never does, for the same specs.
        var free = World2EvalPrompts.Make(fixture.Art, 16, style: CaptionStyle.Free);
        Assert.Equal(World2EvalPrompts.Make(fixture.Art, 16).Select(p => p.Spec.Category), free.Select(p => p.Spec.Category));
        var freeWords = Lexicon.FreeWords().ToHashSet();
        Assert.All(free, p => Assert.Contains(VidGen.Text.WordTokenizer.Words(p.Text), freeWords.Contains));
    }

    [EmojiFact]
    public void Any_clip_source_is_scored_per_category_and_held_out()
    {
        var world = fixture.World(new WorldGeometry { Frames = 8 });
        var judge = new World2Judge(fixture.Art);
        var options = new World2Options { Clips = 32, ClipsPerPrompt = 2, Seed = 5 };
        var truth = World2Fidelity.Evaluate(World2ClipSources.GroundTruth(world), options, judge, "ground truth");
        Assert.Equal((32, 16, 64, 8), (truth.Clips, truth.Prompts, truth.Resolution, truth.Frames));
        Assert.Equal(8, truth.Categories.Count);
        Assert.True(truth.Overall.All.Category >= 0.99, $"ground truth {truth.Overall.All.Category}: " + string.Join("; ", truth.ClipResults.Where(r => !r.Verdict.CategoryCorrect).Select(r => $"\"{r.Prompt.Text}\" read as {r.Reading.Describe()}")));
        Assert.Equal(16, truth.Overall.HeldOut.Clips);

        // A "model" that draws an empty black clip for every prompt: nothing is read, every category fails,
        // the scene (black, where the prompt names none) is right only for black prompts.
        World2ClipSource blank = (_, _, count, _) => Enumerable.Range(0, count).Select(_ => new Video(8, 64, 64)).ToArray();
        var empty = World2Fidelity.Evaluate(blank, options, judge, "blank");
        Assert.Equal(0, empty.Overall.All.Category);
        Assert.Equal(0, empty.Overall.All.Attributes["count"]);
        var blackShare = empty.ClipResults.Count(r => r.Prompt.Spec.Scene == Scene.Black) / 32.0;
        Assert.Equal(blackShare, empty.Overall.All.Attributes["scene"]!.Value, 6);

        // A source that answers every prompt with the previous prompt's clip is mostly wrong.
        var shifted = World2Fidelity.Evaluate((prompt, seed, count, cancel) =>
            World2ClipSources.GroundTruth(world)(World2EvalPrompts.Make(fixture.Art, 16)[(prompt.Index + 1) % 16], seed, count, cancel), options, judge, "shifted");
        Assert.True(shifted.Overall.All.Category < 0.3, $"shifted {shifted.Overall.All.Category}");

        // The JSON has every clip with its spec, reading and checks.
        using var doc = JsonDocument.Parse(truth.ToJson());
        Assert.Equal(32, doc.RootElement.GetProperty("clip_results").GetArrayLength());
        Assert.Equal(truth.Overall.All.Category!.Value, doc.RootElement.GetProperty("overall").GetProperty("all").GetProperty("category").GetDouble(), 6);
    }

    [EmojiFact]
    public void Cancelling_keeps_the_clips_made()
    {
        var world = fixture.World(new WorldGeometry { Frames = 4 });
        using var cts = new CancellationTokenSource();
        int made = 0;
        var report = World2Fidelity.Evaluate(World2ClipSources.GroundTruth(world), new World2Options { Clips = 16, ClipsPerPrompt = 2 }, new World2Judge(fixture.Art), "gt",
            onClip: (_, _) => { if (++made == 4) cts.Cancel(); }, cancel: cts.Token);
        Assert.True(report.Interrupted);
        Assert.Equal(4, report.Clips);
    }
}
