using VidGen.Text;
using static TorchSharp.torch;

namespace VidGen.Models.TextEncoders;

/// <summary>
/// Turns prompts into what the U-Net reads: Tokens (B, L, D) for cross-attention, Mask (B, L) true at real
/// tokens, Pooled (B, D) for FiLM. Implemented by the jointly trained <see cref="BuiltinTextEncoder"/> and by the
/// frozen <see cref="PretrainedTextEncoder"/> (BERT or CLIP read from a local folder).
/// </summary>
public interface ITextEncoder
{
    TextEncoderKind Kind { get; }
    IPromptTokenizer Tokenizer { get; }
    /// <summary>D: width of the token and pooled embeddings (the U-Net's ContextDim).</summary>
    int Width { get; }
    /// <summary>True when the weights are fixed and kept outside the diffusion model's checkpoint.</summary>
    bool Frozen { get; }
    /// <summary>Tokenises and encodes; the returned tensors live on <paramref name="device"/>.</summary>
    TextCondition Encode(IReadOnlyList<string> prompts, Device device);
}

public static class TextBatch
{
    /// <summary>Token ids (B, L) long and mask (B, L) bool on <paramref name="device"/>, L = tokenizer.MaxLength.</summary>
    public static (Tensor Ids, Tensor Mask) Tokenize(IPromptTokenizer tokenizer, IReadOnlyList<string> prompts, Device device)
    {
        int l = tokenizer.MaxLength;
        var ids = new long[prompts.Count * l];
        var mask = new bool[prompts.Count * l];
        for (int i = 0; i < prompts.Count; i++)
        {
            var (id, m) = tokenizer.Encode(prompts[i]);
            id.CopyTo(ids, i * l); m.CopyTo(mask, i * l);
        }
        return (tensor(ids, new long[] { prompts.Count, l }, device: device), tensor(mask, new long[] { prompts.Count, l }, device: device));
    }
}
