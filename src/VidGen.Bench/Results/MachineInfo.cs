using System.Reflection;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace VidGen.Bench.Results;

/// <summary>What the numbers were measured on: written into every result file.</summary>
public sealed record MachineInfo(
    string Cpu, int LogicalCores, int TorchThreads, string SimdFlags, double MemoryGiB,
    string Os, string Runtime, string TorchSharp, string Libtorch, string Device, string Hostname)
{
    static readonly string[] ReportedFlags = { "avx2", "fma", "avx512f", "avx512_bf16", "amx_bf16", "f16c" };

    public static MachineInfo Describe(Device device)
    {
        string cpu = "unknown", flags = "";
        try
        {
            foreach (var line in File.ReadLines("/proc/cpuinfo"))
            {
                if (cpu == "unknown" && line.StartsWith("model name", StringComparison.Ordinal)) cpu = line[(line.IndexOf(':') + 1)..].Trim();
                if (flags.Length == 0 && line.StartsWith("flags", StringComparison.Ordinal))
                {
                    var have = line[(line.IndexOf(':') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
                    flags = string.Join(" ", ReportedFlags.Where(have.Contains));
                }
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        double mem = 0;
        try
        {
            var total = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            if (total is not null) mem = long.Parse(total.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0 / 1024.0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { }
        string torchSharp = typeof(global::TorchSharp.torch).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion?.Split('+')[0]
            ?? typeof(global::TorchSharp.torch).Assembly.GetName().Version?.ToString() ?? "?";
        return new MachineInfo(cpu, Environment.ProcessorCount, get_num_threads(), flags, Math.Round(mem, 1),
            RuntimeInformation.OSDescription, RuntimeInformation.FrameworkDescription, torchSharp, global::TorchSharp.torch.__version__, device.ToString(), Environment.MachineName);
    }
}
