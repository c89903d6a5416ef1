using TorchSharp;
using static TorchSharp.torch;

namespace VidGen.Tests.Models.TextEncoders;

/// <summary>
/// Independent reference forward passes written straight from the HuggingFace equations over the raw weight
/// dictionary (keys as in the checkpoint), with explicit per-head softmax attention instead of SDPA. Agreement
/// with the modules shows every weight is wired to its place; it is not a substitute for golden outputs from
/// the Python implementation.
/// </summary>
public static class ReferenceTextModels
{
    static Tensor Lin(Dictionary<string, Tensor> w, string name, Tensor x) => x.matmul(w[name + ".weight"].t()) + w[name + ".bias"];

    static Tensor Ln(Dictionary<string, Tensor> w, string name, Tensor x, double eps) =>
        nn.functional.layer_norm(x, new long[] { x.shape[^1] }, w[name + ".weight"], w[name + ".bias"], eps);

    // scores (B, heads, L, L) + additive mask, softmax over keys, times values; (B, L, D) in and out
    static Tensor Attention(Tensor q, Tensor k, Tensor v, int heads, Tensor additiveMask)
    {
        long b = q.shape[0], l = q.shape[1], d = q.shape[2], dh = d / heads;
        Tensor Split(Tensor t) => t.reshape(b, l, heads, dh).permute(0, 2, 1, 3);
        var scores = Split(q).matmul(Split(k).transpose(-1, -2)) / Math.Sqrt(dh) + additiveMask;
        var probs = scores.softmax(-1);
        return probs.matmul(Split(v)).permute(0, 2, 1, 3).reshape(b, l, d);
    }

    static Tensor Gelu(Tensor x) => x * 0.5f * (torch.special.erf(x / Math.Sqrt(2)) + 1f);

    /// <summary>BertModel: returns (last_hidden_state (B, L, H), pooler_output (B, H)).</summary>
    public static (Tensor, Tensor) Bert(Dictionary<string, Tensor> w, VidGen.Models.TextEncoders.BertConfig c, Tensor ids, Tensor mask)
    {
        long l = ids.shape[1];
        var h = w["embeddings.word_embeddings.weight"].index_select(0, ids.flatten()).reshape(ids.shape[0], l, -1)
                + w["embeddings.token_type_embeddings.weight"][0]
                + w["embeddings.position_embeddings.weight"].narrow(0, 0, l);
        h = Ln(w, "embeddings.LayerNorm", h, c.LayerNormEps);
        // HF: (1 - mask) * most-negative-float added to the scores of padding keys
        var additive = (1f - mask.to_type(ScalarType.Float32)).view(ids.shape[0], 1, 1, l) * float.MinValue;
        for (int i = 0; i < c.NumHiddenLayers; i++)
        {
            var p = $"encoder.layer.{i}.";
            var ctx = Attention(Lin(w, p + "attention.self.query", h), Lin(w, p + "attention.self.key", h), Lin(w, p + "attention.self.value", h), c.NumAttentionHeads, additive);
            var a = Ln(w, p + "attention.output.LayerNorm", Lin(w, p + "attention.output.dense", ctx) + h, c.LayerNormEps);
            var inter = Gelu(Lin(w, p + "intermediate.dense", a));
            h = Ln(w, p + "output.LayerNorm", Lin(w, p + "output.dense", inter) + a, c.LayerNormEps);
        }
        var pooled = Lin(w, "pooler.dense", h.select(1, 0)).tanh();
        return (h, pooled);
    }

    /// <summary>CLIPTextModel: returns (last_hidden_state (B, L, H), pooler_output (B, H)) with pooling at eosPositions (B).</summary>
    public static (Tensor, Tensor) Clip(Dictionary<string, Tensor> w, VidGen.Models.TextEncoders.ClipTextConfig c, Tensor ids, Tensor mask, long[] eosPositions)
    {
        long b = ids.shape[0], l = ids.shape[1];
        var h = w["text_model.embeddings.token_embedding.weight"].index_select(0, ids.flatten()).reshape(b, l, -1)
                + w["text_model.embeddings.position_embedding.weight"].narrow(0, 0, l);
        var causal = ones(l, l).triu(1) * float.MinValue;                              // (L, L): future keys blocked
        var padding = (1f - mask.to_type(ScalarType.Float32)).view(b, 1, 1, l) * float.MinValue;
        var additive = causal.view(1, 1, l, l) + padding;
        for (int i = 0; i < c.NumHiddenLayers; i++)
        {
            var p = $"text_model.encoder.layers.{i}.";
            var x = Ln(w, p + "layer_norm1", h, c.LayerNormEps);
            var ctx = Attention(Lin(w, p + "self_attn.q_proj", x), Lin(w, p + "self_attn.k_proj", x), Lin(w, p + "self_attn.v_proj", x), c.NumAttentionHeads, additive);
            h = h + Lin(w, p + "self_attn.out_proj", ctx);
            x = Ln(w, p + "layer_norm2", h, c.LayerNormEps);
            var f = Lin(w, p + "mlp.fc1", x);
            f = f * (f * 1.702f).sigmoid();                                            // quick_gelu
            h = h + Lin(w, p + "mlp.fc2", f);
        }
        h = Ln(w, "text_model.final_layer_norm", h, c.LayerNormEps);
        var pooled = stack(eosPositions.Select((pos, row) => h[row, pos]).ToArray());
        return (h, pooled);
    }
}
