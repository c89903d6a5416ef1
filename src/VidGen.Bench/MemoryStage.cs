using System.Globalization;
using VidGen.Bench.Results;

namespace VidGen.Bench;

/// <summary>
/// (e) Peak memory of whole commands as a user runs them: `vidgen generate` (8 frames, and 16) and a 3-step
/// `vidgen train`, each a child process whose VmHWM <see cref="PeakMemory"/> reads until it exits. Skipped
/// without a way to start `vidgen` (<see cref="BenchOptions.Cli"/>) or off Linux.
/// </summary>
internal static class MemoryStage
{
    public static IReadOnlyList<MemoryRun> Run(BenchContext ctx)
    {
        var result = new List<MemoryRun>();
        var (o, cfg) = (ctx.Options, ctx.Config);
        if (o.Cli is null || !PeakMemory.Supported) return result;
        string gif = Path.Combine(ctx.TempDir, "gen.gif");
        string I(int v) => v.ToString(CultureInfo.InvariantCulture);
        var runs = new List<(string Label, string[] Args)>
        {
            ($"vidgen generate (dpm++2m x 20, {cfg.Frames} frames)", new[] { "generate", BenchRunner.Prompt, "--model", ctx.ModelDir, "--seed", "1", "--out", gif }),
            ("vidgen generate --frames 16 --extend none", new[] { "generate", BenchRunner.Prompt, "--model", ctx.ModelDir, "--seed", "1", "--frames", "16", "--extend", "none", "--out", gif }),
            ($"vidgen train (default preset, batch {o.TrainBatch}, 3 steps)", new[] { "train", "--out", Path.Combine(ctx.TempDir, "train-child"), "--steps", "3", "--batch", I(o.TrainBatch), "--warmup", "1", "--checkpoint-every", "0", "--resolution", I(cfg.Resolution), "--frames", I(cfg.Frames) }),
        };
        if (ctx.Quick) runs.RemoveAt(1);
        foreach (var (label, args) in runs)
        {
            ctx.Cancel.ThrowIfCancellationRequested();
            try
            {
                var run = PeakMemory.Run(o.Cli.FileName, o.Cli.Prefix.Concat(args).ToList(), TimeSpan.FromMinutes(5));
                result.Add(new MemoryRun(label, run.Command, run.ExitCode, run.PeakRssMiB, run.WallSeconds, run.Samples, run.ExitCode == 0 ? null : run.OutputTail));
                ctx.Log($"(e) {label}: peak RSS {run.PeakRssMiB:F0} MiB, {run.WallSeconds:F1} s wall, exit {run.ExitCode}");
            }
            catch (Exception e) when (e is TimeoutException or System.ComponentModel.Win32Exception or InvalidOperationException)
            {
                result.Add(new MemoryRun(label, string.Join(' ', args), -1, 0, 0, 0, e.Message));
                ctx.Log($"(e) {label}: {e.Message}");
            }
        }
        return result;
    }
}
