using TorchSharp.Modules;
using VidGen.Models.TextEncoders;
using VidGen.Text;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace VidGen.Models;

/// <summary>
/// Small pre-norm transformer over word ids, trained jointly with the U-Net (the original used a frozen BERT;
/// we cannot ship one, and on a closed vocabulary a small encoder learns faster).
/// ids (B, L) long, mask (B, L) bool -> tokens (B, L, D), pooled (B, D) = masked mean.
/// Checkpoint keys: token_embedding.weight, position_embedding, layers.N.*, final_norm.* (under "text_encoder.").
/// </summary>
public sealed class BuiltinTextEncoder : nn.Module, ITextEncoder
{
    private readonly Embedding token_embedding;
    private readonly Parameter position_embedding; // (L, D)
    private readonly ModuleList<TransformerLayer> layers;
    private readonly LayerNorm final_norm;

    public TextEncoderConfig Config { get; }
    public WordTokenizer WordTokenizer { get; }

    public TextEncoderKind Kind => TextEncoderKind.Builtin;
    public IPromptTokenizer Tokenizer => WordTokenizer;
    public int Width => Config.Dim;
    public bool Frozen => false;

    public BuiltinTextEncoder(TextEncoderConfig config, WordTokenizer tokenizer) : base("text_encoder")
    {
        if (tokenizer.MaxLength > config.MaxLength)
            throw new ArgumentException($"tokenizer max length {tokenizer.MaxLength} exceeds the text encoder's {config.MaxLength}");
        Config = config;
        WordTokenizer = tokenizer;
        token_embedding = Embedding(tokenizer.Vocabulary.Count, config.Dim);
        position_embedding = Parameter(randn(config.MaxLength, config.Dim) * 0.02f);
        layers = new ModuleList<TransformerLayer>(Enumerable.Range(0, config.Layers)
            .Select(i => new TransformerLayer($"{i}", config.Dim, config.Heads)).ToArray());
        final_norm = LayerNorm(config.Dim);
        RegisterComponents();
    }

    /// <summary>Tokenises with the word tokenizer and encodes; trainable, so gradients flow when enabled.</summary>
    public TextCondition Encode(IReadOnlyList<string> prompts, Device device)
    {
        var (ids, mask) = TextBatch.Tokenize(WordTokenizer, prompts, device);
        using (ids) using (mask) return Forward(ids, mask);
    }

    public TextCondition Forward(Tensor ids, Tensor mask)
    {
        using var scope = NewDisposeScope();
        long l = ids.shape[1];
        var h = token_embedding.forward(ids) + position_embedding.narrow(0, 0, l).unsqueeze(0);
        var bias = MultiHeadAttention.KeyPaddingBias(mask, h.dtype);
        foreach (var layer in layers) h = layer.Forward(h, bias);
        h = final_norm.forward(h);
        var m = mask.unsqueeze(-1).to_type(h.dtype);                                   // (B, L, 1)
        var pooled = (h * m).sum(1) / m.sum(1).clamp_min(1f);
        return new TextCondition(h.MoveToOuterDisposeScope(), mask.alias().MoveToOuterDisposeScope(), pooled.MoveToOuterDisposeScope());
    }
}

/// <summary>Pre-norm transformer encoder layer: x + attn(LN(x)); x + MLP(LN(x)). (B, L, D) in and out.</summary>
public sealed class TransformerLayer : nn.Module
{
    private readonly LayerNorm norm1, norm2;
    private readonly MultiHeadAttention attn;
    private readonly Linear mlp_in, mlp_out;

    public TransformerLayer(string name, int dim, int heads) : base(name)
    {
        norm1 = LayerNorm(dim);
        attn = new MultiHeadAttention("attn", dim, dim, heads, dim / heads);
        norm2 = LayerNorm(dim);
        mlp_in = Linear(dim, dim * 4);
        mlp_out = Linear(dim * 4, dim);
        RegisterComponents();
    }

    public Tensor Forward(Tensor x, Tensor bias)
    {
        using var scope = NewDisposeScope();
        var h = x + attn.Forward(norm1.forward(x), null, bias);
        h = h + mlp_out.forward(functional.gelu(mlp_in.forward(norm2.forward(h))));
        return h.MoveToOuterDisposeScope();
    }
}
