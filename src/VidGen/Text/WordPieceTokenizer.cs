using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace VidGen.Text;

/// <summary>
/// BERT's WordPiece tokenizer read from a HuggingFace folder's vocab.txt (one token per line, id = line number).
/// Same steps as the reference BertTokenizer: clean control characters, put spaces around CJK ideographs,
/// split on whitespace, lower-case and strip accents (uncased models), split off punctuation, then greedy
/// longest-match-first WordPiece with "##" continuations; a word with no full cover becomes [UNK].
/// Encodings are [CLS] pieces [SEP] then [PAD] up to <see cref="MaxLength"/>.
/// </summary>
public sealed class WordPieceTokenizer : IPromptTokenizer
{
    public const string VocabFile = "vocab.txt", ConfigFile = "tokenizer_config.json";
    const int MaxCharsPerWord = 100; // longer "words" are [UNK] outright, as in the reference implementation
    const string Cls = "[CLS]", Sep = "[SEP]", PadToken = "[PAD]", UnkToken = "[UNK]", MaskToken = "[MASK]";

    private readonly Dictionary<string, int> ids;
    private readonly string[] tokens;
    private readonly HashSet<string> special;

    public int MaxLength { get; }
    public bool LowerCase { get; }
    public int ClsId { get; }
    public int SepId { get; }
    public int PadId { get; }
    public int UnkId { get; }
    public int VocabularySize => tokens.Length;

    public WordPieceTokenizer(IReadOnlyList<string> vocabulary, int maxLength, bool lowerCase = true, string source = VocabFile)
    {
        if (maxLength < 2) throw new ArgumentException($"a BERT prompt needs room for [CLS] and [SEP]: max length must be at least 2 (got {maxLength})");
        tokens = vocabulary.ToArray();
        ids = new Dictionary<string, int>(tokens.Length, StringComparer.Ordinal);
        for (int i = 0; i < tokens.Length; i++) ids.TryAdd(tokens[i], i); // first occurrence wins, like the reference loader
        int Require(string t) => ids.TryGetValue(t, out var id) ? id
            : throw new InvalidDataException($"{source} has no {t} token; it is not a BERT WordPiece vocabulary");
        ClsId = Require(Cls); SepId = Require(Sep); PadId = Require(PadToken); UnkId = Require(UnkToken);
        special = new HashSet<string>(new[] { Cls, Sep, PadToken, UnkToken, MaskToken }.Where(ids.ContainsKey), StringComparer.Ordinal);
        MaxLength = maxLength;
        LowerCase = lowerCase;
    }

    /// <summary>Reads vocab.txt and, when present, do_lower_case from tokenizer_config.json (default: lower-case).</summary>
    public static WordPieceTokenizer FromFolder(string dir, int maxLength)
    {
        var vocabPath = Path.Combine(dir, VocabFile);
        if (!File.Exists(vocabPath))
            throw new FileNotFoundException($"{vocabPath} is missing: a BERT folder needs config.json, model.safetensors and vocab.txt (as in bert-base-uncased)", vocabPath);
        var vocab = File.ReadAllLines(vocabPath).Select(l => l.TrimEnd('\r', '\n')).ToList();
        while (vocab.Count > 0 && vocab[^1].Length == 0) vocab.RemoveAt(vocab.Count - 1); // trailing newline(s)
        bool lower = true;
        var cfgPath = Path.Combine(dir, ConfigFile);
        if (File.Exists(cfgPath))
        {
            try { lower = JsonNode.Parse(File.ReadAllText(cfgPath))?["do_lower_case"]?.GetValue<bool>() ?? true; }
            catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException or FormatException)
            { throw new InvalidDataException($"{cfgPath} is not valid JSON with a boolean do_lower_case ({ErrorText.OneLine(e.Message)}); fix or delete it", e); }
        }
        return new WordPieceTokenizer(vocab, maxLength, lower, vocabPath);
    }

    public (long[] Ids, bool[] Mask) Encode(string text)
    {
        var pieces = Pieces(text).Select(p => p.Id).ToList();
        var result = new long[MaxLength];
        var mask = new bool[MaxLength];
        Array.Fill(result, PadId);
        int n = 0;
        result[n] = ClsId; mask[n++] = true;
        foreach (var id in pieces.Take(MaxLength - 2)) { result[n] = id; mask[n++] = true; }
        result[n] = SepId; mask[n] = true;
        return (result, mask);
    }

    public IReadOnlyList<string> UnknownWords(string text) =>
        Pieces(text).Where(p => p.Id == UnkId && p.Word != UnkToken).Select(p => p.Word).Distinct().ToList();

    public int TruncatedTokens(string text) => Math.Max(0, Length(text) - MaxLength);

    /// <summary>The pieces plus [CLS] and [SEP].</summary>
    public int Length(string text) => Pieces(text).Count() + 2;

    public string Decode(IEnumerable<long> ids)
    {
        var sb = new StringBuilder();
        foreach (var id in ids)
        {
            if (id < 0 || id >= tokens.Length) continue;
            var t = tokens[id];
            if (id == ClsId || id == SepId || id == PadId) continue;
            if (t.StartsWith("##", StringComparison.Ordinal)) sb.Append(t, 2, t.Length - 2);
            else { if (sb.Length > 0) sb.Append(' '); sb.Append(t); }
        }
        return sb.ToString();
    }

    /// <summary>Word pieces of the text without special tokens, each with the basic-tokenizer word it came from.</summary>
    public IEnumerable<(int Id, string Word)> Pieces(string text)
    {
        foreach (var word in BasicTokens(text))
        {
            if (special.Contains(word)) { yield return (ids[word], word); continue; }
            var wp = WordPiece(word);
            if (wp is null) yield return (UnkId, word);
            else foreach (var id in wp) yield return (id, word);
        }
    }

    /// <summary>The reference "basic tokenizer": words and single punctuation marks, lower-cased and accent-free when uncased.</summary>
    public IEnumerable<string> BasicTokens(string text)
    {
        var cleaned = new StringBuilder(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            int cp = rune.Value;
            if (cp == 0 || cp == 0xFFFD || IsControl(rune)) continue;
            if (IsWhitespace(rune)) cleaned.Append(' ');
            else if (IsCjk(cp)) cleaned.Append(' ').Append(rune.ToString()).Append(' ');
            else cleaned.Append(rune.ToString());
        }
        foreach (var raw in cleaned.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (special.Contains(raw)) { yield return raw; continue; }
            var token = LowerCase ? StripAccents(raw.ToLowerInvariant()) : raw;
            var current = new StringBuilder();
            foreach (var rune in token.EnumerateRunes())
            {
                if (IsPunctuation(rune))
                {
                    if (current.Length > 0) { yield return current.ToString(); current.Clear(); }
                    yield return rune.ToString();
                }
                else current.Append(rune.ToString());
            }
            if (current.Length > 0) yield return current.ToString();
        }
    }

    // Greedy longest-match-first over the word's characters; null when some remainder has no vocabulary entry.
    private List<int>? WordPiece(string word)
    {
        if (word.Length > MaxCharsPerWord) return null;
        var result = new List<int>();
        int start = 0;
        while (start < word.Length)
        {
            int end = word.Length, found = -1;
            while (start < end)
            {
                var sub = start > 0 ? "##" + word[start..end] : word[start..end];
                if (ids.TryGetValue(sub, out var id)) { found = id; break; }
                end--;
                if (end > start && char.IsLowSurrogate(word[end])) end--; // never split a surrogate pair
            }
            if (found < 0) return null;
            result.Add(found);
            start = end;
        }
        return result;
    }

    // Precomposed letters through the table (NFD needs ICU, which this build leaves out), then any
    // combining marks that were already separate are dropped.
    static string StripAccents(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (var c in s)
            if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark) sb.Append(AccentTable.Strip(c));
        return sb.ToString();
    }

    static bool IsWhitespace(Rune r) => r.Value is ' ' or '\t' or '\n' or '\r' || Rune.GetUnicodeCategory(r) == UnicodeCategory.SpaceSeparator;

    static bool IsControl(Rune r)
    {
        if (r.Value is '\t' or '\n' or '\r') return false;
        var c = Rune.GetUnicodeCategory(r);
        return c is UnicodeCategory.Control or UnicodeCategory.Format;
    }

    // ASCII symbols count as punctuation too (e.g. "$", "^", "`"), as in the reference tokenizer.
    static bool IsPunctuation(Rune r)
    {
        int cp = r.Value;
        if (cp is >= 33 and <= 47 or >= 58 and <= 64 or >= 91 and <= 96 or >= 123 and <= 126) return true;
        return Rune.GetUnicodeCategory(r) is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
            or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
            or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;
    }

    static bool IsCjk(int cp) =>
        cp is >= 0x4E00 and <= 0x9FFF or >= 0x3400 and <= 0x4DBF or >= 0x20000 and <= 0x2A6DF or >= 0x2A700 and <= 0x2B73F
            or >= 0x2B740 and <= 0x2B81F or >= 0x2B820 and <= 0x2CEAF or >= 0xF900 and <= 0xFAFF or >= 0x2F800 and <= 0x2FA1F;
}
