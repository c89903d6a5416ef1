namespace VidGen.Text;

/// <summary>
/// What the diffusion model needs from any tokenizer: fixed-length ids with a real-token mask, and honest
/// reports of what it could not read (unknown words) or had to cut (truncation), so prompts never fail silently.
/// </summary>
public interface IPromptTokenizer
{
    /// <summary>Sequence length every encoding is padded or truncated to (special tokens included).</summary>
    int MaxLength { get; }

    /// <summary>Token ids (length <see cref="MaxLength"/>) and the mask, true at real tokens (at least one).</summary>
    (long[] Ids, bool[] Mask) Encode(string text);

    /// <summary>Words of <paramref name="text"/> the vocabulary cannot represent (each listed once, in order).</summary>
    IReadOnlyList<string> UnknownWords(string text);

    /// <summary>Number of tokens past <see cref="MaxLength"/> that <see cref="Encode"/> drops.</summary>
    int TruncatedTokens(string text);

    /// <summary>
    /// Tokens <paramref name="text"/> takes, special tokens included: the <see cref="MaxLength"/> at which nothing is
    /// cut (a length for the text encoder can then be sized from the prompts it must hold).
    /// </summary>
    int Length(string text);

    /// <summary>Readable text of token ids (padding and special tokens left out).</summary>
    string Decode(IEnumerable<long> ids);
}
