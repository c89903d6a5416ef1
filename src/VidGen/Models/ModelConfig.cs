using System.Text.Json;
using System.Text.Json.Serialization;
using VidGen.Diffusion;
using VidGen.Text;

namespace VidGen.Models;

/// <summary>Everything needed to rebuild a model from its folder: network shapes, diffusion settings, clip format.</summary>
public sealed record ModelConfig
{
    public Unet3DConfig Unet { get; init; } = new();
    public TextEncoderConfig Text { get; init; } = new();
    public ScheduleKind Schedule { get; init; } = ScheduleKind.Cosine;
    public int TrainTimesteps { get; init; } = 1000;
    public PredictionKind Prediction { get; init; } = PredictionKind.V;
    public int Resolution { get; init; } = 32;
    public int Frames { get; init; } = 8;
    public double Fps { get; init; } = 8;

    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static ModelConfig FromJson(string json, string source = "config.json")
    {
        try
        {
            return JsonSerializer.Deserialize<ModelConfig>(json, Json) ?? throw new InvalidDataException($"{source} is empty");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source} is not a valid VidGen model config: {e.Message}", e);
        }
    }

    /// <summary>A tiny configuration for tests and smoke runs (seconds on a CPU).</summary>
    public static ModelConfig Tiny(int resolution = 16, int frames = 4) => new()
    {
        Unet = new Unet3DConfig { Dim = 8, DimMults = new[] { 1, 2 }, PatchSize = 1, AttnHeads = 2, AttnDimHead = 8, Groups = 4, SampleSize = resolution, ContextDim = 16, FullAttentionMaxResolution = resolution / 2, CrossAttentionMaxResolution = resolution, SpatialAttentionMaxResolution = resolution },
        Text = new TextEncoderConfig { Dim = 16, Layers = 1, Heads = 2 },
        Resolution = resolution, Frames = frames,
    };
}
