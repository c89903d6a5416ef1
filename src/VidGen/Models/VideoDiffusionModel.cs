using VidGen.Models.Autoencoders;
using VidGen.Models.TextEncoders;
using VidGen.Text;
using static TorchSharp.torch;

namespace VidGen.Models;

/// <summary>
/// The trainable whole: text encoder + 3D U-Net, with the tokenizer and config that belong to them.
/// With the built-in encoder the checkpoint keys are "text_encoder.*" and "unet.*". With a frozen pretrained
/// encoder (BERT or CLIP) only "unet.*": the encoder is held outside the module tree, so its weights are neither
/// trained nor saved, and config.json's text.pretrained_path says where to find them again.
/// </summary>
public sealed class VideoDiffusionModel : nn.Module
{
    private readonly BuiltinTextEncoder? text_encoder; // registered only when builtin (keeps the "text_encoder.*" keys)
    private readonly Unet3D unet;
    private readonly PretrainedTextEncoder? frozen;     // not an nn.Module: stays out of state_dict and parameters()
    private readonly bool ownsEncoder, ownsLatents;

    public ModelConfig Config { get; }
    public IPromptTokenizer Tokenizer => TextEncoder.Tokenizer;
    public Unet3D Unet => unet;
    /// <summary>The U-Net's kernel choice (<see cref="Unet3D.Kernels"/>).</summary>
    public KernelOptions Kernels { get => unet.Kernels; set => unet.Kernels = value; }
    public ITextEncoder TextEncoder => (ITextEncoder?)text_encoder ?? frozen!;
    /// <summary>The latent space the U-Net denoises in; null for a pixel-space model.</summary>
    public LatentCodec? Latents { get; }

    /// <summary>A model with the jointly trained built-in text encoder over <paramref name="tokenizer"/>'s vocabulary.</summary>
    /// <param name="config">the whole model's config</param>
    /// <param name="tokenizer">the built-in encoder's word vocabulary</param>
    /// <param name="latents">the latent space, when config.latent is set (shared; disposed only when <paramref name="ownsLatents"/>)</param>
    /// <param name="ownsLatents">whether disposing this model disposes <paramref name="latents"/></param>
    public VideoDiffusionModel(ModelConfig config, WordTokenizer tokenizer, LatentCodec? latents = null, bool ownsLatents = false) : base("model")
    {
        CheckLatents(config, latents);
        Latents = latents; this.ownsLatents = ownsLatents;
        if (config.Text.Kind != TextEncoderKind.Builtin)
            throw new ArgumentException($"this config uses a pretrained {config.Text.Kind} text encoder; build the model with the loaded encoder (PretrainedTextEncoder.Load)");
        if (config.Unet.ContextDim != config.Text.Dim)
            throw new ArgumentException($"unet.context_dim ({config.Unet.ContextDim}) must equal text.dim ({config.Text.Dim})");
        Config = config;
        text_encoder = new BuiltinTextEncoder(config.Text, tokenizer);
        unet = new Unet3D(config.Unet);
        RegisterComponents();
    }

    /// <summary>
    /// A model conditioned on a frozen pretrained encoder. The encoder may be shared (e.g. by a model and its
    /// EMA copy); this model disposes it only when <paramref name="ownsEncoder"/>.
    /// </summary>
    /// <param name="config">the whole model's config</param>
    /// <param name="encoder">the loaded pretrained text encoder</param>
    /// <param name="ownsEncoder">whether disposing this model disposes <paramref name="encoder"/></param>
    /// <param name="latents">the latent space, when config.latent is set (shared; disposed only when <paramref name="ownsLatents"/>)</param>
    /// <param name="ownsLatents">whether disposing this model disposes <paramref name="latents"/></param>
    public VideoDiffusionModel(ModelConfig config, PretrainedTextEncoder encoder, bool ownsEncoder = false, LatentCodec? latents = null, bool ownsLatents = false) : base("model")
    {
        CheckLatents(config, latents);
        Latents = latents; this.ownsLatents = ownsLatents;
        if (config.Text.Kind == TextEncoderKind.Builtin || config.Text.Kind != encoder.Kind)
            throw new ArgumentException($"config text.kind is {config.Text.Kind} but the encoder given is {encoder.Kind}");
        if (config.Unet.ContextDim != encoder.Width)
            throw new ArgumentException($"unet.context_dim ({config.Unet.ContextDim}) must equal the {encoder.Kind} hidden size ({encoder.Width})");
        Config = config;
        frozen = encoder;
        this.ownsEncoder = ownsEncoder;
        unet = new Unet3D(config.Unet);
        RegisterComponents();
    }

    /// <summary>Tokenises and encodes prompts. Returns tokens (B, L, D), mask (B, L), pooled (B, D) on the U-Net's device.</summary>
    public TextCondition EncodeText(IReadOnlyList<string> prompts) =>
        TextEncoder.Encode(prompts, unet.parameters().First().device);

    /// <summary>Raw network prediction for noisy clips x (B, C, F, H, W) at timesteps t (B).</summary>
    public Tensor Forward(Tensor x, Tensor t, TextCondition text, Tensor? dropText = null, Tensor? focusPresent = null) =>
        unet.Forward(x, t, text, dropText, focusPresent);

    /// <summary>Trained parameters (U-Net, plus the built-in text encoder); a frozen encoder is not counted.</summary>
    public long ParameterCount() => parameters().Sum(p => p.numel());

    static void CheckLatents(ModelConfig config, LatentCodec? latents)
    {
        if (config.Latent is null && latents is not null) throw new ArgumentException("an autoencoder was given but the config has no latent section (a pixel-space model)");
        if (config.Latent is not null && latents is null) throw new ArgumentException("this config is a latent model: it needs its autoencoder (autoencoder.safetensors)");
        if (latents is null) return;
        if (latents.Config.Autoencoder.ToJson() != config.Latent!.Autoencoder.ToJson()) throw new ArgumentException("the autoencoder given is not the one config.latent describes");
        if (config.Unet.Channels != latents.Channels || config.Unet.SampleSize != config.DiffusionResolution)
            throw new ArgumentException($"the U-Net takes {config.Unet.Channels} channels at {config.Unet.SampleSize}px but the latents are {latents.Channels} channels at {config.DiffusionResolution}px");
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && ownsLatents) Latents?.Dispose();
        if (disposing && ownsEncoder) frozen?.Dispose();
        base.Dispose(disposing);
    }
}
