using System.CommandLine;
using System.Text.Json;
using Spectre.Console;
using VidGen.Models.TextEncoders;
using static TorchSharp.torch;

namespace VidGen.Cli.Commands;

/// <summary>
/// `vidgen text-encoder minilm`: loads the packaged all-MiniLM-L6-v2 and says where it came from; with --measure,
/// times its load and the encoding of a 16-prompt batch and reads the resident memory it adds (<see cref="MiniLm.Measure"/>),
/// the figures README's "Text encoders" section reports. A bench stage can call the same method.
/// </summary>
public static class TextEncoderCommand
{
    static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static Command Create()
    {
        var name = new Argument<string>("encoder") { Description = "minilm (the encoder that comes with the build)", DefaultValueFactory = _ => MiniLm.SpecName };
        var measure = new Option<bool>("--measure") { Description = "time the load and a 16-prompt encode; run it in a fresh process for the memory figure" };
        var repeats = new Option<int>("--repeats") { Description = "encodings of the batch to time", DefaultValueFactory = _ => 20 };
        var threads = new Option<int>("--threads") { Description = "CPU threads (0 = libtorch default)", DefaultValueFactory = _ => 0 };
        var json = new Option<string?>("--json") { Description = "also write the measurement to this JSON file" };
        var prompt = new Option<string[]>("--prompt") { Description = "prompts to measure with instead of the built-in 16 (repeatable)", AllowMultipleArgumentsPerToken = true };
        var cmd = new Command("text-encoder", "Load the packaged MiniLM text encoder and show (or --measure) what it costs") { name, measure, repeats, threads, json, prompt };
        cmd.SetAction(r => CliSupport.Run(() =>
        {
            var spec = r.GetValue(name)!;
            if (!spec.Equals(MiniLm.SpecName, StringComparison.OrdinalIgnoreCase))
                throw new ArgumentException($"text-encoder {spec}: only {MiniLm.SpecName} comes with the build (bert:/clip: folders are measured by training with them)");
            if (r.GetValue(threads) is > 0 and var n) set_num_threads(n);
            if (!r.GetValue(measure))
            {
                using var enc = MiniLm.Load();
                AnsiConsole.MarkupLineInterpolated($"{MiniLmPackage.Name}: all-MiniLM-L6-v2, {enc.Model.parameters().Sum(p => p.numel()) / 1e6:F1}M parameters, width {enc.Width}, {enc.Tokenizer.MaxLength} tokens, from {enc.Folder}");
                return 0;
            }
            var prompts = r.GetValue(prompt) is { Length: > 0 } given ? given : MiniLm.MeasurePrompts;
            var m = MiniLm.Measure(prompts, r.GetValue(repeats));
            AnsiConsole.WriteLine(m.ToString());
            if (r.GetValue(json) is string path)
            {
                File.WriteAllText(path, JsonSerializer.Serialize(new
                {
                    package = MiniLmPackage.Name, engine = "torchsharp", m.Threads, m.LoadSeconds, m.Stages, m.FirstEncodeMs, m.MedianEncodeMs, m.MinEncodeMs,
                    m.Prompts, m.Tokens, m.RealTokens, m.RssBeforeMiB, m.RssAfterLoadMiB, m.RssAfterEncodeMiB, m.RssAddedMiB,
                }, Indented));
                AnsiConsole.MarkupLineInterpolated($"wrote [green]{path}[/]");
            }
            return 0;
        }));
        return cmd;
    }
}
