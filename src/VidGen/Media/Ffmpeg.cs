using System.Diagnostics;

namespace VidGen.Media;

/// <summary>
/// The ffmpeg (and, when present, ffprobe) executables found on PATH. VidGen runs them as child processes with
/// an argument list (no shell, so no quoting problems with file names) and moves raw RGB frames through pipes.
/// </summary>
public sealed class Ffmpeg
{
    public string FfmpegPath { get; }
    public string? FfprobePath { get; }

    public Ffmpeg(string ffmpegPath, string? ffprobePath) { FfmpegPath = ffmpegPath; FfprobePath = ffprobePath; }

    static readonly Lazy<Ffmpeg?> OnPath = new(() => Locate(Environment.GetEnvironmentVariable("PATH")));

    /// <summary>ffmpeg from this process's PATH, or null when it is not installed.</summary>
    public static Ffmpeg? Default => OnPath.Value;
    public static bool IsAvailable => Default is not null;

    /// <summary>The tools, or the one-line error that tells the user how to install them.</summary>
    public static Ffmpeg Require(Ffmpeg? tool = null) => tool ?? Default ?? throw new FfmpegNotFoundException();

    /// <summary>Searches the directories of a PATH-style variable. Null when ffmpeg is not among them.</summary>
    public static Ffmpeg? Locate(string? pathVariable)
    {
        string? ffmpeg = Find("ffmpeg", pathVariable);
        return ffmpeg is null ? null : new Ffmpeg(ffmpeg, Find("ffprobe", pathVariable));
    }

    static string? Find(string name, string? pathVariable)
    {
        if (string.IsNullOrEmpty(pathVariable)) return null;
        string file = OperatingSystem.IsWindows() ? name + ".exe" : name;
        foreach (var dir in pathVariable.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate;
            try { candidate = Path.Combine(dir.Trim('"'), file); }
            catch (ArgumentException) { continue; }
            if (!File.Exists(candidate)) continue;
            if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(candidate) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) == 0)
                continue;
            return candidate;
        }
        return null;
    }

    internal static Process Start(string exe, IEnumerable<string> args, bool stdin)
    {
        var psi = new ProcessStartInfo(exe)
        {
            UseShellExecute = false,
            RedirectStandardInput = stdin,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            CreateNoWindow = true,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        try { return Process.Start(psi) ?? throw new FfmpegNotFoundException(); }
        catch (System.ComponentModel.Win32Exception) { throw new FfmpegNotFoundException(); }
    }

    /// <summary>The most telling line of ffmpeg's error output (its last non-empty line).</summary>
    internal static string LastLine(string stderr)
    {
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? "no error message" : lines[^1];
    }

    internal static void KillQuietly(Process p)
    {
        try { if (!p.HasExited) p.Kill(entireProcessTree: true); }
        catch (InvalidOperationException) { }
    }
}
