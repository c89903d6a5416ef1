using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace VidGen.Models.TextEncoders;

/// <summary>
/// CLIP's text transformer (Radford et al. 2021) in the HuggingFace CLIPTextModel layout, so openai/clip-vit
/// weights load by name: text_model.embeddings.{token,position}_embedding, text_model.encoder.layers.N.
/// {self_attn.{q,k,v,out}_proj, layer_norm1, mlp.fc1, mlp.fc2, layer_norm2}, text_model.final_layer_norm.
/// Pre-norm with a causal mask: x = x + attn(LN1(x)); x = x + fc2(act(fc1(LN2(x)))); then the final LayerNorm.
/// Pooled = final hidden state at the end-of-text token: the position of the largest id when the config's
/// eos_token_id is the legacy 2 (the end token has the largest id there), else the first eos_token_id.
/// </summary>
public sealed class ClipTextModel : PretrainedTextModel
{
    private readonly ClipTextTransformer text_model;

    public ClipTextConfig Config { get; }
    public override int HiddenSize => Config.HiddenSize;
    public override int MaxPositions => Config.MaxPositionEmbeddings;

    public ClipTextModel(ClipTextConfig config, string source = "config.json") : base("clip_text")
    {
        Config = config;
        text_model = new ClipTextTransformer(config, Activations.Get(config.HiddenAct, source));
        RegisterComponents();
    }

    public override (Tensor LastHidden, Tensor Pooled) Forward(Tensor ids, Tensor mask)
    {
        if (ids.shape[1] > Config.MaxPositionEmbeddings)
            throw new ArgumentException($"{ids.shape[1]} tokens exceed this CLIP text model's {Config.MaxPositionEmbeddings} positions; lower the text max length");
        using var scope = NewDisposeScope();
        var h = text_model.Forward(ids, mask);                                          // (B, L, D)
        var eos = Config.EosTokenId == 2
            ? ids.argmax(-1)                                                            // (B) legacy: first largest id
            : ids.eq(Config.EosTokenId).to_type(ScalarType.Int32).argmax(-1);           // (B) first end token
        var pooled = h.gather(1, eos.view(-1, 1, 1).expand(-1, 1, h.shape[2])).squeeze(1); // (B, D)
        return (h.MoveToOuterDisposeScope(), pooled.MoveToOuterDisposeScope());
    }
}

internal sealed class ClipTextTransformer : nn.Module
{
    private readonly ClipTextEmbeddings embeddings;
    private readonly ClipEncoder encoder;
    private readonly LayerNorm final_layer_norm;

    public ClipTextTransformer(ClipTextConfig c, Func<Tensor, Tensor> act) : base("text_model")
    {
        embeddings = new ClipTextEmbeddings(c);
        encoder = new ClipEncoder(c, act);
        final_layer_norm = LayerNorm(c.HiddenSize, eps: c.LayerNormEps);
        RegisterComponents();
    }

    public Tensor Forward(Tensor ids, Tensor mask)
    {
        using var scope = NewDisposeScope();
        long b = ids.shape[0], l = ids.shape[1];
        var h = embeddings.Forward(ids);                                                // (B, L, D)
        // Causal mask (token i sees tokens <= i) combined with key padding: (B, 1, L, L), 0 = keep, -inf = block.
        var causal = ones(l, l, dtype: ScalarType.Bool, device: ids.device).tril();     // (L, L)
        var keep = causal.view(1, 1, l, l).logical_and(mask.view(b, 1, 1, l));
        var bias = where(keep, zeros(1, dtype: h.dtype, device: h.device), full(1, float.NegativeInfinity, dtype: h.dtype, device: h.device));
        h = encoder.Forward(h, bias);
        return final_layer_norm.forward(h).MoveToOuterDisposeScope();
    }
}

internal sealed class ClipTextEmbeddings : nn.Module
{
    private readonly Embedding token_embedding, position_embedding;

    public ClipTextEmbeddings(ClipTextConfig c) : base("embeddings")
    {
        token_embedding = Embedding(c.VocabSize, c.HiddenSize);
        position_embedding = Embedding(c.MaxPositionEmbeddings, c.HiddenSize);
        RegisterComponents();
    }

    public Tensor Forward(Tensor ids)
    {
        using var positions = arange(ids.shape[1], device: ids.device).unsqueeze(0);   // (1, L)
        using var tok = token_embedding.forward(ids);
        using var pos = position_embedding.forward(positions);
        return tok + pos;
    }
}

internal sealed class ClipEncoder : nn.Module
{
    private readonly ModuleList<ClipEncoderLayer> layers;

    public ClipEncoder(ClipTextConfig c, Func<Tensor, Tensor> act) : base("encoder")
    {
        layers = new ModuleList<ClipEncoderLayer>(Enumerable.Range(0, c.NumHiddenLayers).Select(i => new ClipEncoderLayer($"{i}", c, act)).ToArray());
        RegisterComponents();
    }

    public Tensor Forward(Tensor h, Tensor bias)
    {
        using var scope = NewDisposeScope();
        foreach (var layer in layers) h = layer.Forward(h, bias);
        return h.MoveToOuterDisposeScope();
    }
}

internal sealed class ClipEncoderLayer : nn.Module
{
    private readonly ClipAttention self_attn;
    private readonly LayerNorm layer_norm1, layer_norm2;
    private readonly ClipMlp mlp;

    public ClipEncoderLayer(string name, ClipTextConfig c, Func<Tensor, Tensor> act) : base(name)
    {
        self_attn = new ClipAttention(c);
        layer_norm1 = LayerNorm(c.HiddenSize, eps: c.LayerNormEps);
        mlp = new ClipMlp(c, act);
        layer_norm2 = LayerNorm(c.HiddenSize, eps: c.LayerNormEps);
        RegisterComponents();
    }

    public Tensor Forward(Tensor h, Tensor bias)
    {
        using var scope = NewDisposeScope();
        h = h + self_attn.Forward(layer_norm1.forward(h), bias);
        h = h + mlp.Forward(layer_norm2.forward(h));
        return h.MoveToOuterDisposeScope();
    }
}

internal sealed class ClipAttention : nn.Module
{
    private readonly Linear q_proj, k_proj, v_proj, out_proj;
    private readonly int heads;

    public ClipAttention(ClipTextConfig c) : base("self_attn")
    {
        heads = c.NumAttentionHeads;
        q_proj = Linear(c.HiddenSize, c.HiddenSize);
        k_proj = Linear(c.HiddenSize, c.HiddenSize);
        v_proj = Linear(c.HiddenSize, c.HiddenSize);
        out_proj = Linear(c.HiddenSize, c.HiddenSize);
        RegisterComponents();
    }

    public Tensor Forward(Tensor h, Tensor bias)
    {
        using var scope = NewDisposeScope();
        var q = BertSelfAttention.SplitHeads(q_proj.forward(h), heads);                 // (B, heads, L, dh)
        var k = BertSelfAttention.SplitHeads(k_proj.forward(h), heads);
        var v = BertSelfAttention.SplitHeads(v_proj.forward(h), heads);
        var o = functional.scaled_dot_product_attention(q, k, v, attn_mask: bias);     // scale dh^-0.5
        return out_proj.forward(o.transpose(1, 2).flatten(2)).MoveToOuterDisposeScope(); // (B, L, D)
    }
}

internal sealed class ClipMlp : nn.Module
{
    private readonly Linear fc1, fc2;
    private readonly Func<Tensor, Tensor> act;

    public ClipMlp(ClipTextConfig c, Func<Tensor, Tensor> act) : base("mlp")
    {
        this.act = act;
        fc1 = Linear(c.HiddenSize, c.IntermediateSize);
        fc2 = Linear(c.IntermediateSize, c.HiddenSize);
        RegisterComponents();
    }

    public Tensor Forward(Tensor h)
    {
        using var scope = NewDisposeScope();
        return fc2.forward(act(fc1.forward(h))).MoveToOuterDisposeScope();
    }
}
