using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace VidGen.Models.Autoencoders;

/// <summary>
/// A deterministic convolutional autoencoder applied to each frame (after the encoders of Rombach et al.'s
/// latent diffusion, without the KL term or attention: the worlds here are flat colours and sprites).
/// Clips (B, 3, F, H, W) in [-1, 1] &lt;-&gt; latents (B, L, F, H/d, W/d), d = <see cref="AutoencoderConfig.Downsampling"/>.
/// The latents here are raw encoder outputs; the diffusion space's scaling belongs to the model that uses them.
/// It also carries a linear latent-to-RGB map (fitted after training, as ComfyUI's fast previews are), for
/// previews that cost nothing next to a decode.
/// </summary>
public sealed class VideoAutoencoder : nn.Module
{
    private readonly Sequential encoder, decoder;
    private readonly Tensor preview_weight, preview_bias; // (3, L), (3): RGB ~ W z + b at the latent's resolution

    public AutoencoderConfig Config { get; }

    public VideoAutoencoder(AutoencoderConfig config) : base("autoencoder")
    {
        config.Validate();
        Config = config;
        var ch = config.LevelChannels;
        int g = config.Groups;

        int p = config.PatchSize;
        var enc = new List<(string, Module<Tensor, Tensor>)> { ("conv_in", Conv2d(config.Channels * p * p, ch[0], 3, padding: 1)) };
        long width = ch[0];
        for (int level = 0; level < ch.Length; level++)
        {
            if (level > 0) enc.Add(($"down{level}", new FrameDownsample("down", width)));
            for (int b = 0; b < config.BlocksPerLevel; b++) { enc.Add(($"block{level}_{b}", new FrameResBlock("block", width, ch[level], g))); width = ch[level]; }
            if (width != ch[level]) { enc.Add(($"widen{level}", Conv2d(width, ch[level], 1))); width = ch[level]; }
        }
        enc.Add(("norm_out", Norms.GroupNorm(Math.Min(g, width), width)));
        enc.Add(("act_out", SiLU()));
        enc.Add(("conv_out", Conv2d(width, config.LatentChannels, 3, padding: 1)));
        encoder = Sequential(enc);

        width = ch[^1];
        var dec = new List<(string, Module<Tensor, Tensor>)> { ("conv_in", Conv2d(config.LatentChannels, width, 3, padding: 1)) };
        for (int level = ch.Length - 1; level >= 0; level--)
        {
            for (int b = 0; b < config.BlocksPerLevel + 1; b++) { dec.Add(($"block{level}_{b}", new FrameResBlock("block", width, ch[level], g))); width = ch[level]; }
            if (level > 0) { dec.Add(($"up{level}", new FrameUpsample("up", width, ch[level - 1]))); width = ch[level - 1]; }
        }
        dec.Add(("norm_out", Norms.GroupNorm(Math.Min(g, width), width)));
        dec.Add(("act_out", SiLU()));
        dec.Add(("conv_out", Conv2d(width, config.Channels * p * p, 3, padding: 1)));
        decoder = Sequential(dec);

        preview_weight = zeros(config.Channels, config.LatentChannels);
        preview_bias = zeros(config.Channels);
        RegisterComponents();
    }

    /// <summary>Frames (N, 3, H, W) -> latents (N, L, H/d, W/d).</summary>
    public Tensor EncodeFrames(Tensor frames)
    {
        if (Config.PatchSize == 1) return encoder.call(frames);
        using var folded = functional.pixel_unshuffle(frames, Config.PatchSize);            // (N, 3 p^2, H/p, W/p)
        return encoder.call(folded);
    }

    /// <summary>Latents (N, L, h, w) -> frames (N, 3, h*d, w*d), unclamped.</summary>
    public Tensor DecodeFrames(Tensor latents)
    {
        if (Config.PatchSize == 1) return decoder.call(latents);
        using var folded = decoder.call(latents);                                            // (N, 3 p^2, H/p, W/p)
        return functional.pixel_shuffle(folded, Config.PatchSize);
    }

    /// <summary>Clips (B, 3, F, H, W) -> latents (B, L, F, H/d, W/d).</summary>
    public Tensor Encode(Tensor clips) => PerFrame(clips, EncodeFrames);

    /// <summary>Latents (B, L, F, h, w) -> clips (B, 3, F, h*d, w*d), unclamped.</summary>
    public Tensor Decode(Tensor latents) => PerFrame(latents, DecodeFrames);

    /// <summary>Latents (B, L, F, h, w) -> a low-resolution RGB estimate (B, 3, F, h, w) through the fitted linear map.</summary>
    public Tensor Preview(Tensor latents)
    {
        using var scope = NewDisposeScope();
        var z = latents.permute(0, 2, 3, 4, 1);                                             // (B, F, h, w, L)
        var rgb = functional.linear(z, preview_weight, preview_bias);                      // (B, F, h, w, 3)
        return rgb.permute(0, 4, 1, 2, 3).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Least-squares fit of the preview map: latents (B, L, F, h, w) against the clips they came from,
    /// (B, 3, F, H, W) averaged down to (h, w). Returns the fit's RMS error in [-1, 1] units.
    /// </summary>
    public double FitPreview(Tensor latents, Tensor clips)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        int d = Config.Downsampling;
        long b = clips.shape[0], c = clips.shape[1], f = clips.shape[2], h = clips.shape[3], w = clips.shape[4];
        var framesFlat = clips.transpose(1, 2).reshape(b * f, c, h, w);
        var target = functional.avg_pool2d(framesFlat, d).permute(0, 2, 3, 1).reshape(-1, c);          // (N, 3)
        var z = latents.transpose(1, 2).permute(0, 1, 3, 4, 2).reshape(-1, latents.shape[1]);         // (N, L)
        var design = cat(new[] { z, ones(z.shape[0], 1, dtype: z.dtype, device: z.device) }, 1);     // (N, L+1)
        var solution = linalg.lstsq(design.to(ScalarType.Float64), target.to(ScalarType.Float64)).Solution.to(ScalarType.Float32); // (L+1, 3)
        long l = latents.shape[1];
        preview_weight.copy_(solution.narrow(0, 0, l).t());
        preview_bias.copy_(solution[l]);
        var fit = design.matmul(solution);
        return Math.Sqrt((fit - target).square().mean().item<float>());
    }

    private static Tensor PerFrame(Tensor clips, Func<Tensor, Tensor> frameMap)
    {
        using var scope = NewDisposeScope();
        long b = clips.shape[0], c = clips.shape[1], f = clips.shape[2];
        var frames = clips.transpose(1, 2).reshape(b * f, c, clips.shape[3], clips.shape[4]);    // (B*F, C, H, W)
        var mapped = frameMap(frames);                                                           // (B*F, C', H', W')
        var result = mapped.view(b, f, mapped.shape[1], mapped.shape[2], mapped.shape[3]).transpose(1, 2).contiguous();
        return result.MoveToOuterDisposeScope();
    }
}
