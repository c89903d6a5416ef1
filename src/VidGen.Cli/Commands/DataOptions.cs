using System.CommandLine;
using Spectre.Console;
using VidGen.Data;
using VidGen.Data.Shards;

namespace VidGen.Cli.Commands;

/// <summary>
/// The options that pick and shape a user's collection, shared by `train` and `dataset check`:
/// --data, --media-dir, --frame-stride, --target-fps, --flip, --short-clips, --lazy.
/// </summary>
public sealed class DataOptions
{
    public Option<string?> Data { get; } = new("--data") { Description = "your collection: a TGIF-style .tsv (url<TAB>caption), a .jsonl manifest ({\"path\", \"caption\"}) or a folder of clips with .txt captions (default: the built-in shapes world)" };
    public Option<string?> MediaDir { get; } = new("--media-dir") { Description = "folder holding the GIFs a .tsv list names (default: the list's folder)" };
    public Option<int> Stride { get; } = new("--frame-stride") { Description = "use every Nth source frame", DefaultValueFactory = _ => 1 };
    public Option<double?> TargetFps { get; } = new("--target-fps") { Description = "sample frames at this rate using each clip's own frame rate (instead of --frame-stride)" };
    public Option<bool> Flip { get; } = new("--flip") { Description = "mirror half of the clips left-right (whole clips; 'left'/'right' in captions are swapped)" };
    public Option<string> ShortClips { get; } = new("--short-clips") { Description = $"clips with too few frames: {Names.ShortClips.Choices} (pad holds the last frame)", DefaultValueFactory = _ => Names.ShortClips.Name(new FrameSampling().ShortClips) };
    public Option<bool> Lazy { get; } = new("--lazy") { Description = "decode clips on first use instead of all at start (big collections); bad files are then counted as they are met" };
    public Option<int> LoaderWorkers { get; } = new("--loader-workers") { Description = "threads reading clips ahead of the training step (0 = read in the step); the clips do not depend on it", DefaultValueFactory = _ => 0 };

    /// <summary>The collection options `train` and `dataset check` share (train adds --loader-workers).</summary>
    public IEnumerable<Option> All => new Option[] { Data, MediaDir, Stride, TargetFps, Flip, ShortClips, Lazy };

    /// <summary>
    /// --data as training clips: a shard folder (`vidgen dataset pack`) is memory-mapped, anything else is loaded as a
    /// collection (<paramref name="collection"/> is then set, for its skip report). With --loader-workers the clips
    /// are read ahead on that many threads.
    /// </summary>
    public ITrainingClips Open(ParseResult r, string path, CollectionOptions options, out VideoCollection? collection)
    {
        collection = null;
        ITrainingClips clips;
        if (ClipShards.IsShardFolder(path))
        {
            var sharded = new ShardedClips(path, options);
            AnsiConsole.MarkupLineInterpolated($"data: {sharded.Count} clips from {sharded.Index.ShardCount} shards in {path} ({sharded.Index.Skipped.Count} skipped when packed)");
            clips = sharded;
        }
        else clips = collection = Load(path, options);
        int workers = r.GetValue(LoaderWorkers);
        if (workers < 0) throw new ArgumentException($"--loader-workers must be 0 or more (got {workers})");
        return workers > 0 ? new PrefetchingClips(clips, workers, depth: 4 * workers) : clips;
    }

    public CollectionOptions Collection(ParseResult r, int resolution, int frames, double fps, int seed) => new()
    {
        Resolution = resolution,
        Sampling = new FrameSampling
        {
            Frames = frames, Stride = r.GetValue(Stride), TargetFps = r.GetValue(TargetFps),
            ShortClips = Names.ShortClips.Parse(r.GetValue(ShortClips)!, "--short-clips"),
        },
        Flip = r.GetValue(Flip), Seed = seed, Fps = fps, Preload = !r.GetValue(Lazy), MediaDir = r.GetValue(MediaDir),
    };

    /// <summary>Loads the collection with a progress bar and prints what was used and what was skipped.</summary>
    public static VideoCollection Load(string path, CollectionOptions options)
    {
        VideoCollection? collection = null;
        if (options.Preload)
        {
            AnsiConsole.Progress().AutoClear(true).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask("decoding clips", maxValue: 1);
                    collection = VideoCollection.Load(path, options, new Progress<(int Done, int Total)>(p => { task.MaxValue = p.Total; task.Value = p.Done; }));
                });
        }
        else collection = VideoCollection.Load(path, options);
        PrintReport(collection!);
        return collection!;
    }

    public static void PrintReport(VideoCollection c, int examples = 5)
    {
        var lines = c.Report(examples).Split('\n');
        AnsiConsole.MarkupLineInterpolated($"data: {lines[0]}");
        foreach (var l in lines.Skip(1)) AnsiConsole.MarkupLineInterpolated($"[yellow]{l}[/]");
    }
}
