using TorchSharp.Modules;
using VidGen.Models;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace VidGen.Training;

/// <summary>
/// A small PatchGAN critic (Isola et al.; the one Esser et al. put behind their autoencoders, narrower):
/// frames (N, 3, H, W) -> one realness logit per patch (N, 1, H/4, W/4). Used only while training an autoencoder.
/// </summary>
public sealed class PatchDiscriminator : nn.Module<Tensor, Tensor>
{
    private readonly Sequential layers;

    public PatchDiscriminator(int channels = 3, int width = 32) : base("discriminator")
    {
        layers = Sequential(
            ("conv0", Conv2d(channels, width, 4, stride: 2, padding: 1)),
            ("act0", LeakyReLU(0.2)),
            ("conv1", Conv2d(width, width * 2, 4, stride: 2, padding: 1)),
            ("norm1", Norms.GroupNorm(8, width * 2)),
            ("act1", LeakyReLU(0.2)),
            ("conv2", Conv2d(width * 2, width * 2, 3, padding: 1)),
            ("norm2", Norms.GroupNorm(8, width * 2)),
            ("act2", LeakyReLU(0.2)),
            ("conv_out", Conv2d(width * 2, 1, 3, padding: 1)));
        RegisterComponents();
    }

    public override Tensor forward(Tensor frames) => layers.call(frames);
}
