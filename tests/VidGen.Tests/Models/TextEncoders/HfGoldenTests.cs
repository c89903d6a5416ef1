using System.Text.Json;
using VidGen.Models.TextEncoders;
using VidGen.Text;
using static TorchSharp.torch;

namespace VidGen.Tests.Models.TextEncoders;

/// <summary>
/// Our BERT and CLIP loaders, tokenizers and forward passes against what HuggingFace transformers computes for
/// the same folders: tiny randomly initialised models written by tools/golden/make_text_goldens.py (transformers
/// 5.17, torch 2.11; the versions are in each golden.json). Ids must match exactly, hidden states to 1e-4.
/// </summary>
public class HfGoldenTests
{
    static string Folder(string kind) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "hf-golden", kind);

    sealed record Golden(string[] Prompts, int MaxLength, long[][] InputIds, int[][] AttentionMask,
        double[][][] LastHiddenState, double[][]? PoolerOutput);

    static readonly JsonSerializerOptions SnakeCase = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>The golden outputs and our encoder loaded from the same folder.</summary>
    static (Golden Golden, PretrainedTextEncoder Encoder) Open(TextEncoderKind kind)
    {
        string folder = Folder(kind.ToString().ToLowerInvariant());
        var golden = JsonSerializer.Deserialize<Golden>(File.ReadAllText(Path.Combine(folder, "golden.json")),
            SnakeCase)!;
        return (golden, PretrainedTextEncoder.Load(kind, folder, golden.MaxLength));
    }

    [Theory]
    [InlineData(TextEncoderKind.Bert)]
    [InlineData(TextEncoderKind.Clip)]
    public void TokenIdsAndMasksMatchTransformers(TextEncoderKind kind)
    {
        var (golden, encoder) = Open(kind);
        using var _ = encoder;
        for (int i = 0; i < golden.Prompts.Length; i++)
        {
            var (ids, mask) = encoder.Tokenizer.Encode(golden.Prompts[i]);
            Assert.Equal(golden.InputIds[i], ids);
            Assert.Equal(golden.AttentionMask[i].Select(m => m == 1).ToArray(), mask);
        }
    }

    [Theory]
    [InlineData(TextEncoderKind.Bert)]
    [InlineData(TextEncoderKind.Clip)]
    public void HiddenStatesAndPooledMatchTransformers(TextEncoderKind kind)
    {
        var (golden, encoder) = Open(kind);
        using var _ = encoder;
        var text = encoder.Encode(golden.Prompts, CPU);
        var hidden = text.Tokens.to_type(ScalarType.Float64).data<double>().ToArray();  // (B, L, D)
        long l = text.Tokens.shape[1], d = text.Tokens.shape[2];
        double worst = 0;
        int compared = 0;
        for (int b = 0; b < golden.Prompts.Length; b++)
            for (int t = 0; t < l; t++)
            {
                if (golden.AttentionMask[b][t] == 0) continue; // padding rows carry no meaning in either library
                for (int k = 0; k < d; k++)
                {
                    worst = Math.Max(worst, Math.Abs(hidden[(b * l + t) * d + k] - golden.LastHiddenState[b][t][k]));
                    compared++;
                }
            }
        Assert.True(compared > 500, $"only {compared} values compared");
        Assert.True(worst < 1e-4, $"largest difference from transformers' last_hidden_state: {worst:E2}");
        var pooled = text.Pooled.to_type(ScalarType.Float64).data<double>().ToArray();
        var expected = golden.PoolerOutput!.SelectMany(r => r).ToArray();
        Assert.Equal(expected.Length, pooled.Length);
        Assert.True(expected.Zip(pooled).Max(p => Math.Abs(p.First - p.Second)) < 1e-4, "pooled output differs from transformers' pooler_output");
    }
}
