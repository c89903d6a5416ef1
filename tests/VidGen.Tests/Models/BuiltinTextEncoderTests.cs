using TorchSharp;
using VidGen.Models;
using VidGen.Models.TextEncoders;
using VidGen.Text;
using static TorchSharp.torch;

namespace VidGen.Tests.Models;

public class BuiltinTextEncoderTests
{
    static readonly string[] Captions = { "a small red circle moving left", "a large blue square moving up" };

    static BuiltinTextEncoder Make(int tokenizerLength)
    {
        var enc = new BuiltinTextEncoder(new TextEncoderConfig { Dim = 16, Layers = 2, Heads = 2, MaxLength = 16 }, WordTokenizer.FromCaptions(Captions, tokenizerLength));
        enc.eval();
        return enc;
    }

    // Two encoders with the same weights (copied, not re-seeded: the global RNG is shared with tests running in parallel).
    [Fact]
    public void SameWeightsSameOutputs()
    {
        using var a = Make(8);
        using var b = Make(8);
        VidGen.Training.Ema.CopyWeights(b, a);
        var x = a.Encode(Captions, CPU);
        var y = a.Encode(Captions, CPU);
        var z = b.Encode(Captions, CPU);
        Assert.True(TensorAssert.Same(x.Tokens, y.Tokens));
        Assert.True(TensorAssert.Same(x.Tokens, z.Tokens) && TensorAssert.Same(x.Pooled, z.Pooled));
    }

    [Fact]
    public void ExtraPaddingLeavesPooledAndRealTokensUnchanged()
    {
        using var enc = Make(8);
        var tok = enc.WordTokenizer;
        var (ids8, mask8) = TextBatch.Tokenize(tok, Captions, CPU);
        // the same ids with 6 more padding positions (the encoder's positions go up to 16)
        var ids14 = cat(new[] { ids8, zeros(2, 6, dtype: ScalarType.Int64) }, 1);
        var mask14 = cat(new[] { mask8, zeros(2, 6, dtype: ScalarType.Bool) }, 1);
        var s = enc.Forward(ids8, mask8);
        var l = enc.Forward(ids14, mask14);
        Assert.True((s.Pooled - l.Pooled).abs().max().item<float>() < 1e-6f);
        var real = mask8.unsqueeze(-1);
        Assert.True((s.Tokens - l.Tokens.narrow(1, 0, 8)).abs().mul(real).max().item<float>() < 1e-6f);
    }

    [Fact]
    public void PooledIsTheMeanOfRealTokens()
    {
        using var enc = Make(8);
        var c = enc.Encode(new[] { "a red circle" }, CPU);
        var expected = c.Tokens.narrow(1, 0, 3).mean(new long[] { 1 });
        Assert.True((c.Pooled - expected).abs().max().item<float>() < 1e-6f);
        Assert.Equal(new[] { true, true, true, false, false, false, false, false }, c.Mask[0].data<bool>().ToArray());
    }

    [Fact]
    public void DifferentPromptsGiveDifferentPooledEmbeddings()
    {
        using var enc = Make(8);
        var c = enc.Encode(new[] { "a red circle moving left", "a blue square moving up" }, CPU);
        Assert.True((c.Pooled[0] - c.Pooled[1]).abs().max().item<float>() > 1e-2f);
    }

    [Fact]
    public void TokenizerLongerThanThePositionTableIsRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => new BuiltinTextEncoder(new TextEncoderConfig { MaxLength = 8 }, WordTokenizer.FromCaptions(Captions, 16)));
        Assert.Contains("exceeds the text encoder's 8", e.Message);
    }
}
