using TorchSharp;
using VidGen.Models.TextEncoders;
using VidGen.Text;
using static TorchSharp.torch;

namespace VidGen.Tests.Models.TextEncoders;

public class ClipTextModelTests
{
    static readonly string[] Prompts = { "a red circle moving left", "reds, lefts!" };

    [Theory]
    [InlineData(false)]   // CLIPTextModel.save_pretrained
    [InlineData(true)]    // a full CLIPModel (openai/clip-vit-*): vision tower, projections and logit_scale beside it
    public void LoadsHuggingFaceKeysWithNoneMissingOrUnexpected(bool fullClipModel)
    {
        var dir = TinyPretrained.WriteClipFolder(TinyPretrained.TempDir("clip"), fullClipModel);
        using var enc = PretrainedTextEncoder.Load(TextEncoderKind.Clip, dir, 10);
        var expected = TinyPretrained.RandomWeights(TinyPretrained.ClipKeys(TinyPretrained.Clip), 2);
        var state = enc.Model.state_dict();
        Assert.Equal(expected.Keys.Order(), state.Keys.Order());
        foreach (var (k, t) in expected) Assert.True(TensorAssert.Same(t, state[k]), k);
        Assert.Equal(fullClipModel ? new[] { "logit_scale", "text_model.embeddings.position_ids", "text_projection.weight", "vision_model.embeddings.class_embedding", "visual_projection.weight" } : Array.Empty<string>(),
            enc.IgnoredKeys.Order());
        Assert.Equal(16, enc.Width);
    }

    [Fact]
    public void OutputsMatchTheReferenceEquationsAndPoolAtTheEndToken()
    {
        var dir = TinyPretrained.WriteClipFolder(TinyPretrained.TempDir("clip-ref"));
        using var enc = PretrainedTextEncoder.Load(TextEncoderKind.Clip, dir, 10);
        var cond = enc.Encode(Prompts, CPU);
        var (ids, mask) = TextBatch.Tokenize(enc.Tokenizer, Prompts, CPU);
        // "a red circle moving left" = start + 5 + end: end token at 6; "reds, lefts!" = start + re d s</w> ,</w> lef t s</w> !</w> + end: at 9
        var eos = new long[] { 6, 9 };
        Assert.Equal(299, ids[0, 6].item<long>());
        Assert.Equal(299, ids[1, 9].item<long>());
        var w = TinyPretrained.RandomWeights(TinyPretrained.ClipKeys(TinyPretrained.Clip), 2);
        var (hidden, pooled) = ReferenceTextModels.Clip(w, TinyPretrained.Clip, ids, mask, eos);
        var real = mask.unsqueeze(-1);
        Assert.True((cond.Tokens - hidden).abs().mul(real).max().item<float>() < 1e-5f);
        Assert.True((cond.Pooled - pooled).abs().max().item<float>() < 1e-5f);
        Assert.True(cond.Pooled.abs().max().item<float>() > 0.1f);
    }

    [Fact]
    public void CausalMaskKeepsEarlierTokensBlindToLaterOnes()
    {
        var dir = TinyPretrained.WriteClipFolder(TinyPretrained.TempDir("clip-causal"));
        using var enc = PretrainedTextEncoder.Load(TextEncoderKind.Clip, dir, 10);
        var a = enc.Encode(new[] { "a red circle moving left" }, CPU);
        var b = enc.Encode(new[] { "a red circle moving right" }, CPU);
        // positions 0..4 (start, a, red, circle, moving) see the same prefix; position 5 differs
        Assert.True((a.Tokens.narrow(1, 0, 5) - b.Tokens.narrow(1, 0, 5)).abs().max().item<float>() < 1e-6f);
        Assert.True((a.Tokens.select(1, 5) - b.Tokens.select(1, 5)).abs().max().item<float>() > 1e-3f);
    }

    [Fact]
    public void EndTokenRuleFollowsTheConfig()
    {
        // ids (1, 5): start, 10, 20, end, 50. eos_token_id 20 -> position 2; legacy eos_token_id 2 -> largest id (299) at 3.
        using var ids = tensor(new long[] { 298, 10, 20, 299, 50 }, new long[] { 1, 5 });
        using var mask = ones(1, 5, dtype: ScalarType.Bool);
        foreach (var (eosId, position) in new[] { (20, 2), (2, 3), (299, 3) })
        {
            using var m = new ClipTextModel(TinyPretrained.Clip with { EosTokenId = eosId });
            var (h, pooled) = m.Forward(ids, mask);
            Assert.True(TensorAssert.Same(pooled, h.select(1, position)), $"eos_token_id {eosId}");
        }
    }

    [Fact]
    public void FullClipConfigIsReadFromTextConfig()
    {
        var dir = TinyPretrained.WriteClipFolder(TinyPretrained.TempDir("clip-cfg"), fullClipModel: true);
        var c = ClipTextConfig.FromFile(Path.Combine(dir, "config.json"));
        Assert.Equal(TinyPretrained.Clip, c);
        Assert.Equal(TextEncoderKind.Clip, PretrainedTextEncoder.Detect(dir));
    }
}
