using System.Text.Json;
using System.Text.Json.Serialization;
using VidGen.Diffusion;
using VidGen.Models.Autoencoders;
using VidGen.Text;

namespace VidGen.Models;

/// <summary>Everything needed to rebuild a model from its folder: network shapes, diffusion settings, clip format.</summary>
public sealed record ModelConfig
{
    public Unet3DConfig Unet { get; init; } = new();
    public TextEncoderConfig Text { get; init; } = new();
    public ScheduleKind Schedule { get; init; } = ScheduleKind.Cosine;
    public int TrainTimesteps { get; init; } = 1000;
    public PredictionKind Prediction { get; init; } = PredictionKind.V;
    public int Resolution { get; init; } = 32;
    public int Frames { get; init; } = 8;
    public double Fps { get; init; } = 8;
    /// <summary>The world the model was trained on; null for a model trained on a collection (--data).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public WorldKind? World { get; init; }
    /// <summary>Null: the U-Net denoises pixels. Set: it denoises this autoencoder's latents (autoencoder.safetensors in the folder).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public LatentConfig? Latent { get; init; }

    /// <summary>Side of what the U-Net denoises: the frame size, or the latent size for a latent model.</summary>
    [JsonIgnore] public int DiffusionResolution => Latent is null ? Resolution : Resolution / Latent.Autoencoder.Downsampling;

    /// <summary>
    /// This config turned into a latent model over <paramref name="latent"/>'s autoencoder: the U-Net takes its
    /// latent channels at the latent size, without patching (the autoencoder already folded the pixels).
    /// </summary>
    public ModelConfig InLatentSpace(LatentConfig latent)
    {
        int d = latent.Autoencoder.Downsampling;
        if (Resolution % d != 0) throw new ArgumentException($"resolution {Resolution} must divide by the autoencoder's downsampling {d}");
        if (latent.Autoencoder.Channels != Unet.Channels) throw new ArgumentException($"the autoencoder codes {latent.Autoencoder.Channels}-channel frames but the model's clips have {Unet.Channels}");
        return this with { Latent = latent, Unet = Unet with { Channels = latent.Autoencoder.LatentChannels, SampleSize = Resolution / d, PatchSize = 1 } };
    }

    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static ModelConfig FromJson(string json, string source = "config.json")
    {
        try
        {
            var config = JsonSerializer.Deserialize<ModelConfig>(json, Json) ?? throw new InvalidDataException($"{source} is empty");
            config.ValidateSections();
            config.ValidateLatent();
            return config;
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            throw new InvalidDataException($"{source} is not a valid VidGen model config: {ErrorText.OneLine(e.Message)}", e);
        }
    }

    /// <summary>
    /// Every section present (JSON null is not a section) and the sizes that drive allocations in range: bounds far
    /// past any real model, so a hostile config.json is refused here instead of overflowing or exhausting memory later.
    /// </summary>
    public void ValidateSections()
    {
        static void In(string name, int value, int min, int max)
        {
            if (value < min || value > max) throw new ArgumentException($"{name} must be {min} to {max} (got {value})");
        }
        if (Unet is null) throw new ArgumentException("the unet section is missing");
        if (Text is null) throw new ArgumentException("the text section is missing");
        if (Latent is { Autoencoder: null }) throw new ArgumentException("latent.autoencoder is missing");
        if (Unet.DimMults is null || Unet.DimMults.Length is 0 or > 8 || Unet.DimMults.Any(m => m is < 1 or > 64))
            throw new ArgumentException("unet.dim_mults needs 1 to 8 entries of 1 to 64");
        In("unet.channels", Unet.Channels, 1, 1024);
        In("unet.dim", Unet.Dim, 1, 4096);
        In("unet.attn_heads", Unet.AttnHeads, 1, 256);
        In("unet.attn_dim_head", Unet.AttnDimHead, 1, 1024);
        In("unet.groups", Unet.Groups, 1, 1024);
        In("unet.patch_size", Unet.PatchSize, 1, 64);
        In("unet.sample_size", Unet.SampleSize, 1, 8192);
        In("unet.max_frames", Unet.MaxFrames, 1, 4096);
        In("unet.context_dim", Unet.ContextDim, 1, 8192);
        In("text.dim", Text.Dim, 1, 8192);
        In("text.layers", Text.Layers, 0, 256);
        In("text.heads", Text.Heads, 1, 256);
        In("text.max_length", Text.MaxLength, 1, 4096);
        In("resolution", Resolution, 1, 8192);
        In("frames", Frames, 1, 4096);
        In("train_timesteps", TrainTimesteps, 1, 1_000_000);
        if (!(Fps > 0 && Fps <= 1000)) throw new ArgumentException($"fps must be above 0 and at most 1000 (got {Fps})");
    }

    /// <summary>A latent section must describe a valid autoencoder whose latents are what the U-Net takes.</summary>
    public void ValidateLatent()
    {
        if (Latent is null) return;
        Latent.Autoencoder.Validate();
        int d = Latent.Autoencoder.Downsampling;
        if (Resolution % d != 0) throw new ArgumentException($"resolution {Resolution} does not divide by the autoencoder's downsampling {d}");
        if (Unet.Channels != Latent.Autoencoder.LatentChannels || Unet.SampleSize != Resolution / d)
            throw new ArgumentException($"unet takes {Unet.Channels} channels at {Unet.SampleSize}px but the autoencoder's latents are {Latent.Autoencoder.LatentChannels} channels at {Resolution / d}px");
        if (!(Latent.Scale > 0) || !(Latent.Bound > 0)) throw new ArgumentException($"latent scale and bound must be positive (got {Latent.Scale}, {Latent.Bound})");
    }

    /// <summary>A tiny configuration for tests and smoke runs (seconds on a CPU).</summary>
    public static ModelConfig Tiny(int resolution = 16, int frames = 4) => new()
    {
        Unet = new Unet3DConfig { Dim = 8, DimMults = new[] { 1, 2 }, PatchSize = 1, AttnHeads = 2, AttnDimHead = 8, Groups = 4, SampleSize = resolution, ContextDim = 16, FullAttentionMaxResolution = resolution / 2, CrossAttentionMaxResolution = resolution, SpatialAttentionMaxResolution = resolution },
        Text = new TextEncoderConfig { Dim = 16, Layers = 1, Heads = 2 },
        Resolution = resolution, Frames = frames,
    };
}
