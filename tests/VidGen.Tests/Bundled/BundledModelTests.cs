using VidGen.Evaluation;
using VidGen.Pipelines;
using VidGen.Training;
using VidGen.Models;

namespace VidGen.Tests.Bundled;

/// <summary>
/// The model shipped in models/default follows prompts, seen and held-out, as read back by the shapes-world
/// detector. 24 clips at the default settings (a few seconds); README's figures come from `vidgen eval` at 240.
/// </summary>
public class BundledModelTests
{
    public static string ModelDir()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "models", "default");
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException("models/default not found above " + AppContext.BaseDirectory);
    }

    [Fact]
    public void LoadsAndIsSmallEnoughForGit()
    {
        var dir = ModelDir();
        Assert.True(Checkpoint.Exists(dir));
        Assert.True(new FileInfo(Path.Combine(dir, Checkpoint.WeightsFile)).Length < 30_000_000);
        using var model = Checkpoint.Load(dir);
        Assert.Equal(32, model.Config.Resolution);
        Assert.True(model.Config.Frames >= 8);
    }

    [Fact]
    public void GeneratedClipsMatchTheirPrompts()
    {
        using var model = Checkpoint.Load(ModelDir());
        var pipe = new TextToVideoPipeline(model);
        var settings = new GenerationRequest { Prompt = "-", Steps = 20 }; // the defaults generate uses
        var report = PromptFidelity.Evaluate(ClipSources.Pipeline(pipe, settings),
            new FidelityOptions { Clips = 24, ClipsPerPrompt = 2, Seed = 100 }, "bundled"); // 12 prompts
        // README "Bundled model" has the figures at 240 clips; 24 clips here, so the bounds leave room.
        Assert.True(report.Overall.Colour >= 0.95, $"colour {report.Overall.Colour}");
        Assert.True(report.HeldOut.Colour >= 0.95, $"held-out colour {report.HeldOut.Colour}");
        Assert.True(report.Overall.Shape >= 0.8, $"shape {report.Overall.Shape}");
        Assert.True(report.Overall.Size >= 0.8, $"size {report.Overall.Size}");
        Assert.True(report.Overall.Direction >= 0.85, $"direction {report.Overall.Direction}");
        Assert.True(report.HeldOut.Direction >= 0.85, $"held-out direction {report.HeldOut.Direction}");
        Assert.True(report.Seen.All >= 0.75, $"all attributes, seen {report.Seen.All}");
        Assert.True(report.HeldOut.All >= 0.75, $"all attributes, held-out {report.HeldOut.All}");
    }

    [Fact]
    public void ItsMeanClipAtPureNoiseMovesTheWayTheWordsSay()
    {
        // The diagnosis of the earlier model, which drew the same path for all four (README "Bundled model").
        using var model = Checkpoint.Load(ModelDir());
        var paths = DirectionProbe.Paths(model, "red", VidGen.Data.ShapeKind.Square, VidGen.Data.ShapeSize.Large);
        float Dx(VidGen.Data.Direction d) { var p = paths.Single(q => q.Direction == d); return p.X[^1] - p.X[0]; }
        float Dy(VidGen.Data.Direction d) { var p = paths.Single(q => q.Direction == d); return p.Y[^1] - p.Y[0]; }
        Assert.True(Dx(VidGen.Data.Direction.Left) < -5, $"left: dx {Dx(VidGen.Data.Direction.Left)}");
        Assert.True(Dx(VidGen.Data.Direction.Right) > 5, $"right: dx {Dx(VidGen.Data.Direction.Right)}");
        Assert.True(Dy(VidGen.Data.Direction.Up) < -5, $"up: dy {Dy(VidGen.Data.Direction.Up)}");
        Assert.True(Dy(VidGen.Data.Direction.Down) > 5, $"down: dy {Dy(VidGen.Data.Direction.Down)}");
        Assert.True(Math.Abs(Dy(VidGen.Data.Direction.Left)) < 2 && Math.Abs(Dx(VidGen.Data.Direction.Up)) < 2);
    }
}
