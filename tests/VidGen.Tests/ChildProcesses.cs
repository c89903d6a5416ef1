namespace VidGen.Tests;

/// <summary>What the tests that start `dotnet` child processes (packing, killing, loading) share.</summary>
public static class ChildProcesses
{
    /// <summary>The dotnet running the tests (DOTNET_HOST_PATH under `dotnet test`), else the one on PATH.</summary>
    public static string DotnetHost => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h && File.Exists(h) ? h : "dotnet";

    /// <summary>The CLI as built beside the tests (the test project references it).</summary>
    public static string CliDll => Path.Combine(AppContext.BaseDirectory, "VidGen.Cli.dll");
}
