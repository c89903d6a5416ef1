using System.Runtime.InteropServices;
using Spectre.Console;
using TorchSharp;
using VidGen.Models;
using VidGen.Training;

namespace VidGen.Cli.Commands;

/// <summary>What every command shares: finding models, choosing the device, reporting errors in one line.</summary>
public static class CliSupport
{
    public const string DefaultModelDir = "models/default";
    static readonly char[] PathSeparators = { '/', '\\' };

    /// <summary>
    /// The model folder --model names, looked up in this order: a folder path; a bundled model's name (models/NAME,
    /// e.g. default or shapes-32) found from the working directory or the program's folder upwards; none given:
    /// the bundled default, or null when there is none. A name found nowhere is a one-line error saying where it looked.
    /// </summary>
    public static string? FindModel(string? given)
    {
        if (string.IsNullOrEmpty(given)) return FindBundled(Path.GetFileName(DefaultModelDir), Checkpoint.Exists);
        if (Directory.Exists(given)) return given; // Checkpoint.Load says what a folder lacks
        bool name = given.IndexOfAny(PathSeparators) < 0 && given != "." && given != "..";
        if (name && FindBundled(given, Checkpoint.Exists) is string bundled) return bundled;
        var known = BundledNames();
        throw new DirectoryNotFoundException($"model '{given}' not found: no such folder{(name ? $", and no bundled model of that name in models/ from {Directory.GetCurrentDirectory()} or {AppContext.BaseDirectory} upwards" : "")}"
            + (known.Count > 0 ? $" (bundled: {string.Join(", ", known)})" : ""));
    }

    /// <summary>The names of the bundled model folders (models/NAME) found as <see cref="FindBundled"/> looks.</summary>
    public static IReadOnlyList<string> BundledNames() =>
        ModelsFolders().SelectMany(Directory.EnumerateDirectories).Where(Checkpoint.Exists).Select(d => Path.GetFileName(d)!)
            .Distinct().Order(StringComparer.Ordinal).ToList();

    /// <summary>
    /// The folder models/<paramref name="name"/> (a bundled model or autoencoder) that <paramref name="exists"/> accepts,
    /// looked for from the working directory and from the program's folder upwards; null when there is none.
    /// </summary>
    public static string? FindBundled(string name, Func<string, bool> exists) =>
        ModelsFolders().Select(models => Path.Combine(models, name)).FirstOrDefault(exists);

    /// <summary>Every models/ folder from the working directory upwards, then from the program's folder upwards.</summary>
    static IEnumerable<string> ModelsFolders()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var models = Path.Combine(dir.FullName, Path.GetDirectoryName(DefaultModelDir)!);
                if (Directory.Exists(models)) yield return models;
            }
    }

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
            File.WriteAllText(jsonPath, reportJson());
            AnsiConsole.MarkupLineInterpolated($"wrote [green]{jsonPath}[/]");
        }
        if (failureDir is not null) AnsiConsole.MarkupLineInterpolated($"wrote {saved} misread clips to [green]{failureDir}[/]");
        if (!interrupted) return 0;
        AnsiConsole.MarkupLineInterpolated($"[yellow]interrupted after {scored} of {asked} clips: the figures above cover those[/]");
        return 130;
    }
}
