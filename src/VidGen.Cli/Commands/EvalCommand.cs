using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using TorchSharp;
using VidGen.Data;
using VidGen.Evaluation;
using VidGen.Media;
using VidGen.Pipelines;
using VidGen.Training;
using VidGen.Models;

namespace VidGen.Cli.Commands;

/// <summary>
/// `vidgen eval`: prompt fidelity of a model on the shapes world (per-attribute and all-attributes accuracy on
/// seen and held-out combinations, temporal consistency, diversity), or with --ground-truth the detector's own
/// accuracy on real clips.
/// </summary>
public static class EvalCommand
{
    /// <summary>
    /// Whether to score on the second world: --world when given (and always for --ground-truth), else the world the
    /// model's config.json records, so `vidgen eval --model M` scores M where it was trained.
    /// </summary>
    static bool IsWorld2(ParseResult r, Option<string> world, Option<string?> model, Option<bool> groundTruth)
    {
        if (r.GetResult(world) is { Implicit: false } || r.GetValue(groundTruth)) return WorldOptions.IsWorld2(r.GetValue(world)!);
        return CliSupport.FindModel(r.GetValue(model)) is string dir && Checkpoint.Exists(dir) && Checkpoint.ReadConfig(dir).World == WorldKind.World2;
    }

    public static Command Create()
    {
        var model = new Option<string?>("--model", "-m") { Description = "model folder (default: the bundled models/default)" };
        var json = new Option<string?>("--json") { Description = "write the full report (every clip's score) to this JSON file" };
        var groundTruth = new Option<bool>("--ground-truth") { Description = "score real rendered clips instead of a model: the detector's own accuracy" };
        var resolution = new Option<int>("--resolution") { Description = "frame size for --ground-truth (a model uses its own)", DefaultValueFactory = _ => new ModelConfig().Resolution };
        var frames = new Option<int>("--frames") { Description = "frames for --ground-truth (a model uses its own)", DefaultValueFactory = _ => new ModelConfig().Frames };
        var failures = new Option<string?>("--save-failures") { Description = "folder to write each misread clip to, as <index>-<prompt>-as-<detected>.gif" };
        var device = new Option<string>("--device") { Description = "cpu or cuda", DefaultValueFactory = _ => "cpu" };
        var threads = new Option<int>("--threads") { Description = "CPU threads (0 = libtorch default)", DefaultValueFactory = _ => 0 };
        var probe = new Option<bool>("--direction-probe") { Description = "instead of scoring clips: the centroid path of the model's mean clip (x0 at pure noise) for each direction of a large red square, and the share of real clips' variance direction explains" };

        var fidelity = new FidelityOptionSet();
        var sampling = new RequestOptionSet();
        var world = WorldOptions.World(": scored per category");
        var world2 = new EvalWorld2Command.Options();
        var extension = new EvalExtensionCommand.Options();

        var cmd = new Command("eval", "Score a model's prompt fidelity on the shapes world or the second world (or, with --ground-truth, the detector's accuracy)")
            { model };
        foreach (var o in fidelity.All.Concat(sampling.SamplerOnly)) cmd.Add(o);
        foreach (var o in new Option[] { json, groundTruth, resolution, frames, failures, device, threads, probe, world }) cmd.Add(o);
        foreach (var o in world2.All) cmd.Add(o);
        foreach (var o in extension.All) cmd.Add(o);
        cmd.SetAction(r => CliSupport.Run(() =>
        {
            if (IsWorld2(r, world, model, groundTruth))
                return EvalWorld2Command.Run(r, world2, new(model, fidelity.Clips, fidelity.Batch, sampling.Steps, sampling.Sampler, sampling.Guidance,
                    fidelity.Seed, fidelity.HeldOut, json, groundTruth, resolution, frames, failures, device, threads));
            var options = fidelity.Options(r);
            options.Validate();
            string? jsonPath = r.GetValue(json), failureDir = r.GetValue(failures);
            if (failureDir is not null) Directory.CreateDirectory(failureDir);

            ClipSource source;
            string sourceName;
            var settings = new Dictionary<string, string>();
            VidGen.Models.VideoDiffusionModel? vdm = null;
            try
            {
                if (r.GetValue(groundTruth))
                {
                    int res = r.GetValue(resolution), f = r.GetValue(frames);
                    if (res < 16 || res > 128) throw new ArgumentException($"--resolution must be between 16 and 128 (got {res})");
                    if (f < 2 || f > 64) throw new ArgumentException($"--frames must be between 2 and 64 (got {f})");
                    source = ClipSources.GroundTruth(new ShapesWorld(res, f));
                    sourceName = "ground truth";
                }
                else
                {
                    string modelDir = CliSupport.FindModel(r.GetValue(model))
                        ?? throw new ArgumentException("no model found: pass --model <folder> (one written by `vidgen train`), or --ground-truth to check the detector");
                    // A template: each prompt group fills in Prompt, Seed and BatchSize.
                    var request = sampling.SamplerRequest(r);
                    (request with { BatchSize = options.ClipsPerPrompt }).ValidateSettings();
                    using var threadScope = TorchThreads.Use(r.GetValue(threads));
                    vdm = Checkpoint.Load(modelDir, CliSupport.ParseDevice(r.GetValue(device)!));
                    if (r.GetValue(probe)) { PrintDirectionProbe(vdm, options.Seed); return 0; }
                    if (r.GetValue(extension.Extension)) return EvalExtensionCommand.Run(r, extension, vdm, request, options.Clips, options.Seed, jsonPath);
                    var unknown = ShapesWorld.AllSpecs().SelectMany(p => vdm.Tokenizer.UnknownWords(p.Caption)).Distinct().ToList();
                    if (unknown.Count > 0)
                        AnsiConsole.MarkupLineInterpolated($"[yellow]warning:[/] the model does not know these prompt words, so it cannot follow them: {string.Join(", ", unknown)}");
                    source = ClipSources.Pipeline(new TextToVideoPipeline(vdm), request);
                    sourceName = $"model {modelDir}";
                    settings["sampler"] = Names.Sampler.Name(request.Sampler);
                    settings["steps"] = request.Steps.ToString(CultureInfo.InvariantCulture);
                    settings["guidance"] = request.GuidanceScale.ToString(CultureInfo.InvariantCulture);
                    AnsiConsole.MarkupLineInterpolated($"evaluating {modelDir}: {CliSupport.Describe(vdm)}; {Names.Sampler.Name(request.Sampler)} x {request.Steps}, guidance {request.GuidanceScale}");
                }
                settings["batch"] = options.ClipsPerPrompt.ToString(CultureInfo.InvariantCulture);
                settings["seed"] = options.Seed.ToString(CultureInfo.InvariantCulture);
                settings["held_out_share"] = options.HeldOutFraction.ToString(CultureInfo.InvariantCulture);

                FidelityReport report = null!;
                int saved = 0;
                using var cts = CliSupport.CancelOnCtrlC();
                AnsiConsole.Progress().AutoClear(true).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                    .Start(ctx =>
                    {
                        var task = ctx.AddTask($"{options.Clips} clips", maxValue: options.Clips);
                        report = PromptFidelity.Evaluate(source, options, sourceName, settings, onClip: (score, video) =>
                        {
                            task.Increment(1);
                            if (failureDir is null || score.AllCorrect) return;
                            string name = $"{score.Index:D4}-{FileNames.FromPrompt(score.Prompt)}-as-{FileNames.FromPrompt(score.Detected)}.gif";
                            VideoWriter.Write(video, Path.Combine(failureDir, name), 4);
                            saved++;
                        }, cancel: cts.Token);
                    });
                // Real clips of the same prompts say how much start-position diversity there is to have.
                if (vdm is not null && report.Resolution is >= 16 and <= 128 && report.Frames >= 2)
                    report = report with { GroundTruthDiversity = PromptFidelity.GroundTruthDiversity(options, report.Resolution, report.Frames) };

                Print(report, isModel: vdm is not null);
                return CliSupport.FinishEvaluation(report.ToJson, jsonPath, failureDir, saved, report.Interrupted, report.Clips, options.Clips);
            }
            finally
            {
                vdm?.Dispose();
            }
        }));
        return cmd;
    }

    static void PrintDirectionProbe(VidGen.Models.VideoDiffusionModel model, long seed)
    {
        var paths = DirectionProbe.Paths(model, "red", ShapeKind.Square, ShapeSize.Large, seed: seed + 1);
        var table = new Table().Title($"mean clip at t = {model.Config.TrainTimesteps - 1} (x0 of 8 noises): centroid, first -> last frame, px");
        table.AddColumn("prompt");
        table.AddColumn(new TableColumn("x").RightAligned());
        table.AddColumn(new TableColumn("y").RightAligned());
        foreach (var p in paths)
            table.AddRow(Markup.Escape(p.Prompt), $"{p.X[0]:F1} -> {p.X[^1]:F1}", $"{p.Y[0]:F1} -> {p.Y[^1]:F1}");
        AnsiConsole.Write(table);
        var world = new ShapesWorld(model.Config.Resolution, model.Config.Frames, model.Config.Fps);
        double share = DirectionProbe.DirectionVarianceShare(world, "red", ShapeKind.Square, ShapeSize.Large);
        AnsiConsole.MarkupLineInterpolated($"real clips of that shape: direction explains {share:P1} of the per-pixel variance (800 clips); a model that reads direction draws four different paths");
    }

    static void Print(FidelityReport r, bool isModel)
    {
        var table = new Table().Title($"prompt fidelity: {Markup.Escape(r.Source)} ({r.Clips} clips, {r.Frames}x{r.Resolution}x{r.Resolution}, {r.Seconds:F1} s)");
        table.AddColumn("attribute");
        table.AddColumn(new TableColumn($"seen ({r.Seen.Clips})").RightAligned());
        table.AddColumn(new TableColumn($"held-out ({r.HeldOut.Clips})").RightAligned());
        table.AddColumn(new TableColumn($"all ({r.Overall.Clips})").RightAligned());
        void Row(string name, Func<AttributeAccuracy, double?> pick) => table.AddRow(name, Pct(pick(r.Seen)), Pct(pick(r.HeldOut)), Pct(pick(r.Overall)));
        Row("colour", a => a.Colour);
        Row("shape", a => a.Shape);
        Row("size", a => a.Size);
        Row("direction", a => a.Direction);
        Row("[bold]all attributes[/]", a => a.All);
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLineInterpolated($"size is scored only where the prompt names one ({r.Seen.SizedClips} seen, {r.HeldOut.SizedClips} held-out clips)");

        var t = r.Temporal;
        AnsiConsole.MarkupLineInterpolated($"temporal consistency: {Pct(t.ConsistentFraction)} of clips keep their colour and shape in >= {Pct(t.Threshold)} of frames (mean frame agreement {Pct(t.MeanFrameAgreement)})");
        var d = r.Diversity;
        string reference = r.GroundTruthDiversity is { } g ? $"; real clips: {Px(g.MeanStartDistancePixels)}, {Pct(g.DistinctPairFraction)}" : "";
        AnsiConsole.MarkupLineInterpolated($"diversity: first-frame positions of one prompt's clips are {Px(d.MeanStartDistancePixels)} apart on average, {Pct(d.DistinctPairFraction)} of {d.Pairs} pairs more than {d.DistinctPixels:F1} px apart{reference}");
        if (r.NoObject > 0) AnsiConsole.MarkupLineInterpolated($"[yellow]{r.NoObject} clips show no object[/] (scored wrong on every attribute)");
        if (!isModel) return;
        bool met = r.MeetsTargets;
        AnsiConsole.MarkupLine($"targets (all attributes: seen >= {Pct(FidelityReport.SeenTarget)}, held-out >= {Pct(FidelityReport.HeldOutTarget)}): {(met ? "[green]met[/]" : "[red]not met[/]")}");
    }

    static string Pct(double? v) => v is { } x ? (x * 100).ToString("F1", CultureInfo.InvariantCulture) + "%" : "-";
    static string Px(double? v) => v is { } x ? x.ToString("F1", CultureInfo.InvariantCulture) + " px" : "-";
}
