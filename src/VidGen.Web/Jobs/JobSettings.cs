using System.Text.Json;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using VidGen.Diffusion;
using VidGen.Media;
using VidGen.Models;
using VidGen.Pipelines;

namespace VidGen.Web.Jobs;

/// <summary>
/// What a job asks for, fully resolved: a "random" seed is drawn at submission and stored as a number, and 0 frames /
/// fps become the model's, so the stored settings alone reproduce the video ("reuse settings").
/// </summary>
public sealed record JobSettings
{
    public required string Prompt { get; init; }
    public string NegativePrompt { get; init; } = "";
    public long Seed { get; init; }
    /// <summary>The seed was drawn by the server; reuse keeps the drawn number so the video repeats.</summary>
    public bool RandomSeed { get; init; }
    // Defaults are the library's (a job.json written without a field reads back with them, as the API fills them in).
    public int Steps { get; init; } = Defaults.Steps;
    public double Guidance { get; init; } = Defaults.GuidanceScale;
    /// <summary>Canonical sampler name (<see cref="Names.Sampler"/>).</summary>
    public string Sampler { get; init; } = Names.Sampler.Name(Defaults.Sampler);
    public int Frames { get; init; }
    public double Fps { get; init; }
    /// <summary>Canonical extension method (<see cref="Names.Extend"/>): how frames beyond the model's length are made.</summary>
    public string Extend { get; init; } = Names.Extend.Name(Defaults.Extend);
    /// <summary>Prompts of the later segments (a prompt schedule).</summary>
    public IReadOnlyList<string> Then { get; init; } = Array.Empty<string>();
    /// <summary>The init image as uploaded, fitted to the model's frame at submission and kept as a base64 PNG (a few KB).</summary>
    public string? InitImage { get; init; }

    static GenerationRequest Defaults => GenerationRequest.Defaults;

    public const int MaxPromptLength = 500;
    /// <summary>Seeds stay within JavaScript's exact integers so the page round-trips them unchanged.</summary>
    public const long MaxSeed = 9_007_199_254_740_991;
    public const double MaxFps = 60;
    /// <summary>Largest init image upload, decoded (base64 is a third larger).</summary>
    public const int MaxInitImageBytes = 8 << 20;

    static readonly string[] Fields = { "prompt", "negativePrompt", "seed", "steps", "guidance", "sampler", "frames", "fps", "extend", "then", "initImage" };

    /// <summary>The library's request: what the web does not offer (spacing, eta, clip) stays at its defaults.</summary>
    public GenerationRequest ToRequest() => Defaults with
    {
        Prompt = Prompt,
        NegativePrompt = NegativePrompt,
        Seed = Seed,
        Steps = Steps,
        GuidanceScale = Guidance,
        Sampler = Names.Sampler.Parse(Sampler),
        Frames = Frames,
        Fps = Fps,
        Extend = Names.Extend.Parse(Extend),
        Then = Then,
        InitImage = InitImage is null ? null : DecodePng(InitImage),
    };

    static Video DecodePng(string base64)
    {
        using var image = Image.Load<Rgb24>(Convert.FromBase64String(base64));
        return FrameImages.FromImage(image);
    }

    /// <summary>An uploaded picture (PNG, GIF or WebP bytes) read with the media layer's limits, fitted to <paramref name="size"/>, as a base64 PNG.</summary>
    static string FitUpload(byte[] bytes, int size)
    {
        string temp = Path.Combine(Path.GetTempPath(), $"vidgen-upload-{Guid.NewGuid():N}");
        try
        {
            // The reader knows a file by its first bytes' format, and its limits refuse bombs; it reads paths.
            File.WriteAllBytes(temp, bytes);
            string ext = bytes.Length > 3 && bytes[0] == 'G' && bytes[1] == 'I' && bytes[2] == 'F' ? ".gif"
                : bytes.Length > 11 && bytes[8] == 'W' && bytes[9] == 'E' && bytes[10] == 'B' && bytes[11] == 'P' ? ".webp" : ".png";
            File.Move(temp, temp + ext);
            temp += ext;
            Video frame;
            try { frame = VideoReader.Read(temp, new ReadOptions { FitSquare = size, MaxFrames = 1, MaxFileBytes = MaxInitImageBytes }); }
            catch (IOException e) { throw new ArgumentException($"initImage is not a readable PNG, GIF or WebP picture: {e.Message.Replace(temp, "the upload")}"); }
            using var image = FrameImages.ToImage(frame, 0);
            using var png = new MemoryStream();
            image.SaveAsPng(png);
            return Convert.ToBase64String(png.ToArray());
        }
        finally { try { File.Delete(temp); } catch (IOException) { } }
    }

    /// <summary>
    /// Reads a POSTed job. Every mistake is an <see cref="ArgumentException"/> whose message names the field and the
    /// allowed values; the server answers it as 400. Field by field rather than by model binding so that the message
    /// says "steps must be a whole number" instead of a JSON path.
    /// </summary>
    public static JobSettings Parse(JsonElement body, ModelConfig model, Func<long> randomSeed)
    {
        if (body.ValueKind != JsonValueKind.Object)
            throw new ArgumentException("the request body must be a JSON object such as {\"prompt\": \"a small red circle moving left\"}");
        foreach (var p in body.EnumerateObject())
            if (!Fields.Contains(p.Name))
                throw new ArgumentException($"unknown field '{p.Name}'; the fields are {string.Join(", ", Fields)}");

        string prompt = String(body, "prompt") ?? throw new ArgumentException("prompt is missing; describe the video, e.g. \"a small red circle moving left\"");
        if (prompt.Length > MaxPromptLength) throw new ArgumentException($"prompt is {prompt.Length} characters long; at most {MaxPromptLength} are allowed");
        string negative = String(body, "negativePrompt") ?? "";
        if (negative.Length > MaxPromptLength) throw new ArgumentException($"negativePrompt is {negative.Length} characters long; at most {MaxPromptLength} are allowed");

        long seed; bool random;
        if (!body.TryGetProperty("seed", out var s) || s.ValueKind == JsonValueKind.Null
            || (s.ValueKind == JsonValueKind.String && string.Equals(s.GetString(), "random", StringComparison.OrdinalIgnoreCase)))
        {
            seed = randomSeed(); random = true;
        }
        else if (s.ValueKind == JsonValueKind.Number && s.TryGetInt64(out seed))
        {
            if (seed < 0 || seed > MaxSeed) throw new ArgumentException($"seed must be between 0 and {MaxSeed} (got {seed})");
            random = false;
        }
        else throw new ArgumentException($"seed must be a whole number or \"random\" (got {s.GetRawText()})");

        string samplerName = String(body, "sampler") ?? Names.Sampler.Name(Defaults.Sampler);
        var sampler = Names.Sampler.Parse(samplerName); // throws "unknown sampler 'x'; use one of: ..."

        string extendName = String(body, "extend") ?? Names.Extend.Name(Defaults.Extend);
        var extend = Names.Extend.Parse(extendName, "extend");
        int maxFrames = MaxFrames(model, extend);
        int frames = Int(body, "frames") ?? 0;
        if (frames == 0) frames = model.Frames;
        if (frames < 1 || frames > maxFrames)
            throw new ArgumentException($"frames must be between 1 and {maxFrames} for this model{(extend == ExtendMethod.None ? " in one pass" : "")} (got {frames})");
        var then = Strings(body, "then");
        if (then.Count > GenerationRequest.MaxSchedule) throw new ArgumentException($"then holds at most {GenerationRequest.MaxSchedule} prompts (got {then.Count})");
        if (then.FirstOrDefault(t => t.Length > MaxPromptLength) is string longOne)
            throw new ArgumentException($"a prompt in then is {longOne.Length} characters long; at most {MaxPromptLength} are allowed");
        string? init = null;
        if (String(body, "initImage") is string upload)
        {
            // A data URL from the page's file input, or plain base64.
            string data = upload.StartsWith("data:", StringComparison.Ordinal) && upload.IndexOf(',') is int comma and > 0 ? upload[(comma + 1)..] : upload;
            if (data.Length > MaxInitImageBytes / 3 * 4 + 4) throw new ArgumentException($"initImage is larger than {MaxInitImageBytes >> 20} MiB");
            byte[] bytes;
            try { bytes = Convert.FromBase64String(data); }
            catch (FormatException) { throw new ArgumentException("initImage must be a base64 picture or a data: URL"); }
            init = FitUpload(bytes, model.Resolution);
        }
        double fps = Number(body, "fps") ?? 0;
        if (fps == 0) fps = model.Fps;
        if (fps < 1 || fps > MaxFps) throw new ArgumentException($"fps must be between 1 and {MaxFps} (got {fps})");

        var settings = new JobSettings
        {
            Prompt = prompt.Trim(),
            NegativePrompt = negative.Trim(),
            Seed = seed,
            RandomSeed = random,
            Steps = Int(body, "steps") ?? Defaults.Steps,
            Guidance = Number(body, "guidance") ?? Defaults.GuidanceScale,
            Sampler = Names.Sampler.Name(sampler),
            Frames = frames,
            Fps = fps,
            Extend = Names.Extend.Name(extend),
            Then = then.Select(t => t.Trim()).ToArray(),
            InitImage = init,
        };
        var request = settings.ToRequest();
        request.Validate(); // the library's own rules: empty prompt, steps, guidance
        TextToVideoPipeline.Plan(model, request, frames); // and the segments: a schedule longer than the frames, the overlap
        return settings;
    }

    /// <summary>The longest clip a job may ask of <paramref name="model"/>: extension's limit, or the network's own in one pass.</summary>
    public static int MaxFrames(ModelConfig model, ExtendMethod extend) => extend == ExtendMethod.None ? model.Unet.MaxFrames : GenerationRequest.MaxFrames;

    static List<string> Strings(JsonElement body, string name)
    {
        if (!body.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return new List<string>();
        if (v.ValueKind != JsonValueKind.Array || v.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
            throw new ArgumentException($"{name} must be a list of prompts, e.g. [\"a red circle moving up\"] (got {(v.GetRawText() is { Length: > 80 } raw ? raw[..80] + "..." : v.GetRawText())})");
        return v.EnumerateArray().Select(e => e.GetString()!).ToList();
    }

    static string? String(JsonElement body, string name)
    {
        if (!body.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind != JsonValueKind.String) throw new ArgumentException($"{name} must be a string (got {v.GetRawText()})");
        return v.GetString();
    }

    static int? Int(JsonElement body, string name)
    {
        if (!body.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind != JsonValueKind.Number) throw new ArgumentException($"{name} must be a number (got {v.GetRawText()})");
        if (!v.TryGetInt32(out int i)) throw new ArgumentException($"{name} must be a whole number (got {v.GetRawText()})");
        return i;
    }

    static double? Number(JsonElement body, string name)
    {
        if (!body.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind != JsonValueKind.Number) throw new ArgumentException($"{name} must be a number (got {v.GetRawText()})");
        double d = v.GetDouble();
        if (!double.IsFinite(d)) throw new ArgumentException($"{name} must be a finite number");
        return d;
    }
}
