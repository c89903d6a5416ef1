using Spectre.Console;
using VidGen.Data;
using VidGen.Training;
using VidGen.Models;

namespace VidGen.Cli.Commands;

/// <summary>
/// Fallback when no bundled model is found: trains a tiny model once into the user's cache and says so.
/// Its videos are blurry and barely follow prompts; it exists so `generate` always produces a file.
/// </summary>
public static class QuickModel
{
    public static string EnsureTrained()
    {
        string cache = Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } x ? x
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        string dir = Path.Combine(cache, "vidgen", "quick-model");
        if (Checkpoint.Exists(dir)) return dir;
        AnsiConsole.MarkupLine("[yellow]No bundled model found (models/default). Training a tiny quick model once, about a minute;[/]");
        AnsiConsole.MarkupLineInterpolated($"[yellow]it is a placeholder and will not follow prompts well. It is kept in {dir}.[/]");
        var config = ModelPresets.Get(ModelPreset.Small, 32, 8);
        var options = new TrainOptions { Steps = 60, BatchSize = 4, WarmupSteps = 10, LearningRate = 1e-3, CheckpointEvery = 0 };
        TrainCommand.Run(config, new ShapesTrainingClips(new ShapesWorld(32, 8)), options, dir, resume: false);
        return dir;
    }
}
