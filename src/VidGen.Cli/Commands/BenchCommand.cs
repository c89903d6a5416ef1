using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using TorchSharp;
using VidGen.Bench;
using VidGen.Bench.Results;
using VidGen.Models;

namespace VidGen.Cli.Commands;

/// <summary>
/// `vidgen bench`: the performance benchmark of src/VidGen.Bench (matmul ceiling, training throughput and MFU,
/// generation latency per sampler, DDPM-1000 vs the fast sampler with prompt fidelity, peak memory, profile, levers).
/// Prints tables and writes a JSON result file with the machine description.
/// </summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var model = new Option<string?>("--model", "-m") { Description = "model folder (default: the bundled models/default; none found: an untrained default-config model, speed only)" };
        var untrained = new Option<bool>("--untrained") { Description = "benchmark an untrained new ModelConfig() even when a bundled model exists (speed only)" };
        var quick = new Option<bool>("--quick") { Description = "smoke run: fewer repetitions, small grid, DDPM over 50 steps on 2 clips (not the reported numbers)" };
        var output = new Option<string?>("--out", "-o") { Description = "result file (default: bench/results/<name>.json)" };
        var name = new Option<string?>("--name") { Description = "name of this run (default: bench-<UTC time>)" };
        var ddpmClips = new Option<int>("--ddpm-clips") { Description = "clips (different prompts, one batch) for DDPM-1000 vs the fast sampler", DefaultValueFactory = _ => 8 };
        var ddpmSteps = new Option<int>("--ddpm-steps") { Description = "DDPM steps (the original's recipe is 1000)", DefaultValueFactory = _ => 1000 };
        var fastClips = new Option<int>("--fast-clips") { Description = "clips for the fast sampler's larger fidelity estimate (0 = skip)", DefaultValueFactory = _ => 32 };
        var trainBatch = new Option<int>("--train-batch") { Description = "training batch", DefaultValueFactory = _ => 16 };
        var trainSteps = new Option<int>("--train-steps") { Description = "timed training steps (after one warm-up step)", DefaultValueFactory = _ => 4 };
        var noMemory = new Option<bool>("--no-memory") { Description = "skip the peak-memory child processes" };
        var noLevers = new Option<bool>("--no-levers") { Description = "skip the levers" };
        var noProfile = new Option<bool>("--no-profile") { Description = "skip the per-block profile" };
        var noTextEncoder = new Option<bool>("--no-text-encoder") { Description = "skip the packaged MiniLM text encoder's load, encode and memory figures" };
        var noWorld2Data = new Option<bool>("--no-world2-data") { Description = "skip the second world's data time per training step and 10,000-clip generation time" };
        var font = WorldOptions.EmojiFont("world2 data: ");
        var noRecipeLevers = new Option<bool>("--no-recipe-levers") { Description = "skip the world2 recipe's training levers (micro-batch splits, U-Net widths and attention placement)" };
        var noLatent = new Option<bool>("--no-latent") { Description = "skip the latent 64x64x16 stage (autoencoder decode and encode, latent training and generation)" };
        var autoencoder = new Option<string?>("--autoencoder") { Description = "autoencoder folder the latent stage times (default: an untrained one of the default config; speed does not depend on the weights)" };
        var latentPreset = new Option<string>("--latent-preset") { Description = $"size of the latent stage's model: {Names.Preset.Choices}", DefaultValueFactory = _ => Names.Preset.Name(new BenchOptions().LatentPreset) };
        var threads = new Option<int>("--threads") { Description = "CPU threads (0 = libtorch default, one per core)", DefaultValueFactory = _ => 0 };
        var device = new Option<string>("--device") { Description = "cpu or cuda", DefaultValueFactory = _ => "cpu" };

        var cmd = new Command("bench", "Measure speed: matmul ceiling, training MFU, generation latency, DDPM-1000 vs the fast sampler, peak memory")
            { model, untrained, quick, output, name, ddpmClips, ddpmSteps, fastClips, trainBatch, trainSteps, noMemory, noLevers, noProfile, noTextEncoder, noWorld2Data, font, noRecipeLevers, noLatent, autoencoder, latentPreset, threads, device };
        cmd.SetAction(r => CliSupport.Run(() =>
        {
            if (r.GetValue(threads) is var n && n < 0) throw new ArgumentException($"--threads must be 0 or more (got {n})");
            using var threadScope = TorchThreads.Use(n);
            string? modelDir = r.GetValue(untrained) ? null : CliSupport.FindModel(r.GetValue(model));
            if (r.GetValue(model) is { } given && !r.GetValue(untrained) && !Checkpoint.Exists(given))
                throw new ArgumentException($"--model {given}: not a model folder (config.json, tokenizer.json, model.safetensors); pass one written by `vidgen train`, or --untrained");
            string runName = r.GetValue(name) ?? "bench-" + DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
            string outPath = r.GetValue(output) ?? Path.Combine("bench", "results", runName + ".json");
            var options = new BenchOptions
            {
                ModelDir = modelDir, Quick = r.GetValue(quick), DdpmClips = r.GetValue(ddpmClips), DdpmSteps = r.GetValue(ddpmSteps),
                FastClips = r.GetValue(fastClips), TrainBatch = r.GetValue(trainBatch), TrainSteps = r.GetValue(trainSteps),
                Device = CliSupport.ParseDevice(r.GetValue(device)!), Cli = r.GetValue(noMemory) ? null : SelfCommand(),
                Levers = !r.GetValue(noLevers), Profile = !r.GetValue(noProfile), TextEncoder = !r.GetValue(noTextEncoder),
                World2Data = !r.GetValue(noWorld2Data), EmojiFont = r.GetValue(font), Latent = !r.GetValue(noLatent), RecipeLevers = !r.GetValue(noRecipeLevers), AutoencoderDir = r.GetValue(autoencoder), LatentPreset = Names.Preset.Parse(r.GetValue(latentPreset)!), Name = runName,
                CommandLine = "vidgen " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1).Select(a => a.Contains(' ') ? $"\"{a}\"" : a)),
            };
            options.Validate();
            using var cts = CliSupport.CancelOnCtrlC();
            // Wide tables stay readable in a log file (Spectre assumes 80 columns when output is redirected).
            if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 220;
            var report = BenchRunner.Run(options, line => AnsiConsole.MarkupLineInterpolated($"[grey]{line}[/]"), cts.Token);
            Print(report);
            if (Path.GetDirectoryName(Path.GetFullPath(outPath)) is { } dir) Directory.CreateDirectory(dir);
            AtomicFiles.WriteAllText(outPath, report.ToJson());
            AnsiConsole.MarkupLineInterpolated($"wrote [green]{outPath}[/] ({report.Seconds:F0} s)");
            return 0;
        }));
        return cmd;
    }

    /// <summary>This program, run again through the dotnet host: `dotnet VidGen.Cli.dll ...`.</summary>
    static ChildCommand SelfCommand()
    {
        string host = Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";
        return new ChildCommand(host, new[] { typeof(BenchCommand).Assembly.Location });
    }

    static string Pct(double? v) => v is { } x ? (x * 100).ToString("F1", CultureInfo.InvariantCulture) + "%" : "-";
    static string F(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);

    public static void Print(BenchReport r)
    {
        var m = r.Machine;
        AnsiConsole.MarkupLineInterpolated($"[bold]{r.Name}[/]: {m.Cpu}, {m.LogicalCores} cores, libtorch {m.Libtorch} ({m.TorchThreads} threads), {m.Device}");
        AnsiConsole.MarkupLineInterpolated($"model: {r.Model.Source}{(r.Model.TrainedSteps is { } s ? $", step {s}" : "")}, {r.Model.Parameters / 1e6:F2}M parameters, {r.Model.Frames}x{r.Model.Resolution}x{r.Model.Resolution}");
        AnsiConsole.MarkupLineInterpolated($"U-Net forward {r.Flops.UnetForwardPerClip / 1e9:F3} GFLOP per clip; training {r.Flops.TrainingPerClip / 1e9:F3} GFLOP per clip (counted on the model)");

        var t = new Table().Title("speed").AddColumn("figure").AddColumn(new TableColumn("value").RightAligned()).AddColumn(new TableColumn("GFLOP/s").RightAligned()).AddColumn(new TableColumn("MFU").RightAligned());
        t.AddRow("(a) fp32 matmul 2048^3 (ceiling)", $"{F(r.Ceiling.Matmul.BestGflops, "F1")} GFLOP/s", F(r.Ceiling.Matmul.BestGflops, "F1"), "100%");
        if (r.Ceiling.MatmulOneThread is { } one) t.AddRow("    same, 1 thread", $"{F(one.BestGflops, "F1")} GFLOP/s", F(one.BestGflops, "F1"), Pct(one.BestGflops / r.Ceiling.Matmul.BestGflops));
        if (r.Ceiling.GemmOneDnn is { } gemm) t.AddRow("    same GEMM as a 1x1 Conv2d (oneDNN)", $"{F(gemm.BestGflops, "F1")} GFLOP/s", F(gemm.BestGflops, "F1"), Pct(gemm.BestGflops / r.Ceiling.Matmul.BestGflops));
        if (r.Ceiling.Conv is { } conv) t.AddRow("    Conv3d 1x3x3 64ch fwd+bwd", $"{F(conv.BestGflops, "F1")} GFLOP/s", F(conv.BestGflops, "F1"), Pct(conv.BestGflops / r.Ceiling.Matmul.BestGflops));
        var tr = r.Training;
        t.AddRow($"(b) training, batch {tr.Batch}", $"{F(tr.VideosPerSecond, "F1")} videos/s ({F(tr.SecondsPerStep, "F3")} s/step, data {F(tr.DataSecondsPerStep * 1000, "F0")} ms)", F(tr.Gflops, "F1"), Pct(tr.Mfu));
        foreach (var g in r.Generation)
            t.AddRow($"(c) {g.Sampler} x {g.Steps}, {g.Frames} frames", $"{F(g.Seconds, "F2")} s ({F(g.SecondsPerEvaluation * 1000, "F1")} ms/eval)", F(g.Gflops, "F1"), Pct(g.Mfu));
        if (r.World2Data is { } w)
            t.AddRow($"(g) world2 data, batch {w.Batch} of {w.Resolution}x{w.Resolution}, {w.Frames} frames", $"{F(w.DataSecondsPerStep * 1000, "F1")} ms/step ({F(w.RenderSecondsPerStep * 1000, "F1")} drawing); 10,000 clips {F(w.SecondsFor10000, "F1")} s ({w.Threads} threads)", "", "");
        AnsiConsole.Write(t);

        if (r.Recipe is { } rc)
        {
            var d = new Table().Title($"(d) original recipe vs fast sampler (same model, prompts and noise; batch {rc.Ddpm.Batch})")
                .AddColumn("sampler").AddColumn(new TableColumn("clips").RightAligned()).AddColumn(new TableColumn("time").RightAligned())
                .AddColumn(new TableColumn("s/clip").RightAligned()).AddColumn(new TableColumn("colour").RightAligned()).AddColumn(new TableColumn("shape").RightAligned())
                .AddColumn(new TableColumn("direction").RightAligned()).AddColumn(new TableColumn("all: seen").RightAligned()).AddColumn(new TableColumn("held-out").RightAligned()).AddColumn(new TableColumn("all").RightAligned());
            void Row(SamplerFidelity f) => d.AddRow($"{f.Sampler} x {f.Steps}", f.Clips.ToString(CultureInfo.InvariantCulture), $"{F(f.Seconds, "F1")} s", F(f.SecondsPerClip, "F2"),
                Pct(f.Overall.Colour), Pct(f.Overall.Shape), Pct(f.Overall.Direction), Pct(f.Seen.All), Pct(f.HeldOut.All), Pct(f.Overall.All));
            Row(rc.Ddpm); Row(rc.Fast);
            if (rc.FastLarger is { } l) Row(l);
            AnsiConsole.Write(d);
            AnsiConsole.MarkupLineInterpolated($"speed-up {F(rc.Speedup, "F1")}x; fast sampler's fidelity {(rc.FastEqualOrBetter ? "equal or better" : "worse")} on the shared clips (both right {rc.BothRight}, only DDPM {rc.OnlyDdpmRight}, only fast {rc.OnlyFastRight})");
        }

        if (r.Memory.Count > 0)
        {
            var mem = new Table().Title("(e) peak memory (VmHWM of the child process)").AddColumn("command").AddColumn(new TableColumn("peak RSS").RightAligned()).AddColumn(new TableColumn("wall").RightAligned()).AddColumn(new TableColumn("exit").RightAligned());
            foreach (var x in r.Memory) mem.AddRow(Markup.Escape(x.Label), $"{F(x.PeakRssMiB, "F0")} MiB", $"{F(x.WallSeconds, "F1")} s", x.ExitCode.ToString(CultureInfo.InvariantCulture));
            AnsiConsole.Write(mem);
            foreach (var x in r.Memory.Where(x => x.Error is not null)) AnsiConsole.MarkupLineInterpolated($"[red]{x.Label} failed:[/] {x.Error}");
        }

        if (r.Profile is { } p)
        {
            var pt = new Table().Title($"profile: blocks timed alone ({p.Frames} frames)").AddColumn("block kind")
                .AddColumn(new TableColumn($"fwd, {p.InferenceRows} rows").RightAligned()).AddColumn(new TableColumn("share").RightAligned()).AddColumn(new TableColumn("GFLOP/s").RightAligned()).AddColumn(new TableColumn("GN+SiLU").RightAligned())
                .AddColumn(new TableColumn($"fwd+bwd, {p.TrainingRows} rows").RightAligned()).AddColumn(new TableColumn("share").RightAligned()).AddColumn(new TableColumn("GFLOP/s").RightAligned()).AddColumn(new TableColumn("GN+SiLU").RightAligned());
            foreach (var k in p.Inference)
            {
                var tk = p.Training.FirstOrDefault(x => x.Kind == k.Kind);
                pt.AddRow(k.Kind, $"{F(k.Seconds * 1000, "F1")} ms", Pct(k.Share), F(k.Gflops, "F1"), $"{F(k.NormSiluSeconds * 1000, "F1")} ms",
                    tk is null ? "-" : $"{F(tk.Seconds * 1000, "F0")} ms", tk is null ? "-" : Pct(tk.Share), tk is null ? "-" : F(tk.Gflops, "F1"), tk is null ? "-" : $"{F(tk.NormSiluSeconds * 1000, "F0")} ms");
            }
            pt.AddRow("[bold]blocks summed[/]", $"{F(p.InferenceBlocksSeconds * 1000, "F1")} ms", "", "", "", $"{F(p.TrainingBlocksSeconds * 1000, "F0")} ms", "", "", "");
            pt.AddRow("[bold]whole pass[/]", $"{F(p.InferenceWholeSeconds * 1000, "F1")} ms", "", "", "", $"{F(p.TrainingWholeSeconds * 1000, "F0")} ms", "", "", "");
            AnsiConsole.Write(pt);
            AnsiConsole.MarkupLineInterpolated($"forward time vs rows: {string.Join(", ", p.Rows.Select(x => $"{x.Rows} rows {F(x.Seconds * 1000, "F1")} ms (MFU {Pct(x.Mfu)})"))}; fit {F(p.FixedSecondsPerForward * 1000, "F1")} ms + {F(p.SecondsPerRow * 1000, "F2")} ms/row");
        }

        if (r.Levers.Count > 0)
        {
            var lt = new Table().Title("levers (each against its baseline, same process)").AddColumn("lever").AddColumn("baseline").AddColumn("variant")
                .AddColumn(new TableColumn("baseline").RightAligned()).AddColumn(new TableColumn("variant").RightAligned()).AddColumn(new TableColumn("speed-up").RightAligned()).AddColumn(new TableColumn("max |diff|").RightAligned()).AddColumn("decision");
            foreach (var l in r.Levers)
                lt.AddRow(Markup.Escape(l.Name), Markup.Escape(l.Baseline), Markup.Escape(l.Variant), $"{F(l.BaselineSeconds * 1000, "F1")} ms", $"{F(l.VariantSeconds * 1000, "F1")} ms",
                    $"x{F(l.Speedup, "F2")}", l.MaxAbsDiff is { } d ? d.ToString("G3", CultureInfo.InvariantCulture) : "-", Markup.Escape(l.Decision));
            AnsiConsole.Write(lt);
        }

        var tt = new Table().Title("targets").AddColumn("target").AddColumn("wanted").AddColumn("measured").AddColumn("").AddColumn("note");
        foreach (var x in r.Targets) tt.AddRow(Markup.Escape(x.Name), Markup.Escape(x.Target), Markup.Escape(x.Measured), x.Met ? "[green]met[/]" : "[red]missed[/]", Markup.Escape(x.Note));
        AnsiConsole.Write(tt);
    }
}
