using System.Text.Json;
using System.Text.Json.Serialization;

namespace VidGen.Bench.Results;

/// <summary>Everything one `vidgen bench` run measured, with the machine and the model; written as bench/results/&lt;name&gt;.json.</summary>
public sealed record BenchReport(
    string Name, DateTime StartedUtc, double Seconds, string Command, MachineInfo Machine, ModelSummary Model,
    FlopSummary Flops, CeilingResult Ceiling, TrainingResult Training, IReadOnlyList<GenerationTiming> Generation,
    RecipeComparison? Recipe, IReadOnlyList<MemoryRun> Memory, ProfileResult? Profile, IReadOnlyList<LeverResult> Levers,
    IReadOnlyList<TargetResult> Targets, VidGen.Models.TextEncoders.MiniLm.Measurement? TextEncoder = null, World2DataResult? World2Data = null, LatentResult? Latent = null)
{
    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);
    public static BenchReport FromJson(string json) => JsonSerializer.Deserialize<BenchReport>(json, Json) ?? throw new InvalidDataException("empty benchmark report");
}
