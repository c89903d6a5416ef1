using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Xunit.Abstractions;
using VidGen.Models.TextEncoders;
using VidGen.Text;
using static TorchSharp.torch;
using BertOptions = Microsoft.ML.Tokenizers.BertOptions;
using BertTokenizer = Microsoft.ML.Tokenizers.BertTokenizer;

namespace VidGen.Tests.Models.TextEncoders;

/// <summary>The packaged all-MiniLM-L6-v2, loaded once for the class (about half a second).</summary>
public sealed class MiniLmFixture : IDisposable
{
    public PretrainedTextEncoder Encoder { get; } = MiniLm.Load();
    public void Dispose() => Encoder.Dispose();
}

/// <summary>
/// Our conversion of the packaged ONNX weights into BertTextModel against ONNX Runtime running the packaged graph
/// itself, and what a pretrained encoder is for: related captions land close together.
/// </summary>
public sealed class MiniLmTests(MiniLmFixture fixture, ITestOutputHelper log) : IClassFixture<MiniLmFixture>
{
    readonly PretrainedTextEncoder encoder = fixture.Encoder;

    /// <summary>Punctuation, accents, capitals, made-up words, symbols, an emoji ([UNK]), the empty prompt and one past 32 tokens.</summary>
    static readonly string[] GoldenPrompts =
    {
        "A red circle, moving left!", "Crème brûlée à la café: naïve façade?", "a zyxqvw blorptastic frobnicator", "",
        "the cat's (tiny) hat & 3.5% of \"quotes\" -- ok", "a small 🟥 square moving up",
        "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty, " +
        "twenty-one twenty-two twenty-three twenty-four", // 38 pieces: cut to 32 tokens
    };

    [Fact]
    public void PackageHoldsTheVocabularyAndTheModel()
    {
        using var package = MiniLmPackage.Open(MiniLmPackage.Locate());
        var vocab = package.Vocabulary();
        Assert.Equal(30522, vocab.Count);
        Assert.Equal(("[PAD]", "[UNK]", "[CLS]", "[SEP]"), (vocab[0], vocab[100], vocab[101], vocab[102]));
        Assert.Equal(90_893_304, package.ModelBytes.Length);
        Assert.Equal(TextEncoderKind.MiniLm, encoder.Kind);
        Assert.Equal((384, 32), (encoder.Width, encoder.Tokenizer.MaxLength));
        Assert.Equal(22_713_216, encoder.Model.parameters().Sum(p => p.numel())); // BertModel with pooler, all-MiniLM-L6-v2
    }

    /// <summary>
    /// The golden test of the conversion: ONNX Runtime runs the packaged graph on the same ids at the full 32
    /// positions; our TorchSharp BERT (which computes only up to the longest prompt) must agree to 1e-4 at every
    /// real token, and its pooler to 1e-4 too; our mean pooling must equal the masked mean of ORT's states.
    /// </summary>
    [Fact]
    public void TokenStatesMatchOnnxRuntime()
    {
        int b = GoldenPrompts.Length, l = encoder.Tokenizer.MaxLength, d = encoder.Width;
        var ids = new long[b * l];
        var mask = new long[b * l];
        for (int i = 0; i < b; i++)
        {
            var (id, m) = encoder.Tokenizer.Encode(GoldenPrompts[i]);
            id.CopyTo(ids, i * l);
            for (int t = 0; t < l; t++) mask[i * l + t] = m[t] ? 1 : 0;
        }
        float[] ortHidden, ortPooler;
        using (var package = MiniLmPackage.Open(MiniLmPackage.Locate()))
        using (var session = new InferenceSession(package.ModelBytes.ToArray()))
        {
            int[] dims = { b, l };
            var inputs = new List<NamedOnnxValue>
            {
                NamedOnnxValue.CreateFromTensor("input_ids", new DenseTensor<long>(ids, dims)),
                NamedOnnxValue.CreateFromTensor("attention_mask", new DenseTensor<long>(mask, dims)),
                NamedOnnxValue.CreateFromTensor("token_type_ids", new DenseTensor<long>(new long[b * l], dims)),
            };
            using var results = session.Run(inputs);
            ortHidden = results.Single(r => r.Name == "last_hidden_state").AsTensor<float>().ToArray();  // (B, L, D)
            ortPooler = results.Single(r => r.Name != "last_hidden_state").AsTensor<float>().ToArray();  // (B, D): tanh(dense(h[:, 0]))
        }

        var text = encoder.Encode(GoldenPrompts, CPU);
        var ours = text.Tokens.data<float>().ToArray();
        double worst = 0, worstMean = 0;
        int compared = 0;
        var pooled = text.Pooled.data<float>().ToArray();
        for (int i = 0; i < b; i++)
        {
            var mean = new double[d];
            int n = 0;
            for (int t = 0; t < l; t++)
            {
                int at = (i * l + t) * d;
                if (mask[i * l + t] == 0)
                {
                    Assert.All(ours.Skip(at).Take(d), v => Assert.Equal(0f, v)); // padding rows are zero
                    continue;
                }
                n++;
                for (int k = 0; k < d; k++)
                {
                    worst = Math.Max(worst, Math.Abs(ours[at + k] - ortHidden[at + k]));
                    mean[k] += ortHidden[at + k];
                    compared++;
                }
            }
            for (int k = 0; k < d; k++) worstMean = Math.Max(worstMean, Math.Abs(pooled[i * d + k] - mean[k] / n));
        }
        log.WriteLine($"max |ours - ORT|: last_hidden_state {worst:E2} over {compared} values, mean pooling {worstMean:E2}");
        Assert.True(compared > 40 * d, $"only {compared} values compared");
        Assert.True(worst <= 1e-4, $"largest difference from ONNX Runtime's last_hidden_state: {worst:E2}");
        Assert.True(worstMean <= 1e-4, $"mean pooling differs from the masked mean of ONNX Runtime's states by {worstMean:E2}");

        using var idT = tensor(ids, new long[] { b, l });
        using var maskT = tensor(mask.Select(m => m == 1).ToArray(), new long[] { b, l });
        using var noGrad = no_grad();
        var (hidden, pooler) = encoder.Model.Forward(idT, maskT);
        using var _h = hidden;
        using var _p = pooler;
        double worstPooler = pooler.data<float>().ToArray().Zip(ortPooler).Max(p => Math.Abs(p.First - p.Second));
        log.WriteLine($"max |ours - ORT|: pooler_output {worstPooler:E2}");
        Assert.True(worstPooler <= 1e-4, $"pooler output differs from ONNX Runtime's by {worstPooler:E2}");
    }

    /// <summary>Microsoft.ML.Tokenizers' BertTokenizer on the packaged vocabulary (accents left out: see WordPieceTokenizerTests).</summary>
    [Fact]
    public void TokenIdsAgreeWithMicrosoftMlBertTokenizer()
    {
        var vocabPath = Path.Combine(TinyPretrained.TempDir("minilm-vocab"), "vocab.txt");
        using (var package = MiniLmPackage.Open(MiniLmPackage.Locate())) File.WriteAllLines(vocabPath, package.Vocabulary());
        var reference = BertTokenizer.Create(vocabPath, new BertOptions { LowerCaseBeforeTokenization = true, ApplyBasicTokenization = true, RemoveNonSpacingMarks = true, IndividuallyTokenizeCjk = true });
        var ours = (WordPieceTokenizer)encoder.Tokenizer;
        foreach (var s in GoldenPrompts.Where(p => p.All(c => c < 128)).Append("a crimson disc gliding leftwards").Append("Kittens, going LEFT."))
        {
            var expected = reference.EncodeToIds(s, addSpecialTokens: true, considerPreTokenization: true, considerNormalization: true).Select(i => (long)i).ToList();
            var (ids, mask) = ours.Encode(s);
            if (expected.Count > ours.MaxLength) expected = expected.Take(ours.MaxLength - 1).Append(ours.SepId).ToList(); // our cut keeps [SEP]
            Assert.Equal(expected, ids.Where((_, i) => mask[i]));
        }
    }

    static double Cosine(TorchSharp.torch.Tensor pooled, int i, int j)
    {
        var a = pooled[i].data<float>().ToArray();
        var c = pooled[j].data<float>().ToArray();
        double dot = a.Zip(c).Sum(p => (double)p.First * p.Second);
        return dot / Math.Sqrt(a.Sum(x => (double)x * x) * c.Sum(x => (double)x * x));
    }

    /// <summary>
    /// What a pretrained encoder is for: with mean pooling, a caption is closer to its paraphrase in other words
    /// than to an unrelated prompt. A word encoder trained on "a red circle" knows nothing of "crimson" or "disc".
    /// </summary>
    [Fact]
    public void ParaphrasesAreCloserThanUnrelatedPrompts()
    {
        string[] prompts = { "a red circle", "a crimson disc", "a cat moving left", "a kitten going left", "stock prices fell sharply on tuesday", "a large blue square moving up" };
        var pooled = encoder.Encode(prompts, CPU).Pooled;
        double redDisc = Cosine(pooled, 0, 1), catKitten = Cosine(pooled, 2, 3);
        log.WriteLine($"cos(red circle, crimson disc) {redDisc:F3}; cos(cat moving left, kitten going left) {catKitten:F3}; against \"{prompts[4]}\": " +
            $"{Cosine(pooled, 0, 4):F3} {Cosine(pooled, 1, 4):F3} {Cosine(pooled, 2, 4):F3} {Cosine(pooled, 3, 4):F3}; against \"{prompts[5]}\": {Cosine(pooled, 1, 5):F3} {Cosine(pooled, 3, 5):F3}");
        foreach (int unrelated in new[] { 4 })
        {
            Assert.True(redDisc > Cosine(pooled, 0, unrelated) && redDisc > Cosine(pooled, 1, unrelated), $"cos(red circle, crimson disc) {redDisc:F3} vs unrelated {Cosine(pooled, 0, unrelated):F3}/{Cosine(pooled, 1, unrelated):F3}");
            Assert.True(catKitten > Cosine(pooled, 2, unrelated) && catKitten > Cosine(pooled, 3, unrelated), $"cos(cat moving left, kitten going left) {catKitten:F3} vs unrelated {Cosine(pooled, 2, unrelated):F3}/{Cosine(pooled, 3, unrelated):F3}");
        }
        // and closer than a caption of the same world that means something else
        Assert.True(redDisc > Cosine(pooled, 1, 5), $"cos(red circle, crimson disc) {redDisc:F3} vs cos(crimson disc, large blue square moving up) {Cosine(pooled, 1, 5):F3}");
        Assert.True(catKitten > Cosine(pooled, 3, 5), $"cos(cat, kitten) {catKitten:F3} vs cos(kitten going left, large blue square moving up) {Cosine(pooled, 3, 5):F3}");
    }

    /// <summary>WordPiece covers every word, so the unknown-word report stays empty; the length cut is still reported.</summary>
    [Fact]
    public void NoWordIsUnknownButLongPromptsAreCut()
    {
        var tok = encoder.Tokenizer;
        Assert.Empty(tok.UnknownWords("a crimson disc gliding leftwards"));
        Assert.Empty(tok.UnknownWords("a zyxqvw blorptastic frobnicator, Crème brûlée"));
        Assert.Equal(0, tok.TruncatedTokens("a crimson disc gliding leftwards"));
        Assert.True(tok.TruncatedTokens(GoldenPrompts[^1]) > 0);
    }

    [Fact]
    public void EncodingsAreCachedAndIndependentOfTheBatch()
    {
        var alone = encoder.Encode(new[] { "a red circle" }, CPU);
        var fresh = encoder.Compute(new[] { "a much longer prompt about a red circle moving slowly to the left", "a red circle" }, CPU);
        Assert.True(TensorAssert.Same(alone.Tokens[0], fresh.Tokens[1]) || alone.Tokens[0].allclose(fresh.Tokens[1], rtol: 0, atol: 1e-5));
        Assert.True(alone.Pooled[0].allclose(fresh.Pooled[1], rtol: 0, atol: 1e-5));
        var again = encoder.Encode(new[] { "a red circle" }, CPU);
        Assert.True(TensorAssert.Same(alone.Tokens, again.Tokens));
    }
}
