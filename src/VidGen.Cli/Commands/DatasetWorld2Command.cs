using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using VidGen.Data;
using VidGen.Data.World2;
using VidGen.Media;
using VidGen.Training;

namespace VidGen.Cli.Commands;

/// <summary>
/// `vidgen dataset world2`: writes clips of the second world with a captions.jsonl manifest holding every
/// attribute of every object (the format `train --data` reads) and a contact sheet; `--measure` renders clips in
/// memory only and reports how long generation takes (the figure for training's data time).
/// </summary>
public static class DatasetWorld2Command
{
    public static Command Create()
    {
        var output = new Option<string?>("--out", "-o") { Description = "folder to write clips, captions.jsonl and contact_sheet.png into" };
        var count = new Option<int>("--count", "-n") { Description = "number of clips", DefaultValueFactory = _ => 64 };
        var resolution = new Option<int>("--resolution") { Description = "frame size in pixels (32-256)", DefaultValueFactory = _ => WorldOptions.Default.Resolution };
        var frames = new Option<int>("--frames") { Description = "frames per clip", DefaultValueFactory = _ => WorldOptions.Default.Frames };
        var fps = new Option<double>("--fps") { Description = "playback frames per second", DefaultValueFactory = _ => WorldOptions.Default.Fps };
        var seed = new Option<int>("--seed") { Description = "seed of the split (the same seed gives the same clips)", DefaultValueFactory = _ => 0 };
        var format = new Option<string>("--format") { Description = "gif | webp | png (a folder of frames per clip) | mp4 (needs ffmpeg)", DefaultValueFactory = _ => "gif" };
        var split = new Option<string>("--split") { Description = "train (never a held-out combination) | held-out (each clip built around one)", DefaultValueFactory = _ => "train" };
        var category = WorldOptions.Category();
        var scale = new Option<int>("--scale") { Description = "pixel upscaling of the written clips (training reads them back at --resolution)", DefaultValueFactory = _ => 1 };
        var font = WorldOptions.EmojiFont();
        var measure = new Option<bool>("--measure") { Description = "render --count clips in memory, write nothing, and report the time (and the time for 10,000 clips)" };
        var threads = new Option<int>("--threads") { Description = "rendering threads (0 = all cores); the clips do not depend on it", DefaultValueFactory = _ => 0 };

        var cmd = new Command("world2", "Write clips of the second (compositional) world with a captions.jsonl manifest, or --measure its generation speed")
            { output, count, resolution, frames, fps, seed, format, split, category, scale, font, measure, threads };
        cmd.SetAction(r => CliSupport.Run(() =>
        {
            var geometry = WorldOptions.Default with { Resolution = r.GetValue(resolution), Frames = r.GetValue(frames), Fps = r.GetValue(fps) };
            var splitValue = ParseSplit(r.GetValue(split)!);
            Category? only = WorldOptions.ParseCategory(r, category);
            if (r.GetValue(measure))
            {
                var m = Measure(geometry, r.GetValue(count), r.GetValue(seed), splitValue, only, r.GetValue(threads), r.GetValue(font));
                AnsiConsole.MarkupLineInterpolated($"rendered [green]{m.Clips}[/] clips of {geometry.Frames}x{geometry.Resolution}x{geometry.Resolution} in {m.Seconds:F2} s on {m.Threads} threads: {m.ClipsPerSecond:F0} clips/s, [green]{m.SecondsFor10000:F1} s[/] for 10,000 clips");
                AnsiConsole.MarkupLineInterpolated($"training's data time (one thread, as the trainer draws clips): {m.BatchMilliseconds:F1} ms per batch of {TrainOptions.Defaults.BatchSize} ({m.MillisecondsPerClip:F2} ms a clip)");
                return 0;
            }
            string outDir = r.GetValue(output) ?? throw new ArgumentException("--out is required (the folder to write into), unless --measure");
            var result = Write(outDir, r.GetValue(count), geometry, r.GetValue(seed), r.GetValue(format)!, splitValue, only, r.GetValue(scale), r.GetValue(font), r.GetValue(threads));
            AnsiConsole.MarkupLineInterpolated($"wrote [green]{result.Clips}[/] {result.Format} clips ({result.HeldOut} held-out), {ClipManifests.DefaultJsonl} and contact_sheet.png to [green]{result.Folder}[/] in {result.Seconds:F1} s");
            AnsiConsole.MarkupLineInterpolated($"[grey]train on them with: vidgen train --data {result.Folder} --resolution {geometry.Resolution} --frames {geometry.Frames} --out <model folder>[/]");
            return 0;
        }));
        return cmd;
    }

    public static Split ParseSplit(string split) => split.Trim().ToLowerInvariant() switch
    {
        "train" => Split.Train,
        "held-out" or "heldout" => Split.HeldOut,
        _ => throw new ArgumentException($"--split {split}: use train or held-out"),
    };

    public sealed record WriteResult(string Folder, int Clips, int HeldOut, string Format, double Seconds);

    /// <summary>The work of `dataset world2`, callable from tests. Clips are rendered and written in parallel; files and manifest do not depend on the thread count.</summary>
    public static WriteResult Write(string outDir, int count, WorldGeometry geometry, int seed, string format, Split split, Category? category = null,
        int scale = 1, string? emojiFont = null, int threads = 0)
    {
        if (count < 1 || count > 1_000_000) throw new ArgumentException($"--count {count}: use 1 to 1000000 clips");
        if (scale < 1 || scale > 16) throw new ArgumentException($"--scale {scale}: use 1 to 16");
        if (threads < 0) throw new ArgumentException($"--threads {threads}: use 0 (all cores) or more");
        geometry.Validate();
        format = format.Trim().ToLowerInvariant().TrimStart('.');
        if (!DatasetCommand.Formats.Contains(format)) throw new ArgumentException($"--format {format}: use one of {string.Join(", ", DatasetCommand.Formats)}");
        if (format == "mp4") Ffmpeg.Require();
        var world = new CompositionalWorld(ObjectArt.Load(emojiFont), geometry);

        var clock = Stopwatch.StartNew();
        Directory.CreateDirectory(outDir);
        int digits = Math.Max(5, (count - 1).ToString(CultureInfo.InvariantCulture).Length);
        var rows = new string[count];
        var preview = new Video[Math.Min(16, count)];
        int held = 0;
        AnsiConsole.Progress().AutoClear(true).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask($"writing {count} clips", maxValue: count);
                var gate = new object();
                Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = threads > 0 ? threads : -1 }, i =>
                {
                    var clip = world.Clip(seed, i, split, category);
                    string name = "clip_" + i.ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0') + (format == "png" ? "" : "." + format);
                    VideoWriter.Write(clip.Video, Path.Combine(outDir, name), scale);
                    rows[i] = World2Json.Row(name, clip).ToJsonString();
                    if (i < preview.Length) preview[i] = clip.Video;
                    if (clip.IsHeldOut) Interlocked.Increment(ref held);
                    lock (gate) task.Increment(1);
                });
            });
        File.WriteAllLines(Path.Combine(outDir, ClipManifests.DefaultJsonl), rows);
        ContactSheet.WriteGridPng(preview, Path.Combine(outDir, "contact_sheet.png"), scale: Math.Max(1, 128 / geometry.Resolution));
        return new WriteResult(outDir, count, held, format, clock.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// Renders <paramref name="count"/> clips in memory (no files) on <paramref name="threads"/> threads, then a batch
    /// of the training default on one thread as the trainer draws them (<see cref="GenerationSpeed.Measure"/>).
    /// </summary>
    public static GenerationSpeed.Measurement Measure(WorldGeometry geometry, int count, int seed, Split split, Category? category, int threads, string? emojiFont = null)
    {
        geometry.Validate();
        var world = new CompositionalWorld(ObjectArt.Load(emojiFont), geometry);
        return GenerationSpeed.Measure(world, count, seed, split, category, threads, TrainOptions.Defaults.BatchSize);
    }
}
