using TorchSharp;
using VidGen.Text;
using static TorchSharp.torch;

namespace VidGen.Models.TextEncoders;

/// <summary>
/// A frozen HuggingFace BERT or CLIP text model read from a local folder (config.json, model.safetensors and the
/// tokenizer files), or all-MiniLM-L6-v2 from the package the build restores (<see cref="MiniLm"/>). Nothing is
/// downloaded. Its weights are never trained and never written into the diffusion model's checkpoint: the model
/// folder stores only the path (text.pretrained_path in config.json), or for MiniLM only the kind.
/// Not an nn.Module itself, so a <see cref="VideoDiffusionModel"/> holding it does not register its weights.
/// </summary>
public sealed class PretrainedTextEncoder : ITextEncoder, IDisposable
{
    public const string ConfigFile = "config.json", WeightsFile = "model.safetensors";
    /// <summary>Tokens per prompt chosen by <see cref="Configure"/>: room for captions of ~25 words, far below the models' limits.</summary>
    public const int DefaultMaxLength = 32;

    private readonly PretrainedTextModel model;
    private readonly object gate = new();
    private Device current = CPU;

    public TextEncoderKind Kind { get; }
    public IPromptTokenizer Tokenizer { get; }
    public int Width => model.HiddenSize;
    public bool Frozen => true;
    /// <summary>The folder the weights came from (for MiniLM: the package DLL that holds them).</summary>
    public string Folder { get; }
    public PretrainedTextModel Model => model;
    /// <summary>Checkpoint tensors that belong to other heads of the same checkpoint (e.g. BERT's cls.*, CLIP's vision_model.*) and were skipped.</summary>
    public IReadOnlyList<string> IgnoredKeys { get; }

    private PretrainedTextEncoder(TextEncoderKind kind, string folder, PretrainedTextModel model, IPromptTokenizer tokenizer, IReadOnlyList<string> ignored)
    {
        Kind = kind; Folder = folder; this.model = model; Tokenizer = tokenizer; IgnoredKeys = ignored;
    }

    /// <summary>Wraps a loaded model: evaluation mode, no gradients. <paramref name="folder"/> says where it came from.</summary>
    internal static PretrainedTextEncoder FromLoaded(TextEncoderKind kind, string folder, PretrainedTextModel model, IPromptTokenizer tokenizer)
    {
        model.eval();
        foreach (var p in model.parameters()) p.requires_grad = false;
        return new PretrainedTextEncoder(kind, folder, model, tokenizer, Array.Empty<string>());
    }

    /// <summary>Loads the encoder a model config names (kind bert or clip with its pretrained_path, or minilm from the package).</summary>
    /// <param name="config">the model's text section (kind, pretrained_path, max_length)</param>
    /// <param name="source">the config file, for error messages</param>
    public static PretrainedTextEncoder Load(TextEncoderConfig config, string source = "config.json")
    {
        if (config.Kind == TextEncoderKind.Builtin) throw new ArgumentException($"{source}: the text encoder is builtin, not pretrained");
        if (config.Kind == TextEncoderKind.MiniLm)
        {
            // Found by name in the restored package, never by a path: a model trained with it loads on any machine that built VidGen.
            var minilm = MiniLm.Load(config.MaxLength);
            if (minilm.Width != config.Dim)
            {
                minilm.Dispose();
                throw new InvalidDataException($"{source}: text.dim is {config.Dim} but MiniLM's hidden size is {minilm.Width}; the config was edited or comes from another encoder");
            }
            return minilm;
        }
        if (string.IsNullOrEmpty(config.PretrainedPath))
            throw new InvalidDataException($"{source}: text.kind is {config.Kind.ToString().ToLowerInvariant()} but text.pretrained_path is empty; set it to the encoder's local folder");
        if (!Directory.Exists(config.PretrainedPath))
            throw new DirectoryNotFoundException($"{source}: pretrained text encoder folder {config.PretrainedPath} not found; put the {config.Kind.ToString().ToUpperInvariant()} folder back there or edit text.pretrained_path");
        var encoder = Load(config.Kind, config.PretrainedPath, config.MaxLength);
        if (encoder.Width != config.Dim)
        {
            encoder.Dispose();
            throw new InvalidDataException($"{source}: text.dim is {config.Dim} but the encoder in {config.PretrainedPath} has hidden size {encoder.Width}; the folder holds a different model than the one this model was trained with");
        }
        return encoder;
    }

    /// <summary>Loads a BERT (bert-base-uncased layout) or CLIP text model (openai/clip-vit layout) from <paramref name="dir"/>.</summary>
    public static PretrainedTextEncoder Load(TextEncoderKind kind, string dir, int maxLength)
    {
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"pretrained text encoder folder {dir} not found");
        var configPath = Path.Combine(dir, ConfigFile);
        var weightsPath = Path.Combine(dir, WeightsFile);
        if (!File.Exists(weightsPath))
        {
            string hint = File.Exists(Path.Combine(dir, "pytorch_model.bin"))
                ? "only safetensors are read: convert pytorch_model.bin to model.safetensors (e.g. save_pretrained(..., safe_serialization=True))"
                : "the folder needs config.json, model.safetensors and the tokenizer files";
            throw new FileNotFoundException($"{weightsPath} is missing; {hint}", weightsPath);
        }
        // Config and vocabulary first: their errors come before reading a weights file of hundreds of MB.
        IPromptTokenizer tokenizer;
        int vocab, positions;
        if (kind == TextEncoderKind.Bert)
        {
            var c = BertConfig.FromFile(configPath);
            var wp = WordPieceTokenizer.FromFolder(dir, maxLength);
            (tokenizer, vocab, positions) = (wp, c.VocabSize, c.MaxPositionEmbeddings);
            if (wp.VocabularySize > vocab) throw new InvalidDataException($"{Path.Combine(dir, WordPieceTokenizer.VocabFile)} has {wp.VocabularySize} tokens but {configPath} says vocab_size {vocab}; the files come from different models");
        }
        else if (kind == TextEncoderKind.Clip)
        {
            var c = ClipTextConfig.FromFile(configPath);
            var bpe = ClipBpeTokenizer.FromFolder(dir, maxLength);
            (tokenizer, vocab, positions) = (bpe, c.VocabSize, c.MaxPositionEmbeddings);
            if (bpe.VocabularySize > vocab) throw new InvalidDataException($"{Path.Combine(dir, ClipBpeTokenizer.VocabFile)} has ids up to {bpe.VocabularySize - 1} but {configPath} says vocab_size {vocab}; the files come from different models");
        }
        else throw new ArgumentException($"{kind} is not a pretrained text encoder kind");
        if (maxLength > positions)
            throw new ArgumentException($"text max length {maxLength} exceeds the {positions} positions of the model in {dir}; use at most {positions}");

        var loaded = Safetensors.Load(weightsPath);
        var ignored = new List<string>();
        PretrainedTextModel? model = null;
        try
        {
            if (kind == TextEncoderKind.Bert)
            {
                var adapted = AdaptBertKeys(loaded, ignored);
                model = new BertTextModel(BertConfig.FromFile(configPath), withPooler: adapted.ContainsKey("pooler.dense.weight"), configPath, initial: adapted);
                Checkpoint.CopyInto(model, adapted, weightsPath);
            }
            else
            {
                var adapted = AdaptClipKeys(loaded, ignored);
                model = new ClipTextModel(ClipTextConfig.FromFile(configPath), configPath);
                Checkpoint.CopyInto(model, adapted, weightsPath);
            }
        }
        catch
        {
            model?.Dispose();
            throw;
        }
        finally { foreach (var t in loaded.Values) t.Dispose(); }
        model.eval();
        foreach (var p in model.parameters()) p.requires_grad = false;
        return new PretrainedTextEncoder(kind, Path.GetFullPath(dir), model, tokenizer, ignored);
    }

    // BertModel keys, or BertFor* keys under "bert." beside task heads ("cls.*"), possibly with the
    // TF-era LayerNorm names gamma/beta; position_ids is a buffer some versions saved.
    internal static Dictionary<string, Tensor> AdaptBertKeys(IReadOnlyDictionary<string, Tensor> loaded, List<string> ignored)
    {
        const string prefix = "bert.";
        bool prefixed = loaded.Keys.Any(k => k.StartsWith(prefix, StringComparison.Ordinal));
        var result = new Dictionary<string, Tensor>();
        foreach (var (key, t) in loaded)
        {
            var name = key;
            if (prefixed)
            {
                if (!key.StartsWith(prefix, StringComparison.Ordinal)) { ignored.Add(key); continue; }
                name = key[prefix.Length..];
            }
            if (name == "embeddings.position_ids") { ignored.Add(key); continue; }
            if (name.EndsWith("LayerNorm.gamma", StringComparison.Ordinal)) name = name[..^"gamma".Length] + "weight";
            else if (name.EndsWith("LayerNorm.beta", StringComparison.Ordinal)) name = name[..^"beta".Length] + "bias";
            result[name] = t;
        }
        return result;
    }

    // CLIPTextModel keys are "text_model.*" up to transformers 4; transformers 5 saves a CLIPTextModel without
    // the prefix (found by the golden test). A full CLIPModel checkpoint adds vision_model.*, the two
    // projections and logit_scale, which the text tower does not use.
    internal static Dictionary<string, Tensor> AdaptClipKeys(IReadOnlyDictionary<string, Tensor> loaded, List<string> ignored)
    {
        const string prefix = "text_model.";
        bool prefixed = loaded.Keys.Any(k => k.StartsWith(prefix, StringComparison.Ordinal));
        var result = new Dictionary<string, Tensor>();
        foreach (var (key, t) in loaded)
        {
            if (prefixed && !key.StartsWith(prefix, StringComparison.Ordinal)) { ignored.Add(key); continue; }
            var name = prefixed ? key : prefix + key;
            if (name == prefix + "embeddings.position_ids") { ignored.Add(key); continue; }
            result[name] = t;
        }
        return result;
    }

    /// <summary>
    /// Encodes under no_grad. The weights never change and every prompt is padded to the same length, so a
    /// prompt's rows depend on nothing else: they are cached (up to <see cref="CacheCapacity"/> prompts), and a
    /// training run over a fixed caption set (the shapes world has a few hundred) runs the encoder once per caption.
    /// </summary>
    public TextCondition Encode(IReadOnlyList<string> prompts, Device device)
    {
        lock (gate) // the frozen model may be shared (training model and its EMA copy, web requests)
        {
            if (current.type != device.type || current.index != device.index) { model.to(device); current = device; ClearCache(); }
            using var scope = NewDisposeScope();
            var missing = prompts.Distinct().Where(p => !cache.ContainsKey(p)).ToList();
            var fresh = new Dictionary<string, (Tensor Tokens, Tensor Mask, Tensor Pooled)>();
            if (missing.Count > 0)
            {
                var computed = Compute(missing, device);
                for (int i = 0; i < missing.Count; i++)
                {
                    var row = (computed.Tokens[i], computed.Mask[i], computed.Pooled[i]);
                    if (cache.Count < CacheCapacity)
                        cache[missing[i]] = (row.Item1.DetachFromDisposeScope(), row.Item2.DetachFromDisposeScope(), row.Item3.DetachFromDisposeScope());
                    else fresh[missing[i]] = row;
                }
            }
            var rows = prompts.Select(p => cache.TryGetValue(p, out var c) ? c : fresh[p]).ToList();
            return new TextCondition(
                stack(rows.Select(r => r.Tokens)).MoveToOuterDisposeScope(),            // (B, L, D)
                stack(rows.Select(r => r.Mask)).MoveToOuterDisposeScope(),              // (B, L)
                stack(rows.Select(r => r.Pooled)).MoveToOuterDisposeScope());           // (B, D)
        }
    }

    /// <summary>
    /// Runs the network on <paramref name="prompts"/> without the cache (the model must be on <paramref name="device"/>).
    /// Only up to the longest prompt's tokens is computed (and BERT's dense layers skip the padding inside that too):
    /// attention masks the padding keys, so a real token's state does not depend on how much padding follows, and
    /// prompts are short (a shapes caption is 8 of 32 tokens).
    /// Padding rows are zero, so a row never depends on the batch it was computed in; the U-Net masks them anyway.
    /// Pooled: BERT's pooler (or [CLS]), CLIP's end token, MiniLM's masked mean.
    /// </summary>
    internal TextCondition Compute(IReadOnlyList<string> prompts, Device device)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var (ids, mask) = TextBatch.Tokenize(Tokenizer, prompts, device);                // (M, L)
        long l = ids.shape[1];
        long used = mask.sum(1).max().item<long>();                                     // the longest prompt, special tokens included
        var (hidden, pooled) = model.Forward(ids.narrow(1, 0, used), mask.narrow(1, 0, used)); // (M, U, D), (M, D)
        var keep = mask.narrow(1, 0, used).unsqueeze(-1);                               // (M, U, 1)
        hidden = hidden.masked_fill(keep.logical_not(), 0f);
        if (Kind == TextEncoderKind.MiniLm)
            pooled = hidden.sum(1) / keep.sum(1).to_type(hidden.dtype);                  // sentence-transformers' mean pooling
        if (used < l) hidden = nn.functional.pad(hidden, new long[] { 0, 0, 0, l - used }); // (M, L, D), zeros at padding
        return new TextCondition(hidden.MoveToOuterDisposeScope(), mask.MoveToOuterDisposeScope(), pooled.MoveToOuterDisposeScope());
    }

    /// <summary>Prompts whose encodings are kept (about 100 KB each for bert-base at 32 tokens).</summary>
    public const int CacheCapacity = 2048;
    private readonly Dictionary<string, (Tensor Tokens, Tensor Mask, Tensor Pooled)> cache = new(StringComparer.Ordinal);

    private void ClearCache()
    {
        foreach (var (t, m, p) in cache.Values) { t.Dispose(); m.Dispose(); p.Dispose(); }
        cache.Clear();
    }

    /// <summary>
    /// The kind of encoder in a folder: config.json's model_type ("bert"; "clip" or "clip_text_model"), else
    /// which vocabulary file it has (vocab.txt: BERT, merges.txt: CLIP).
    /// </summary>
    public static TextEncoderKind Detect(string dir)
    {
        var configPath = Path.Combine(dir, ConfigFile);
        var type = ConfigJson.ModelType(configPath);
        switch (type)
        {
            case "bert": return TextEncoderKind.Bert;
            case "clip" or "clip_text_model": return TextEncoderKind.Clip;
            case null when File.Exists(Path.Combine(dir, WordPieceTokenizer.VocabFile)): return TextEncoderKind.Bert;
            case null when File.Exists(Path.Combine(dir, ClipBpeTokenizer.MergesFile)): return TextEncoderKind.Clip;
        }
        throw new NotSupportedException($"{configPath}: model_type \"{type}\" is not a supported text encoder; give a BERT (bert-base-uncased layout) or CLIP (openai/clip-vit layout) folder, or prefix the path with bert: or clip:");
    }

    /// <summary>
    /// Parses a text encoder choice: "builtin", "minilm" (the packaged all-MiniLM-L6-v2), "bert:PATH", "clip:PATH"
    /// or a bare PATH (kind detected).
    /// </summary>
    public static (TextEncoderKind Kind, string? Path) ParseSpec(string spec)
    {
        var s = spec.Trim();
        if (s.Length == 0 || s.Equals("builtin", StringComparison.OrdinalIgnoreCase)) return (TextEncoderKind.Builtin, null);
        if (s.Equals(MiniLm.SpecName, StringComparison.OrdinalIgnoreCase)) return (TextEncoderKind.MiniLm, null);
        foreach (var (prefix, kind) in new[] { ("bert:", TextEncoderKind.Bert), ("clip:", TextEncoderKind.Clip) })
            if (s.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                var path = s[prefix.Length..];
                if (path.Length == 0) throw new ArgumentException($"--text-encoder {spec}: give the folder after '{prefix}', e.g. {prefix}/models/bert-base-uncased");
                return (kind, path);
            }
        if (!Directory.Exists(s)) throw new ArgumentException($"--text-encoder {spec}: use builtin, minilm, bert:FOLDER, clip:FOLDER or an existing model folder");
        return (Detect(s), s);
    }

    /// <summary>
    /// The model config with the chosen text encoder: for a pretrained one, kind, absolute path (none for minilm), text width and
    /// the U-Net's context width set to its hidden size, and a prompt length of min(32, its positions). A given
    /// <c>maxLength</c> (`train --text-max-length`) replaces the prompt length: 1 to
    /// <see cref="TextEncoderConfig.BuiltinMaxLengthLimit"/> tokens for the built-in encoder, 3 (the two special tokens
    /// and one word) to its positions for a pretrained one (512 for MiniLM and BERT, 77 for CLIP).
    /// </summary>
    public static ModelConfig Configure(ModelConfig config, string spec, int? maxLength = null)
    {
        var (kind, path) = ParseSpec(spec);
        if (kind == TextEncoderKind.Builtin)
        {
            if (maxLength is < 1 or > TextEncoderConfig.BuiltinMaxLengthLimit)
                throw new ArgumentException($"--text-max-length {maxLength}: the built-in text encoder takes 1 to {TextEncoderConfig.BuiltinMaxLengthLimit} tokens");
            return config with { Text = config.Text with { Kind = kind, PretrainedPath = null, MaxLength = maxLength ?? config.Text.MaxLength } };
        }
        if (kind == TextEncoderKind.MiniLm)
            return config with
            {
                // No path: the package is found by name and version wherever VidGen is built.
                Text = config.Text with
                {
                    Kind = kind, PretrainedPath = null, Dim = MiniLm.Width, Layers = MiniLm.Config.NumHiddenLayers, Heads = MiniLm.Config.NumAttentionHeads,
                    MaxLength = PromptLength(maxLength, MiniLm.Config.MaxPositionEmbeddings, "MiniLM"),
                },
                Unet = config.Unet with { ContextDim = MiniLm.Width },
            };
        var full = System.IO.Path.GetFullPath(path!);
        if (!Directory.Exists(full))
            throw new DirectoryNotFoundException($"--text-encoder: folder {full} not found; give the local folder of a HuggingFace {kind.ToString().ToUpperInvariant()} model (config.json, model.safetensors and its vocabulary)");
        var configPath = System.IO.Path.Combine(full, ConfigFile);
        var (hidden, positions) = kind == TextEncoderKind.Bert
            ? (BertConfig.FromFile(configPath) is var b ? (b.HiddenSize, b.MaxPositionEmbeddings) : default)
            : (ClipTextConfig.FromFile(configPath) is var c ? (c.HiddenSize, c.MaxPositionEmbeddings) : default);
        return config with
        {
            Text = config.Text with { Kind = kind, PretrainedPath = full, Dim = hidden, MaxLength = PromptLength(maxLength, positions, $"the model in {full}") },
            Unet = config.Unet with { ContextDim = hidden },
        };
    }

    /// <summary>The prompt length of a pretrained encoder: the one asked for, checked against its positions, else min(32, positions).</summary>
    static int PromptLength(int? asked, int positions, string what)
    {
        if (asked is not int n) return Math.Min(DefaultMaxLength, positions);
        if (n < 3 || n > positions)
            throw new ArgumentException($"--text-max-length {n}: {what} takes 3 (two special tokens and one word) to {positions} tokens, its position embeddings");
        return n;
    }

    /// <summary>
    /// The tokenizer the encoder of <paramref name="text"/> reads prompts with, without its weights (to size a prompt
    /// length). For the built-in encoder a word tokenizer without vocabulary: its counts do not depend on one.
    /// </summary>
    public static IPromptTokenizer TokenizerOf(TextEncoderConfig text) => text.Kind switch
    {
        TextEncoderKind.Builtin => new WordTokenizer(Array.Empty<string>(), text.MaxLength),
        TextEncoderKind.MiniLm => MiniLm.Tokenizer(text.MaxLength),
        TextEncoderKind.Bert => WordPieceTokenizer.FromFolder(text.PretrainedPath ?? throw new ArgumentException("a BERT text config needs its pretrained_path"), text.MaxLength),
        _ => ClipBpeTokenizer.FromFolder(text.PretrainedPath ?? throw new ArgumentException("a CLIP text config needs its pretrained_path"), text.MaxLength),
    };

    public void Dispose()
    {
        lock (gate) ClearCache();
        model.Dispose();
    }
}
