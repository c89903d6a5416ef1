using System.CommandLine;
using System.Text.Json;
using VidGen.Cli.Commands;
using VidGen.Data;
using VidGen.Models;
using VidGen.Text;
using VidGen.Training;

namespace VidGen.Tests.Cli;

/// <summary>`vidgen eval` end to end: options, exit codes and the JSON it writes.</summary>
public sealed class EvalCommandTests : IDisposable
{
    readonly string dir = Path.Combine(Path.GetTempPath(), "vidgen-eval-" + Guid.NewGuid().ToString("N"));

    public EvalCommandTests() => Directory.CreateDirectory(dir);
    public void Dispose() => Directory.Delete(dir, recursive: true);

    static int Invoke(params string[] args) => new RootCommand { EvalCommand.Create() }.Parse(args).Invoke();

    [Fact]
    public void GroundTruthModeScoresAtLeast99PercentAndWritesJson()
    {
        string json = Path.Combine(dir, "gt.json");
        Assert.Equal(0, Invoke("eval", "--ground-truth", "--clips", "48", "--batch", "4", "--json", json));
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var root = doc.RootElement;
        Assert.Equal("ground truth", root.GetProperty("source").GetString());
        Assert.Equal(48, root.GetProperty("clips").GetInt32());
        Assert.True(root.GetProperty("overall").GetProperty("all").GetDouble() >= 0.99);
        Assert.Equal(48, root.GetProperty("clip_scores").GetArrayLength());
    }

    [Fact]
    public void ExtensionModeComparesBothMethodsOnTheSameClipsAndWritesTheirFigures()
    {
        using var oneThread = TorchThreads.Use(1);
        TorchSharp.torch.manual_seed(2);
        string modelDir = Path.Combine(dir, "tiny-ext"), json = Path.Combine(dir, "ext.json");
        var tok = WordTokenizer.FromCaptions(ShapesWorld.AllSpecs().Select(s => s.Caption));
        using (var model = new VideoDiffusionModel(ModelConfig.Tiny(16, 4), tok)) Checkpoint.Save(modelDir, model);

        Assert.Equal(0, Invoke("eval", "--model", modelDir, "--extension", "--clips", "2", "--extend-to", "8", "--overlap", "2", "--steps", "1", "--json", json));
        var root = JsonDocument.Parse(File.ReadAllText(json)).RootElement;
        Assert.Equal((8, 2, 2), (root.GetProperty("frames").GetInt32(), root.GetProperty("overlap").GetInt32(), root.GetProperty("clips").GetInt32()));
        var results = root.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(new[] { "reconstruction", "replacement" }, results.Select(x => x.GetProperty("method").GetString()));
        foreach (var x in results)
        {
            Assert.Equal(4, x.GetProperty("joins").GetInt32()); // 8 frames of a 4-frame model sharing 2: segments at 0, 2, 4; two joins per clip
            Assert.Equal(3, x.GetProperty("segment_accuracy").GetArrayLength());
            Assert.True(x.GetProperty("seconds_per_clip").GetDouble() > 0);
        }
        Assert.Equal(1, Invoke("eval", "--model", modelDir, "--extension", "--extend-to", "4"));
    }

    [Fact]
    public void ModelModeRunsATinySavedModelAndSavesMisreadClips()
    {
        using var oneThread = TorchThreads.Use(1);
        TorchSharp.torch.manual_seed(1);
        string modelDir = Path.Combine(dir, "tiny"), json = Path.Combine(dir, "out", "tiny.json"), failures = Path.Combine(dir, "misread");
        var tok = WordTokenizer.FromCaptions(ShapesWorld.AllSpecs().Select(s => s.Caption));
        using (var model = new VideoDiffusionModel(ModelConfig.Tiny(16, 4), tok)) Checkpoint.Save(modelDir, model);

        Assert.Equal(0, Invoke("eval", "--model", modelDir, "--clips", "4", "--batch", "2", "--steps", "2", "--sampler", "ddim", "--json", json, "--save-failures", failures));
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var root = doc.RootElement;
        Assert.Equal(4, root.GetProperty("seen").GetProperty("clips").GetInt32() + root.GetProperty("held_out").GetProperty("clips").GetInt32());
        Assert.Equal("ddim", root.GetProperty("settings").GetProperty("sampler").GetString());
        Assert.Equal(JsonValueKind.Object, root.GetProperty("ground_truth_diversity").ValueKind);
        // Every clip the detector misread is saved, named after its prompt.
        int wrong = root.GetProperty("clip_scores").EnumerateArray().Count(c => !c.GetProperty("all_correct").GetBoolean());
        Assert.Equal(wrong, Directory.GetFiles(failures, "*.gif").Length);
    }

    [Theory]
    [InlineData("--ground-truth", "--clips", "0")]
    [InlineData("--ground-truth", "--resolution", "8")]
    [InlineData("--ground-truth", "--held-out", "2")]
    [InlineData("--model", "/nonexistent/vidgen-model")]
    public void BadInputExitsWithOne(params string[] options)
    {
        Assert.Equal(1, Invoke(new[] { "eval" }.Concat(options).ToArray()));
    }
}
