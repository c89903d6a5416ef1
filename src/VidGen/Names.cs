using VidGen.Data;
using VidGen.Diffusion;
using VidGen.Diffusion.Samplers;
using VidGen.Models;
using VidGen.Text;

namespace VidGen;

/// <summary>
/// The one place that maps the enums a person chooses from to the names they type and read: CLI option values,
/// web API fields, help texts, reports and the "use one of: ..." of every error. The code keeps enums
/// (improved-diffusion's habit); strings exist only at the edges, and every edge reads them from here.
/// </summary>
public static class Names
{
    /// <summary>ddpm, ddim, dpm++2m, euler, heun; also "ancestral", "dpmpp2m", "dpm-solver++", ... ("-" and "_" are ignored).</summary>
    public static readonly NameTable<SamplerKind> Sampler = new("sampler", IgnoringSeparators,
        (SamplerKind.Ddpm, "ddpm", new[] { "ancestral" }),
        (SamplerKind.Ddim, "ddim", Array.Empty<string>()),
        (SamplerKind.DpmSolverPP2M, "dpm++2m", new[] { "dpmpp2m", "dpmsolver++", "dpmsolverpp2m", "dpmsolver", "dpm" }),
        (SamplerKind.Euler, "euler", Array.Empty<string>()),
        (SamplerKind.Heun, "heun", Array.Empty<string>()));

    public static readonly NameTable<TimestepSpacing> Spacing = new("timestep spacing", null,
        (TimestepSpacing.Trailing, "trailing", Array.Empty<string>()),
        (TimestepSpacing.Leading, "leading", Array.Empty<string>()),
        (TimestepSpacing.Linspace, "linspace", Array.Empty<string>()),
        (TimestepSpacing.Karras, "karras", Array.Empty<string>()));

    public static readonly NameTable<X0Clip> Clip = new("x0 clip", null,
        (X0Clip.None, "none", Array.Empty<string>()),
        (X0Clip.Clamp, "clamp", Array.Empty<string>()),
        (X0Clip.Dynamic, "dynamic", Array.Empty<string>()));

    public static readonly NameTable<ShortClipPolicy> ShortClips = new("short-clip policy", null,
        (ShortClipPolicy.Loop, "loop", Array.Empty<string>()),
        (ShortClipPolicy.Pad, "pad", Array.Empty<string>()),
        (ShortClipPolicy.Skip, "skip", Array.Empty<string>()));

    /// <summary>The kinds as config.json's text.kind writes them and as `--text-encoder` prefixes them (bert:PATH).</summary>
    public static readonly NameTable<TextEncoderKind> TextEncoder = new("text encoder", null,
        (TextEncoderKind.Builtin, "builtin", Array.Empty<string>()),
        (TextEncoderKind.Bert, "bert", Array.Empty<string>()),
        (TextEncoderKind.Clip, "clip", Array.Empty<string>()),
        (TextEncoderKind.MiniLm, "minilm", Array.Empty<string>()));

    public static readonly NameTable<ModelPreset> Preset = new("preset", null,
        (ModelPreset.Tiny, "tiny", Array.Empty<string>()),
        (ModelPreset.Small, "small", Array.Empty<string>()),
        (ModelPreset.Default, "default", Array.Empty<string>()));

    public static readonly NameTable<ExtendMethod> Extend = new("extension method", null,
        (ExtendMethod.Reconstruction, "reconstruction", new[] { "reconstruction-guidance" }),
        (ExtendMethod.Replacement, "replacement", Array.Empty<string>()),
        (ExtendMethod.None, "none", new[] { "one-pass" }));

    /// <summary>The worlds as --world takes them and as config.json's world records them.</summary>
    public static readonly NameTable<WorldKind> World = new("world", null,
        (WorldKind.Shapes, "shapes", Array.Empty<string>()),
        (WorldKind.World2, "world2", Array.Empty<string>()));

    static string IgnoringSeparators(string text) => text.Trim().ToLowerInvariant().Replace("_", "").Replace("-", "");
}

/// <summary>
/// Names of one enum's values: one canonical name each (what output shows), plus aliases that input also accepts.
/// Every defined value must have a name: the constructor refuses a table that misses one, so a value added to the
/// enum fails loudly at the first use instead of printing as another value's name.
/// </summary>
public sealed class NameTable<T> where T : struct, Enum
{
    readonly Dictionary<T, string> names = new();
    readonly Dictionary<string, T> lookup = new(StringComparer.Ordinal);
    readonly Func<string, string> normalise;

    /// <summary>What a value is, for messages: "unknown {What} 'x'; use one of: ...".</summary>
    public string What { get; }
    /// <summary>The values in the enum's order.</summary>
    public IReadOnlyList<T> Values { get; }
    /// <summary>The canonical names in the enum's order.</summary>
    public IReadOnlyList<string> All { get; }

    internal NameTable(string what, Func<string, string>? normalise, params (T Value, string Name, string[] Aliases)[] entries)
    {
        What = what;
        this.normalise = normalise ?? (s => s.Trim().ToLowerInvariant());
        foreach (var (value, name, aliases) in entries)
        {
            if (!names.TryAdd(value, name)) throw new ArgumentException($"{what}: {value} is named twice");
            foreach (var n in aliases.Prepend(name))
                if (!lookup.TryAdd(this.normalise(n), value)) throw new ArgumentException($"{what}: '{n}' names two values");
        }
        Values = Enum.GetValues<T>();
        foreach (var v in Values)
            if (!names.ContainsKey(v)) throw new ArgumentException($"{what}: {v} has no name");
        All = Values.Select(v => names[v]).ToArray();
    }

    /// <summary>The canonical name; an undefined value (a cast integer) is an error, never another value's name.</summary>
    public string Name(T value) =>
        names.TryGetValue(value, out var name) ? name : throw new ArgumentOutOfRangeException(nameof(value), value, $"{value} is not a {What}");

    public bool TryParse(string? text, out T value)
    {
        value = default;
        return text is not null && lookup.TryGetValue(normalise(text), out value);
    }

    /// <summary>
    /// The value a name or alias stands for (case-insensitive, surrounding spaces ignored). <paramref name="what"/>
    /// overrides <see cref="What"/> in the message, e.g. with the option the user typed ("--clip").
    /// </summary>
    public T Parse(string text, string? what = null) =>
        TryParse(text, out var value) ? value : throw new ArgumentException($"unknown {what ?? What} '{text}'; use one of: {Listed}");

    /// <summary>"a, b, c": the names for "use one of" messages.</summary>
    public string Listed => string.Join(", ", All);

    /// <summary>"a | b | c": the names for help texts.</summary>
    public string Choices => string.Join(" | ", All);
}
