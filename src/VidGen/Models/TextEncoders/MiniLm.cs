using System.Diagnostics;
using VidGen.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace VidGen.Models.TextEncoders;

/// <summary>
/// all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0; from Wang et al. 2020, "MiniLM"), the pretrained text
/// encoder that comes with the build: the ONNX weights in <see cref="MiniLmPackage"/> are converted once per
/// load into the TorchSharp <see cref="BertTextModel"/>, so it runs on the same engine and device as the U-Net.
/// Tokens are its last hidden states; Pooled is their masked mean, the sentence embedding the model was
/// trained to give (its [CLS] pooler is unused in its sentence-transformers training).
/// </summary>
public static class MiniLm
{
    /// <summary>The spec `vidgen train --text-encoder` takes; also the name config.json records (text.kind).</summary>
    public const string SpecName = "minilm";
    public const int Width = 384;

    /// <summary>all-MiniLM-L6-v2's config.json. Shapes are checked against the ONNX initializers at load.</summary>
    public static BertConfig Config { get; } = new()
    {
        VocabSize = 30522, HiddenSize = Width, NumHiddenLayers = 6, NumAttentionHeads = 12, IntermediateSize = 1536,
        HiddenAct = "gelu", MaxPositionEmbeddings = 512, TypeVocabSize = 2, LayerNormEps = 1e-12,
    };

    /// <summary>
    /// Loads the encoder from the restored package (<paramref name="packageDll"/>: another copy of its DLL, for tests).
    /// Any missing or damaged piece is one error naming the package and version; nothing falls back to another encoder.
    /// </summary>
    public static PretrainedTextEncoder Load(int maxLength = PretrainedTextEncoder.DefaultMaxLength, string? packageDll = null) =>
        Load(maxLength, packageDll, out _);

    /// <summary>Seconds spent mapping the DLL and checking both hashes, reading the graph into tensors, and building the model.</summary>
    public sealed record LoadStages(double OpenSeconds, double ConvertSeconds, double BuildSeconds);

    static PretrainedTextEncoder Load(int maxLength, string? packageDll, out LoadStages stages)
    {
        var sw = Stopwatch.StartNew();
        double open, convert;
        if (maxLength > Config.MaxPositionEmbeddings)
            throw new ArgumentException($"text max length {maxLength} exceeds MiniLM's {Config.MaxPositionEmbeddings} positions; use at most {Config.MaxPositionEmbeddings}");
        var dll = packageDll ?? MiniLmPackage.Locate();
        WordPieceTokenizer tokenizer;
        Dictionary<string, Tensor> weights;
        string source = $"{MiniLmPackage.Name} ({dll}, {MiniLmPackage.ModelResource})";
        using (var package = MiniLmPackage.Open(dll))
        {
            open = sw.Elapsed.TotalSeconds;
            tokenizer = Tokenizer(package, dll, maxLength);
            weights = OnnxBertWeights.Read(package.ModelBytes, source);
            convert = sw.Elapsed.TotalSeconds - open;
        }
        BertTextModel? model = null;
        try
        {
            model = new BertTextModel(Config, withPooler: true, source, initial: weights);
            Checkpoint.CopyInto(model, weights, source);
        }
        catch (InvalidDataException e) when (model is not null)
        {
            model.Dispose();
            throw new InvalidDataException($"{e.Message}; restore {MiniLmPackage.Name}", e);
        }
        finally { foreach (var t in weights.Values) t.Dispose(); }
        var encoder = PretrainedTextEncoder.FromLoaded(TextEncoderKind.MiniLm, dll, model, tokenizer);
        stages = new LoadStages(open, convert, sw.Elapsed.TotalSeconds - open - convert);
        return encoder;
    }

    /// <summary>MiniLM's WordPiece tokenizer alone, from the restored package (no weights read): for sizing a prompt length.</summary>
    public static WordPieceTokenizer Tokenizer(int maxLength = PretrainedTextEncoder.DefaultMaxLength, string? packageDll = null)
    {
        var dll = packageDll ?? MiniLmPackage.Locate();
        using var package = MiniLmPackage.Open(dll);
        return Tokenizer(package, dll, maxLength);
    }

    static WordPieceTokenizer Tokenizer(MiniLmResources package, string dll, int maxLength)
    {
        var tokenizer = new WordPieceTokenizer(package.Vocabulary(), maxLength, lowerCase: true, source: $"{MiniLmPackage.Name} ({dll}, {MiniLmPackage.VocabResource})");
        if (tokenizer.VocabularySize != Config.VocabSize)
            throw new InvalidDataException($"{MiniLmPackage.Name}: {MiniLmPackage.VocabResource} has {tokenizer.VocabularySize} tokens, expected {Config.VocabSize}; restore the package");
        return tokenizer;
    }

    /// <summary>Prompts of the shapes-world kind and longer ones, 16 as in a training batch; none in the encoder's cache.</summary>
    public static readonly string[] MeasurePrompts =
    {
        "a small red circle moving left", "a large blue square moving right", "a green triangle moving up", "a white circle moving down",
        "a crimson disc gliding leftwards", "a kitten going left", "a large cyan square moving up", "an orange triangle drifting downwards",
        "two yellow stars bounce off each other", "a magenta square slides to the right, then stops", "a blue ball rolls across the floor",
        "the camera pans slowly over a quiet beach at sunset", "a red car overtakes a truck on a wet road", "a cat jumps onto the table",
        "fireworks burst over the city at night", "a small white triangle moving left",
    };

    /// <summary>What <see cref="Measure"/> found: load time, per-batch encode times (fresh prompts, cache bypassed), memory.</summary>
    /// <param name="LoadSeconds">finding, checking and converting the package, and building the model</param>
    /// <param name="Stages">the load split into its stages</param>
    /// <param name="FirstEncodeMs">the first batch's encode (warm-up included)</param>
    /// <param name="MedianEncodeMs">median encode of a batch of fresh prompts</param>
    /// <param name="MinEncodeMs">fastest encode of a batch</param>
    /// <param name="Prompts">prompts per batch</param>
    /// <param name="Tokens">the longest prompt's tokens (special tokens included): the padded length attention runs at</param>
    /// <param name="RealTokens">all prompts' tokens together: what the dense layers run on</param>
    /// <param name="Threads">libtorch threads during the measurement</param>
    /// <param name="RssBeforeMiB">resident memory before loading</param>
    /// <param name="RssAfterLoadMiB">resident memory after loading</param>
    /// <param name="RssAfterEncodeMiB">resident memory after the encodes</param>
    public sealed record Measurement(double LoadSeconds, LoadStages Stages, double FirstEncodeMs, double MedianEncodeMs, double MinEncodeMs, int Prompts, int Tokens,
        int RealTokens, int Threads, long RssBeforeMiB, long RssAfterLoadMiB, long RssAfterEncodeMiB)
    {
        public long RssAddedMiB => RssAfterEncodeMiB - RssBeforeMiB;
        public override string ToString() =>
            $"MiniLM ({MiniLmPackage.Name}) on {Threads} thread(s): load {LoadSeconds:F2} s (map and check hashes {Stages.OpenSeconds:F2}, " +
            $"graph to tensors {Stages.ConvertSeconds:F2}, build model {Stages.BuildSeconds:F2}); encode {Prompts} prompts ({RealTokens} tokens, at most {Tokens} a prompt): " +
            $"first {FirstEncodeMs:F1} ms, median {MedianEncodeMs:F1} ms, best {MinEncodeMs:F1} ms; resident memory {RssBeforeMiB} -> {RssAfterLoadMiB} MiB after load, " +
            $"{RssAfterEncodeMiB} MiB after encoding (+{RssAddedMiB} MiB)";
    }

    /// <summary>
    /// Times a load and <paramref name="repeats"/> encodings of one batch (default <see cref="MeasurePrompts"/>) in this
    /// process, on the CPU, each encoding computed afresh (the per-prompt cache is what training uses, not measured
    /// here). Memory is the process's resident set, so call it in a fresh process for the figure "memory added".
    /// </summary>
    public static Measurement Measure(IReadOnlyList<string>? prompts = null, int repeats = 20, int maxLength = PretrainedTextEncoder.DefaultMaxLength)
    {
        prompts ??= MeasurePrompts;
        using var warm = zeros(1); // libtorch initialised before the first reading, so its own start-up is not counted as the encoder's
        long before = RssMiB();
        var sw = Stopwatch.StartNew();
        using var encoder = Load(maxLength, null, out var stages);
        double load = sw.Elapsed.TotalSeconds;
        GC.Collect();
        long afterLoad = RssMiB();
        var times = new List<double>();
        for (int r = 0; r < Math.Max(1, repeats); r++)
        {
            sw.Restart();
            var c = encoder.Compute(prompts, CPU);
            times.Add(sw.Elapsed.TotalMilliseconds);
            c.Tokens.Dispose(); c.Mask.Dispose(); c.Pooled.Dispose();
        }
        GC.Collect();
        long afterEncode = RssMiB();
        var sorted = times.Order().ToList();
        var lengths = prompts.Select(p => encoder.Tokenizer.Encode(p).Mask.Count(m => m)).ToList();
        return new Measurement(load, stages, times[0], sorted[sorted.Count / 2], sorted[0], prompts.Count, lengths.Max(), lengths.Sum(), get_num_threads(), before, afterLoad, afterEncode);
    }

    static long RssMiB()
    {
        using var p = Process.GetCurrentProcess();
        return p.WorkingSet64 / (1024 * 1024);
    }
}
