using System.CommandLine;
using System.Text;
using Spectre.Console;
using VidGen.Data;
using VidGen.Media;
using VidGen.Models;
using VidGen.Pipelines;

namespace VidGen.Cli.Commands;

/// <summary>
/// `vidgen gallery`: a contact sheet per category of the model's world (seen combinations, then held-out ones,
/// one clip per row) with one GIF each and an index page listing every row's prompt; README's gallery is made
/// by it. Fixed prompts (<see cref="WorldExamples"/>) and seeds, so a rerun with the same model draws the same.
/// </summary>
public static class GalleryCommand
{
    public static Command Create()
    {
        var model = new Option<string?>("--model", "-m") { Description = "model folder or bundled name (default: the bundled default)" };
        var output = new Option<string>("--out", "-o") { Description = "folder to write the sheets, GIFs and index.md into", Required = true };
        var perCategory = new Option<int>("--per-category") { Description = "prompts per category, seen and held-out each", DefaultValueFactory = _ => 3 };
        var seed = new Option<long>("--seed", "-s") { Description = "seed of row i: seed + i", DefaultValueFactory = _ => 0 };
        var threads = new Option<int>("--threads") { Description = "CPU threads (0 = libtorch default)", DefaultValueFactory = _ => 0 };
        var sampling = new RequestOptionSet();
        var cmd = new Command("gallery", "Draw a contact sheet per category of the model's world, seen and held-out prompts, with a GIF each") { model, output, perCategory, seed, threads };
        foreach (var o in sampling.SamplerOnly) cmd.Add(o);
        cmd.SetAction(r => CliSupport.Run(() =>
        {
            int n = r.GetValue(perCategory);
            if (n < 1 || n > 16) throw new ArgumentException($"--per-category must be between 1 and 16 (got {n})");
            string dir = CliSupport.FindModel(r.GetValue(model)) ?? throw new ArgumentException("no model found: pass --model <folder or bundled name>");
            var world = Checkpoint.ReadConfig(dir).World
                ?? throw new ArgumentException($"{dir} was trained on a collection, not a world: there are no category prompts to draw (config.json has no world)");
            var settings = sampling.SamplerRequest(r);
            settings.ValidateSettings();
            string outDir = r.GetValue(output)!;
            Directory.CreateDirectory(outDir);
            using var threadScope = TorchThreads.Use(r.GetValue(threads));
            using var vdm = Checkpoint.Load(dir);
            var pipeline = new TextToVideoPipeline(vdm);
            var seen = WorldExamples.For(world, n);
            var held = WorldExamples.For(world, n, heldOut: true);
            var index = new StringBuilder($"# Gallery: {Path.GetFileName(Path.GetFullPath(dir).TrimEnd(Path.DirectorySeparatorChar))}\n\n");
            index.AppendLine($"Made by `vidgen gallery --model {dir} --out {outDir} --per-category {n} --seed {r.GetValue(seed)}` ({Names.Sampler.Name(settings.Sampler)} x {settings.Steps}, guidance {settings.GuidanceScale}). Each sheet: one clip per row, one frame in {Stride(vdm.Config.Frames)} left to right; seen combinations first, then held-out ones.\n");
            using var cts = CliSupport.CancelOnCtrlC();
            foreach (var (s, h) in seen.Zip(held))
            {
                cts.Token.ThrowIfCancellationRequested();
                var rows = s.Prompts.Select(p => (Prompt: p, HeldOut: false)).Concat(h.Prompts.Select(p => (Prompt: p, HeldOut: true))).ToList();
                AnsiConsole.MarkupLineInterpolated($"[grey]{s.Category}: {rows.Count} clips[/]");
                // Row i from seed + i: the same prompt always gets the same clip, whatever else the sheet holds.
                var clips = rows.Select((row, i) => pipeline.Generate(settings with { Prompt = row.Prompt, Seed = r.GetValue(seed) + i }, cancel: cts.Token).Video).ToList();
                string name = FileNames.FromPrompt(s.Category, 40);
                ContactSheet.WriteGridPng(clips.Select(c => EveryNth(c, Stride(c.Frames))).ToList(), Path.Combine(outDir, name + ".png"), scale: 1);
                VideoWriter.Write(clips[0], Path.Combine(outDir, name + ".gif"), 2);
                index.AppendLine($"\n## {s.Category}\n\n![{s.Category}]({name}.png)\n");
                foreach (var (row, i) in rows.Select((row, i) => (row, i)))
                    index.AppendLine($"{i + 1}. {(row.HeldOut ? "held-out" : "seen")}: \"{row.Prompt}\"{(i == 0 ? $" ([GIF]({name}.gif))" : "")}");
            }
            File.WriteAllText(Path.Combine(outDir, "index.md"), index.ToString());
            AnsiConsole.MarkupLineInterpolated($"wrote [green]{outDir}[/] ({seen.Count} sheets, index.md)");
            return 0;
        }));
        return cmd;
    }

    /// <summary>Every frame up to 8 frames, every other one up to 16, ...: a sheet stays about 8 frames wide.</summary>
    static int Stride(int frames) => Math.Max(1, frames / 8);

    static Video EveryNth(Video v, int stride)
    {
        if (stride == 1) return v;
        int frames = (v.Frames + stride - 1) / stride, size = v.Height * v.Width * 3;
        var pixels = new float[frames * size];
        for (int f = 0; f < frames; f++) v.Frame(f * stride).CopyTo(pixels.AsSpan(f * size, size));
        return new Video(frames, v.Height, v.Width, v.Fps / stride, pixels);
    }
}
