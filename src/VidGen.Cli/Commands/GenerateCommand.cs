using System.CommandLine;
using Spectre.Console;
using VidGen.Media;
using VidGen.Pipelines;
using VidGen.Training;
using VidGen.Models;

namespace VidGen.Cli.Commands;

/// <summary>`vidgen generate "prompt"`: writes a video named after the prompt.</summary>
public static class GenerateCommand
{
    public static Command Create()
    {
        var prompt = new Argument<string>("prompt") { Description = "what the video shows, e.g. \"a small red circle moving left\"" };
        var output = new Option<string?>("--out", "-o") { Description = "output file (.gif) or folder; default: <prompt>.gif in the current folder" };
        var model = new Option<string?>("--model", "-m") { Description = "model folder (default: the bundled models/default)" };
        var seed = new Option<long?>("--seed", "-s") { Description = "random seed (default: random, printed so the video can be reproduced)" };
        var scale = new Option<int>("--scale") { Description = "pixel upscaling of the written file", DefaultValueFactory = _ => 4 };
        var device = new Option<string>("--device") { Description = "cpu or cuda", DefaultValueFactory = _ => "cpu" };
        var preview = new Option<string?>("--preview") { Description = "PNG rewritten at every step with the frames of the current estimate (a latent model's through its cheap linear map, not the decoder)" };

        var o = new RequestOptionSet();

        var cmd = new Command("generate", "Generate a video from a text prompt") { prompt, output, model, seed };
        foreach (var option in o.All) cmd.Add(option);
        cmd.Add(scale);
        cmd.Add(device);
        cmd.Add(preview);
        cmd.SetAction(r => CliSupport.Run(() =>
        {
            string? modelDir = CliSupport.FindModel(r.GetValue(model));
            modelDir ??= QuickModel.EnsureTrained();
            var dev = CliSupport.ParseDevice(r.GetValue(device)!);
            using var vdm = Checkpoint.Load(modelDir, dev);
            var request = o.Request(r) with
            {
                Prompt = r.GetValue(prompt)!,
                Seed = r.GetValue(seed) ?? Random.Shared.NextInt64(0, int.MaxValue),
                InitImage = o.ReadInitImage(r, vdm.Config.Resolution),
            };
            request.Validate();
            var pipe = new TextToVideoPipeline(vdm);
            var plan = pipe.Plan(request, request.Frames > 0 ? request.Frames : vdm.Config.Frames);
            var unknown = request.Then.Prepend(request.Prompt).SelectMany(vdm.Tokenizer.UnknownWords).Distinct().ToList();
            if (unknown.Count > 0)
                AnsiConsole.MarkupLineInterpolated($"[yellow]warning:[/] the model does not know these words and cannot follow them: {string.Join(", ", unknown)}");
            int cut = vdm.Tokenizer.TruncatedTokens(request.Prompt);
            if (cut > 0)
                AnsiConsole.MarkupLineInterpolated($"[yellow]warning:[/] the prompt is {cut} token(s) longer than the model reads ({vdm.Tokenizer.MaxLength}); its end is ignored");
            GenerationResult result = null!;
            AnsiConsole.Progress().AutoClear(true).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    string segments = plan.Segments > 1 ? $", {plan.Segments} segments ({Names.Extend.Name(request.Extend)})" : "";
                    var task = ctx.AddTask($"{Names.Sampler.Name(request.Sampler)} x {request.Steps}{segments}", maxValue: request.Steps * plan.Segments);
                    using var cts = CliSupport.CancelOnCtrlC();
                    string? previewPath = r.GetValue(preview);
                    result = pipe.Generate(request, s =>
                    {
                        task.Value = s.Step;
                        if (previewPath is null) return;
                        // Written aside and moved, so a viewer never reads half a file.
                        string partial = previewPath + ".partial.png";
                        ContactSheet.WriteFilmstrip(pipe.Previews(s.X0, request.Fps)[0], partial, r.GetValue(scale));
                        File.Move(partial, previewPath, overwrite: true);
                    }, cts.Token);
                });
            string path = ResolveOutput(r.GetValue(output), request.Prompt);
            VideoWriter.Write(result.Video, path, r.GetValue(scale));
            AnsiConsole.MarkupLineInterpolated($"wrote [green]{path}[/] ({result.Video.Frames} frames, seed {request.Seed}, {result.Elapsed.TotalSeconds:F1} s, model {modelDir})");
            return 0;
        }));
        return cmd;
    }

    static string ResolveOutput(string? given, string prompt)
    {
        string name = FileNames.FromPrompt(prompt) + ".gif";
        if (string.IsNullOrEmpty(given)) return Path.GetFullPath(name);
        if (Directory.Exists(given) || given.EndsWith('/') || given.EndsWith(Path.DirectorySeparatorChar)) return Path.GetFullPath(Path.Combine(given, name));
        return Path.GetFullPath(given);
    }
}
