using System.Reflection;
using System.Text;
using VidGen.Data;
using VidGen.Media;
using VidGen.Models;
using VidGen.Models.Autoencoders;
using VidGen.Models.TextEncoders;
using VidGen.Text;

namespace VidGen.Fuzz;

/// <summary>
/// One fuzz target per parser entry point of VidGen: each takes the raw input bytes, runs the parser on them and
/// drops what it returns. The rule (issue #19): a parser may refuse an input only with the project's own one-line
/// error types, listed per target in <see cref="IsExpected"/>, the one place that decides; any other exception
/// (and any broken <see cref="FuzzInvariantException"/> check on what a parser accepted) escapes, so afl-fuzz
/// records a crash and the corpus replay test fails.
/// </summary>
public static class FuzzTargets
{
    /// <summary>Inputs are cut to this size (afl-fuzz's own default maximum); media files above it are refused by the readers.</summary>
    public const int MaxInputBytes = 1 << 20;

    /// <summary>
    /// The media readers run under these limits instead of <see cref="ReadOptions.Default"/>, so that no input
    /// makes a reader decode more than 2^22 pixels (48 MiB as floats) however large its header says it is; the
    /// limit checks themselves are part of what is fuzzed.
    /// </summary>
    public static ReadOptions MediaLimits => mediaLimits ??= new() { MaxFileBytes = MaxInputBytes, MaxPixelsPerFrame = 1 << 20, MaxTotalPixels = 1 << 22 };

    static ReadOptions? mediaLimits; // made on first use: this class's static initializers run no VidGen code

    /// <summary>Largest MaxLength a tokenizer may accept: Encode allocates that many ids for every prompt.</summary>
    public const int MaxTokenizerLength = 1 << 16;

    /// <summary>The targets by name (the names of the corpus folders under tests/fuzz/corpus/).</summary>
    public static IReadOnlyDictionary<string, Action<byte[]>> All { get; } = new SortedDictionary<string, Action<byte[]>>(StringComparer.Ordinal)
    {
        ["gif"] = b => CheckVideo(GifReader.Read(WriteInput(b), MediaLimits)),
        ["webp"] = b => CheckVideo(WebpReader.Read(WriteInput(b), MediaLimits)),
        ["png"] = b => CheckVideo(PngStill.Read(WriteInput(b), MediaLimits)),
        ["safetensors"] = SafetensorsLoad,
        ["safetensors-metadata"] = b => Safetensors.ReadMetadata(WriteInput(b)),
        ["model-config"] = ModelConfigJson,
        ["autoencoder-config"] = AutoencoderConfigJson,
        ["word-tokenizer"] = WordTokenizerJson,
        ["manifest-tsv"] = b => CheckManifest(ClipManifests.ReadTsv(WriteInput(b))),
        ["manifest-jsonl"] = b => CheckManifest(ClipManifests.ReadJsonl(WriteInput(b))),
        ["ppm-header"] = PpmStream,
        ["onnx-graph"] = OnnxGraphRead,
    };

    /// <summary>
    /// Whether <paramref name="e"/> is an allowed refusal of an input by <paramref name="target"/>: one of the
    /// error types its entry point documents, with a one-line message. Everything else is a crash.
    /// </summary>
    public static bool IsExpected(string target, Exception e)
    {
        ArgumentNullException.ThrowIfNull(e);
        bool type = target switch
        {
            // Every media reader turns every damage into MediaFormatException ("path: problem").
            "gif" or "webp" or "png" => e is MediaFormatException,
            // "Throws InvalidDataException naming the file on any damage" (Safetensors.Load); the config, tokenizer and
            // ONNX readers wrap their JSON/wire errors the same way. ReadMetadata reads the same files, so the same rule.
            "safetensors" or "safetensors-metadata" or "model-config" or "autoencoder-config" or "word-tokenizer" or "onnx-graph" =>
                e is InvalidDataException,
            // Mp4.Read catches exactly these two around its PPM header loop and reports them as MediaFormatException.
            "ppm-header" => e is InvalidDataException or EndOfStreamException,
            // Manifests never fail on their content: bad lines are skipped and reported.
            "manifest-tsv" or "manifest-jsonl" => false,
            _ => throw new ArgumentException($"unknown fuzz target '{target}' (known: {string.Join(", ", All.Keys)})", nameof(target)),
        };
        return type && !e.Message.Contains('\n', StringComparison.Ordinal) && !e.Message.Contains('\r', StringComparison.Ordinal);
    }

    /// <summary>The allowed exception types of <paramref name="target"/>, for messages and the README.</summary>
    public static string ExpectedDescription(string target) => target switch
    {
        "gif" or "webp" or "png" => nameof(MediaFormatException),
        "ppm-header" => $"{nameof(InvalidDataException)}, {nameof(EndOfStreamException)}",
        "manifest-tsv" or "manifest-jsonl" => "none (bad lines are skipped)",
        _ when All.ContainsKey(target) => nameof(InvalidDataException),
        _ => throw new ArgumentException($"unknown fuzz target '{target}'", nameof(target)),
    };

    static readonly object Gate = new();

    /// <summary>
    /// Runs <paramref name="target"/> on <paramref name="input"/>: null when the input was accepted, the exception
    /// when it was refused in an allowed way. Any other exception propagates (a crash).
    /// </summary>
    public static Exception? Run(string target, byte[] input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!All.TryGetValue(target, out var action))
            throw new ArgumentException($"unknown fuzz target '{target}' (known: {string.Join(", ", All.Keys)})", nameof(target));
        if (input.Length > MaxInputBytes) input = input[..MaxInputBytes];
        lock (Gate) // one input file per process: inputs run one at a time
        {
            try
            {
                action(input);
                return null;
            }
            catch (Exception e) when (IsExpected(target, e))
            {
                return e;
            }
        }
    }

    // ---- path-based readers: the input is written to one file per process ----

    static string? inputDir;

    /// <summary>The folder holding this process's input file (the manifests resolve their clips in it).</summary>
    public static string InputDirectory
    {
        get
        {
            if (inputDir is null)
            {
                inputDir = Path.Combine(Path.GetTempPath(), $"vidgen-fuzz-{Environment.ProcessId}");
                Directory.CreateDirectory(inputDir);
                AppDomain.CurrentDomain.ProcessExit += (_, _) =>
                {
                    try { Directory.Delete(inputDir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
                };
            }
            return inputDir;
        }
    }

    /// <summary>Name of the input file inside <see cref="InputDirectory"/>; the manifest seeds list it, so some lines resolve.</summary>
    public const string InputFileName = "input";

    static string WriteInput(byte[] bytes)
    {
        var path = Path.Combine(InputDirectory, InputFileName);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    // ---- targets with more than one line ----

    static void SafetensorsLoad(byte[] b)
    {
        var tensors = Safetensors.Load(WriteInput(b));
        foreach (var t in tensors.Values) t.Dispose();
    }

    static void ModelConfigJson(byte[] b)
    {
        var config = ModelConfig.FromJson(Encoding.UTF8.GetString(b), "config.json");
        // "null" for a section or list deserializes as null despite the non-nullable types; everything downstream
        // (Checkpoint.UsesPretrainedText reads config.Text.Kind, the U-Net reads DimMults) dereferences them.
        if (config.Unet is null || config.Text is null || config.Unet.DimMults is null)
            throw new FuzzInvariantException("an accepted model config has a null unet, text or unet.dim_mults");
        // What was accepted must write and read back (a model folder is saved with ToJson).
        Invariant(() => ModelConfig.FromJson(config.ToJson(), "config.json (written back)"), "an accepted model config does not read back");
    }

    static void AutoencoderConfigJson(byte[] b)
    {
        var config = AutoencoderConfig.FromJson(Encoding.UTF8.GetString(b), "autoencoder.json");
        Invariant(() => AutoencoderConfig.FromJson(config.ToJson(), "autoencoder.json (written back)"), "an accepted autoencoder config does not read back");
    }

    static void WordTokenizerJson(byte[] b)
    {
        var tok = WordTokenizer.FromJson(Encoding.UTF8.GetString(b), "tokenizer.json");
        if (tok.Vocabulary.Count < 2 || tok.Vocabulary[0] != WordTokenizer.Pad || tok.Vocabulary[1] != WordTokenizer.Unk)
            throw new FuzzInvariantException("an accepted tokenizer does not start with [PAD], [UNK]");
        // The header-claims-a-size guard: Encode allocates MaxLength ids (and a mask) for every prompt.
        if (tok.MaxLength > MaxTokenizerLength)
            throw new FuzzInvariantException($"tokenizer.json with MaxLength {tok.MaxLength} was accepted; every Encode would allocate {tok.MaxLength} ids");
        var (ids, mask) = tok.Encode("a small red circle moving left, then 42 unknown words");
        if (ids.Length != tok.MaxLength || mask.Length != tok.MaxLength || ids.Any(i => i < 0 || i >= tok.Vocabulary.Count))
            throw new FuzzInvariantException("Encode returned ids outside the vocabulary or of the wrong length");
        tok.Decode(ids);
    }

    /// <summary>Mp4.TryReadHeader's loop in Mp4.Read over ffmpeg's PPM pipe, without ffmpeg: header, frame bytes, header...</summary>
    static void PpmStream(byte[] b)
    {
        using var s = new MemoryStream(b, writable: false);
        while (ReadPpmHeader(s, out int w, out int h))
        {
            // Mp4.Read refuses these sizes (ReadOptions.CheckFrameSize) before it allocates w*h*3 bytes; stop likewise.
            if (w <= 0 || h <= 0 || (long)w * h > MediaLimits.MaxPixelsPerFrame) return;
            long frame = (long)w * h * 3;
            if (frame > s.Length - s.Position) throw new EndOfStreamException("the stream ends inside a frame"); // what ReadExactly throws there
            s.Position += frame;
        }
    }

    delegate bool PpmHeaderReader(Stream s, out int width, out int height);

    /// <summary>VidGen.Media.Ppm.TryReadHeader (in Mp4.cs) is internal to VidGen; bound once by reflection.</summary>
    static readonly PpmHeaderReader ReadPpmHeader =
        (typeof(Mp4).Assembly.GetType("VidGen.Media.Ppm", throwOnError: true)!
            .GetMethod("TryReadHeader", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
         ?? throw new MissingMethodException("VidGen.Media.Ppm", "TryReadHeader")).CreateDelegate<PpmHeaderReader>();

    static void OnnxGraphRead(byte[] b)
    {
        var graph = OnnxGraph.Read(b, "model.onnx");
        foreach (var i in graph.Initializers)
            if (i.RawOffset < 0 || i.RawLength < 0 || i.RawOffset + i.RawLength > b.Length)
                throw new FuzzInvariantException($"initializer '{i.Name}' raw data {i.RawOffset}+{i.RawLength} lies outside the {b.Length}-byte model");
    }

    // ---- checks on what was accepted ----

    static void CheckVideo(Video v)
    {
        if (v.Frames < 1 || v.Width < 1 || v.Height < 1 || v.Pixels.Length != (long)v.Frames * v.Width * v.Height * 3)
            throw new FuzzInvariantException($"reader returned a malformed {v.Frames}x{v.Height}x{v.Width} video");
        if ((long)v.Width * v.Height > MediaLimits.MaxPixelsPerFrame || (long)v.Frames * v.Width * v.Height > MediaLimits.MaxTotalPixels)
            throw new FuzzInvariantException($"reader returned {v.Frames} frames of {v.Width}x{v.Height}, over the limits it was given");
        if (!double.IsFinite(v.Fps) || v.Fps <= 0) throw new FuzzInvariantException($"reader returned fps {v.Fps}");
        foreach (var p in v.Pixels)
            if (!(p >= 0 && p <= 1)) throw new FuzzInvariantException($"reader returned pixel value {p}, outside [0, 1]");
    }

    static void CheckManifest(ManifestResult r)
    {
        foreach (var e in r.Entries)
        {
            if (e.Caption.Length == 0 || e.Caption.Any(c => char.IsWhiteSpace(c) && c != ' '))
                throw new FuzzInvariantException("an entry's caption is empty or spans lines/tabs");
            if (!File.Exists(e.Path) && !Directory.Exists(e.Path)) throw new FuzzInvariantException($"entry '{e.Path}' does not exist");
        }
        foreach (var s in r.Skipped)
            if (s.ToString().AsSpan().IndexOfAny('\n', '\r') >= 0)
                throw new FuzzInvariantException($"a skip report spans lines: {s.ToString().ReplaceLineEndings("\\n")}");
    }

    static void Invariant(Action check, string what)
    {
        try { check(); }
        catch (InvalidDataException e) { throw new FuzzInvariantException($"{what}: {e.Message}", e); }
    }
}

/// <summary>A parser accepted an input but what it returned breaks a rule the rest of VidGen relies on: a crash.</summary>
public sealed class FuzzInvariantException : Exception
{
    public FuzzInvariantException() { }
    public FuzzInvariantException(string message) : base(message) { }
    public FuzzInvariantException(string message, Exception inner) : base(message, inner) { }
}
