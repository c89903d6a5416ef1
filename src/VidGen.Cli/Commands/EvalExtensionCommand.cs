using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using VidGen.Diffusion;
using VidGen.Evaluation;
using VidGen.Models;
using VidGen.Pipelines;

namespace VidGen.Cli.Commands;

/// <summary>
/// `vidgen eval --extension`: reconstruction guidance against replacement on a shapes-world model (see
/// <see cref="ExtensionStudy"/>): jumps and identity at segment joins, per-segment fidelity, time per extra frame.
/// </summary>
public static class EvalExtensionCommand
{
    static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public sealed class Options
    {
        public Option<bool> Extension { get; } = new("--extension") { Description = "instead of scoring clips: extend clips beyond the model's length by reconstruction guidance and by replacement, and compare continuity at the joins, per-segment fidelity and time per extra frame" };
        public Option<int> ExtendTo { get; } = new("--extend-to") { Description = "with --extension: the clip length", DefaultValueFactory = _ => 32 };
        public Option<int> Overlap { get; } = new("--overlap") { Description = "with --extension: frames shared by segments (default: half the model's length)", DefaultValueFactory = _ => 0 };
        public Option<double> Weight { get; } = new("--reconstruction-weight") { Description = "with --extension: reconstruction guidance's w_r", DefaultValueFactory = _ => GenerationRequest.DefaultReconstructionWeight };

        public IEnumerable<Option> All => new Option[] { Extension, ExtendTo, Overlap, Weight };
    }

    /// <param name="r">the parsed command line</param>
    /// <param name="o">the extension options</param>
    /// <param name="vdm">the loaded model</param>
    /// <param name="settings">the sampler settings</param>
    /// <param name="clips">clips per method</param>
    /// <param name="seed">first seed</param>
    /// <param name="jsonPath">where to write the figures, or null</param>
    public static int Run(ParseResult r, Options o, VideoDiffusionModel vdm, GenerationRequest settings, int clips, long seed, string? jsonPath)
    {
        if (vdm.Config.World is VidGen.WorldKind.World2) throw new ArgumentException("--extension reads clips with the shapes world's detector: give a shapes-world model (e.g. --model shapes-32)");
        int frames = r.GetValue(o.ExtendTo), overlap = r.GetValue(o.Overlap) is > 0 and var given ? given : Math.Max(1, vdm.Config.Frames / 2);
        if (frames <= vdm.Config.Frames || frames > GenerationRequest.MaxFrames)
            throw new ArgumentException($"--extend-to must be between {vdm.Config.Frames + 1} (beyond the model's length) and {GenerationRequest.MaxFrames} (got {frames})");
        double weight = r.GetValue(o.Weight);
        var methods = new[] { (ExtendMethod.Reconstruction, weight), (ExtendMethod.Replacement, 0.0) };
        var plan = SegmentPlan.Make(frames, vdm.Config.Frames, overlap);
        AnsiConsole.MarkupLineInterpolated($"extending {clips} clips to {frames} frames ({plan.Segments} segments of {plan.Length}, {overlap} shared) by reconstruction guidance (w_r {weight}) and by replacement; {Names.Sampler.Name(settings.Sampler)} x {settings.Steps}, guidance {settings.GuidanceScale}");
        IReadOnlyList<ExtensionResult> results = null!;
        using var cts = CliSupport.CancelOnCtrlC();
        AnsiConsole.Progress().AutoClear(true).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask($"{clips * methods.Length} clips", maxValue: clips * methods.Length);
                results = ExtensionStudy.Run(new TextToVideoPipeline(vdm), settings, methods, clips, frames, overlap, seed, () => task.Increment(1), cts.Token);
            });
        var table = new Table().Title($"extension to {frames} frames, {clips} clips each");
        foreach (var c in new[] { "method", "jump at joins (px)", "step inside (px)", "identity kept", "segment accuracy (colour + shape)", "s / clip", "s / extra frame" }) table.AddColumn(c);
        string P(double v) => (100 * v).ToString("F0", CultureInfo.InvariantCulture) + "%";
        foreach (var x in results)
            table.AddRow(x.Method == ExtendMethod.Reconstruction ? $"reconstruction (w_r {x.Weight})" : "replacement", x.MeanJumpAtJoins.ToString("F2", CultureInfo.InvariantCulture),
                x.MeanStepInside.ToString("F2", CultureInfo.InvariantCulture), P(x.IdentityKept), string.Join(" ", x.SegmentAccuracy.Select(P)),
                x.SecondsPerClip.ToString("F1", CultureInfo.InvariantCulture), x.SecondsPerExtraFrame.ToString("F2", CultureInfo.InvariantCulture));
        AnsiConsole.Write(table);
        if (jsonPath is not null)
        {
            AtomicFiles.WriteAllText(jsonPath, JsonSerializer.Serialize(new { frames, overlap, clips, seed, steps = settings.Steps, sampler = Names.Sampler.Name(settings.Sampler), guidance = settings.GuidanceScale, results = results.Select(x => new { method = Names.Extend.Name(x.Method), weight = x.Weight, joins = x.Joins, jump_at_joins_px = x.MeanJumpAtJoins, step_inside_px = x.MeanStepInside, identity_kept = x.IdentityKept, segment_accuracy = x.SegmentAccuracy, seconds_per_clip = x.SecondsPerClip, seconds_per_extra_frame = x.SecondsPerExtraFrame }) }, Indented));
            AnsiConsole.MarkupLineInterpolated($"wrote [green]{jsonPath}[/]");
        }
        return 0;
    }
}
