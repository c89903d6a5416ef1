using TorchSharp;
using VidGen.Models.TextEncoders;
using VidGen.Text;
using VidGen.Training;
using static TorchSharp.torch;
using VidGen.Models;

namespace VidGen.Tests.Models.TextEncoders;

public class BertTextModelTests
{
    static readonly string[] Prompts = { "a red circle moving left", "the small blue squares, moving up!" };

    /// <summary>Built from loaded weights, the model shares them and skips the random init it would overwrite.</summary>
    [Fact]
    public void BuildingFromLoadedWeightsSkipsTheRandomInit()
    {
        manual_seed(7);
        using var random = new BertTextModel(TinyPretrained.Bert);
        var weights = random.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
        manual_seed(11);
        using var loaded = new BertTextModel(TinyPretrained.Bert, initial: weights);
        var next = rand(4);
        manual_seed(11);
        Assert.False(TensorAssert.Same(rand(4), next)); // TorchSharp's Embedding constructor always draws (a 1-row table here)
        manual_seed(11);
        using (var _ = nn.Embedding(1, TinyPretrained.Bert.HiddenSize)) { }
        using (var _ = nn.Embedding(1, TinyPretrained.Bert.HiddenSize)) { }
        using (var _ = nn.Embedding(1, TinyPretrained.Bert.HiddenSize)) { }
        Assert.True(TensorAssert.Same(rand(4), next));                                   // and nothing else was drawn
        foreach (var (key, value) in loaded.state_dict())
            Assert.True(TensorAssert.Same(weights[key], value), key);
        using var partial = new BertTextModel(TinyPretrained.Bert, initial: weights.Where(kv => !kv.Key.StartsWith("pooler.")).ToDictionary());
        Assert.False(TensorAssert.Same(weights["pooler.dense.weight"], partial.state_dict()["pooler.dense.weight"])); // what is missing starts random
        foreach (var t in weights.Values) t.Dispose();
    }

    [Theory]
    [InlineData("", false, false)]        // BertModel.save_pretrained
    [InlineData("bert.", true, false)]    // BertForPreTraining, as bert-base-uncased ships: task heads beside the encoder
    [InlineData("bert.", true, true)]     // TF-era LayerNorm names gamma / beta
    public void LoadsHuggingFaceKeysWithNoneMissingOrUnexpected(string prefix, bool withHeads, bool gammaBeta)
    {
        var dir = TinyPretrained.WriteBertFolder(TinyPretrained.TempDir("bert"), prefix, withHeads, gammaBeta);
        using var enc = PretrainedTextEncoder.Load(TextEncoderKind.Bert, dir, 12);
        var expected = TinyPretrained.RandomWeights(TinyPretrained.BertKeys(TinyPretrained.Bert), 1);
        var state = enc.Model.state_dict();
        Assert.Equal(expected.Keys.Order(), state.Keys.Order());
        foreach (var (k, t) in expected) Assert.True(TensorAssert.Same(t, state[k]), k);
        Assert.Equal(withHeads ? new[] { "bert.embeddings.position_ids", "cls.predictions.bias", "cls.predictions.transform.dense.weight", "cls.seq_relationship.weight" } : Array.Empty<string>(),
            enc.IgnoredKeys.Order());
        Assert.All(enc.Model.parameters(), p => Assert.False(p.requires_grad));
        Assert.Equal(16, enc.Width);
    }

    [Fact]
    public void OutputsMatchTheReferenceEquations()
    {
        var dir = TinyPretrained.WriteBertFolder(TinyPretrained.TempDir("bert-ref"));
        using var enc = PretrainedTextEncoder.Load(TextEncoderKind.Bert, dir, 12);
        var cond = enc.Encode(Prompts, CPU);
        var (ids, mask) = TextBatch.Tokenize(enc.Tokenizer, Prompts, CPU);
        var w = TinyPretrained.RandomWeights(TinyPretrained.BertKeys(TinyPretrained.Bert), 1);
        var (hidden, pooled) = ReferenceTextModels.Bert(w, TinyPretrained.Bert, ids, mask);
        Assert.Equal(new long[] { 2, 12, 16 }, cond.Tokens.shape);
        Assert.Equal(new long[] { 2, 16 }, cond.Pooled.shape);
        Assert.True(TensorAssert.Same(mask, cond.Mask));
        var real = mask.unsqueeze(-1);                                                  // padding rows are never read
        Assert.True((cond.Tokens - hidden).abs().mul(real).max().item<float>() < 1e-5f);
        Assert.True((cond.Pooled - pooled).abs().max().item<float>() < 1e-5f);
        Assert.True(cond.Pooled.abs().max().item<float>() > 0.1f);                      // not trivially zero
    }

    [Fact]
    public void OutputsAreDeterministicAcrossCallsAndLoads()
    {
        var dir = TinyPretrained.WriteBertFolder(TinyPretrained.TempDir("bert-det"));
        using var a = PretrainedTextEncoder.Load(TextEncoderKind.Bert, dir, 12);
        using var b = PretrainedTextEncoder.Load(TextEncoderKind.Bert, dir, 12);
        var x = a.Encode(Prompts, CPU);
        var y = a.Encode(Prompts, CPU);
        var z = b.Encode(Prompts, CPU);
        Assert.True(TensorAssert.Same(x.Tokens, y.Tokens) && TensorAssert.Same(x.Pooled, y.Pooled));
        Assert.True(TensorAssert.Same(x.Tokens, z.Tokens) && TensorAssert.Same(x.Pooled, z.Pooled));
    }

    [Fact]
    public void RepeatedPromptsInABatchAndAcrossCallsGiveTheSameRows()
    {
        var dir = TinyPretrained.WriteBertFolder(TinyPretrained.TempDir("bert-cache"));
        using var enc = PretrainedTextEncoder.Load(TextEncoderKind.Bert, dir, 12);
        var batch = enc.Encode(new[] { Prompts[0], Prompts[1], Prompts[0] }, CPU);     // computed together
        var single = enc.Encode(new[] { Prompts[1] }, CPU);                            // served from the cache
        Assert.True(TensorAssert.Same(batch.Tokens[0], batch.Tokens[2]) && TensorAssert.Same(batch.Pooled[0], batch.Pooled[2]));
        Assert.True(TensorAssert.Same(batch.Tokens[1], single.Tokens[0]) && TensorAssert.Same(batch.Mask[1], single.Mask[0]));
        Assert.False(TensorAssert.Same(batch.Pooled[0], batch.Pooled[1]));
    }

    [Fact]
    public void ExtraPaddingChangesNothingAtRealTokens()
    {
        var dir = TinyPretrained.WriteBertFolder(TinyPretrained.TempDir("bert-pad"));
        // the longer prompt is 11 tokens: [CLS] the small blue square ##s , moving up ! [SEP]
        using var shortEnc = PretrainedTextEncoder.Load(TextEncoderKind.Bert, dir, 11);
        using var longEnc = PretrainedTextEncoder.Load(TextEncoderKind.Bert, dir, 20);
        var s = shortEnc.Encode(Prompts, CPU);
        var l = longEnc.Encode(Prompts, CPU);
        Assert.True(s.Mask[1].all().item<bool>());                                     // nothing truncated
        var real = s.Mask.unsqueeze(-1);
        Assert.True((s.Tokens - l.Tokens.narrow(1, 0, 11)).abs().mul(real).max().item<float>() < 1e-5f);
        Assert.True((s.Pooled - l.Pooled).abs().max().item<float>() < 1e-5f);
    }

    [Fact]
    public void MissingKeyIsListedByName()
    {
        var dir = TinyPretrained.WriteBertFolder(TinyPretrained.TempDir("bert-missing"));
        var path = Path.Combine(dir, "model.safetensors");
        var w = Safetensors.Load(path);
        w.Remove("encoder.layer.1.output.dense.bias");
        Safetensors.Save(path, w.Select(kv => (kv.Key, kv.Value)));
        var e = Assert.Throws<InvalidDataException>(() => PretrainedTextEncoder.Load(TextEncoderKind.Bert, dir, 12));
        Assert.Contains(path, e.Message);
        Assert.Contains("missing keys: encoder.layer.1.output.dense.bias", e.Message);
    }

    [Fact]
    public void ConfigThatDisagreesWithTheWeightsListsTheShapeMismatches()
    {
        var dir = TinyPretrained.WriteBertFolder(TinyPretrained.TempDir("bert-shape"));
        File.WriteAllText(Path.Combine(dir, "config.json"), (TinyPretrained.Bert with { IntermediateSize = 32 }).ToJson());
        var e = Assert.Throws<InvalidDataException>(() => PretrainedTextEncoder.Load(TextEncoderKind.Bert, dir, 12));
        Assert.Contains("shape mismatches: encoder.layer.0.intermediate.dense.weight (model [32,16], file [24,16])", e.Message);
    }

    [Fact]
    public void TruncatedWeightsFileIsNamed()
    {
        var dir = TinyPretrained.WriteBertFolder(TinyPretrained.TempDir("bert-trunc"));
        var path = Path.Combine(dir, "model.safetensors");
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length - 100)]);
        var e = Assert.Throws<InvalidDataException>(() => PretrainedTextEncoder.Load(TextEncoderKind.Bert, dir, 12));
        Assert.Contains(path, e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void CheckpointOfAnotherArchitectureReportsItsKeys()
    {
        var dir = TinyPretrained.WriteBertFolder(TinyPretrained.TempDir("bert-roberta"), prefix: "roberta.");
        var e = Assert.Throws<InvalidDataException>(() => PretrainedTextEncoder.Load(TextEncoderKind.Bert, dir, 12));
        Assert.Contains("missing keys: embeddings.", e.Message);
        Assert.Contains("unexpected keys: roberta.", e.Message);
    }

    [Fact]
    public void MissingWeightsFileSaysWhatToProvide()
    {
        var dir = TinyPretrained.WriteBertFolder(TinyPretrained.TempDir("bert-noweights"));
        File.Move(Path.Combine(dir, "model.safetensors"), Path.Combine(dir, "pytorch_model.bin"));
        var e = Assert.Throws<FileNotFoundException>(() => PretrainedTextEncoder.Load(TextEncoderKind.Bert, dir, 12));
        Assert.Contains("model.safetensors is missing", e.Message);
        Assert.Contains("convert pytorch_model.bin", e.Message);
    }

    [Fact]
    public void UnsupportedActivationAndTooLongPromptsAreRejected()
    {
        var dir = TinyPretrained.WriteBertFolder(TinyPretrained.TempDir("bert-bad"));
        var e = Assert.Throws<ArgumentException>(() => PretrainedTextEncoder.Load(TextEncoderKind.Bert, dir, 21));
        Assert.Contains("exceeds the 20 positions", e.Message);
        File.WriteAllText(Path.Combine(dir, "config.json"), (TinyPretrained.Bert with { HiddenAct = "mish" }).ToJson());
        var e2 = Assert.Throws<NotSupportedException>(() => PretrainedTextEncoder.Load(TextEncoderKind.Bert, dir, 12));
        Assert.Contains("hidden_act \"mish\"", e2.Message);
    }

    [Fact]
    public void CheckpointWithoutPoolerPoolsTheClsState()
    {
        var dir = TinyPretrained.WriteBertFolder(TinyPretrained.TempDir("bert-nopool"));
        var path = Path.Combine(dir, "model.safetensors");
        var w = Safetensors.Load(path);
        w.Remove("pooler.dense.weight"); w.Remove("pooler.dense.bias");
        Safetensors.Save(path, w.Select(kv => (kv.Key, kv.Value)));
        using var enc = PretrainedTextEncoder.Load(TextEncoderKind.Bert, dir, 12);
        var c = enc.Encode(Prompts, CPU);
        Assert.True(TensorAssert.Same(c.Pooled, c.Tokens.select(1, 0)));
    }
}
