using System.Text.RegularExpressions;

namespace VidGen.Tests;

/// <summary>
/// The library's folders depend on each other one way only (docs/ARCHITECTURE.md, "Layers"): a folder may use
/// the folders listed for it and nothing above. Read from the sources' <c>using VidGen.X</c> lines and fully
/// qualified <c>VidGen.X.</c> / <c>X.Type</c> references, so a new dependency upward fails here with its file.
/// </summary>
public partial class LayeringTests
{
    // What each folder of src/VidGen may use (besides itself).
    static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["Media"] = ["Text"],
        ["Text"] = [],
        ["Diffusion"] = [],
        ["Data"] = ["Media", "Text"],
        ["Models"] = ["Media", "Text", "Diffusion"],
        ["Pipelines"] = ["Media", "Text", "Diffusion", "Models"],
        ["Training"] = ["Media", "Text", "Diffusion", "Models", "Data", "Pipelines"],
        ["Evaluation"] = ["Media", "Text", "Diffusion", "Models", "Data", "Pipelines"],
    };

    // Root-level types and the folders that may use them: Names (the user-facing names of every enum) sits at the
    // top, where options are parsed; Seeds at the bottom, used by all.
    static readonly Dictionary<string, string[]> RootTypeUsers = new()
    {
        ["Names"] = ["Training", "Evaluation"],
    };

    [GeneratedRegex(@"^\s*using\s+(?:static\s+)?VidGen\.(\w+)", RegexOptions.Multiline)]
    private static partial Regex UsingLine();

    [GeneratedRegex(@"\bVidGen\.(\w+)\.")]
    private static partial Regex Qualified();

    static string LibraryFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "src", "VidGen");
            if (File.Exists(Path.Combine(candidate, "VidGen.csproj"))) return candidate;
        }
        throw new DirectoryNotFoundException("src/VidGen not found above " + AppContext.BaseDirectory);
    }

    [Fact]
    public void EveryFolderHasALayer()
    {
        var folders = Directory.GetDirectories(LibraryFolder()).Select(Path.GetFileName).Where(n => n is not ("bin" or "obj")).ToList();
        Assert.NotEmpty(folders);
        Assert.All(folders, f => Assert.True(Allowed.ContainsKey(f!), $"src/VidGen/{f} has no layer in LayeringTests.Allowed (and docs/ARCHITECTURE.md)"));
    }

    [Fact]
    public void FoldersDependOnLowerLayersOnly()
    {
        var root = LibraryFolder();
        var violations = new List<string>();
        foreach (var (folder, allowed) in Allowed)
        {
            var dir = Path.Combine(root, folder);
            if (!Directory.Exists(dir)) continue;
            foreach (var file in Directory.EnumerateFiles(dir, "*.cs", SearchOption.AllDirectories))
            {
                var text = File.ReadAllText(file);
                var used = UsingLine().Matches(text).Select(m => m.Groups[1].Value)
                    .Concat(Qualified().Matches(text).Select(m => m.Groups[1].Value))
                    .Concat(Allowed.Keys.Where(k => Regex.IsMatch(text, $@"(?<![\w.]){k}\.[A-Z]\w*[\s(<.]") && k != folder && !IsAlsoLocal(text, k)))
                    .Where(Allowed.ContainsKey).Distinct();
                foreach (var u in used)
                    if (u != folder && !allowed.Contains(u))
                        violations.Add($"{Path.GetRelativePath(root, file)} uses {u}");
                foreach (var (type, users) in RootTypeUsers)
                    if (!users.Contains(folder) && Regex.IsMatch(StripComments(text), $@"(?<![\w.]){type}\.[A-Z]"))
                        violations.Add($"{Path.GetRelativePath(root, file)} uses {type}");
            }
        }
        Assert.True(violations.Count == 0, "upward dependencies:\n" + string.Join("\n", violations));
    }

    static string StripComments(string text) => Regex.Replace(text, @"//[^\n]*", "");

    // "Media.Foo" may also be a member access on a local named like a folder; only count it when no such local exists.
    static bool IsAlsoLocal(string text, string name) =>
        Regex.IsMatch(text, $@"\b(var|[A-Z]\w*)\s+{name}\s*[=;,)]") || Regex.IsMatch(text, $@"\b{name}\s*=>");

    [Fact]
    public void TheCheckSeesAnUpwardDependency()
    {
        // the same matching on a made-up file: Models reaching into Training must be found
        const string text = "using VidGen.Training;\nnamespace VidGen.Models;\nclass A { void F() => VidGen.Evaluation.X.Y(); }";
        var used = UsingLine().Matches(text).Select(m => m.Groups[1].Value).Concat(Qualified().Matches(text).Select(m => m.Groups[1].Value)).ToList();
        Assert.Contains("Training", used);
        Assert.Contains("Evaluation", used);
        Assert.DoesNotContain("Training", Allowed["Models"]);
    }
}
