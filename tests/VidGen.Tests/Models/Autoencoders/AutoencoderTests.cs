using TorchSharp;
using VidGen.Models;
using VidGen.Models.Autoencoders;
using VidGen.Pipelines;
using static TorchSharp.torch;

namespace VidGen.Tests.Models.Autoencoders;

public class AutoencoderTests
{
    static VideoAutoencoder Tiny(int seed = 0)
    {
        manual_seed(seed);
        return new VideoAutoencoder(AutoencoderConfig.Tiny(16));
    }

    [Fact]
    public void EncodeAndDecodeShapes()
    {
        using var ae = Tiny();
        Assert.Equal(4, ae.Config.Downsampling);
        using var x = rand(new long[] { 2, 3, 5, 16, 16 }) * 2 - 1;
        using var z = ae.Encode(x);
        Assert.Equal(new long[] { 2, 4, 5, 4, 4 }, z.shape);
        using var y = ae.Decode(z);
        Assert.Equal(x.shape, y.shape);
        using var p = ae.Preview(z);
        Assert.Equal(new long[] { 2, 3, 5, 4, 4 }, p.shape);
    }

    [Fact]
    public void FramesAreCodedIndependently()
    {
        // Per-frame by design: a clip's frame 1 codes the same alone as inside the clip.
        using var ae = Tiny();
        using var x = rand(new long[] { 1, 3, 3, 16, 16 });
        using var whole = ae.Encode(x);
        using var alone = ae.Encode(x.narrow(2, 1, 1).contiguous());
        Assert.True(whole.narrow(2, 1, 1).allclose(alone, rtol: 1e-4, atol: 1e-5));
    }

    [Theory]
    [InlineData(1, "level_channels")]
    [InlineData(2, "patch_size")]
    [InlineData(3, "divide by its downsampling")]
    public void BadConfigsAreNamed(int which, string expected)
    {
        var c = which switch
        {
            1 => new AutoencoderConfig { LevelChannels = Array.Empty<int>() },
            2 => new AutoencoderConfig { PatchSize = 0 },
            _ => new AutoencoderConfig { Resolution = 66 },
        };
        var e = Assert.Throws<ArgumentException>(c.Validate);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FolderRoundTripGivesTheSameOutputs()
    {
        var dir = TinyModels.TempDir("ae-folder");
        using var ae = Tiny(3);
        using var x = rand(new long[] { 1, 3, 2, 16, 16 });
        using (no_grad()) ae.FitPreview(ae.Encode(x), x);
        AutoencoderFolder.Save(dir, ae);
        using var back = AutoencoderFolder.Load(dir);
        Assert.Equal(ae.Config.ToJson(), back.Config.ToJson());
        using var a = ae.Decode(ae.Encode(x));
        using var b = back.Decode(back.Encode(x));
        Assert.True(a.allclose(b));
        using var pa = ae.Preview(ae.Encode(x));
        using var pb = back.Preview(back.Encode(x));
        Assert.True(pa.allclose(pb));
        Assert.True(pa.abs().sum().item<float>() > 0, "the preview map was fitted and saved");
    }

    [Fact]
    public void MissingAndMismatchedFilesAreOneErrorNamingTheFile()
    {
        var dir = TinyModels.TempDir("ae-bad");
        var e1 = Assert.Throws<FileNotFoundException>(() => AutoencoderFolder.Load(dir));
        Assert.Contains(AutoencoderFolder.ConfigFile, e1.Message, StringComparison.Ordinal);

        using (var ae = Tiny()) AutoencoderFolder.Save(dir, ae);
        // The config now says 16 latent channels but the weights have 4.
        File.WriteAllText(Path.Combine(dir, AutoencoderFolder.ConfigFile), (AutoencoderConfig.Tiny(16) with { LatentChannels = 16 }).ToJson());
        var e2 = Assert.Throws<InvalidDataException>(() => AutoencoderFolder.Load(dir));
        Assert.Contains(AutoencoderFolder.WeightsFile, e2.Message, StringComparison.Ordinal);
        Assert.Contains("shape mismatches", e2.Message, StringComparison.Ordinal);

        File.WriteAllText(Path.Combine(dir, AutoencoderFolder.ConfigFile), "{\"level_channels\": \"many\"}");
        var e3 = Assert.Throws<InvalidDataException>(() => AutoencoderFolder.Load(dir));
        Assert.Contains("not a valid VidGen autoencoder config", e3.Message, StringComparison.Ordinal);

        File.WriteAllBytes(Path.Combine(dir, AutoencoderFolder.WeightsFile), new byte[] { 1, 2, 3 });
        File.WriteAllText(Path.Combine(dir, AutoencoderFolder.ConfigFile), AutoencoderConfig.Tiny(16).ToJson());
        var e4 = Assert.Throws<InvalidDataException>(() => AutoencoderFolder.Load(dir));
        Assert.Contains(AutoencoderFolder.WeightsFile, e4.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PreviewFitRecoversALinearCode()
    {
        // If the latents are an exact linear code of the block means, the fit finds it (RMS ~ 0).
        using var ae = Tiny();
        using var x = rand(new long[] { 2, 3, 2, 16, 16 }) * 2 - 1;
        using var frames = x.transpose(1, 2).reshape(4, 3, 16, 16);
        using var means = nn.functional.avg_pool2d(frames, 4);                                 // (4, 3, 4, 4)
        using var w = tensor(new float[] { 1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1 }, new long[] { 4, 3 });
        using var code = (means.permute(0, 2, 3, 1).matmul(w.t()) + 0.5f).permute(0, 3, 1, 2);    // (4, 4, 4, 4)
        using var z = code.reshape(2, 2, 4, 4, 4).transpose(1, 2).contiguous();                  // (2, 4, 2, 4, 4)
        double rms = ae.FitPreview(z, x);
        Assert.True(rms < 1e-4, $"rms {rms}");
        using var p = ae.Preview(z);
        using var expected = means.reshape(2, 2, 3, 4, 4).transpose(1, 2);
        Assert.True(p.allclose(expected, atol: 1e-4));
    }

    [Fact]
    public void MeasuredScaleGivesUnitStd()
    {
        using var ae = Tiny(1);
        using var x = rand(new long[] { 2, 3, 2, 16, 16 }) * 2 - 1;
        var latent = LatentCodec.Measure(ae, x);
        using var codec = new LatentCodec(ae, latent);
        using var z = codec.Encode(x);
        Assert.Equal(1.0, z.std().item<float>(), 3);
        Assert.True(z.abs().max().item<float>() <= latent.Bound);
        using var y = codec.Decode(z);
        using var direct = ae.Decode(ae.Encode(x));
        Assert.True(y.allclose(direct, atol: 1e-5));
    }

    [Fact]
    public void PsnrOfIdenticalAndNoisyClips()
    {
        var a = new VidGen.Media.Video(2, 4, 4);
        var b = new VidGen.Media.Video(2, 4, 4, pixels: a.Pixels.Select(_ => 0.1f).ToArray());
        Assert.Equal(100, Reconstruction.Psnr(a, a));
        Assert.Equal(20, Reconstruction.Psnr(a, b), 6); // mse 0.01 -> 20 dB
    }
}
