using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Spectre.Console;
using VidGen.Training;

namespace VidGen.Cli.Commands;

/// <summary>
/// `vidgen curve RUN`: the judge's accuracy per category against training hours, from the snapshots a run keeps
/// (`train --snapshot-every`, on in the world2 recipe). Each snapshot is scored by `vidgen eval` itself (same
/// prompts and seeds for all), its report kept beside it, so a rerun scores only the snapshots that are new.
/// </summary>
public static class CurveCommand
{
    public static Command Create()
    {
        var run = new Argument<string>("run") { Description = "a training run's folder (with snapshots/index.jsonl)" };
        var clips = new Option<int>("--clips") { Description = "clips scored per snapshot", DefaultValueFactory = _ => 96 };
        var freeWords = new Option<bool>("--free-words") { Description = "word the prompts with synonyms no training caption uses" };
        var output = new Option<string?>("--out", "-o") { Description = "write the table as Markdown here (and the figures as JSON beside it)" };
        var every = new Option<int>("--every") { Description = "score only snapshots whose step divides by this (0 = all)", DefaultValueFactory = _ => 0 };
        var cmd = new Command("curve", "Score a run's snapshots on its world: accuracy per category against training hours") { run, clips, freeWords, output, every };
        cmd.SetAction(r => CliSupport.Run(() =>
        {
            string runDir = r.GetValue(run)!;
            var snapshots = ReadIndex(runDir).Where(s => r.GetValue(every) is not (> 0 and var k) || s.Step % k == 0).ToList();
            if (snapshots.Count == 0) throw new FileNotFoundException($"{runDir} has no snapshots (train with --snapshot-every N; the world2 recipe keeps one every 1000 steps)");
            int n = r.GetValue(clips);
            bool free = r.GetValue(freeWords);
            var rows = new List<(Snapshot Snapshot, JsonNode Report)>();
            using var cts = CliSupport.CancelOnCtrlC();
            foreach (var s in snapshots)
            {
                cts.Token.ThrowIfCancellationRequested();
                string report = Path.Combine(s.Folder, $"eval-{n}-{(free ? "free" : "canonical")}.json");
                if (!File.Exists(report))
                {
                    AnsiConsole.MarkupLineInterpolated($"[grey]scoring step {s.Step} ({s.Hours:F2} h) on {n} clips[/]");
                    // Written under a temporary name first: an interrupted evaluation leaves nothing that looks finished.
                    string partial = report + ".partial";
                    var args = new List<string> { "--model", s.Folder, "--clips", n.ToString(CultureInfo.InvariantCulture), "--json", partial };
                    if (free) args.Add("--free-words");
                    int code = EvalCommand.Create().Parse(args.ToArray()).Invoke();
                    if (code != 0) return code;
                    File.Move(partial, report, overwrite: true);
                }
                rows.Add((s, JsonNode.Parse(File.ReadAllText(report))!));
            }
            string table = Table(rows, free);
            Console.Out.Write(table); // not AnsiConsole: it wraps long lines at the terminal width
            if (r.GetValue(output) is string md)
            {
                AtomicFiles.WriteAllText(md, table);
                AtomicFiles.WriteAllText(Path.ChangeExtension(md, ".json"), Json(rows).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
                AnsiConsole.MarkupLineInterpolated($"wrote [green]{md}[/] and {Path.ChangeExtension(md, ".json")}");
            }
            return 0;
        }));
        return cmd;
    }

    public sealed record Snapshot(int Step, double Hours, string Folder);

    /// <summary>The run's snapshots in step order, the last index row per step (a resumed run may write a step twice).</summary>
    public static IReadOnlyList<Snapshot> ReadIndex(string runDir)
    {
        string index = Path.Combine(runDir, Trainer.SnapshotDir, Trainer.SnapshotIndex);
        if (!File.Exists(index)) return Array.Empty<Snapshot>();
        var byStep = new SortedDictionary<int, Snapshot>();
        foreach (var (line, i) in File.ReadLines(index).Select((l, i) => (l, i)))
        {
            if (string.IsNullOrWhiteSpace(line) || !line.TrimEnd().EndsWith('}')) continue; // blank, or torn by a kill mid-append (AtomicFiles.AppendLine)
            try
            {
                var row = JsonNode.Parse(line)!;
                int step = row["step"]!.GetValue<int>();
                string folder = Trainer.SnapshotPath(runDir, step);
                if (Directory.Exists(folder)) byStep[step] = new Snapshot(step, row["training_s"]!.GetValue<double>() / 3600, folder);
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException or NullReferenceException or FormatException)
            {
                throw new InvalidDataException($"{index} line {i + 1} is not a snapshot row: {e.Message}");
            }
        }
        return byStep.Values.ToList();
    }

    static double? Category(JsonNode? row, string part) => row?[part]?["category"]?.GetValue<double?>();

    static string Pct(double? v) => v is { } x ? (100 * x).ToString("F0", CultureInfo.InvariantCulture) : "-";

    static string Table(IReadOnlyList<(Snapshot Snapshot, JsonNode Report)> rows, bool free)
    {
        var categories = rows.SelectMany(r => r.Report["categories"]!.AsArray().Select(c => c!["category"]!.GetValue<string>())).Distinct().ToList();
        var sb = new StringBuilder();
        sb.AppendLine($"Judge accuracy (%) per category, all prompts ({(free ? "free words" : "canonical words")}); seen / held-out overall");
        sb.AppendLine();
        sb.AppendLine("| hours | step | " + string.Join(" | ", categories) + " | seen | held-out | clips |");
        sb.AppendLine("|---:|---:|" + string.Concat(categories.Select(_ => "---:|")) + "---:|---:|---:|");
        foreach (var (s, report) in rows)
        {
            var cats = report["categories"]!.AsArray();
            var cells = categories.Select(c => Pct(Category(cats.FirstOrDefault(x => x!["category"]!.GetValue<string>() == c), "all")));
            var overall = report["overall"];
            sb.AppendLine($"| {s.Hours.ToString("F2", CultureInfo.InvariantCulture)} | {s.Step} | {string.Join(" | ", cells)} | {Pct(Category(overall, "seen"))} | {Pct(Category(overall, "held_out"))} | {report["clips"]} |");
        }
        return sb.ToString();
    }

    static JsonArray Json(IReadOnlyList<(Snapshot Snapshot, JsonNode Report)> rows) => new(rows.Select(r => (JsonNode?)new JsonObject
    {
        ["step"] = r.Snapshot.Step,
        ["hours"] = Math.Round(r.Snapshot.Hours, 3),
        ["clips"] = r.Report["clips"]?.DeepClone(),
        ["overall"] = r.Report["overall"]?.DeepClone(),
        ["categories"] = r.Report["categories"]?.DeepClone(),
    }).ToArray());
}
