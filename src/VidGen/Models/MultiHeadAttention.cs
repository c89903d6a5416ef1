using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace VidGen.Models;

/// <summary>
/// Multi-head attention on token sequences, self or cross, through libtorch's fused SDPA.
/// Queries (B, N, D); keys/values from <c>context</c> (B, M, Dc) or from the queries themselves.
/// </summary>
public sealed class MultiHeadAttention : nn.Module
{
    private readonly Linear to_q, to_k, to_v, to_out;
    private readonly int heads;

    public MultiHeadAttention(string name, long dim, long contextDim, int heads, int dimHead) : base(name)
    {
        this.heads = heads;
        long inner = (long)heads * dimHead;
        to_q = Linear(dim, inner, hasBias: false);
        to_k = Linear(contextDim, inner, hasBias: false);
        to_v = Linear(contextDim, inner, hasBias: false);
        to_out = Linear(inner, dim);
        RegisterComponents();
    }

    /// <param name="x">(B, N, D)</param>
    /// <param name="context">(B, M, Dc) or null for self-attention</param>
    /// <param name="bias">additive mask broadcastable to (B, heads, N, M): relative position bias, -inf for masked keys</param>
    /// <returns>(B, N, D)</returns>
    public Tensor Forward(Tensor x, Tensor? context = null, Tensor? bias = null)
    {
        var ctx = context ?? x;
        using var q = SplitHeads(to_q.call(x));
        using var k = SplitHeads(to_k.call(ctx));
        using var v = SplitHeads(to_v.call(ctx));
        FlopCounter.Attention(this, q, k, v);                                          // (B, heads, N | M, dh)
        using var o = functional.scaled_dot_product_attention(q, k, v, attn_mask: bias);
        using var merged = o.transpose(1, 2).flatten(2); // (B, N, heads*dh)
        return to_out.call(merged);
    }

    // (B, N, heads*dh) -> (B, heads, N, dh)
    private Tensor SplitHeads(Tensor t)
    {
        using (t) return t.unflatten(2, new long[] { heads, -1 }).transpose(1, 2);
    }

    /// <summary>Additive key-padding mask (B, 1, 1, M) from a boolean mask (B, M) where true = real token.</summary>
    public static Tensor KeyPaddingBias(Tensor mask, ScalarType dtype)
    {
        using var keep = mask.unsqueeze(1).unsqueeze(1);
        using var zeros = torch.zeros(1, dtype: dtype, device: mask.device);
        using var neg = torch.full(1, float.NegativeInfinity, dtype: dtype, device: mask.device);
        return torch.where(keep, zeros, neg);
    }
}
