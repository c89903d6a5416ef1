using VidGen.Text;

namespace VidGen.Tests.Text;

public class WordTokenizerTests
{
    static readonly string[] Captions = { "a small red circle moving left", "a large blue square moving up" };

    [Fact]
    public void IdsFollowFirstSeenOrderAfterPadAndUnk()
    {
        var tok = WordTokenizer.FromCaptions(Captions, maxLength: 8);
        Assert.Equal(new[] { "[PAD]", "[UNK]", "a", "small", "red", "circle", "moving", "left", "large", "blue", "square", "up" }, tok.Vocabulary);
        var (ids, mask) = tok.Encode("A Large RED square, moving left!");
        Assert.Equal(new long[] { 2, 8, 4, 10, 6, 7, 0, 0 }, ids);
        Assert.Equal(new[] { true, true, true, true, true, true, false, false }, mask);
    }

    [Fact]
    public void DecodeRoundTripsKnownText()
    {
        var tok = WordTokenizer.FromCaptions(Captions);
        foreach (var text in new[] { "a small red circle moving left", "blue square moving up", "left left left" })
            Assert.Equal(text, tok.Decode(tok.Encode(text).Ids));
    }

    [Fact]
    public void UnknownWordsAreListedOnceInOrderAndEncodedAsUnk()
    {
        var tok = WordTokenizer.FromCaptions(Captions);
        Assert.Equal(new[] { "purple", "sideways" }, tok.UnknownWords("a purple circle moving sideways, purple!"));
        Assert.Empty(tok.UnknownWords("a small red circle"));
        var (ids, _) = tok.Encode("a purple circle");
        Assert.Equal(WordTokenizer.UnkId, ids[1]);
        Assert.Equal("a [UNK] circle", tok.Decode(ids));
    }

    [Fact]
    public void LongPromptsAreTruncatedAndTheCutIsCounted()
    {
        var tok = WordTokenizer.FromCaptions(Captions, maxLength: 4);
        var (ids, mask) = tok.Encode("a small red circle moving left");
        Assert.Equal(new long[] { 2, 3, 4, 5 }, ids);
        Assert.All(mask, Assert.True);
        Assert.Equal(2, tok.TruncatedWords("a small red circle moving left"));
        Assert.Equal(2, ((IPromptTokenizer)tok).TruncatedTokens("a small red circle moving left"));
        Assert.Equal(0, tok.TruncatedWords("a small red"));
    }

    [Fact]
    public void EmptyPromptKeepsOneAttendableKey()
    {
        var tok = WordTokenizer.FromCaptions(Captions, maxLength: 4);
        var (ids, mask) = tok.Encode("  ,. ");
        Assert.Equal(new long[] { 0, 0, 0, 0 }, ids);
        Assert.Equal(new[] { true, false, false, false }, mask);
    }

    [Fact]
    public void JsonRoundTripKeepsVocabularyLengthAndEncodings()
    {
        var tok = WordTokenizer.FromCaptions(Captions, maxLength: 6);
        var back = WordTokenizer.FromJson(tok.ToJson());
        Assert.Equal(tok.Vocabulary, back.Vocabulary);
        Assert.Equal(6, back.MaxLength);
        Assert.Equal(tok.Encode("a blue circle moving up").Ids, back.Encode("a blue circle moving up").Ids);
    }

    [Theory]
    [InlineData("{not json", "not a VidGen word tokenizer")]
    [InlineData("null", "is empty")]
    [InlineData("{\"Vocabulary\":[\"a\",\"b\"],\"MaxLength\":4}", "[PAD] and [UNK] first")]
    [InlineData("{\"Vocabulary\":[\"[PAD]\",\"[UNK]\"],\"MaxLength\":0}", "MaxLength must be 1 to 4096 (got 0)")]
    public void BadJsonGivesOneLineErrorNamingTheFile(string json, string expected)
    {
        var e = Assert.Throws<InvalidDataException>(() => WordTokenizer.FromJson(json, "/m/tokenizer.json"));
        Assert.Contains("/m/tokenizer.json", e.Message);
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}
