using System.Text.Json;
using VidGen.Cli.Commands;
using VidGen.Models;
using VidGen.Training;

namespace VidGen.Tests.Training;

/// <summary>Snapshots (`train --snapshot-every`): kept model folders with the training time they took, across a resume.</summary>
public class SnapshotTests
{
    static TrainOptions Options(int steps) => new()
    {
        Steps = steps, BatchSize = 2, LearningRate = 2e-3, WarmupSteps = 1, CheckpointEvery = 2, SnapshotEvery = 2, Seed = 5, EmaDecay = 0.9,
    };

    [Fact]
    public void Snapshots_are_loadable_model_folders_whose_training_time_counts_on_across_a_resume()
    {
        var dir = TinyModels.TempDir("snapshots");
        using (var first = new Trainer(ModelConfig.Tiny(16, 4), TinyModels.ShapesData(), Options(6), dir))
        {
            using var cts = new CancellationTokenSource();
            first.Train(p => { if (p.Step == 4) cts.Cancel(); }, cts.Token);
            Assert.Equal(4, first.Step);
        }
        var state = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, Trainer.StateDir, Trainer.StateFile))).RootElement;
        double saved = state.GetProperty("TrainingSeconds").GetDouble();
        Assert.True(saved > 0, $"state.json keeps the training time: {saved}");
        using (var second = new Trainer(ModelConfig.Tiny(16, 4), TinyModels.ShapesData(), Options(6), dir))
        {
            Assert.Empty(second.Resume());
            Assert.Equal(saved, second.TrainingSeconds, 6);
            second.Train();
            Assert.True(second.TrainingSeconds > saved);
        }

        var snapshots = CurveCommand.ReadIndex(dir);
        Assert.Equal(new[] { 2, 4, 6 }, snapshots.Select(s => s.Step));
        Assert.True(snapshots[0].Hours < snapshots[1].Hours && snapshots[1].Hours <= saved / 3600 + 1e-9 && snapshots[1].Hours < snapshots[2].Hours,
            string.Join(", ", snapshots.Select(s => s.Hours)));
        // Each snapshot is the EMA model of its step: the last one equals the final checkpoint.
        using var last = Checkpoint.Load(snapshots[2].Folder);
        using var final = Checkpoint.Load(dir);
        foreach (var ((name, a), (_, b)) in last.state_dict().Zip(final.state_dict()))
            Assert.True(a.allclose(b, 0, 0), name);
        using var early = Checkpoint.Load(snapshots[0].Folder);
        Assert.Contains(early.state_dict().Zip(final.state_dict()), p => !p.First.Value.allclose(p.Second.Value, 0, 0));
    }

    [Fact]
    public void The_index_keeps_the_last_row_per_step_skips_missing_folders_and_names_a_bad_line()
    {
        var dir = TinyModels.TempDir("snapshot-index");
        var snaps = Path.Combine(dir, Trainer.SnapshotDir);
        Directory.CreateDirectory(Trainer.SnapshotPath(dir, 1000));
        Directory.CreateDirectory(Trainer.SnapshotPath(dir, 2000));
        File.WriteAllLines(Path.Combine(snaps, Trainer.SnapshotIndex), new[]
        {
            """{"step":2000,"training_s":7200,"folder":"step-002000"}""",
            """{"step":1000,"training_s":3000,"folder":"step-001000"}""",
            """{"step":1000,"training_s":3600,"folder":"step-001000"}""", // redone after a resume
            """{"step":3000,"training_s":9000,"folder":"step-003000"}""", // its folder was deleted
            "",
        });
        var read = CurveCommand.ReadIndex(dir);
        Assert.Equal(new[] { (1000, 1.0), (2000, 2.0) }, read.Select(s => (s.Step, s.Hours)));
        File.AppendAllText(Path.Combine(snaps, Trainer.SnapshotIndex), "{\"step\": \"x\"}\n");
        var e = Assert.Throws<InvalidDataException>(() => CurveCommand.ReadIndex(dir));
        Assert.StartsWith($"{Path.Combine(snaps, Trainer.SnapshotIndex)} line 6 is not a snapshot row", e.Message);
    }
}
