using BertTokenizer = Microsoft.ML.Tokenizers.BertTokenizer;
using BertOptions = Microsoft.ML.Tokenizers.BertOptions;
using VidGen.Tests.Models.TextEncoders;
using VidGen.Text;

namespace VidGen.Tests.Text;

public class WordPieceTokenizerTests
{
    static readonly string[] Vocab = TinyPretrained.BertVocab;
    static int Id(string token) => Array.IndexOf(Vocab, token);
    static WordPieceTokenizer Make(int maxLength = 16) => new(Vocab, maxLength);

    [Fact]
    public void EncodesWithClsSepPaddingLowerCaseAndPunctuation()
    {
        var (ids, mask) = Make(12).Encode("A red CIRCLE, moving left!");
        var expected = new[] { "[CLS]", "a", "red", "circle", ",", "moving", "left", "!", "[SEP]", "[PAD]", "[PAD]", "[PAD]" }.Select(t => (long)Id(t));
        Assert.Equal(expected, ids);
        Assert.Equal(Enumerable.Repeat(true, 9).Concat(Enumerable.Repeat(false, 3)), mask);
    }

    [Theory]
    [InlineData("squares", new[] { "square", "##s" })]
    [InlineData("unknowable", new[] { "un", "##know", "##able" })]
    [InlineData("Café", new[] { "caf", "##e" })]         // lower-cased and the accent stripped
    [InlineData("xyz", new[] { "x", "##y", "##z" })]
    [InlineData("qqq", new[] { "[UNK]" })]               // no cover at all: the whole word is [UNK]
    [InlineData("xq", new[] { "[UNK]" })]                // a partial cover is still [UNK], not "x" + [UNK]
    public void WordPieceSplitsGreedilyLongestFirst(string word, string[] pieces)
    {
        var ids = Make().Encode(word).Ids;
        Assert.Equal(pieces.Select(p => (long)Id(p)), ids.Skip(1).Take(pieces.Length));
        Assert.Equal(Id("[SEP]"), ids[pieces.Length + 1]);
    }

    [Fact]
    public void AccentsAreStrippedWithoutIcu()
    {
        Assert.Equal(new[] { "naive", "resume", "angstrom", "cafe", "ελα" }, Make().BasicTokens("Naïve RÉSUMÉ Ångström cafe\u0301 έλα"));
    }

    [Fact]
    public void TabsAndNewlinesSeparateWordsAndControlCharactersVanish()
    {
        Assert.Equal(new[] { "a", "red", "circle" }, Make().BasicTokens("a\tred\r\ncir\u0000cle\u200b"));
    }

    [Fact]
    public void UnknownWordsAreListed()
    {
        var tok = Make();
        Assert.Equal(new[] { "purple", "qqq" }, tok.UnknownWords("a purple circle, qqq purple"));
        Assert.Empty(tok.UnknownWords("the green triangles moving up"));
    }

    [Fact]
    public void TruncationKeepsClsAndSepAndCountsTheCut()
    {
        var tok = Make(6);
        var (ids, mask) = tok.Encode("a red circle moving left");
        Assert.Equal(new[] { "[CLS]", "a", "red", "circle", "moving", "[SEP]" }.Select(t => (long)Id(t)), ids);
        Assert.All(mask, Assert.True);
        Assert.Equal(1, tok.TruncatedTokens("a red circle moving left"));
        Assert.Equal(2, tok.TruncatedTokens("a red squares moving left"));   // squares is two pieces
    }

    [Fact]
    public void DecodeRoundTripsAndJoinsContinuations()
    {
        var tok = Make();
        foreach (var text in new[] { "a red circle moving left", "the green squares moving down", "unknowable xyz" })
            Assert.Equal(text, tok.Decode(tok.Encode(text).Ids));
    }

    [Fact]
    public void CasedVocabularyKeepsCaseWhenTokenizerConfigSaysSo()
    {
        var dir = TinyPretrained.TempDir("wp-cased");
        File.WriteAllLines(Path.Combine(dir, "vocab.txt"), Vocab);
        File.WriteAllText(Path.Combine(dir, "tokenizer_config.json"), "{\"do_lower_case\": false}");
        var tok = WordPieceTokenizer.FromFolder(dir, 8);
        Assert.False(tok.LowerCase);
        Assert.Equal(new[] { "Red" }, tok.UnknownWords("a Red circle"));
    }

    /// <summary>
    /// Microsoft.ML.Tokenizers' BertTokenizer is an independent implementation of the same algorithm. Accented
    /// text is left out: it strips accents with string.Normalize, which does nothing under this build's
    /// InvariantGlobalization, so it keeps "café" whole where the reference (and we) give "cafe"; so is text
    /// with tabs or newlines, which it drops as control characters where the reference treats them as spaces.
    /// </summary>
    [Fact]
    public void AgreesWithMicrosoftMlBertTokenizer()
    {
        var dir = TinyPretrained.TempDir("wp-ml");
        var vocabPath = Path.Combine(dir, "vocab.txt");
        File.WriteAllLines(vocabPath, Vocab);
        var reference = BertTokenizer.Create(vocabPath, new BertOptions { LowerCaseBeforeTokenization = true, ApplyBasicTokenization = true, RemoveNonSpacingMarks = true, IndividuallyTokenizeCjk = true });
        var ours = WordPieceTokenizer.FromFolder(dir, 32);
        var sentences = new[]
        {
            "a red circle moving left", "The  GREEN triangles,moving   up!", "unknowable xyz squares.", "caf au lait",
            "qqq xq circle", "left-right", "moving!!", "",
        };
        foreach (var s in sentences)
        {
            var expected = reference.EncodeToIds(s, addSpecialTokens: true, considerPreTokenization: true, considerNormalization: true).Select(i => (long)i);
            var (ids, mask) = ours.Encode(s);
            Assert.Equal(expected, ids.Where((_, i) => mask[i]));
        }
    }

    [Fact]
    public void MissingVocabularyNamesTheFileAndWhatTheFolderNeeds()
    {
        var dir = TinyPretrained.TempDir("wp-missing");
        var e = Assert.Throws<FileNotFoundException>(() => WordPieceTokenizer.FromFolder(dir, 8));
        Assert.Contains(Path.Combine(dir, "vocab.txt"), e.Message);
        Assert.Contains("bert-base-uncased", e.Message);
    }

    [Fact]
    public void VocabularyWithoutSpecialTokensIsRejected()
    {
        var e = Assert.Throws<InvalidDataException>(() => new WordPieceTokenizer(new[] { "a", "b" }, 8, source: "/x/vocab.txt"));
        Assert.Contains("/x/vocab.txt has no [CLS]", e.Message);
    }
}
