using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace VidGen.Text;

/// <summary>
/// CLIP's byte-level BPE read from a HuggingFace folder's vocab.json + merges.txt (openai/clip-vit layout).
/// Text is cleaned, whitespace-collapsed and lower-cased, split by CLIP's pattern (contractions, letter runs,
/// single digits, symbol runs), each piece mapped byte by byte to printable characters (the GPT-2 byte table),
/// its last symbol marked with "&lt;/w&gt;", then merged pair by pair in merge-rank order.
/// Encodings are &lt;|startoftext|&gt; pieces &lt;|endoftext|&gt; then padding up to <see cref="MaxLength"/>.
/// </summary>
public sealed partial class ClipBpeTokenizer : IPromptTokenizer
{
    public const string VocabFile = "vocab.json", MergesFile = "merges.txt", ConfigFile = "tokenizer_config.json";
    public const string StartToken = "<|startoftext|>", EndToken = "<|endoftext|>";
    const string EndOfWord = "</w>";
    // The reference tokenizer reads only the first 49152 - 256 - 2 merges (its vocabulary size minus bytes and specials).
    const int MaxMerges = 49152 - 256 - 2;

    private readonly Dictionary<string, int> encoder;
    private readonly string[] decoder;
    private readonly Dictionary<(string, string), int> ranks;
    private readonly Dictionary<string, string[]> cache = new(StringComparer.Ordinal);
    private static readonly string[] ByteToChar = BuildByteTable();
    private static readonly Dictionary<char, byte> CharToByte = Enumerable.Range(0, 256).ToDictionary(b => ByteToChar[b][0], b => (byte)b);

    public int MaxLength { get; }
    public int StartId { get; }
    public int EndId { get; }
    public int PadId { get; }
    public int VocabularySize => decoder.Length;

    public ClipBpeTokenizer(IReadOnlyDictionary<string, int> vocabulary, IEnumerable<(string, string)> merges, int maxLength, string padToken = EndToken, string source = VocabFile)
    {
        if (maxLength < 2) throw new ArgumentException($"a CLIP prompt needs room for its start and end tokens: max length must be at least 2 (got {maxLength})");
        encoder = new Dictionary<string, int>(vocabulary, StringComparer.Ordinal);
        decoder = new string[encoder.Count == 0 ? 0 : encoder.Values.Max() + 1];
        foreach (var (t, id) in encoder) decoder[id] = t;
        ranks = new Dictionary<(string, string), int>();
        int r = 0;
        foreach (var m in merges) ranks.TryAdd(m, r++);
        int Require(string t) => encoder.TryGetValue(t, out var id) ? id
            : throw new InvalidDataException($"{source} has no {t} token; it is not a CLIP vocabulary");
        StartId = Require(StartToken); EndId = Require(EndToken); PadId = Require(padToken);
        MaxLength = maxLength;
    }

    /// <summary>Reads vocab.json, merges.txt and, when present, the pad token from tokenizer_config.json.</summary>
    public static ClipBpeTokenizer FromFolder(string dir, int maxLength)
    {
        var vocabPath = Path.Combine(dir, VocabFile);
        var mergesPath = Path.Combine(dir, MergesFile);
        foreach (var p in new[] { vocabPath, mergesPath })
            if (!File.Exists(p))
                throw new FileNotFoundException($"{p} is missing: a CLIP folder needs config.json, model.safetensors, vocab.json and merges.txt (as in openai/clip-vit-base-patch32)", p);
        Dictionary<string, int> vocab;
        try { vocab = JsonSerializer.Deserialize<Dictionary<string, int>>(File.ReadAllText(vocabPath)) ?? throw new InvalidDataException($"{vocabPath} is empty"); }
        catch (JsonException e) { throw new InvalidDataException($"{vocabPath} is not a JSON object of token -> id ({ErrorText.OneLine(e.Message)})", e); }
        var merges = new List<(string, string)>();
        foreach (var (line, i) in File.ReadLines(mergesPath).Select((l, i) => (l.TrimEnd('\r'), i)))
        {
            if (i == 0 && line.StartsWith("#version", StringComparison.Ordinal)) continue;
            if (line.Length == 0) continue;
            if (merges.Count == MaxMerges) break;
            var parts = line.Split(' ');
            if (parts.Length != 2) throw new InvalidDataException($"{mergesPath}, line {i + 1}: expected two symbols separated by one space, got \"{line}\"");
            merges.Add((parts[0], parts[1]));
        }
        string pad = EndToken;
        var cfgPath = Path.Combine(dir, ConfigFile);
        if (File.Exists(cfgPath))
        {
            try
            {
                // pad_token is a string, or an object {"content": ...} in older files
                var node = JsonNode.Parse(File.ReadAllText(cfgPath))?["pad_token"];
                pad = node switch { JsonValue v => v.GetValue<string>(), JsonObject o => (string?)o["content"] ?? pad, _ => pad };
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
            { throw new InvalidDataException($"{cfgPath} is not valid JSON with a string pad_token ({ErrorText.OneLine(e.Message)}); fix or delete it", e); }
        }
        return new ClipBpeTokenizer(vocab, merges, maxLength, pad, vocabPath);
    }

    [GeneratedRegex(@"<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+", RegexOptions.IgnoreCase)]
    private static partial Regex PiecePattern();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    /// <summary>The text the BPE sees: control characters dropped, whitespace collapsed, trimmed, lower-cased.</summary>
    public static string Normalize(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            if (rune.Value == 0 || rune.Value == 0xFFFD) continue;
            var c = Rune.GetUnicodeCategory(rune);
            if (rune.Value is not ('\t' or '\n' or '\r') && c is UnicodeCategory.Control or UnicodeCategory.Format) continue;
            sb.Append(rune.ToString());
        }
        return Whitespace().Replace(sb.ToString(), " ").Trim().ToLowerInvariant();
    }

    public (long[] Ids, bool[] Mask) Encode(string text)
    {
        var result = new long[MaxLength];
        var mask = new bool[MaxLength];
        Array.Fill(result, PadId);
        int n = 0;
        result[n] = StartId; mask[n++] = true;
        foreach (var (id, _) in Pieces(text).Take(MaxLength - 2)) { result[n] = id; mask[n++] = true; }
        result[n] = EndId; mask[n] = true;
        return (result, mask);
    }

    /// <summary>Byte-level BPE can spell anything whose bytes are in the vocabulary; words it cannot are listed.</summary>
    public IReadOnlyList<string> UnknownWords(string text) =>
        Pieces(text).Where(p => p.Id < 0 || p.Id == EndId && p.Word != EndToken).Select(p => p.Word).Distinct().ToList();

    public int TruncatedTokens(string text) => Math.Max(0, Length(text) - MaxLength);

    /// <summary>The pieces plus the start and end markers.</summary>
    public int Length(string text) => Pieces(text).Count() + 2;

    public string Decode(IEnumerable<long> ids)
    {
        var bytes = new List<byte>();
        foreach (var id in ids)
        {
            if (id < 0 || id >= decoder.Length || decoder[id] is null || id == StartId || id == EndId || id == PadId) continue;
            var token = decoder[id];
            bool endsWord = token.EndsWith(EndOfWord, StringComparison.Ordinal);
            foreach (var ch in endsWord ? token[..^EndOfWord.Length] : token)
                if (CharToByte.TryGetValue(ch, out var b)) bytes.Add(b);
            if (endsWord) bytes.Add((byte)' ');
        }
        return Encoding.UTF8.GetString(bytes.ToArray()).Trim();
    }

    /// <summary>BPE tokens of the text without the start/end markers, each with the piece it came from. Unknown symbols map to &lt;|endoftext|&gt; as in the reference.</summary>
    public IEnumerable<(int Id, string Word)> Pieces(string text)
    {
        foreach (Match m in PiecePattern().Matches(Normalize(text)))
        {
            if (m.Value is StartToken or EndToken) { yield return (encoder[m.Value], m.Value); continue; }
            foreach (var symbol in Bpe(m.Value))
                yield return (encoder.TryGetValue(symbol, out var id) ? id : EndId, m.Value);
        }
    }

    private string[] Bpe(string piece)
    {
        lock (cache) if (cache.TryGetValue(piece, out var cached)) return cached; // the web server may encode from several threads
        var mapped = Encoding.UTF8.GetBytes(piece).Select(b => ByteToChar[b]).ToList();  // one printable char per byte
        mapped[^1] += EndOfWord;
        var word = mapped;
        while (word.Count > 1)
        {
            // the adjacent pair with the lowest merge rank; merge every occurrence of it, left to right
            (string, string)? best = null;
            int bestRank = int.MaxValue;
            for (int i = 0; i + 1 < word.Count; i++)
                if (ranks.TryGetValue((word[i], word[i + 1]), out var rank) && rank < bestRank) { bestRank = rank; best = (word[i], word[i + 1]); }
            if (best is not { } pair) break;
            var merged = new List<string>(word.Count);
            for (int i = 0; i < word.Count; i++)
            {
                if (i + 1 < word.Count && word[i] == pair.Item1 && word[i + 1] == pair.Item2) { merged.Add(pair.Item1 + pair.Item2); i++; }
                else merged.Add(word[i]);
            }
            word = merged;
        }
        var result = word.ToArray();
        lock (cache) if (cache.Count < 10_000) cache[piece] = result;
        return result;
    }

    // GPT-2's reversible byte -> printable character table: printable Latin-1 bytes map to themselves,
    // the rest to code points from 256 upwards, so no byte becomes whitespace or a control character.
    static string[] BuildByteTable()
    {
        var table = new string[256];
        bool Printable(int b) => b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
        int next = 0;
        for (int b = 0; b < 256; b++) table[b] = ((char)(Printable(b) ? b : 256 + next++)).ToString();
        return table;
    }
}
