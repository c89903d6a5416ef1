using System.Text.Json;
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

    static GenerationRequest Defaults => GenerationRequest.Defaults;

    public const int MaxPromptLength = 500;
    /// <summary>Seeds stay within JavaScript's exact integers so the page round-trips them unchanged.</summary>
    public const long MaxSeed = 9_007_199_254_740_991;
    public const double MaxFps = 60;

    static readonly string[] Fields = { "prompt", "negativePrompt", "seed", "steps", "guidance", "sampler", "frames", "fps" };

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
    };

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

        int frames = Int(body, "frames") ?? 0;
        if (frames == 0) frames = model.Frames;
        if (frames < 1 || frames > model.Unet.MaxFrames)
            throw new ArgumentException($"frames must be between 1 and {model.Unet.MaxFrames} for this model (got {frames})");
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
        };
        settings.ToRequest().Validate(); // the library's own rules: empty prompt, steps, guidance
        return settings;
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
