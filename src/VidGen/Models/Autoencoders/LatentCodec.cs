using static TorchSharp.torch;

namespace VidGen.Models.Autoencoders;

/// <summary>
/// The latent space a diffusion model works in: a frozen autoencoder and the scale that gives the training
/// data's latents unit standard deviation. Not an nn.Module, so a model holding it neither trains nor saves
/// its weights as its own (they are autoencoder.safetensors beside the model's); a model and its EMA copy share one.
/// </summary>
public sealed class LatentCodec : IDisposable
{
    public VideoAutoencoder Autoencoder { get; }
    public LatentConfig Config { get; }

    public LatentCodec(VideoAutoencoder autoencoder, LatentConfig config)
    {
        if (config.Autoencoder != autoencoder.Config && config.Autoencoder.ToJson() != autoencoder.Config.ToJson())
            throw new ArgumentException("the latent config names another autoencoder than the one given");
        if (!(config.Scale > 0) || !(config.Bound > 0)) throw new ArgumentException($"latent scale and bound must be positive (got {config.Scale}, {config.Bound})");
        Autoencoder = autoencoder;
        Config = config;
        foreach (var p in autoencoder.parameters()) p.requires_grad = false;
        autoencoder.eval();
    }

    public int Downsampling => Config.Autoencoder.Downsampling;
    public int Channels => Config.Autoencoder.LatentChannels;

    /// <summary>Clips (B, 3, F, H, W) in [-1, 1] -> scaled latents (B, L, F, H/d, W/d).</summary>
    public Tensor Encode(Tensor clips)
    {
        using var noGrad = no_grad();
        using var z = Autoencoder.Encode(clips);
        return z * Config.Scale;
    }

    /// <summary>Scaled latents (B, L, F, h, w) -> clips (B, 3, F, h*d, w*d), unclamped.</summary>
    public Tensor Decode(Tensor latents)
    {
        using var noGrad = no_grad();
        using var z = latents / Config.Scale;
        return Autoencoder.Decode(z);
    }

    /// <summary>Scaled latents -> a low-resolution RGB estimate (B, 3, F, h, w) through the fitted linear map.</summary>
    public Tensor Preview(Tensor latents)
    {
        using var noGrad = no_grad();
        using var z = latents / Config.Scale;
        return Autoencoder.Preview(z);
    }

    /// <summary>
    /// The scale and bound for <paramref name="autoencoder"/> on some training clips (B, 3, F, H, W), as Rombach
    /// et al. set theirs from a first batch: scale = 1 / std of the latents; bound = max |scaled latent| x 1.25.
    /// </summary>
    public static LatentConfig Measure(VideoAutoencoder autoencoder, Tensor clips)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var z = autoencoder.Encode(clips);
        double std = z.std().item<float>();
        if (!(std > 1e-8)) throw new InvalidDataException("the autoencoder's latents have no spread on these clips (an untrained or broken autoencoder?)");
        double bound = z.abs().max().item<float>() / std * 1.25;
        return new LatentConfig { Autoencoder = autoencoder.Config, Scale = 1 / std, Bound = Math.Max(bound, 1) };
    }

    public void Dispose() => Autoencoder.Dispose();
}
