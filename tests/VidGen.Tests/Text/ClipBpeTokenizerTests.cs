using VidGen.Tests.Models.TextEncoders;
using VidGen.Text;

namespace VidGen.Tests.Text;

public class ClipBpeTokenizerTests
{
    static readonly (Dictionary<string, int> Vocab, List<(string, string)> Merges) Files = TinyPretrained.ClipVocab();
    static int Id(string token) => Files.Vocab[token];
    static ClipBpeTokenizer Make(int maxLength = 12) => new(Files.Vocab, Files.Merges, maxLength);

    [Fact]
    public void EncodesWordsThroughTheMergesWithStartEndAndPadding()
    {
        var (ids, mask) = Make(9).Encode("A red  CIRCLE moving left");
        var expected = new[] { "<|startoftext|>", "a</w>", "red</w>", "circle</w>", "moving</w>", "left</w>", "<|endoftext|>", "<|endoftext|>", "<|endoftext|>" };
        Assert.Equal(expected.Select(t => (long)Id(t)), ids);
        Assert.Equal(new[] { true, true, true, true, true, true, true, false, false }, mask);
    }

    [Theory]
    [InlineData("reds", new[] { "re", "d", "s</w>" })]      // "re"+"d</w>" needs d to end the word: it does not here
    [InlineData("red,", new[] { "red</w>", ",</w>" })]     // punctuation is its own piece
    [InlineData("it's", new[] { "i", "t</w>", "'s</w>" })] // contraction split by CLIP's pattern, then bytes
    [InlineData("42", new[] { "4</w>", "2</w>" })]         // digits one at a time
    [InlineData("lefts", new[] { "lef", "t", "s</w>" })]
    public void BytePairMergesFollowRankOrder(string text, string[] pieces)
    {
        var vocab = new Dictionary<string, int>(Files.Vocab) { ["'s</w>"] = 200 };
        var merges = new List<(string, string)>(Files.Merges) { ("'", "s</w>") };
        var tok = new ClipBpeTokenizer(vocab, merges, 12);
        var ids = tok.Encode(text).Ids;
        Assert.Equal(pieces.Select(p => (long)vocab[p]), ids.Skip(1).Take(pieces.Length));
        Assert.Equal(tok.EndId, ids[pieces.Length + 1]);
    }

    [Fact]
    public void DecodeRoundTripsNormalisedText()
    {
        var tok = Make();
        foreach (var text in new[] { "a red circle moving left", "reds lefts", "Moving   LEFT" })
            Assert.Equal(ClipBpeTokenizer.Normalize(text), tok.Decode(tok.Encode(text).Ids));
    }

    [Fact]
    public void BytesMissingFromTheVocabularyAreReportedAsUnknownWords()
    {
        var tok = Make();
        Assert.Equal(new[] { "héllo" }, tok.UnknownWords("a red héllo circle"));
        Assert.Empty(tok.UnknownWords("a red circle moving left"));
    }

    [Fact]
    public void TruncationKeepsTheEndTokenAndCountsTheCut()
    {
        var tok = Make(4);
        var (ids, mask) = tok.Encode("a red circle moving left");
        Assert.Equal(new long[] { Id("<|startoftext|>"), Id("a</w>"), Id("red</w>"), Id("<|endoftext|>") }, ids);
        Assert.All(mask, Assert.True);
        Assert.Equal(3, tok.TruncatedTokens("a red circle moving left"));
    }

    [Fact]
    public void FolderLoadSkipsTheVersionHeaderAndReadsThePadToken()
    {
        var dir = TinyPretrained.TempDir("bpe");
        TinyPretrained.WriteClipFolder(dir);
        File.WriteAllText(Path.Combine(dir, "tokenizer_config.json"), "{\"pad_token\": {\"content\": \"a</w>\"}}");
        var tok = ClipBpeTokenizer.FromFolder(dir, 6);
        Assert.Equal(Id("a</w>"), tok.PadId);
        Assert.Equal(new long[] { Id("<|startoftext|>"), Id("red</w>"), Id("<|endoftext|>"), Id("a</w>"), Id("a</w>"), Id("a</w>") }, tok.Encode("red").Ids);
    }

    [Fact]
    public void MissingMergesNamesTheFile()
    {
        var dir = TinyPretrained.TempDir("bpe-missing");
        TinyPretrained.WriteClipFolder(dir);
        File.Delete(Path.Combine(dir, "merges.txt"));
        var e = Assert.Throws<FileNotFoundException>(() => ClipBpeTokenizer.FromFolder(dir, 8));
        Assert.Contains(Path.Combine(dir, "merges.txt"), e.Message);
    }

    [Fact]
    public void MalformedMergeLineNamesFileAndLine()
    {
        var dir = TinyPretrained.TempDir("bpe-bad");
        TinyPretrained.WriteClipFolder(dir);
        File.AppendAllText(Path.Combine(dir, "merges.txt"), "abc\n");
        var e = Assert.Throws<InvalidDataException>(() => ClipBpeTokenizer.FromFolder(dir, 8));
        Assert.Contains("merges.txt, line", e.Message);
    }
}
