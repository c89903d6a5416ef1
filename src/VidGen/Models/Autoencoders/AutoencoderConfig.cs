using System.Text.Json;
using System.Text.Json.Serialization;

namespace VidGen.Models.Autoencoders;

/// <summary>
/// Shape of the per-frame convolutional autoencoder (<see cref="VideoAutoencoder"/>). Frames are first folded
/// <see cref="PatchSize"/> x <see cref="PatchSize"/> into channels (as LTX-Video's autoencoder does: no conv runs at
/// full size); level i then works at 1/(p 2^i) of the frame size with <see cref="LevelChannels"/>[i] channels, so
/// patch 2 and two levels compress 4x per side.
/// </summary>
public sealed record AutoencoderConfig
{
    public int Channels { get; init; } = 3;
    public int LatentChannels { get; init; } = 8;
    /// <summary>Pixels per side folded into channels at the input (space-to-depth) and unfolded at the output.</summary>
    public int PatchSize { get; init; } = 2;
    /// <summary>Channels per level, from the patched size down; each level after the first halves the size.</summary>
    public int[] LevelChannels { get; init; } = { 48, 64 };
    /// <summary>Residual blocks per level in the encoder; the decoder has one more per level (as Rombach et al.'s does).</summary>
    public int BlocksPerLevel { get; init; } = 1;
    public int Groups { get; init; } = 8;
    /// <summary>Frame size (square) the autoencoder was trained at; it runs at any size divisible by <see cref="Downsampling"/>.</summary>
    public int Resolution { get; init; } = 64;

    /// <summary>Pixels per latent, per side.</summary>
    [JsonIgnore] public int Downsampling => PatchSize << (LevelChannels.Length - 1);

    public void Validate()
    {
        // Bounds well past any real network, so a hostile config is refused here rather than overflowing sizes later.
        if (Channels is < 1 or > 64 || LatentChannels is < 1 or > 1024) throw new ArgumentException("autoencoder channels (1-64) and latent_channels (1-1024) are out of range");
        if (LevelChannels is null || LevelChannels.Length is 0 or > 8 || LevelChannels.Any(c => c is < 1 or > 4096))
            throw new ArgumentException("autoencoder level_channels needs 1 to 8 entries of 1 to 4096");
        if (PatchSize is < 1 or > 64) throw new ArgumentException($"autoencoder patch_size must be 1 to 64 (got {PatchSize})");
        if (Resolution is < 1 or > 8192) throw new ArgumentException($"autoencoder resolution must be 1 to 8192 (got {Resolution})");
        if (BlocksPerLevel < 0) throw new ArgumentException("autoencoder blocks_per_level must be 0 or more");
        if (Groups < 1 || LevelChannels.Any(c => c % Math.Min(Groups, c) != 0)) throw new ArgumentException($"autoencoder level_channels must divide by groups ({Groups})");
        if (Resolution % Downsampling != 0) throw new ArgumentException($"autoencoder resolution {Resolution} must divide by its downsampling {Downsampling}");
    }

    public string ToJson() => JsonSerializer.Serialize(this, ModelConfig.Json);

    public static AutoencoderConfig FromJson(string json, string source)
    {
        try
        {
            var config = JsonSerializer.Deserialize<AutoencoderConfig>(json, ModelConfig.Json) ?? throw new InvalidDataException($"{source} is empty");
            config.Validate();
            return config;
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            throw new InvalidDataException($"{source} is not a valid VidGen autoencoder config: {ErrorText.OneLine(e.Message)}", e);
        }
    }

    /// <summary>A tiny configuration for tests (4x compression, as the default).</summary>
    public static AutoencoderConfig Tiny(int resolution = 16) => new() { LatentChannels = 4, LevelChannels = new[] { 8, 8 }, Groups = 4, Resolution = resolution };
}

/// <summary>
/// How a diffusion model lives in an autoencoder's latent space: the autoencoder (its weights are
/// autoencoder.safetensors beside the model's), and the factor that brings the data's latents to unit standard
/// deviation (Rombach et al.'s scale_factor, measured on the training data when the run starts).
/// </summary>
public sealed record LatentConfig
{
    public AutoencoderConfig Autoencoder { get; init; } = new();
    /// <summary>Diffusion-space latents are encoder outputs times this (1 / their std over the training data).</summary>
    public double Scale { get; init; } = 1;
    /// <summary>|scaled latent| seen on the training data, with a margin: what clamping x0 bounds it to.</summary>
    public double Bound { get; init; } = 4;
}
