using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using TorchSharp;
using VidGen.Data.World2;
using VidGen.Diffusion.Samplers;
using VidGen.Evaluation.World2;
using VidGen.Media;
using VidGen.Models;
using VidGen.Models.Autoencoders;
using VidGen.Pipelines;

namespace VidGen.Cli.Commands;

/// <summary>
/// `vidgen eval --world world2`: prompt fidelity on the second world, per category and per seen / held-out
/// prompt, with every clip's spec, reading and verdict in --json and misread clips saved with --save-failures.
/// With --ground-truth it scores rendered clips (the judge's own accuracy); with a model, its generated clips.
/// </summary>
public static class EvalWorld2Command
{
    /// <summary>The options only the second world has; EvalCommand adds them to `vidgen eval`.</summary>
    public sealed class Options
    {
        const string Prefix = "world2: ";

        public Option<string?> Category { get; } = WorldOptions.Category(Prefix);
        public Option<bool> FreeWords { get; } = new("--free-words") { Description = Prefix + "word the prompts with synonyms no training caption uses (crimson, kitten, drifting, underwater, ...)" };
        public Option<string?> EmojiFont { get; } = WorldOptions.EmojiFont(Prefix);
        public Option<string?> Autoencoder { get; } = new("--autoencoder") { Description = Prefix + "with --ground-truth: score the clips after a round trip through this autoencoder folder, and report their PSNR" };

        public IEnumerable<Option> All => new Option[] { Category, FreeWords, EmojiFont, Autoencoder };
    }

    /// <summary>The options `vidgen eval` shares between the worlds.</summary>
    public sealed record Common(
        Option<string?> Model, Option<int> Clips, Option<int> Batch, Option<int> Steps, Option<string> Sampler, Option<double> Guidance,
        Option<long> Seed, Option<double> HeldOut, Option<string?> Json, Option<bool> GroundTruth, Option<int> Resolution, Option<int> Frames,
        Option<string?> Failures, Option<string> Device, Option<int> Threads);

    public static int Run(ParseResult r, Options w2, Common o)
    {
        var options = new World2Options
        {
            Clips = r.GetValue(o.Clips), ClipsPerPrompt = r.GetValue(o.Batch), HeldOutFraction = r.GetValue(o.HeldOut), Seed = r.GetValue(o.Seed),
            Category = WorldOptions.ParseCategory(r, w2.Category),
            Style = r.GetValue(w2.FreeWords) ? CaptionStyle.Free : CaptionStyle.Canonical,
        };
        options.Validate();
        string? jsonPath = r.GetValue(o.Json), failureDir = r.GetValue(o.Failures);
        var art = ObjectArt.Load(r.GetValue(w2.EmojiFont));
        var judge = new World2Judge(art);
        var settings = new Dictionary<string, string>
        {
            ["batch"] = options.ClipsPerPrompt.ToString(CultureInfo.InvariantCulture),
            ["seed"] = options.Seed.ToString(CultureInfo.InvariantCulture),
            ["held_out_share"] = options.HeldOutFraction.ToString(CultureInfo.InvariantCulture),
            ["wording"] = options.Style.ToString().ToLowerInvariant(),
        };
        if (options.Category is Category only) settings["category"] = Terms.Name(only);
        int groups = (options.Clips + options.ClipsPerPrompt - 1) / options.ClipsPerPrompt;
        var prompts = World2EvalPrompts.Make(art, groups, options.HeldOutFraction, options.Category, options.Style);

        World2ClipSource source;
        string sourceName;
        VideoDiffusionModel? vdm = null;
        VideoAutoencoder? autoencoder = null;
        var psnr = new List<double>();
        try
        {
            if (r.GetValue(w2.Autoencoder) is not null && !r.GetValue(o.GroundTruth))
                throw new ArgumentException("--autoencoder goes with --ground-truth: it scores rendered clips after a round trip through the autoencoder");
            if (r.GetValue(o.GroundTruth))
            {
                // The shapes world's --resolution/--frames defaults (32, 8) are not the second world's (64, 16).
                var geometry = WorldOptions.Default with
                {
                    Resolution = CliSupport.GivenOr(r, o.Resolution, WorldOptions.Default.Resolution),
                    Frames = CliSupport.GivenOr(r, o.Frames, WorldOptions.Default.Frames),
                };
                geometry.Validate();
                source = World2ClipSources.GroundTruth(new CompositionalWorld(art, geometry));
                sourceName = "ground truth";
                if (r.GetValue(w2.Autoencoder) is string aeDir)
                {
                    autoencoder = AutoencoderFolder.Load(aeDir);
                    source = World2ClipSources.Reconstructed(source, autoencoder, psnr.Add);
                    sourceName = $"ground truth through the autoencoder {aeDir}";
                }
            }
            else
            {
                string modelDir = CliSupport.FindModel(r.GetValue(o.Model))
                    ?? throw new ArgumentException("no model found: pass --model <folder> (one trained on the second world), or --ground-truth to check the judge");
                var request = new GenerationRequest
                {
                    Prompt = "-", Steps = r.GetValue(o.Steps), GuidanceScale = r.GetValue(o.Guidance), Sampler = Names.Sampler.Parse(r.GetValue(o.Sampler)!),
                };
                (request with { BatchSize = options.ClipsPerPrompt }).Validate();
                using var threadScope = TorchThreads.Use(r.GetValue(o.Threads));
                vdm = Checkpoint.Load(modelDir, CliSupport.ParseDevice(r.GetValue(o.Device)!));
                var unknown = prompts.SelectMany(p => vdm.Tokenizer.UnknownWords(p.Text)).Distinct().ToList();
                if (unknown.Count > 0)
                    AnsiConsole.MarkupLineInterpolated($"[yellow]warning:[/] the model does not know these prompt words, so it cannot follow them: {string.Join(", ", unknown.Take(20))}{(unknown.Count > 20 ? ", ..." : "")}");
                source = World2ClipSources.Pipeline(new TextToVideoPipeline(vdm), request);
                sourceName = $"model {modelDir}";
                settings["sampler"] = Names.Sampler.Name(request.Sampler);
                settings["steps"] = request.Steps.ToString(CultureInfo.InvariantCulture);
                settings["guidance"] = request.GuidanceScale.ToString(CultureInfo.InvariantCulture);
                AnsiConsole.MarkupLineInterpolated($"evaluating {modelDir} on the second world: {CliSupport.Describe(vdm)}; {Names.Sampler.Name(request.Sampler)} x {request.Steps}, guidance {request.GuidanceScale}");
            }
            if (failureDir is not null) Directory.CreateDirectory(failureDir);

            World2Report report = null!;
            int saved = 0;
            using var cts = CliSupport.CancelOnCtrlC();
            AnsiConsole.Progress().AutoClear(true).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask($"{options.Clips} clips", maxValue: options.Clips);
                    report = World2Fidelity.Evaluate(source, options, judge, sourceName, settings, prompts, (result, video) =>
                    {
                        task.Increment(1);
                        if (failureDir is null || result.Verdict.CategoryCorrect) return;
                        string name = $"{result.Index:D4}-{FileNames.FromPrompt(result.Prompt.Text, 60)}-as-{FileNames.FromPrompt(result.Reading.Describe(), 60)}.gif";
                        VideoWriter.Write(video, Path.Combine(failureDir, name), 4);
                        saved++;
                    }, cts.Token);
                });
            Print(report);
            Func<string> json = report.ToJson;
            if (psnr.Count > 0)
            {
                double mean = psnr.Average(), worst = psnr.Min();
                AnsiConsole.MarkupLineInterpolated($"reconstruction PSNR over {psnr.Count} clips: mean {mean:F2} dB, worst {worst:F2} dB");
                json = () =>
                {
                    var node = System.Text.Json.Nodes.JsonNode.Parse(report.ToJson())!.AsObject();
                    node["reconstruction_psnr"] = new System.Text.Json.Nodes.JsonObject { ["mean_db"] = Math.Round(mean, 3), ["worst_db"] = Math.Round(worst, 3), ["clips"] = psnr.Count };
                    return node.ToJsonString(Indented);
                };
            }
            return CliSupport.FinishEvaluation(json, jsonPath, failureDir, saved, report.Interrupted, report.Clips, options.Clips);
        }
        finally
        {
            vdm?.Dispose();
            autoencoder?.Dispose();
        }
    }

    static readonly System.Text.Json.JsonSerializerOptions Indented = new() { WriteIndented = true };

    static void Print(World2Report r)
    {
        var table = new Table().Title($"second world: {Markup.Escape(r.Source)} ({r.Clips} clips, {r.Frames}x{r.Resolution}x{r.Resolution}, {r.Seconds:F1} s)");
        table.AddColumn("category");
        table.AddColumn(new TableColumn("seen").RightAligned());
        table.AddColumn(new TableColumn("held-out").RightAligned());
        table.AddColumn(new TableColumn("all").RightAligned());
        string Cell(World2Accuracy a) => a.Clips == 0 ? "-" : $"{Pct(a.Category)} ({a.Clips})";
        foreach (var row in r.Categories) table.AddRow(row.Category, Cell(row.Seen), Cell(row.HeldOut), Cell(row.All));
        table.AddRow("[bold]all[/]", Cell(r.Overall.Seen), Cell(r.Overall.HeldOut), Cell(r.Overall.All));
        AnsiConsole.Write(table);

        var attributes = new Table().Title("attributes, where the prompt asks for them");
        attributes.AddColumn("attribute");
        attributes.AddColumn(new TableColumn("seen").RightAligned());
        attributes.AddColumn(new TableColumn("held-out").RightAligned());
        attributes.AddColumn(new TableColumn("all").RightAligned());
        foreach (var key in r.Overall.All.Attributes.Keys)
            attributes.AddRow(key, Pct(r.Overall.Seen.Attributes[key]), Pct(r.Overall.HeldOut.Attributes[key]), Pct(r.Overall.All.Attributes[key]));
        AnsiConsole.Write(attributes);
    }

    static string Pct(double? v) => v is { } x ? (x * 100).ToString("F1", CultureInfo.InvariantCulture) + "%" : "-";
}
