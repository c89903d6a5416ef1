namespace VidGen.Models;

/// <summary>
/// Finds a model folder from what a user names, in one documented order (README, "Install"):
/// <list type="number">
/// <item>a folder path, taken as given (loading it says what it lacks);</item>
/// <item>a bundled name (default, shapes-32, autoencoder-world2) in the installed model package: models/NAME beside
/// the program, where the VidGen.Models.Default package's build targets copy its folders (the vidgen tool carries
/// its own copy there);</item>
/// <item>models/NAME of the repository when run from a clone: the folder holding VidGen.slnx, found from the
/// working directory or from the program's folder upwards.</item>
/// </list>
/// A name found nowhere is one line that lists every place looked in.
/// </summary>
public static class ModelLocator
{
    public const string DefaultName = "default";
    public const string ModelsFolderName = "models";
    /// <summary>The file that marks a clone's root.</summary>
    public const string RepositoryMarker = "VidGen.slnx";
    /// <summary>The package whose build targets put the bundled models beside a program.</summary>
    public const string ModelPackageId = "VidGen.Models.Default";

    static readonly char[] PathSeparators = { '/', '\\' };

    /// <summary>The models/ folders looked in, in order (those that exist): the program's own, then a clone's.</summary>
    public static IReadOnlyList<string> SearchFolders(string? workingDirectory = null, string? programDirectory = null)
    {
        var list = new List<string>();
        void Add(string dir) { var full = Path.GetFullPath(dir); if (Directory.Exists(full) && !list.Contains(full)) list.Add(full); }
        var program = programDirectory ?? AppContext.BaseDirectory;
        Add(Path.Combine(program, ModelsFolderName));
        foreach (var start in new[] { workingDirectory ?? Directory.GetCurrentDirectory(), program })
            if (RepositoryRoot(start) is string root) Add(Path.Combine(root, ModelsFolderName));
        return list;
    }

    /// <summary>The clone's root (the first folder upwards from <paramref name="start"/> holding VidGen.slnx), or null.</summary>
    public static string? RepositoryRoot(string start)
    {
        for (var dir = new DirectoryInfo(Path.GetFullPath(start)); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, RepositoryMarker))) return dir.FullName;
        return null;
    }

    /// <summary>models/<paramref name="name"/> in the first search folder where <paramref name="accepts"/> takes it; null when none does.</summary>
    public static string? FindBundled(string name, Func<string, bool> accepts, string? workingDirectory = null, string? programDirectory = null) =>
        SearchFolders(workingDirectory, programDirectory).Select(models => Path.Combine(models, name)).FirstOrDefault(accepts);

    /// <summary>The bundled diffusion models' names (folders that <see cref="Checkpoint.Exists"/> accepts), sorted.</summary>
    public static IReadOnlyList<string> BundledNames(string? workingDirectory = null, string? programDirectory = null) =>
        SearchFolders(workingDirectory, programDirectory).SelectMany(Directory.EnumerateDirectories).Where(Checkpoint.Exists)
            .Select(d => Path.GetFileName(d)!).Distinct().Order(StringComparer.Ordinal).ToList();

    /// <summary>The bundled default model's folder, or null when no search folder has one.</summary>
    public static string? FindDefault(string? workingDirectory = null, string? programDirectory = null) =>
        FindBundled(DefaultName, Checkpoint.Exists, workingDirectory, programDirectory);

    /// <summary>
    /// The model folder <paramref name="given"/> names (a path or a bundled name), or a one-line
    /// <see cref="DirectoryNotFoundException"/> listing where it looked and the bundled names there are.
    /// </summary>
    public static string Resolve(string given, string? workingDirectory = null, string? programDirectory = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(given);
        var cwd = workingDirectory ?? Directory.GetCurrentDirectory();
        if (Directory.Exists(Path.Combine(cwd, given))) return given;
        bool isName = given.IndexOfAny(PathSeparators) < 0 && given != "." && given != "..";
        if (isName && FindBundled(given, Checkpoint.Exists, cwd, programDirectory) is string bundled) return bundled;
        var program = programDirectory ?? AppContext.BaseDirectory;
        var looked = new[] { Path.Combine(program, ModelsFolderName) + " (the " + ModelPackageId + " package)" }
            .Concat(new[] { cwd, program }.Select(RepositoryRoot).OfType<string>().Distinct().Select(root => Path.Combine(root, ModelsFolderName) + " (this clone)"));
        var known = BundledNames(cwd, programDirectory);
        throw new DirectoryNotFoundException($"model '{given}' not found: no such folder"
            + (isName ? $", and no bundled model of that name in {string.Join(", ", looked)}" : "")
            + (known.Count > 0 ? $" (bundled: {string.Join(", ", known)})" : $" (no bundled models found: install the {ModelPackageId} package or run from a clone)"));
    }
}
