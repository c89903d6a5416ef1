using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using VidGen.Data;
using VidGen.Data.Shards;
using VidGen.Media;

namespace VidGen.Cli.Commands;

/// <summary>
/// `vidgen dataset shapes`: writes shapes-world clips and a captions.jsonl manifest (the format `train --data`
/// reads), plus a contact sheet, so users can see what the model learns from.
/// `vidgen dataset check`: loads a collection as training would, reports skipped files, writes a contact sheet
/// of training clips as the model sees them.
/// </summary>
public static class DatasetCommand
{
    public static readonly string[] Formats = { "gif", "webp", "png", "mp4" };

    public static Command Create()
    {
        var cmd = new Command("dataset", "Write the shapes world or the second world to files, or check a collection of your own");
        cmd.Add(Shapes());
        cmd.Add(DatasetWorld2Command.Create());
        cmd.Add(Check());
        cmd.Add(Pack());
        return cmd;
    }

    static Command Shapes()
    {
        var output = new Option<string>("--out", "-o") { Description = "folder to write clips, captions.jsonl and contact_sheet.png into", Required = true };
        var count = new Option<int>("--count", "-n") { Description = "number of clips", DefaultValueFactory = _ => 64 };
        var resolution = new Option<int>("--resolution") { Description = "frame size in pixels (16-128)", DefaultValueFactory = _ => 32 };
        var frames = new Option<int>("--frames") { Description = "frames per clip", DefaultValueFactory = _ => 8 };
        var fps = new Option<double>("--fps") { Description = "playback frames per second", DefaultValueFactory = _ => 8 };
        var seed = new Option<int>("--seed") { Description = "seed of the split (the same seed gives the same clips)", DefaultValueFactory = _ => 0 };
        var format = new Option<string>("--format") { Description = "gif | webp | png (a folder of frames per clip) | mp4 (needs ffmpeg)", DefaultValueFactory = _ => "gif" };
        var split = new Option<string>("--split") { Description = "train (never a held-out combination) | held-out (only those)", DefaultValueFactory = _ => "train" };
        var scale = new Option<int>("--scale") { Description = "pixel upscaling of the written clips (training reads them back at --resolution)", DefaultValueFactory = _ => 1 };

        var cmd = new Command("shapes", "Write shapes-world clips with a captions.jsonl manifest") { output, count, resolution, frames, fps, seed, format, split, scale };
        cmd.SetAction(r => CliSupport.Run(() =>
        {
            var result = WriteShapes(r.GetValue(output)!, r.GetValue(count), r.GetValue(resolution), r.GetValue(frames), r.GetValue(fps),
                r.GetValue(seed), r.GetValue(format)!, r.GetValue(split)!, r.GetValue(scale));
            AnsiConsole.MarkupLineInterpolated($"wrote [green]{result.Clips}[/] {result.Format} clips, {ClipManifests.DefaultJsonl} and contact_sheet.png to [green]{result.Folder}[/] in {result.Seconds:F1} s");
            AnsiConsole.MarkupLineInterpolated($"[grey]train on them with: vidgen train --data {result.Folder} --out <model folder>[/]");
            return 0;
        }));
        return cmd;
    }

    public sealed record ShapesResult(string Folder, int Clips, string Format, double Seconds);

    /// <summary>The work of `dataset shapes`, callable from tests.</summary>
    public static ShapesResult WriteShapes(string outDir, int count, int resolution, int frames, double fps, int seed, string format, string split, int scale = 1)
    {
        if (count < 1 || count > 1_000_000) throw new ArgumentException($"--count {count}: use 1 to 1000000 clips");
        if (resolution < 16 || resolution > 128) throw new ArgumentException($"--resolution {resolution}: the shapes world renders 16 to 128 pixels");
        if (frames < 2 || frames > 256) throw new ArgumentException($"--frames {frames}: use 2 to 256 frames");
        if (!(fps > 0 && fps <= 100)) throw new ArgumentException($"--fps {fps}: use a rate above 0 and at most 100");
        if (scale < 1 || scale > 16) throw new ArgumentException($"--scale {scale}: use 1 to 16");
        format = format.Trim().ToLowerInvariant().TrimStart('.');
        if (!Formats.Contains(format)) throw new ArgumentException($"--format {format}: use one of {string.Join(", ", Formats)}");
        bool heldOut = split.Trim().ToLowerInvariant() switch
        {
            "train" => false,
            "held-out" or "heldout" => true,
            _ => throw new ArgumentException($"--split {split}: use train or held-out"),
        };
        if (format == "mp4") Ffmpeg.Require();

        var clock = Stopwatch.StartNew();
        Directory.CreateDirectory(outDir);
        var world = new ShapesWorld(resolution, frames, fps);
        int digits = Math.Max(5, (count - 1).ToString(CultureInfo.InvariantCulture).Length);
        var preview = new List<Video>();
        using (var manifest = new StreamWriter(Path.Combine(outDir, ClipManifests.DefaultJsonl)))
        {
            AnsiConsole.Progress().AutoClear(true).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask($"writing {count} clips", maxValue: count);
                    for (int i = 0; i < count; i++)
                    {
                        var (video, spec, caption) = heldOut ? ShapesSplits.HeldOutClip(world, seed, i) : world.TrainingClip(seed, i);
                        string name = "clip_" + i.ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0') + (format == "png" ? "" : "." + format);
                        VideoWriter.Write(video, Path.Combine(outDir, name), scale);
                        manifest.WriteLine(JsonSerializer.Serialize(new
                        {
                            path = name, caption, colour = spec.Colour,
                            shape = spec.Shape.ToString().ToLowerInvariant(), size = spec.Size.ToString().ToLowerInvariant(),
                            direction = spec.Direction.ToString().ToLowerInvariant(), held_out = ShapesWorld.IsHeldOut(spec),
                        }));
                        if (preview.Count < 16) preview.Add(video);
                        task.Increment(1);
                    }
                });
        }
        ContactSheet.WriteGridPng(preview, Path.Combine(outDir, "contact_sheet.png"), scale: Math.Max(1, 64 / resolution));
        return new ShapesResult(outDir, count, format, clock.Elapsed.TotalSeconds);
    }

    /// <summary>`dataset pack`: decode a collection once into memory-mapped shards that `train --data DIR` reads.</summary>
    static Command Pack()
    {
        var data = new DataOptions();
        var output = new Option<string>("--out", "-o") { Description = "folder for the shards and index.json", Required = true };
        var resolution = new Option<int>("--resolution") { Description = "frame size the model trains at (frames are fitted to it once, here)", DefaultValueFactory = _ => 32 };
        var frames = new Option<int>("--frames") { Description = "frames per training clip (shorter clips are skipped or kept as --short-clips says)", DefaultValueFactory = _ => 8 };
        var fps = new Option<double>("--fps") { Description = "the model's playback rate", DefaultValueFactory = _ => 8 };
        var shardMb = new Option<int>("--shard-mb") { Description = "size at which a shard file is closed and the next begun", DefaultValueFactory = _ => (int)(ClipShards.DefaultShardBytes >> 20) };
        var cmd = new Command("pack", "Decode a collection once into fixed-size shards (uint8 frames at training size, captions, an index) for `train --data DIR`")
            { output, resolution, frames, fps, shardMb };
        foreach (var o in data.All) cmd.Add(o);
        data.Data.Required = true;
        cmd.SetAction(r => CliSupport.Run(() =>
        {
            if (r.GetValue(shardMb) < 1) throw new ArgumentException($"--shard-mb must be at least 1 (got {r.GetValue(shardMb)})");
            var options = data.Collection(r, r.GetValue(resolution), r.GetValue(frames), r.GetValue(fps), seed: 0) with { Preload = false, CacheBytes = 0 };
            var collection = VideoCollection.Load(r.GetValue(data.Data)!, options);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            ShardIndex? index = null;
            AnsiConsole.Progress().AutoClear(true).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask("packing clips", maxValue: 1);
                    var progress = new Progress<(int Done, int Total)>(p => { task.MaxValue = p.Total; task.Value = p.Done; });
                    index = ClipShards.Write(r.GetValue(output)!, options.Resolution,
                        collection.Sources(progress).Select(s => (s.Source, s.Entry.Caption, s.Entry.Path)),
                        SkippedAfterDecoding(collection), (long)r.GetValue(shardMb) << 20);
                });
            double seconds = clock.Elapsed.TotalSeconds;
            int tried = index!.Clips.Count + index.Skipped.Count;
            AnsiConsole.MarkupLineInterpolated($"packed {index.Clips.Count} clips into {index.ShardCount} shards in [green]{r.GetValue(output)}[/] ({seconds:F1} s, {1000 * seconds / Math.Max(1, tried):F1} ms a clip); {collection.Summary()}");
            DataOptions.PrintReport(collection, 5);
            return 0;
        }));
        return cmd;
    }

    /// <summary>The collection's skip list read when enumerated (ClipShards.Write does so after the clips), so it includes what decoding found.</summary>
    static IEnumerable<string> SkippedAfterDecoding(VideoCollection collection)
    {
        foreach (var k in collection.Skipped) yield return k.Detail;
    }

    static Command Check()
    {
        var data = new DataOptions();
        var resolution = new Option<int>("--resolution") { Description = "frame size the model trains at", DefaultValueFactory = _ => 32 };
        var frames = new Option<int>("--frames") { Description = "frames per training clip", DefaultValueFactory = _ => 8 };
        var fps = new Option<double>("--fps") { Description = "the model's playback rate", DefaultValueFactory = _ => 8 };
        var seed = new Option<int>("--seed") { Description = "seed of the data order", DefaultValueFactory = _ => 0 };
        var sheet = new Option<string?>("--sheet") { Description = "write a PNG contact sheet of the first training clips here" };
        var cmd = new Command("check", "Load a collection as `train --data` would: report skipped files, optionally write a contact sheet")
            { resolution, frames, fps, seed, sheet };
        foreach (var o in data.All) cmd.Add(o);
        data.Data.Required = true;
        cmd.SetAction(r => CliSupport.Run(() =>
        {
            var options = data.Collection(r, r.GetValue(resolution), r.GetValue(frames), r.GetValue(fps), r.GetValue(seed));
            var c = DataOptions.Load(r.GetValue(data.Data)!, options);
            if (r.GetValue(sheet) is string path)
            {
                var clips = Enumerable.Range(0, Math.Min(16, c.Count)).Select(i => c.Clip(i).Video).ToList();
                ContactSheet.WriteGridPng(clips, path, scale: Math.Max(1, 64 / options.Resolution));
                AnsiConsole.MarkupLineInterpolated($"wrote [green]{path}[/] ({clips.Count} training clips, one per row)");
            }
            return 0;
        }));
        return cmd;
    }
}
