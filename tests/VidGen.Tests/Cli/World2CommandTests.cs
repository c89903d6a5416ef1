using System.CommandLine;
using System.Text.Json;
using SixLabors.ImageSharp;
using VidGen.Cli.Commands;
using VidGen.Data;
using VidGen.Data.World2;
using VidGen.Media;
using VidGen.Models;
using VidGen.Tests.Data.World2;
using VidGen.Tests.Media;

namespace VidGen.Tests.Cli;

/// <summary>`vidgen dataset world2` and `vidgen eval --world world2` end to end.</summary>
public class World2CommandTests
{
    static int Invoke(params string[] args) => new RootCommand { DatasetCommand.Create(), EvalCommand.Create() }.Parse(args).Invoke();

    [EmojiFact]
    public void Dataset_writes_clips_every_attribute_and_a_sheet_that_train_can_read()
    {
        using var dir = new TempDir();
        Assert.Equal(0, Invoke("dataset", "world2", "--out", dir.Path, "--count", "6", "--seed", "4", "--frames", "8"));
        var lines = File.ReadAllLines(dir.File("captions.jsonl"));
        Assert.Equal(6, lines.Length);
        var world = new CompositionalWorld(ObjectArt.Load(), new WorldGeometry { Frames = 8 });
        for (int i = 0; i < 6; i++)
        {
            using var doc = JsonDocument.Parse(lines[i]);
            var row = doc.RootElement;
            var clip = world.TrainingClip(4, i);
            Assert.Equal($"clip_0000{i}.gif", row.GetProperty("path").GetString());
            Assert.Equal(clip.Caption, row.GetProperty("caption").GetString());
            Assert.Equal(Terms.Name(clip.Spec.Category), row.GetProperty("category").GetString());
            Assert.Equal(Terms.Name(clip.Spec.Scene), row.GetProperty("scene").GetString());
            Assert.False(row.GetProperty("held_out").GetBoolean());
            var objects = row.GetProperty("objects");
            Assert.Equal(clip.Spec.Count, objects.GetArrayLength());
            for (int k = 0; k < clip.Spec.Count; k++)
            {
                var o = objects[k];
                var s = clip.Spec.Objects[k];
                Assert.Equal(Terms.Name(s.Class), o.GetProperty("class").GetString());
                Assert.Equal(s.Colour, o.GetProperty("colour").GetString());
                Assert.Equal(Terms.Name(s.Size), o.GetProperty("size").GetString());
                Assert.Equal(Terms.Name(s.Movement), o.GetProperty("movement").GetString());
                Assert.Equal(Terms.Name(s.Speed), o.GetProperty("speed").GetString());
                Assert.Equal(s.SizeNamed, o.GetProperty("size_named").GetBoolean());
                var x = o.GetProperty("track").GetProperty("x");
                Assert.Equal(8, x.GetArrayLength());
                Assert.Equal(clip.Layout.Tracks[k][7].X, x[7].GetSingle(), 2);
            }
            var back = VideoReader.Read(dir.File($"clip_0000{i}.gif"));
            Assert.True(TestClips.MaxAbsDiff(TestClips.Quantised(clip.Video), back) < 1e-6f);
        }
        using (var sheet = Image.Load(dir.File("contact_sheet.png")))
            Assert.Equal((8 * 128 + 7, 6 * 128 + 5), (sheet.Width, sheet.Height)); // 64 px clips drawn 2x, 1 px gaps
        var collection = VideoCollection.Load(dir.Path, new CollectionOptions { Resolution = 64, Sampling = new FrameSampling { Frames = 8 } });
        Assert.Equal(6, collection.Count);
        Assert.Equal("nothing skipped", collection.Summary());
    }

    [EmojiFact]
    public void Held_out_split_of_one_category_and_output_independent_of_threads()
    {
        using var one = new TempDir();
        using var two = new TempDir();
        var geometry = new WorldGeometry { Frames = 4 };
        var a = DatasetWorld2Command.Write(one.Path, 8, geometry, 2, "png", Split.HeldOut, Category.Spatial, threads: 1);
        DatasetWorld2Command.Write(two.Path, 8, geometry, 2, "png", Split.HeldOut, Category.Spatial, threads: 2);
        Assert.Equal(8, a.HeldOut);
        var rows = File.ReadAllLines(one.File("captions.jsonl"));
        Assert.Equal(rows, File.ReadAllLines(two.File("captions.jsonl")));
        foreach (var line in rows)
        {
            using var doc = JsonDocument.Parse(line);
            Assert.True(doc.RootElement.GetProperty("held_out").GetBoolean());
            Assert.Equal("spatial", doc.RootElement.GetProperty("category").GetString());
            Assert.Contains("relation_triple", doc.RootElement.GetProperty("held_out_kinds").EnumerateArray().Select(k => k.GetString()));
        }
        for (int i = 0; i < 8; i++)
            Assert.Equal(VideoReader.Read(one.File($"clip_0000{i}")).Pixels, VideoReader.Read(two.File($"clip_0000{i}")).Pixels);
    }

    [Theory]
    [InlineData("--category", "colour", "--category colour")]
    [InlineData("--split", "test", "--split test")]
    [InlineData("--format", "avi", "--format avi")]
    [InlineData("--resolution", "16", "--resolution 16")]
    [InlineData("--count", "0", "--count 0")]
    public void Bad_dataset_options_are_one_line_errors_naming_the_option(string option, string value, string expected)
    {
        using var dir = new TempDir();
        var e = Assert.Throws<ArgumentException>(() => DatasetWorld2Command.Write(dir.Path,
            option == "--count" ? int.Parse(value) : 2, new WorldGeometry { Resolution = option == "--resolution" ? int.Parse(value) : 64 }, 0,
            option == "--format" ? value : "gif", option == "--split" ? DatasetWorld2Command.ParseSplit(value) : Split.Train,
            option == "--category" ? Terms.ParseCategory(value) : null));
        Assert.StartsWith(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Equal(1, Invoke("dataset", "world2", "--out", dir.Path, option, value));
    }

    [Fact]
    public void A_missing_font_or_out_folder_fails_in_one_line()
    {
        using var dir = new TempDir();
        Assert.Equal(1, Invoke("dataset", "world2", "--out", dir.Path, "--count", "2", "--emoji-font", dir.File("none.ttf")));
        Assert.False(File.Exists(dir.File("captions.jsonl")));
        Assert.Equal(1, Invoke("dataset", "world2", "--count", "2"));
        Assert.Equal(1, Invoke("eval", "--world", "world3", "--ground-truth"));
    }

    [EmojiFact]
    public void Measure_renders_without_writing()
    {
        var m = DatasetWorld2Command.Measure(new WorldGeometry { Frames = 8 }, 32, 0, Split.Train, null, 2);
        Assert.Equal((32, 2), (m.Clips, m.Threads));
        Assert.True(m.Seconds > 0 && m.BatchMilliseconds > 0);
        Assert.Equal(m.Seconds / 32 * 10_000, m.SecondsFor10000, 6);
    }

    [EmojiFact]
    public void Eval_runs_a_model_through_its_pipeline_and_saves_what_it_misreads()
    {
        using var oneThread = TorchThreads.Use(1);
        TorchSharp.torch.manual_seed(1);
        using var dir = new TempDir();
        string modelDir = dir.File("tiny"), json = dir.File("tiny.json"), failures = dir.File("misread");
        var tokenizer = VidGen.Text.WordTokenizer.FromCaptions(World2TrainingClips.Vocabulary());
        using (var model = new VideoDiffusionModel(ModelConfig.Tiny(32, 4), tokenizer)) Checkpoint.Save(modelDir, model);
        Assert.Equal(0, Invoke("eval", "--world", "world2", "--model", modelDir, "--clips", "4", "--batch", "2", "--steps", "2", "--sampler", "ddim", "--json", json, "--save-failures", failures));
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var root = doc.RootElement;
        Assert.StartsWith("model ", root.GetProperty("source").GetString());
        Assert.Equal((4, 32, 4), (root.GetProperty("clips").GetInt32(), root.GetProperty("resolution").GetInt32(), root.GetProperty("frames").GetInt32()));
        Assert.Equal("ddim", root.GetProperty("settings").GetProperty("sampler").GetString());
        // An untrained model draws noise: every clip it got wrong is saved, named after its prompt.
        int wrong = root.GetProperty("clip_results").EnumerateArray().Count(c => !c.GetProperty("category_correct").GetBoolean());
        Assert.True(wrong >= 3, $"an untrained model passed {4 - wrong} of 4 clips");
        Assert.Equal(wrong, Directory.GetFiles(failures, "*.gif").Length);
    }

    [EmojiFact]
    public void Eval_of_ground_truth_reports_every_category_and_every_clip()
    {
        using var dir = new TempDir();
        string json = dir.File("gt.json"), failures = dir.File("misread");
        Assert.Equal(0, Invoke("eval", "--world", "world2", "--ground-truth", "--clips", "32", "--batch", "2", "--json", json, "--save-failures", failures));
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var root = doc.RootElement;
        Assert.Equal("world2", root.GetProperty("world").GetString());
        Assert.Equal("ground truth", root.GetProperty("source").GetString());
        Assert.Equal((32, 64, 16), (root.GetProperty("clips").GetInt32(), root.GetProperty("resolution").GetInt32(), root.GetProperty("frames").GetInt32()));
        Assert.Equal(8, root.GetProperty("categories").GetArrayLength());
        Assert.True(root.GetProperty("overall").GetProperty("all").GetProperty("category").GetDouble() >= 0.99);
        Assert.Equal(16, root.GetProperty("overall").GetProperty("held_out").GetProperty("clips").GetInt32());
        var clip = root.GetProperty("clip_results")[0];
        Assert.Equal(clip.GetProperty("spec").GetProperty("count").GetInt32(), clip.GetProperty("read").GetProperty("count").GetInt32());
        Assert.Equal(16, clip.GetProperty("read").GetProperty("objects")[0].GetProperty("track").GetProperty("x").GetArrayLength());
        Assert.True(clip.GetProperty("checks").GetProperty("class").GetBoolean());
        Assert.Empty(Directory.GetFiles(failures));

        // One category, in free words: the prompts use words no training caption has.
        string free = dir.File("free.json");
        Assert.Equal(0, Invoke("eval", "--world", "world2", "--ground-truth", "--clips", "4", "--batch", "2", "--category", "motion", "--free-words", "--json", free));
        using var f = JsonDocument.Parse(File.ReadAllText(free));
        var freeWords = Lexicon.FreeWords().ToHashSet();
        foreach (var c in f.RootElement.GetProperty("clip_results").EnumerateArray())
        {
            Assert.Equal("motion", c.GetProperty("spec").GetProperty("category").GetString());
            Assert.Contains(VidGen.Text.WordTokenizer.Words(c.GetProperty("prompt").GetString()!), freeWords.Contains);
        }
    }
}
