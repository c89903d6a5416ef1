using System.Diagnostics;
using System.Text;

namespace VidGen.Bench;

/// <summary>A child process run for its peak memory: exit code, peak resident set (bytes), wall time, output tail.</summary>
public sealed record ChildRun(string Command, int ExitCode, long PeakRssBytes, double WallSeconds, int Samples, string OutputTail)
{
    public double PeakRssMiB => PeakRssBytes / 1024.0 / 1024.0;
}

/// <summary>
/// Peak memory of a whole command, as a user runs it, measured from outside: the child's VmHWM ("high water
/// mark" of its resident set, which the kernel keeps as a running maximum) read from /proc/&lt;pid&gt;/status every
/// few milliseconds until it exits. Because VmHWM never decreases, the last reading is the peak up to that moment;
/// only growth in the final few milliseconds (process teardown, which frees memory) could be missed. Linux only.
/// </summary>
public static class PeakMemory
{
    public static bool Supported => OperatingSystem.IsLinux() && File.Exists("/proc/self/status");

    /// <summary>VmHWM of a process in bytes, or null when it cannot be read (exited, not Linux).</summary>
    public static long? HighWaterMark(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { }
        return null;
    }

    public static ChildRun Run(string fileName, IReadOnlyList<string> args, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null, int pollMs = 5)
    {
        if (!Supported) throw new PlatformNotSupportedException("peak memory is read from /proc/<pid>/status, which only Linux has");
        var psi = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (environment is not null) foreach (var (k, v) in environment) psi.Environment[k] = v;
        var output = new StringBuilder();
        void Append(string? line) { if (line is null) return; lock (output) { output.AppendLine(line); if (output.Length > 64_000) output.Remove(0, output.Length - 32_000); } }

        var clock = Stopwatch.StartNew();
        using var p = new Process { StartInfo = psi };
        p.OutputDataReceived += (_, e) => Append(e.Data);
        p.ErrorDataReceived += (_, e) => Append(e.Data);
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        long peak = 0; int samples = 0;
        while (!p.HasExited)
        {
            if (HighWaterMark(p.Id) is { } hwm) { peak = Math.Max(peak, hwm); samples++; }
            if (clock.Elapsed > timeout)
            {
                p.Kill(entireProcessTree: true);
                p.WaitForExit();
                throw new TimeoutException($"{fileName} {string.Join(' ', args)} ran past {timeout.TotalSeconds:F0} s");
            }
            Thread.Sleep(pollMs);
        }
        p.WaitForExit();
        double wall = clock.Elapsed.TotalSeconds;
        string text;
        lock (output) text = output.ToString();
        string tail = text.Length > 2000 ? text[^2000..] : text;
        return new ChildRun(string.Join(' ', new[] { fileName }.Concat(args.Select(Quote))), p.ExitCode, peak, wall, samples, tail);
    }

    static string Quote(string a) => a.Contains(' ') ? $"\"{a}\"" : a;
}
