using TorchSharp;
using VidGen.Models;
using static TorchSharp.torch;

namespace VidGen.Tests.Models;

public class Unet3DTests
{
    static Tensor Clip(int seed, int frames = 4) => randn(new long[] { 2, 3, frames, 16, 16 }, generator: new Generator((ulong)seed));

    [Fact]
    public void FreshModelHasFiniteWeightsAndUnitGroupNorms()
    {
        using var m = TinyModels.Create();
        foreach (var (name, p) in m.named_parameters())
            Assert.False(p.isnan().any().item<bool>() || p.isinf().any().item<bool>(), name);
        var gn = m.named_parameters().Where(p => p.name.Contains("norm1.weight")).ToList();
        Assert.NotEmpty(gn);
        Assert.All(gn, p => Assert.True(p.parameter.eq(1f).all().item<bool>()));
    }

    [Fact]
    public void OutputHasInputShapeAndDependsOnTextAndTime()
    {
        using var m = TinyModels.Create();
        m.eval();
        using var _ = no_grad();
        var x = Clip(1);
        var a = m.EncodeText(new[] { "a red circle moving left", "a red circle moving left" });
        var b = m.EncodeText(new[] { "a blue square moving right", "a blue square moving right" });
        var t = full(2, 500f);
        var ya = m.Forward(x, t, a);
        Assert.Equal(x.shape, ya.shape);
        Assert.False(ya.allclose(m.Forward(x, t, b)));
        Assert.False(ya.allclose(m.Forward(x, full(2, 100f), a)));
        Assert.True(ya.allclose(m.Forward(x, t, a))); // deterministic in eval mode
    }

    [Fact]
    public void DroppedTextRowsIgnoreThePrompt()
    {
        using var m = TinyModels.Create();
        using var _ = no_grad();
        var x = Clip(2);
        var drop = tensor(new[] { true, false });
        var y1 = m.Forward(x, full(2, 300f), m.EncodeText(new[] { "a red circle moving left", "a red circle moving left" }), drop);
        var y2 = m.Forward(x, full(2, 300f), m.EncodeText(new[] { "a blue square moving right", "a blue square moving right" }), drop);
        Assert.True(y1[0].allclose(y2[0], rtol: 1e-5, atol: 1e-6));   // null text: prompt irrelevant
        Assert.False(y1[1].allclose(y2[1]));                          // kept text: prompt matters
    }

    [Fact]
    public void FocusPresentCutsTemporalAttentionBetweenFrames()
    {
        // GroupNorm statistics span frames (as in lucidrains), so the unit under test is the temporal attention itself.
        manual_seed(7);
        using var attn = new TemporalAttention("t", 8, heads: 2, dimHead: 4, maxFrames: 8);
        using var _ = no_grad();
        foreach (var p in attn.parameters()) p.add_(randn_like(p) * 0.1f); // non-trivial relative position bias
        var x = randn(new long[] { 2, 8, 4, 3, 3 }, generator: new Generator(9));
        // Change only frame 3, by a random vector: a constant shift per pixel would vanish in the LayerNorm.
        var x2 = x.clone(); x2[TensorIndex.Colon, TensorIndex.Colon, 3] += randn(new long[] { 2, 8, 3, 3 }, generator: new Generator(10));
        var focus = tensor(new[] { true, false });
        var y = attn.call(x, focus);
        var y2 = attn.call(x2, focus);
        // Frame(clip, frame): (C, H, W)
        static Tensor Frame(Tensor t, long clip, long frame) => t.select(0, clip).select(1, frame);
        Assert.True(Frame(y, 0, 0).allclose(Frame(y2, 0, 0), rtol: 1e-5, atol: 1e-6));   // focused clip: frame 0 blind to frame 3
        Assert.False(Frame(y, 1, 0).allclose(Frame(y2, 1, 0), rtol: 1e-5, atol: 1e-6));  // video clip: it sees it
    }

    [Fact]
    public void LinearAndFullSpatialAttentionBothRun()
    {
        var baseCfg = ModelConfig.Tiny(16, 4);
        var cfg = baseCfg with { Unet = baseCfg.Unet with { FullAttentionMaxResolution = 8, SpatialAttentionMaxResolution = 16 } };
        using var m = TinyModels.Create(config: cfg);
        Assert.Contains(m.named_parameters(), p => p.name.Contains("linear_attn"));
        Assert.Contains(m.named_parameters(), p => p.name.Contains("full_attn"));
        using var _ = no_grad();
        var y = m.Forward(Clip(4), full(2, 10f), m.EncodeText(new[] { "a", "b" }));
        Assert.False(y.isnan().any().item<bool>());
    }

    [Fact]
    public void ConfigRoundTripsThroughJson()
    {
        var cfg = ModelConfig.Tiny(16, 4);
        var back = ModelConfig.FromJson(cfg.ToJson());
        Assert.Equal(cfg.ToJson(), back.ToJson());
        Assert.Contains("\"prediction\": \"v\"", cfg.ToJson());
        var e = Assert.Throws<InvalidDataException>(() => ModelConfig.FromJson("{ not json"));
        Assert.Contains("config.json", e.Message);
    }
}

public class PatchesTests
{
    [Fact]
    public void FoldMovesEachTwoByTwoBlockIntoChannelsAndUnfoldUndoesIt()
    {
        var x = arange(2 * 3 * 4 * 4, dtype: ScalarType.Float32).view(1, 2, 3, 4, 4);   // (B, C, F, H, W)
        var folded = Patches.Fold(x, 2);
        Assert.Equal(new long[] { 1, 8, 3, 2, 2 }, folded.shape);
        // channel c*4 + dy*2 + dx at (f, i, j) holds x[c, f, 2i+dy, 2j+dx]
        Assert.Equal(x[0, 1, 2, 3, 1].item<float>(), folded[0, 1 * 4 + 1 * 2 + 1, 2, 1, 0].item<float>());
        Assert.True(Patches.Unfold(folded, 2).eq(x).all().item<bool>());
        Assert.Same(x, Patches.Fold(x, 1));
    }
}

public class CoordinatesTests
{
    [Fact]
    public void GridSpansMinusOneToOneAlongEachAxis()
    {
        var g = Coordinates.Grid(zeros(new long[] { 2, 5, 3, 4, 5 }));                  // (1, 3, F, H, W)
        Assert.Equal(new long[] { 1, 3, 3, 4, 5 }, g.shape);
        Assert.Equal(-1f, g[0, 0, 0, 0, 0].item<float>());
        Assert.Equal(1f, g[0, 0, 2, 3, 4].item<float>());                                // x at the last column
        Assert.Equal(1f / 3f, g[0, 1, 1, 2, 0].item<float>(), 5);                        // y row 2 of 4
        Assert.Equal(0f, g[0, 2, 1, 0, 0].item<float>());                                 // middle frame of 3
    }

    [Fact]
    public void GrowingAModelWithCoordinatesKeepsItsFunction()
    {
        // --init-from relies on this: new coordinate convs start at zero, so the old model's outputs are unchanged.
        var tiny = ModelConfig.Tiny(16, 4);
        var baseCfg = tiny with { Unet = tiny.Unet with { FrameConditioning = false } };
        var oldCfg = baseCfg with { Unet = baseCfg.Unet with { CoordinateChannels = false } };
        using var old = TinyModels.Create(seed: 3, config: oldCfg);
        using var grown = TinyModels.Create(seed: 4, config: baseCfg);
        var kept = Checkpoint.CopyInto(grown, old.state_dict(), "old", allowMissing: true);
        Assert.All(kept, k => Assert.Contains("coord", k));
        Assert.NotEmpty(kept);
        using var _ = no_grad();
        var x = randn(new long[] { 1, 3, 4, 16, 16 }, generator: new Generator(5));
        var text = old.EncodeText(new[] { "a red circle moving left" });
        Assert.True(old.Forward(x, full(1, 300f), text).allclose(grown.Forward(x, full(1, 300f), grown.EncodeText(new[] { "a red circle moving left" })), rtol: 1e-5, atol: 1e-6));
    }
}

public class FrameConditioningTests
{
    [Fact]
    public void PositionFeaturesAreTheFramePositionAndItsFourierTerms()
    {
        var p = FrameConditioning.PositionFeaturesOf(5, ScalarType.Float32, CPU);          // (F, 9)
        Assert.Equal(new long[] { 5, FrameConditioning.PositionFeatures }, p.shape);
        Assert.Equal(new[] { -1f, -0.5f, 0f, 0.5f, 1f }, p[TensorIndex.Colon, 0].data<float>().ToArray());
        Assert.Equal(1f, p[4, 1].item<float>(), 5);                                       // sin(pi/2 * 1)
        Assert.Equal(-1f, p[0, 1].item<float>(), 5);                                      // sin(-pi/2)
        Assert.Equal(-1f, p[4, 6].item<float>(), 5);                                      // cos(2 * pi/2)
        Assert.Equal(0f, FrameConditioning.PositionFeaturesOf(1, ScalarType.Float32, CPU)[0, 0].item<float>());
    }

    [Fact]
    public void GrowingAModelWithFrameConditioningKeepsItsFunction()
    {
        // The output layer starts at zero, so --init-from an older model changes nothing until training moves it.
        var grownCfg = ModelConfig.Tiny(16, 4);
        var oldCfg = grownCfg with { Unet = grownCfg.Unet with { FrameConditioning = false } };
        using var old = TinyModels.Create(seed: 3, config: oldCfg);
        using var grown = TinyModels.Create(seed: 4, config: grownCfg);
        var fresh = Checkpoint.CopyInto(grown, old.state_dict(), "old", allowMissing: true);
        Assert.Equal(13, fresh.Count); // position_proj, attn (q, k, v, out), hidden, output, layout
        Assert.All(fresh, k => Assert.Contains("frame_cond", k));
        using var _ = no_grad();
        var x = randn(new long[] { 1, 3, 4, 16, 16 }, generator: new Generator(5));
        const string prompt = "a red circle moving left";
        Assert.True(old.Forward(x, full(1, 300f), old.EncodeText(new[] { prompt }))
            .allclose(grown.Forward(x, full(1, 300f), grown.EncodeText(new[] { prompt })), rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void TheTermDependsOnTextAndFrameAndIsZeroForIndependentFrames()
    {
        torch.manual_seed(7);
        var fc = new FrameConditioning("fc", 6, 8, layoutChannels: 3, heads: 2, dimHead: 4);
        using (no_grad()) foreach (var p in fc.parameters()) p.normal_(0, 0.5);
        var tokens = randn(new long[] { 2, 3, 6 }, generator: new Generator(8));          // two different texts
        var keyBias = MultiHeadAttention.KeyPaddingBias(tensor(new[] { true, true, false, true, true, true }).view(2, 3), ScalarType.Float32);
        using var _ = no_grad();
        var (y, layout) = fc.Forward(tokens, keyBias, 4, null);                             // (B, F, E), (B, F, C, K)
        Assert.Equal(new long[] { 2, 4, 8 }, y.shape);
        Assert.Equal(new long[] { 2, 4, 3, SpatialBasis.Features }, layout.shape);
        Assert.True((layout[0, 0] - layout[0, 3]).abs().max().item<float>() > 1e-3);
        Assert.True((y[0, 0] - y[0, 3]).abs().max().item<float>() > 1e-3);                 // frames differ
        Assert.True((y[0, 1] - y[1, 1]).abs().max().item<float>() > 1e-3);                 // texts differ
        var padded = tokens.clone();
        padded[0, 2] = padded[0, 2] + 100f;                                                // a masked token changes nothing
        Assert.True(fc.Forward(padded, keyBias, 4, null).Film.allclose(y, rtol: 1e-5, atol: 1e-6));
        var (yf, lf) = fc.Forward(tokens, keyBias, 4, tensor(new[] { true, false }));
        Assert.Equal(0f, yf[0].abs().max().item<float>());
        Assert.Equal(0f, lf[0].abs().max().item<float>());
        Assert.True(yf[1].allclose(y[1]));
    }

    [Fact]
    public void LayoutMapSumsCoefficientsTimesTheSpatialBasis()
    {
        var basis = SpatialBasis.Of(3, 5, ScalarType.Float32, CPU);                         // (18, H, W)
        Assert.Equal(new long[] { SpatialBasis.Features, 3, 5 }, basis.shape);
        Assert.Equal(new[] { -1f, -0.5f, 0f, 0.5f, 1f }, basis[0, 1].data<float>().ToArray()); // x along a row
        Assert.Equal(new[] { -1f, 0f, 1f }, basis[1, TensorIndex.Colon, 2].data<float>().ToArray()); // y down a column
        Assert.Equal(1f, basis[2, 0, 4].item<float>(), 5);                                 // sin(pi/2 * x) at x = 1
        Assert.Equal(-1f, basis[10, 0, 0].item<float>(), 5);                               // sin(pi/2 * y) at y = -1
        var coefs = zeros(1, 2, 2, SpatialBasis.Features);                                  // (B, F, C, K)
        coefs[0, 1, 0, 0] = tensor(2f);                                                     // frame 1, channel 0: 2x
        coefs[0, 0, 1, 1] = tensor(-1f);                                                    // frame 0, channel 1: -y
        var map = FrameConditioning.LayoutMap(coefs, 3, 5);                                 // (B, C, F, H, W)
        Assert.Equal(new long[] { 1, 2, 2, 3, 5 }, map.shape);
        Assert.True(map[0, 0, 1].allclose(basis[0] * 2f));
        Assert.True(map[0, 1, 0].allclose(-basis[1]));
        Assert.Equal(0f, map[0, 0, 0].abs().max().item<float>());
    }

    [Fact]
    public void ResnetFilmPerFrameEqualsPerClipWhenAllFramesShareTheEmbedding()
    {
        torch.manual_seed(9);
        var block = new ResnetBlock("b", 8, 8, 16, 4, temporalConv: true);
        var x = randn(new long[] { 2, 8, 3, 4, 4 }, generator: new Generator(10));
        var emb = randn(new long[] { 2, 16 }, generator: new Generator(11));
        using var _ = no_grad();
        var perClip = block.call(x, emb);
        var perFrame = block.call(x, emb.unsqueeze(1).expand(2, 3, 16));
        Assert.True(perClip.allclose(perFrame, rtol: 1e-5, atol: 1e-6));
        var varied = emb.unsqueeze(1).expand(2, 3, 16).clone();
        varied[0, 2] += 1f;
        var y = block.call(x, varied);
        Assert.True(y[0, TensorIndex.Colon, 0].allclose(perClip[0, TensorIndex.Colon, 0]));   // other frames untouched
        Assert.False(y[0, TensorIndex.Colon, 2].allclose(perClip[0, TensorIndex.Colon, 2]));
    }
}
