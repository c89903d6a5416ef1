using TorchSharp;
using VidGen.Text;
using static TorchSharp.torch;

namespace VidGen.Models;

/// <summary>
/// The trainable whole: built-in text encoder + 3D U-Net, with the tokenizer and config that belong to them.
/// Checkpoint keys are "text_encoder.*" and "unet.*".
/// </summary>
public sealed class VideoDiffusionModel : nn.Module
{
    private readonly BuiltinTextEncoder text_encoder;
    private readonly Unet3D unet;

    public ModelConfig Config { get; }
    public WordTokenizer Tokenizer { get; }
    public Unet3D Unet => unet;
    public BuiltinTextEncoder TextEncoder => text_encoder;

    public VideoDiffusionModel(ModelConfig config, WordTokenizer tokenizer) : base("model")
    {
        if (config.Unet.ContextDim != config.Text.Dim)
            throw new ArgumentException($"unet.context_dim ({config.Unet.ContextDim}) must equal text.dim ({config.Text.Dim})");
        if (tokenizer.MaxLength > config.Text.MaxLength)
            throw new ArgumentException($"tokenizer max length {tokenizer.MaxLength} exceeds the text encoder's {config.Text.MaxLength}");
        Config = config;
        Tokenizer = tokenizer;
        text_encoder = new BuiltinTextEncoder(config.Text, tokenizer.Vocabulary.Count);
        unet = new Unet3D(config.Unet);
        RegisterComponents();
    }

    /// <summary>Tokenises and encodes prompts. Returns tokens (B, L, D), mask (B, L), pooled (B, D).</summary>
    public TextCondition EncodeText(IReadOnlyList<string> prompts)
    {
        var dev = unet.parameters().First().device;
        int l = Tokenizer.MaxLength;
        var ids = new long[prompts.Count * l];
        var mask = new bool[prompts.Count * l];
        for (int i = 0; i < prompts.Count; i++)
        {
            var (id, m) = Tokenizer.Encode(prompts[i]);
            id.CopyTo(ids, i * l); m.CopyTo(mask, i * l);
        }
        using var idT = tensor(ids, new long[] { prompts.Count, l }, device: dev);
        using var maskT = tensor(mask, new long[] { prompts.Count, l }, device: dev);
        return text_encoder.Forward(idT, maskT);
    }

    /// <summary>Raw network prediction for noisy clips x (B, C, F, H, W) at timesteps t (B).</summary>
    public Tensor Forward(Tensor x, Tensor t, TextCondition text, Tensor? dropText = null, Tensor? focusPresent = null) =>
        unet.Forward(x, t, text, dropText, focusPresent);

    public long ParameterCount() => parameters().Sum(p => p.numel());
}
