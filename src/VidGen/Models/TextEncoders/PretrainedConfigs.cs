using System.Text.Json;
using System.Text.Json.Nodes;

namespace VidGen.Models.TextEncoders;

/// <summary>Fields of a HuggingFace BertConfig (config.json); missing ones take the reference defaults (bert-base).</summary>
public sealed record BertConfig
{
    public int VocabSize { get; init; } = 30522;
    public int HiddenSize { get; init; } = 768;
    public int NumHiddenLayers { get; init; } = 12;
    public int NumAttentionHeads { get; init; } = 12;
    public int IntermediateSize { get; init; } = 3072;
    public string HiddenAct { get; init; } = "gelu";
    public int MaxPositionEmbeddings { get; init; } = 512;
    public int TypeVocabSize { get; init; } = 2;
    public double LayerNormEps { get; init; } = 1e-12;

    public static BertConfig FromFile(string path)
    {
        var j = ConfigJson.Read(path);
        var type = j.String("position_embedding_type", "absolute");
        if (type != "absolute") throw new NotSupportedException($"{path}: position_embedding_type \"{type}\" is not supported; only absolute (bert-base layout)");
        var c = new BertConfig
        {
            VocabSize = j.Int("vocab_size", 30522), HiddenSize = j.Int("hidden_size", 768),
            NumHiddenLayers = j.Int("num_hidden_layers", 12), NumAttentionHeads = j.Int("num_attention_heads", 12),
            IntermediateSize = j.Int("intermediate_size", 3072), HiddenAct = j.String("hidden_act", "gelu"),
            MaxPositionEmbeddings = j.Int("max_position_embeddings", 512), TypeVocabSize = j.Int("type_vocab_size", 2),
            LayerNormEps = j.Double("layer_norm_eps", 1e-12),
        };
        ConfigJson.CheckHeads(path, c.HiddenSize, c.NumAttentionHeads);
        return c;
    }

    public string ToJson() => ConfigJson.Write(new JsonObject
    {
        ["model_type"] = "bert", ["vocab_size"] = VocabSize, ["hidden_size"] = HiddenSize, ["num_hidden_layers"] = NumHiddenLayers,
        ["num_attention_heads"] = NumAttentionHeads, ["intermediate_size"] = IntermediateSize, ["hidden_act"] = HiddenAct,
        ["max_position_embeddings"] = MaxPositionEmbeddings, ["type_vocab_size"] = TypeVocabSize, ["layer_norm_eps"] = LayerNormEps,
    });
}

/// <summary>
/// Fields of a HuggingFace CLIPTextConfig. A full CLIP config.json (model_type "clip") keeps them under
/// "text_config"; missing ones take the reference defaults (openai/clip-vit-base-patch32's text tower).
/// </summary>
public sealed record ClipTextConfig
{
    public int VocabSize { get; init; } = 49408;
    public int HiddenSize { get; init; } = 512;
    public int NumHiddenLayers { get; init; } = 12;
    public int NumAttentionHeads { get; init; } = 8;
    public int IntermediateSize { get; init; } = 2048;
    public string HiddenAct { get; init; } = "quick_gelu";
    public int MaxPositionEmbeddings { get; init; } = 77;
    public double LayerNormEps { get; init; } = 1e-5;
    /// <summary>2 in the original openai configs, where the pooled token is found as the largest id (the end token) instead.</summary>
    public int EosTokenId { get; init; } = 49407;

    public static ClipTextConfig FromFile(string path)
    {
        var j = ConfigJson.Read(path);
        if (j.Root["text_config"] is JsonObject text) j = new ConfigJson(text, path);
        var c = new ClipTextConfig
        {
            VocabSize = j.Int("vocab_size", 49408), HiddenSize = j.Int("hidden_size", 512),
            NumHiddenLayers = j.Int("num_hidden_layers", 12), NumAttentionHeads = j.Int("num_attention_heads", 8),
            IntermediateSize = j.Int("intermediate_size", 2048), HiddenAct = j.String("hidden_act", "quick_gelu"),
            MaxPositionEmbeddings = j.Int("max_position_embeddings", 77), LayerNormEps = j.Double("layer_norm_eps", 1e-5),
            EosTokenId = j.Int("eos_token_id", 49407),
        };
        ConfigJson.CheckHeads(path, c.HiddenSize, c.NumAttentionHeads);
        return c;
    }

    public string ToJson() => ConfigJson.Write(new JsonObject
    {
        ["model_type"] = "clip_text_model", ["vocab_size"] = VocabSize, ["hidden_size"] = HiddenSize, ["num_hidden_layers"] = NumHiddenLayers,
        ["num_attention_heads"] = NumAttentionHeads, ["intermediate_size"] = IntermediateSize, ["hidden_act"] = HiddenAct,
        ["max_position_embeddings"] = MaxPositionEmbeddings, ["layer_norm_eps"] = LayerNormEps, ["eos_token_id"] = EosTokenId,
    });
}

/// <summary>Typed reads of a config.json with errors that name the file and field.</summary>
internal sealed class ConfigJson(JsonObject root, string path)
{
    public JsonObject Root { get; } = root;

    public static ConfigJson Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path} is missing: a pretrained text encoder folder needs its HuggingFace config.json", path);
        try
        {
            return new ConfigJson(JsonNode.Parse(File.ReadAllText(path)) as JsonObject
                ?? throw new InvalidDataException($"{path} is not a JSON object"), path);
        }
        catch (JsonException e) { throw new InvalidDataException($"{path} is not valid JSON ({ErrorText.OneLine(e.Message)})", e); }
    }

    public static string? ModelType(string path) => Read(path).Root["model_type"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    public int Int(string name, int fallback) => Get(name, fallback, n => n.GetValue<int>());
    public double Double(string name, double fallback) => Get(name, fallback, n => n.GetValue<double>());
    public string String(string name, string fallback) => Get(name, fallback, n => n.GetValue<string>());

    private T Get<T>(string name, T fallback, Func<JsonValue, T> read)
    {
        var node = Root[name];
        if (node is null) return fallback;
        try { return read(node.AsValue()); }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        { throw new InvalidDataException($"{path}: field \"{name}\" should be a {typeof(T).Name.ToLowerInvariant()} (got {node.ToJsonString()})", e); }
    }

    public static void CheckHeads(string path, int hidden, int heads)
    {
        if (hidden <= 0 || heads <= 0 || hidden % heads != 0)
            throw new InvalidDataException($"{path}: hidden_size {hidden} must be a positive multiple of num_attention_heads {heads}");
    }

    public static string Write(JsonObject o) => o.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
}
