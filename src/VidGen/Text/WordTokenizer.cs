using System.Text.Json;
using System.Text.RegularExpressions;

namespace VidGen.Text;

/// <summary>
/// Word-level tokenizer whose vocabulary is built from the training captions and saved with the checkpoint.
/// Ids: 0 = [PAD], 1 = [UNK], then words in first-seen order. Lower-cases and splits on non-letters/digits.
/// </summary>
public sealed partial class WordTokenizer : IPromptTokenizer
{
    public const int PadId = 0, UnkId = 1;
    public const string Pad = "[PAD]", Unk = "[UNK]";

    private readonly Dictionary<string, int> ids;
    public IReadOnlyList<string> Vocabulary { get; }
    public int MaxLength { get; }

    public WordTokenizer(IEnumerable<string> vocabulary, int maxLength = 16)
    {
        var words = new List<string> { Pad, Unk };
        words.AddRange(vocabulary.Where(w => w != Pad && w != Unk).Distinct());
        Vocabulary = words;
        ids = words.Select((w, i) => (w, i)).ToDictionary(p => p.w, p => p.i);
        MaxLength = maxLength;
    }

    public static WordTokenizer FromCaptions(IEnumerable<string> captions, int maxLength = 16) =>
        new(captions.SelectMany(Words), maxLength);

    [GeneratedRegex("[\\p{L}\\p{N}]+")]
    private static partial Regex WordPattern();

    public static IEnumerable<string> Words(string text) =>
        WordPattern().Matches(text.ToLowerInvariant()).Select(m => m.Value);

    /// <summary>Token ids padded/truncated to <see cref="MaxLength"/>, and the real-token mask.</summary>
    public (long[] Ids, bool[] Mask) Encode(string text)
    {
        var result = new long[MaxLength];
        var mask = new bool[MaxLength];
        int n = 0;
        foreach (var w in Words(text))
        {
            if (n == MaxLength) break;
            result[n] = ids.TryGetValue(w, out var id) ? id : UnkId;
            mask[n++] = true;
        }
        if (n == 0) mask[0] = true; // an empty prompt still has one (padding) key to attend to
        return (result, mask);
    }

    public string Decode(IEnumerable<long> ids) =>
        string.Join(' ', ids.Where(i => i != PadId).Select(i => i < Vocabulary.Count ? Vocabulary[(int)i] : Unk));

    /// <summary>Words of <paramref name="text"/> not in the vocabulary (the model cannot read them).</summary>
    public IReadOnlyList<string> UnknownWords(string text) => Words(text).Where(w => !ids.ContainsKey(w)).Distinct().ToList();

    /// <summary>Number of words past <see cref="MaxLength"/> that would be cut.</summary>
    public int TruncatedWords(string text) => Math.Max(0, Words(text).Count() - MaxLength);

    int IPromptTokenizer.TruncatedTokens(string text) => TruncatedWords(text);

    /// <summary>One token a word, known or not (no special tokens): the count does not depend on the vocabulary.</summary>
    public int Length(string text) => Words(text).Count();

    static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public string ToJson() => JsonSerializer.Serialize(new TokenizerFile(Vocabulary.ToArray(), MaxLength), Indented);

    /// <param name="json">the tokenizer.json text</param>
    /// <param name="source">file name used in error messages</param>
    public static WordTokenizer FromJson(string json, string source = "tokenizer.json")
    {
        TokenizerFile? f;
        try { f = JsonSerializer.Deserialize<TokenizerFile>(json); }
        catch (JsonException e) { throw new InvalidDataException($"{source} is not a VidGen word tokenizer ({ErrorText.OneLine(e.Message)}); retrain or restore the file from the model folder", e); }
        if (f is null) throw new InvalidDataException($"{source} is empty; retrain or restore the file from the model folder");
        if (f.Vocabulary is null || f.Vocabulary.Length < 2 || f.Vocabulary[0] != Pad || f.Vocabulary[1] != Unk)
            throw new InvalidDataException($"{source} must list [PAD] and [UNK] first in \"Vocabulary\"");
        if (f.MaxLength is < 1 or > MaxMaxLength) throw new InvalidDataException($"{source}: MaxLength must be 1 to {MaxMaxLength} (got {f.MaxLength})");
        if (f.Vocabulary.Any(string.IsNullOrEmpty)) throw new InvalidDataException($"{source}: \"Vocabulary\" has a null or empty entry");
        if (f.Vocabulary.Distinct(StringComparer.Ordinal).Count() != f.Vocabulary.Length) throw new InvalidDataException($"{source}: \"Vocabulary\" lists a word twice");
        return new WordTokenizer(f.Vocabulary.Skip(2), f.MaxLength);
    }

    /// <summary>Prompt words at most (far past any caption); a larger MaxLength would make every encode allocate its size.</summary>
    public const int MaxMaxLength = 4096;

    private sealed record TokenizerFile(string[] Vocabulary, int MaxLength);
}
