using System.CommandLine;
using System.Text.Json;
using SixLabors.ImageSharp;
using VidGen.Cli.Commands;
using VidGen.Data;
using VidGen.Media;
using VidGen.Tests.Media;

namespace VidGen.Tests.Cli;

public class DatasetCommandTests
{
    static int Invoke(params string[] args)
    {
        var root = new RootCommand { DatasetCommand.Create(), TrainCommand.Create() };
        return root.Parse(args).Invoke();
    }

    [Fact]
    public void Shapes_writes_clips_a_jsonl_manifest_and_a_contact_sheet_that_train_can_read()
    {
        using var dir = new TempDir();
        Assert.Equal(0, Invoke("dataset", "shapes", "--out", dir.Path, "--count", "5", "--resolution", "16", "--frames", "4", "--seed", "3"));
        var lines = File.ReadAllLines(dir.File("captions.jsonl"));
        Assert.Equal(5, lines.Length);
        var world = new ShapesWorld(16, 4, 8);
        for (int i = 0; i < 5; i++)
        {
            using var doc = JsonDocument.Parse(lines[i]);
            var (video, spec, caption) = world.TrainingClip(3, i);
            Assert.Equal($"clip_0000{i}.gif", doc.RootElement.GetProperty("path").GetString());
            Assert.Equal(caption, doc.RootElement.GetProperty("caption").GetString());
            Assert.Equal(spec.Colour, doc.RootElement.GetProperty("colour").GetString());
            Assert.False(doc.RootElement.GetProperty("held_out").GetBoolean());
            var back = VideoReader.Read(dir.File($"clip_0000{i}.gif"));
            Assert.True(TestClips.MaxAbsDiff(TestClips.Quantised(video), back) < 1e-6f);
        }
        using (var sheet = Image.Load(dir.File("contact_sheet.png")))
            Assert.Equal((4 * 64 + 3, 5 * 64 + 4), (sheet.Width, sheet.Height)); // 16 px clips drawn 4x, 1 px gaps
        var collection = VideoCollection.Load(dir.Path, new CollectionOptions { Resolution = 16, Sampling = new FrameSampling { Frames = 4 } });
        Assert.Equal(5, collection.Count);
        Assert.Equal("nothing skipped", collection.Summary());
    }

    [Theory]
    [InlineData("webp", ".webp")]
    [InlineData("png", "")]
    public void Other_formats_read_back_as_the_same_clips(string format, string ext)
    {
        using var dir = new TempDir();
        var result = DatasetCommand.WriteShapes(dir.Path, 2, 16, 3, 8, 0, format, "train");
        Assert.Equal(2, result.Clips);
        var world = new ShapesWorld(16, 3, 8);
        for (int i = 0; i < 2; i++)
        {
            var back = VideoReader.Read(dir.File($"clip_0000{i}{ext}"));
            Assert.True(TestClips.MaxAbsDiff(TestClips.Quantised(world.TrainingClip(0, i).Video), back) < 1e-6f);
            Assert.Equal(8, back.Fps, 6);
        }
    }

    [Fact]
    public void Held_out_split_holds_only_held_out_combinations_in_both_sizes()
    {
        using var dir = new TempDir();
        DatasetCommand.WriteShapes(dir.Path, 16, 16, 2, 8, 0, "png", "held-out");
        var rows = File.ReadAllLines(dir.File("captions.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.All(rows, r => Assert.True(r.GetProperty("held_out").GetBoolean()));
        Assert.Equal(16, rows.Select(r => r.GetProperty("caption").GetString()).Distinct().Count()); // 8 combinations x 2 sizes
        Assert.Equal(ShapesSplits.HeldOutClip(new ShapesWorld(16, 2), 0, 5).Video.Pixels,
            ShapesSplits.HeldOutClip(new ShapesWorld(16, 2), 0, 5).Video.Pixels);
    }

    [Theory]
    [InlineData("--resolution", "8", "--resolution 8")]
    [InlineData("--format", "avi", "--format avi")]
    [InlineData("--split", "test", "--split test")]
    [InlineData("--count", "0", "--count 0")]
    public void Bad_options_are_one_line_errors_naming_the_option(string option, string value, string expected)
    {
        using var dir = new TempDir();
        var e = Assert.Throws<ArgumentException>(() => DatasetCommand.WriteShapes(dir.Path,
            option == "--count" ? int.Parse(value) : 2, option == "--resolution" ? int.Parse(value) : 16, 2, 8, 0,
            option == "--format" ? value : "gif", option == "--split" ? value : "train"));
        Assert.StartsWith(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Equal(1, Invoke("dataset", "shapes", "--out", dir.Path, option, value));
    }

    [Fact]
    public void Check_reports_a_collection_and_writes_a_sheet_of_training_clips()
    {
        using var dir = new TempDir();
        DatasetCommand.WriteShapes(dir.Path, 3, 16, 4, 8, 0, "gif", "train");
        File.WriteAllText(dir.File("clip_00001.gif"), "broken");
        Assert.Equal(0, Invoke("dataset", "check", "--data", dir.Path, "--resolution", "16", "--frames", "4", "--sheet", dir.File("sheet.png")));
        using var sheet = Image.Load(dir.File("sheet.png"));
        Assert.Equal(2 * 64 + 1, sheet.Height); // the broken clip was skipped: two rows
        Assert.Equal(1, Invoke("dataset", "check", "--data", dir.File("missing.tsv")));
    }

    [Fact]
    public void Train_with_a_bad_data_path_fails_in_one_line_before_building_a_model()
    {
        using var dir = new TempDir();
        Assert.Equal(1, Invoke("train", "--out", dir.File("model"), "--data", dir.File("nothing.jsonl"), "--preset", "tiny"));
        Assert.Equal(1, Invoke("train", "--out", dir.File("model"), "--data", dir.Path, "--short-clips", "wrap", "--preset", "tiny"));
        Assert.False(Directory.Exists(dir.File("model")));
    }
}
