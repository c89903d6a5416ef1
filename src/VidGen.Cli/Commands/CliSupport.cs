using System.Runtime.InteropServices;
using Spectre.Console;
using TorchSharp;
using VidGen.Models;
using VidGen.Training;

namespace VidGen.Cli.Commands;

/// <summary>What every command shares: finding models, choosing the device, reporting errors in one line.</summary>
public static class CliSupport
{
    /// <summary>
    /// The model folder --model names, in <see cref="ModelLocator"/>'s order (a folder path; a bundled name from the
    /// installed model package; models/NAME of a clone); none given: the bundled default, or null when there is none.
    /// A name found nowhere is a one-line error saying where it looked.
    /// </summary>
    public static string? FindModel(string? given) =>
        string.IsNullOrEmpty(given) ? ModelLocator.FindDefault() : ModelLocator.Resolve(given);

    /// <summary>
    /// The option's value when it was given on the command line, else <paramref name="fallback"/>: a default that
    /// depends on other choices (the second world's own size, a recipe's settings).
    /// </summary>
    public static T GivenOr<T>(System.CommandLine.ParseResult r, System.CommandLine.Option<T> option, T fallback) =>
        r.GetResult(option) is { Implicit: false } ? r.GetValue(option)! : fallback;

    public static torch.Device ParseDevice(string name)
    {
        var n = name.Trim().ToLowerInvariant();
        if (n == "cpu") return torch.CPU;
        if (n.StartsWith("cuda"))
        {
            if (!torch.cuda.is_available())
                throw new ArgumentException("--device cuda: no CUDA backend is available (this build ships TorchSharp-cpu); use --device cpu");
            return torch.device(n);
        }
        throw new ArgumentException($"unknown device '{name}'; use cpu or cuda[:N]");
    }

    /// <summary>Runs a command body, turning expected failures into one red line and exit code 1.</summary>
    public static int Run(Func<int> body)
    {
        try { return body(); }
        catch (OperationCanceledException) { AnsiConsole.MarkupLine("[yellow]cancelled[/]"); return 130; }
        catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or UnauthorizedAccessException or NotSupportedException)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {e.Message}");
            return 1;
        }
    }

    /// <summary>
    /// Ctrl+C (SIGINT) and SIGTERM cancel the token instead of killing the process, so long work can save and
    /// stop cleanly (a background job or `kill` sends SIGTERM; shells ignore SIGINT for background jobs).
    /// </summary>
    public static StopSignals CancelOnCtrlC() => new();

    public sealed class StopSignals : IDisposable
    {
        private readonly CancellationTokenSource cts = new();
        private readonly PosixSignalRegistration sigterm;
        private readonly ConsoleCancelEventHandler onCtrlC;

        public StopSignals()
        {
            onCtrlC = (_, e) => { e.Cancel = true; cts.Cancel(); };
            Console.CancelKeyPress += onCtrlC;
            sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx => { ctx.Cancel = true; cts.Cancel(); });
        }

        public CancellationToken Token => cts.Token;

        public void Dispose()
        {
            Console.CancelKeyPress -= onCtrlC;
            sigterm.Dispose();
            cts.Dispose();
        }
    }

    public static string Describe(VideoDiffusionModel m) =>
        $"{m.Config.Frames}x{m.Config.Resolution}x{m.Config.Resolution}, {m.ParameterCount() / 1e6:F2}M parameters, {m.Config.Prediction} prediction";

    /// <summary>
    /// The end of an evaluation, for both worlds: the report's JSON written where asked, the misread clips counted,
    /// and exit 130 with a note when Ctrl+C stopped it early (the figures then cover the clips scored).
    /// </summary>
    public static int FinishEvaluation(Func<string> reportJson, string? jsonPath, string? failureDir, int saved, bool interrupted, int scored, int asked)
    {
        if (jsonPath is not null)
        {
            if (Path.GetDirectoryName(Path.GetFullPath(jsonPath)) is { } dir) Directory.CreateDirectory(dir);
            AtomicFiles.WriteAllText(jsonPath, reportJson());
            AnsiConsole.MarkupLineInterpolated($"wrote [green]{jsonPath}[/]");
        }
        if (failureDir is not null) AnsiConsole.MarkupLineInterpolated($"wrote {saved} misread clips to [green]{failureDir}[/]");
        if (!interrupted) return 0;
        AnsiConsole.MarkupLineInterpolated($"[yellow]interrupted after {scored} of {asked} clips: the figures above cover those[/]");
        return 130;
    }
}
