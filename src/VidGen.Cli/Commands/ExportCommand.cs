using System.CommandLine;
using Spectre.Console;
using VidGen.Training;
using static TorchSharp.torch;
using VidGen.Models;

namespace VidGen.Cli.Commands;

/// <summary>`vidgen export`: copies a model folder's sampling files (no training state), optionally as fp16.</summary>
public static class ExportCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model", "-m") { Description = "model folder to export", Required = true };
        var output = new Option<string>("--out", "-o") { Description = "folder to write (config.json, tokenizer.json, model.safetensors)", Required = true };
        var dtype = new Option<string>("--dtype") { Description = "f16 (half the size; weights load back as f32) or f32", DefaultValueFactory = _ => "f16" };
        var cmd = new Command("export", "Write a model folder for sharing or bundling: sampling weights only, fp16 by default") { model, output, dtype };
        cmd.SetAction(r => CliSupport.Run(() =>
        {
            ScalarType storeAs = r.GetValue(dtype)!.ToLowerInvariant() switch
            {
                "f16" or "fp16" or "float16" => ScalarType.Float16,
                "f32" or "fp32" or "float32" => ScalarType.Float32,
                var d => throw new ArgumentException($"unknown --dtype '{d}'; use f16 or f32"),
            };
            string src = r.GetValue(model)!, dst = r.GetValue(output)!;
            if (Path.GetFullPath(src).TrimEnd('/') == Path.GetFullPath(dst).TrimEnd('/'))
                throw new ArgumentException("--out must differ from --model (export never overwrites its source)");
            using var m = Checkpoint.Load(src);
            var meta = Safetensors.ReadMetadata(Path.Combine(src, Checkpoint.WeightsFile)).ToDictionary(kv => kv.Key, kv => kv.Value);
            meta["exported_from"] = Path.GetFileName(Path.GetFullPath(src).TrimEnd('/'));
            Checkpoint.Save(dst, m, storeAs, meta);
            long bytes = new FileInfo(Path.Combine(dst, Checkpoint.WeightsFile)).Length;
            AnsiConsole.MarkupLineInterpolated($"wrote [green]{dst}[/] ({bytes / 1e6:F1} MB, {storeAs})");
            return 0;
        }));
        return cmd;
    }
}
