using VidGen.Models;
using static TorchSharp.torch;

namespace VidGen.Pipelines;

/// <summary>
/// Between clips (B, 3, F, H, W) in [-1, 1] and what a model's U-Net denoises: the clips themselves for a pixel
/// model, scaled autoencoder latents (B, L, F, H/d, W/d) for a latent one. Training encodes with it, sampling decodes.
/// </summary>
public static class DiffusionSpace
{
    public static Tensor FromClips(VideoDiffusionModel model, Tensor clips) =>
        model.Latents is null ? clips.alias() : model.Latents.Encode(clips);

    public static Tensor ToClips(VideoDiffusionModel model, Tensor x) =>
        model.Latents is null ? x.alias() : model.Latents.Decode(x);

    /// <summary>A cheap look at x (same output size as <see cref="ToClips"/>): a latent model's linear preview, enlarged by repetition.</summary>
    public static Tensor PreviewClips(VideoDiffusionModel model, Tensor x)
    {
        if (model.Latents is null) return x.alias();
        using var low = model.Latents.Preview(x);                                          // (B, 3, F, h, w)
        long d = model.Latents.Downsampling;
        using var tall = low.repeat_interleave(d, 3);
        return tall.repeat_interleave(d, 4);                                                // (B, 3, F, h*d, w*d)
    }
}
