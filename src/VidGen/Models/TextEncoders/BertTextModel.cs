using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace VidGen.Models.TextEncoders;

/// <summary>A pretrained text network: ids (B, L) long and mask (B, L) bool -> last hidden state (B, L, D) and pooled (B, D).</summary>
public abstract class PretrainedTextModel : nn.Module
{
    protected PretrainedTextModel(string name) : base(name) { }
    public abstract int HiddenSize { get; }
    public abstract int MaxPositions { get; }
    public abstract (Tensor LastHidden, Tensor Pooled) Forward(Tensor ids, Tensor mask);
}

/// <summary>
/// BERT encoder (Devlin et al. 2019) in the HuggingFace BertModel layout, so bert-base-uncased weights load by
/// name: embeddings.{word,position,token_type}_embeddings, embeddings.LayerNorm, encoder.layer.N.attention.self.
/// {query,key,value}, attention.output.{dense,LayerNorm}, intermediate.dense, output.{dense,LayerNorm}, pooler.dense.
/// Post-norm: x = LN(x + attn(x)); x = LN(x + W2 act(W1 x)). Inference only (no dropout); token type 0 throughout.
/// Pooled = tanh(pooler.dense(h[:, 0])), the [CLS] summary; checkpoints without a pooler use h[:, 0] itself.
/// </summary>
public sealed class BertTextModel : PretrainedTextModel
{
    private readonly BertEmbeddings embeddings;
    private readonly BertEncoder encoder;
    private readonly BertPooler? pooler;

    public BertConfig Config { get; }
    public override int HiddenSize => Config.HiddenSize;
    public override int MaxPositions => Config.MaxPositionEmbeddings;

    /// <param name="config">the HF config.json's sizes</param>
    /// <param name="withPooler">build the pooler (BertModel's CLS projection), which some checkpoints lack</param>
    /// <param name="source">the config file, for error messages</param>
    /// <param name="initial">
    /// Weights under the HF names to build the layers from (sharing their storage), so loading skips a random
    /// initialisation it would overwrite; null: random. Loading still copies and checks every key (Checkpoint.CopyInto).
    /// </param>
    public BertTextModel(BertConfig config, bool withPooler = true, string source = "config.json", IReadOnlyDictionary<string, Tensor>? initial = null) : base("bert")
    {
        Config = config;
        var w = new InitialWeights(initial);
        embeddings = new BertEmbeddings(config, w.At("embeddings"));
        encoder = new BertEncoder(config, Activations.Get(config.HiddenAct, source), w.At("encoder"));
        if (withPooler) pooler = new BertPooler(config.HiddenSize, w.At("pooler"));
        RegisterComponents();
    }

    public override (Tensor LastHidden, Tensor Pooled) Forward(Tensor ids, Tensor mask)
    {
        if (ids.shape[1] > Config.MaxPositionEmbeddings)
            throw new ArgumentException($"{ids.shape[1]} tokens exceed this BERT's {Config.MaxPositionEmbeddings} positions; lower the text max length");
        using var scope = NewDisposeScope();
        var h = embeddings.Forward(ids);                                                 // (B, L, D)
        var bias = MultiHeadAttention.KeyPaddingBias(mask, h.dtype);                    // (B, 1, 1, L): -inf at padding keys
        // The dense layers (nearly all the FLOPs) run on the real tokens only; attention pads them back.
        var packing = new TokenPacking(mask);
        h = packing.Pad(encoder.Forward(packing.Pack(h), bias, packing));              // (B, L, D), zero at padding
        var cls = h.select(1, 0);                                                       // (B, D)
        var pooled = pooler is null ? cls : pooler.Forward(cls);
        return (h.MoveToOuterDisposeScope(), pooled.MoveToOuterDisposeScope());
    }
}

internal sealed class BertEmbeddings : nn.Module
{
    private readonly Embedding word_embeddings, position_embeddings, token_type_embeddings;
    private readonly LayerNorm LayerNorm;

    public BertEmbeddings(BertConfig c, InitialWeights w) : base("embeddings")
    {
        word_embeddings = w.Embedding("word_embeddings", c.VocabSize, c.HiddenSize);
        position_embeddings = w.Embedding("position_embeddings", c.MaxPositionEmbeddings, c.HiddenSize);
        token_type_embeddings = w.Embedding("token_type_embeddings", c.TypeVocabSize, c.HiddenSize);
        LayerNorm = nn.LayerNorm(c.HiddenSize, eps: c.LayerNormEps);
        RegisterComponents();
    }

    public Tensor Forward(Tensor ids)
    {
        using var scope = NewDisposeScope();
        var positions = arange(ids.shape[1], device: ids.device).unsqueeze(0);          // (1, L)
        var h = word_embeddings.forward(ids) + token_type_embeddings.forward(zeros_like(ids)); // segment A everywhere
        h = h + position_embeddings.forward(positions);
        return LayerNorm.forward(h).MoveToOuterDisposeScope();
    }
}

internal sealed class BertEncoder : nn.Module
{
    private readonly ModuleList<BertLayer> layer;

    public BertEncoder(BertConfig c, Func<Tensor, Tensor> act, InitialWeights w) : base("encoder")
    {
        layer = new ModuleList<BertLayer>(Enumerable.Range(0, c.NumHiddenLayers).Select(i => new BertLayer($"{i}", c, act, w.At($"layer.{i}"))).ToArray());
        RegisterComponents();
    }

    /// <param name="h">(N, D) packed real tokens</param>
    /// <param name="bias">(B, 1, 1, L) additive key-padding bias for attention</param>
    /// <param name="packing">where each packed token sits in the (B, L) batch</param>
    public Tensor Forward(Tensor h, Tensor bias, TokenPacking packing)
    {
        using var scope = NewDisposeScope();
        foreach (var l in layer) h = l.Forward(h, bias, packing);
        return h.MoveToOuterDisposeScope();
    }
}

internal sealed class BertLayer : nn.Module
{
    private readonly BertAttention attention;
    private readonly BertDense intermediate;
    private readonly BertResidualOutput output;
    private readonly Func<Tensor, Tensor> act;

    public BertLayer(string name, BertConfig c, Func<Tensor, Tensor> act, InitialWeights w) : base(name)
    {
        this.act = act;
        attention = new BertAttention(c, w.At("attention"));
        intermediate = new BertDense("intermediate", c.HiddenSize, c.IntermediateSize, w.At("intermediate"));
        output = new BertResidualOutput("output", c.IntermediateSize, c.HiddenSize, c.LayerNormEps, w.At("output"));
        RegisterComponents();
    }

    public Tensor Forward(Tensor h, Tensor bias, TokenPacking packing)
    {
        using var scope = NewDisposeScope();
        var a = attention.Forward(h, bias, packing);                                    // (N, D)
        var i = act(intermediate.Forward(a));                                           // (N, I)
        return output.Forward(i, a).MoveToOuterDisposeScope();
    }
}

internal sealed class BertAttention : nn.Module
{
    private readonly BertSelfAttention @self;
    private readonly BertResidualOutput output;

    public BertAttention(BertConfig c, InitialWeights w) : base("attention")
    {
        @self = new BertSelfAttention(c, w.At("self"));
        output = new BertResidualOutput("output", c.HiddenSize, c.HiddenSize, c.LayerNormEps, w.At("output"));
        RegisterComponents();
    }

    public Tensor Forward(Tensor h, Tensor bias, TokenPacking packing)
    {
        using var context = @self.Forward(h, bias, packing);
        return output.Forward(context, h);
    }
}

internal sealed class BertSelfAttention : nn.Module
{
    private readonly Linear query, key, value;
    private readonly int heads;

    public BertSelfAttention(BertConfig c, InitialWeights w) : base("self")
    {
        heads = c.NumAttentionHeads;
        query = w.Linear("query", c.HiddenSize, c.HiddenSize);
        key = w.Linear("key", c.HiddenSize, c.HiddenSize);
        value = w.Linear("value", c.HiddenSize, c.HiddenSize);
        RegisterComponents();
    }

    /// <summary>softmax(q k^T / sqrt(dh) + bias) v per head; packed (N, D) in and out, padded (B, L) inside.</summary>
    public Tensor Forward(Tensor h, Tensor bias, TokenPacking packing)
    {
        using var scope = NewDisposeScope();
        var q = SplitHeads(packing.Pad(query.forward(h)), heads);                      // (B, heads, L, dh)
        var k = SplitHeads(packing.Pad(key.forward(h)), heads);                        // zero at padding keys, which bias masks
        var v = SplitHeads(packing.Pad(value.forward(h)), heads);
        var o = functional.scaled_dot_product_attention(q, k, v, attn_mask: bias);     // (B, heads, L, dh)
        return packing.Pack(o.transpose(1, 2).flatten(2)).MoveToOuterDisposeScope();    // (N, D)
    }

    // (B, L, heads*dh) -> (B, heads, L, dh)
    internal static Tensor SplitHeads(Tensor t, int heads) => t.unflatten(2, new long[] { heads, -1 }).transpose(1, 2);
}

/// <summary>One Linear named "dense" (HF's BertIntermediate and BertPooler hold exactly that).</summary>
internal sealed class BertDense : nn.Module
{
    private readonly Linear dense;

    public BertDense(string name, long inDim, long outDim, InitialWeights w) : base(name)
    {
        dense = w.Linear("dense", inDim, outDim);
        RegisterComponents();
    }

    public Tensor Forward(Tensor x) => dense.forward(x);
}

/// <summary>dense then LayerNorm over the residual sum: LN(dense(x) + residual). HF's BertSelfOutput / BertOutput.</summary>
internal sealed class BertResidualOutput : nn.Module
{
    private readonly Linear dense;
    private readonly LayerNorm LayerNorm;

    public BertResidualOutput(string name, long inDim, long outDim, double eps, InitialWeights w) : base(name)
    {
        dense = w.Linear("dense", inDim, outDim);
        LayerNorm = nn.LayerNorm(outDim, eps: eps);
        RegisterComponents();
    }

    public Tensor Forward(Tensor x, Tensor residual)
    {
        using var d = dense.forward(x);
        using var sum = d + residual;
        return LayerNorm.forward(sum);
    }
}

internal sealed class BertPooler : nn.Module
{
    private readonly Linear dense;

    public BertPooler(long hidden, InitialWeights w) : base("pooler")
    {
        dense = w.Linear("dense", hidden, hidden);
        RegisterComponents();
    }

    public Tensor Forward(Tensor cls)
    {
        using var d = dense.forward(cls);
        return d.tanh();
    }
}

/// <summary>
/// Where a layer's starting weights come from: tensors already loaded under the HF names (the layer shares their
/// storage), so a pretrained model skips the random draws it would overwrite (22.7M for MiniLM, 110M for
/// bert-base), or none (random, as nn.Linear and nn.Embedding initialise). A name it lacks, or of another shape,
/// starts random; the loader's key check then reports it.
/// </summary>
internal sealed class InitialWeights(IReadOnlyDictionary<string, Tensor>? loaded, string prefix = "")
{
    public InitialWeights At(string name) => new(loaded, prefix + name + ".");

    Tensor? Get(string name, params long[] shape) =>
        loaded is not null && loaded.TryGetValue(prefix + name, out var t) && t.dtype == ScalarType.Float32 && t.shape.SequenceEqual(shape) ? t : null;

    public Linear Linear(string name, long inDim, long outDim) =>
        Get(name + ".weight", outDim, inDim) is { } w && Get(name + ".bias", outDim) is { } b
            ? nn.Linear(new Parameter(w.detach()), new Parameter(b.detach()))
            : nn.Linear(inDim, outDim);

    public Embedding Embedding(string name, long count, long dim)
    {
        if (Get(name + ".weight", count, dim) is not { } w) return nn.Embedding(count, dim);
        // TorchSharp's native Embedding draws its normal init in every constructor, Embedding_from_pretrained and a
        // meta device included (measured: 0.2 s for MiniLM's 30522 x 384 table); a 1-row table whose weight is then
        // replaced draws almost nothing. Forward and state_dict read the weight, so the module is the same.
        var e = nn.Embedding(1, dim);
        e.weight = new Parameter(w.detach());
        return e;
    }
}

/// <summary>
/// The real tokens of a padded batch: Pack gathers them from (B, L, D) to (N, D), Pad scatters back with zeros at
/// padding. Linear layers, LayerNorm and the activation act per token, so they give the same rows on N tokens as on
/// B L; skipping the padding saves a third of the work on a batch of captions of mixed lengths.
/// </summary>
internal sealed class TokenPacking
{
    private readonly Tensor index;   // (N) positions in the flattened (B L)
    private readonly long b, l;

    public TokenPacking(Tensor mask)
    {
        (b, l) = (mask.shape[0], mask.shape[1]);
        index = mask.flatten().nonzero().squeeze(1);
    }

    public Tensor Pack(Tensor x) => x.flatten(0, 1).index_select(0, index);                                   // (B, L, D) -> (N, D)

    public Tensor Pad(Tensor x) =>                                                                             // (N, D) -> (B, L, D)
        zeros(new long[] { b * l, x.shape[1] }, dtype: x.dtype, device: x.device).index_copy_(0, index, x).view(b, l, -1);
}
