using System.Text.Json;
using TorchSharp;
using VidGen.Models.TextEncoders;
using VidGen.Training;
using static TorchSharp.torch;
using VidGen.Models;

namespace VidGen.Tests.Models.TextEncoders;

/// <summary>
/// Writes tiny HuggingFace-layout model folders (config.json, model.safetensors, vocabulary) for tests.
/// The key names and shapes are spelled out here from the HuggingFace architectures, not taken from our
/// modules, so loading them proves our field names match the real checkpoints.
/// </summary>
public static class TinyPretrained
{
    public static readonly BertConfig Bert = new()
    {
        VocabSize = 40, HiddenSize = 16, NumHiddenLayers = 2, NumAttentionHeads = 2, IntermediateSize = 24,
        MaxPositionEmbeddings = 20, TypeVocabSize = 2, LayerNormEps = 1e-12, HiddenAct = "gelu",
    };

    public static readonly ClipTextConfig Clip = new()
    {
        VocabSize = 300, HiddenSize = 16, NumHiddenLayers = 2, NumAttentionHeads = 2, IntermediateSize = 24,
        MaxPositionEmbeddings = 12, LayerNormEps = 1e-5, HiddenAct = "quick_gelu", EosTokenId = 299,
    };

    /// <summary>36 tokens: specials, whole words, "##" continuations and punctuation for the WordPiece cases.</summary>
    public static readonly string[] BertVocab =
    {
        "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a", "red", "circle", "moving", "left", "right", "small", "large",
        "blue", "square", "up", "down", "mov", "##ing", "##s", "cir", "##cle", "caf", "##e", ",", ".", "!", "the",
        "green", "triangle", "un", "##know", "##able", "x", "##y", "##z",
    };

    /// <summary>HuggingFace BertModel keys (without the "bert." prefix) and shapes for <see cref="Bert"/>.</summary>
    public static IEnumerable<(string Key, long[] Shape)> BertKeys(BertConfig c)
    {
        long h = c.HiddenSize, i = c.IntermediateSize;
        yield return ("embeddings.word_embeddings.weight", new[] { (long)c.VocabSize, h });
        yield return ("embeddings.position_embeddings.weight", new[] { (long)c.MaxPositionEmbeddings, h });
        yield return ("embeddings.token_type_embeddings.weight", new[] { (long)c.TypeVocabSize, h });
        yield return ("embeddings.LayerNorm.weight", new[] { h });
        yield return ("embeddings.LayerNorm.bias", new[] { h });
        for (int l = 0; l < c.NumHiddenLayers; l++)
        {
            var p = $"encoder.layer.{l}.";
            foreach (var n in new[] { "attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense" })
            {
                yield return (p + n + ".weight", new[] { h, h });
                yield return (p + n + ".bias", new[] { h });
            }
            yield return (p + "attention.output.LayerNorm.weight", new[] { h });
            yield return (p + "attention.output.LayerNorm.bias", new[] { h });
            yield return (p + "intermediate.dense.weight", new[] { i, h });
            yield return (p + "intermediate.dense.bias", new[] { i });
            yield return (p + "output.dense.weight", new[] { h, i });
            yield return (p + "output.dense.bias", new[] { h });
            yield return (p + "output.LayerNorm.weight", new[] { h });
            yield return (p + "output.LayerNorm.bias", new[] { h });
        }
        yield return ("pooler.dense.weight", new[] { h, h });
        yield return ("pooler.dense.bias", new[] { h });
    }

    /// <summary>HuggingFace CLIPTextModel keys and shapes for <see cref="Clip"/>.</summary>
    public static IEnumerable<(string Key, long[] Shape)> ClipKeys(ClipTextConfig c)
    {
        long h = c.HiddenSize, i = c.IntermediateSize;
        yield return ("text_model.embeddings.token_embedding.weight", new[] { (long)c.VocabSize, h });
        yield return ("text_model.embeddings.position_embedding.weight", new[] { (long)c.MaxPositionEmbeddings, h });
        for (int l = 0; l < c.NumHiddenLayers; l++)
        {
            var p = $"text_model.encoder.layers.{l}.";
            foreach (var n in new[] { "self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.out_proj" })
            {
                yield return (p + n + ".weight", new[] { h, h });
                yield return (p + n + ".bias", new[] { h });
            }
            yield return (p + "layer_norm1.weight", new[] { h });
            yield return (p + "layer_norm1.bias", new[] { h });
            yield return (p + "mlp.fc1.weight", new[] { i, h });
            yield return (p + "mlp.fc1.bias", new[] { i });
            yield return (p + "mlp.fc2.weight", new[] { h, i });
            yield return (p + "mlp.fc2.bias", new[] { h });
            yield return (p + "layer_norm2.weight", new[] { h });
            yield return (p + "layer_norm2.bias", new[] { h });
        }
        yield return ("text_model.final_layer_norm.weight", new[] { h });
        yield return ("text_model.final_layer_norm.bias", new[] { h });
    }

    /// <summary>
    /// Seeded weights for the given keys: LayerNorm weights near 1, everything else N(0, 0.3^2) so that
    /// attention is far from uniform and a miswired weight changes the output visibly.
    /// </summary>
    public static Dictionary<string, Tensor> RandomWeights(IEnumerable<(string Key, long[] Shape)> keys, ulong seed)
    {
        var gen = new Generator(seed);
        var result = new Dictionary<string, Tensor>();
        foreach (var (key, shape) in keys)
        {
            var t = randn(shape, generator: gen) * 0.3f;
            bool normWeight = (key.Contains("LayerNorm") || key.Contains("layer_norm")) && key.EndsWith(".weight");
            result[key] = normWeight ? t + 1f : t;
        }
        return result;
    }

    /// <summary>A temporary BERT folder; <paramref name="prefix"/> "bert." and <paramref name="withHeads"/> mimic bert-base-uncased's BertForPreTraining checkpoint.</summary>
    public static string WriteBertFolder(string dir, string prefix = "", bool withHeads = false, bool gammaBeta = false, ulong seed = 1)
    {
        Directory.CreateDirectory(dir);
        var weights = RandomWeights(BertKeys(Bert), seed);
        var entries = weights.Select(kv =>
        {
            var key = kv.Key;
            if (gammaBeta && key.Contains("LayerNorm")) key = key.Replace("LayerNorm.weight", "LayerNorm.gamma").Replace("LayerNorm.bias", "LayerNorm.beta");
            return (prefix + key, kv.Value);
        }).ToList();
        if (withHeads)
        {
            entries.Add(("cls.predictions.bias", zeros(Bert.VocabSize)));
            entries.Add(("cls.predictions.transform.dense.weight", zeros(Bert.HiddenSize, Bert.HiddenSize)));
            entries.Add(("cls.seq_relationship.weight", zeros(2, Bert.HiddenSize)));
            entries.Add((prefix + "embeddings.position_ids", arange(Bert.MaxPositionEmbeddings).unsqueeze(0)));
        }
        Safetensors.Save(Path.Combine(dir, "model.safetensors"), entries);
        File.WriteAllText(Path.Combine(dir, "config.json"), Bert.ToJson());
        File.WriteAllLines(Path.Combine(dir, "vocab.txt"), BertVocab);
        foreach (var t in entries) t.Item2.Dispose();
        return dir;
    }

    /// <summary>
    /// Vocabulary of the tiny CLIP: the 256 byte symbols, the same with "&lt;/w&gt;" (ids 0-511 in the real
    /// model; here a few of them), merged symbols, and the start/end tokens last.
    /// </summary>
    public static (Dictionary<string, int> Vocab, List<(string, string)> Merges) ClipVocab()
    {
        var symbols = new List<string>();
        foreach (var ch in "abcdefghijklmnopqrstuvwxyz0123456789,.!'") { symbols.Add(ch.ToString()); symbols.Add(ch + "</w>"); }
        var merges = new List<(string, string)>
        {
            ("r", "e"), ("re", "d</w>"), ("c", "i"), ("ci", "r"), ("l", "e</w>"), ("cir", "c"), ("circ", "le</w>"),
            ("m", "o"), ("mo", "v"), ("i", "n"), ("in", "g</w>"), ("mov", "ing</w>"), ("l", "e"), ("le", "f"), ("lef", "t</w>"),
        };
        foreach (var (x, y) in merges) symbols.Add(x + y);
        var vocab = new Dictionary<string, int>();
        foreach (var s in symbols) vocab.TryAdd(s, vocab.Count);
        vocab["<|startoftext|>"] = 298;
        vocab["<|endoftext|>"] = 299;
        return (vocab, merges);
    }

    public static string WriteClipFolder(string dir, bool fullClipModel = false, ulong seed = 2)
    {
        Directory.CreateDirectory(dir);
        var weights = RandomWeights(ClipKeys(Clip), seed);
        var entries = weights.Select(kv => (kv.Key, kv.Value)).ToList();
        if (fullClipModel)
        {
            entries.Add(("vision_model.embeddings.class_embedding", zeros(8)));
            entries.Add(("text_projection.weight", zeros(8, Clip.HiddenSize)));
            entries.Add(("visual_projection.weight", zeros(8, 8)));
            entries.Add(("logit_scale", tensor(2.6592f)));
            entries.Add(("text_model.embeddings.position_ids", arange(Clip.MaxPositionEmbeddings).unsqueeze(0)));
        }
        Safetensors.Save(Path.Combine(dir, "model.safetensors"), entries);
        var config = Clip.ToJson();
        if (fullClipModel) config = "{\"model_type\": \"clip\", \"text_config\": " + config + ", \"vision_config\": {\"hidden_size\": 8}}";
        File.WriteAllText(Path.Combine(dir, "config.json"), config);
        var (vocab, merges) = ClipVocab();
        File.WriteAllText(Path.Combine(dir, "vocab.json"), JsonSerializer.Serialize(vocab));
        File.WriteAllLines(Path.Combine(dir, "merges.txt"), new[] { "#version: 0.2" }.Concat(merges.Select(m => m.Item1 + " " + m.Item2)));
        foreach (var t in entries) t.Item2.Dispose();
        return dir;
    }

    // One folder per test process, removed when the process exits.
    private static readonly string Root = CreateRoot();

    static string CreateRoot()
    {
        var root = Path.Combine(Path.GetTempPath(), "vidgen-tests", $"text-{Environment.ProcessId}");
        Directory.CreateDirectory(root);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { try { Directory.Delete(root, recursive: true); } catch (IOException) { } };
        return root;
    }

    public static string TempDir(string name)
    {
        var dir = Path.Combine(Root, name + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        return dir;
    }
}
