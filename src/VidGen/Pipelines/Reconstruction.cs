using VidGen.Media;
using VidGen.Models.Autoencoders;
using static TorchSharp.torch;

namespace VidGen.Pipelines;

/// <summary>Clips through an autoencoder and back, and how close they come (PSNR over [0, 1] pixels).</summary>
public static class Reconstruction
{
    /// <summary>Each clip encoded and decoded, a few at a time; the result has the clips' shapes and frame rates.</summary>
    public static IReadOnlyList<Video> RoundTrip(VideoAutoencoder autoencoder, IReadOnlyList<Video> clips, int batch = 4)
    {
        var result = new List<Video>(clips.Count);
        using var noGrad = no_grad();
        for (int i = 0; i < clips.Count; i += batch)
        {
            using var scope = NewDisposeScope();
            var part = clips.Skip(i).Take(batch).ToList();
            var x = ClipTensors.ToTensor(part, autoencoder.parameters().First().device);
            var y = autoencoder.Decode(autoencoder.Encode(x));
            result.AddRange(ClipTensors.ToVideos(y, part[0].Fps));
        }
        return result;
    }

    /// <summary>Peak signal-to-noise ratio in dB of <paramref name="b"/> against <paramref name="a"/> (pixels in [0, 1]); 100 for identical clips.</summary>
    public static double Psnr(Video a, Video b)
    {
        if (a.Pixels.Length != b.Pixels.Length) throw new ArgumentException("clips differ in shape");
        double sum = 0;
        for (int i = 0; i < a.Pixels.Length; i++) { double d = a.Pixels[i] - b.Pixels[i]; sum += d * d; }
        double mse = sum / a.Pixels.Length;
        return mse <= 1e-10 ? 100 : 10 * Math.Log10(1 / mse);
    }

    /// <summary>Mean PSNR of the clips' round trips (the mean of per-clip dB, as reconstruction benchmarks report it).</summary>
    public static double MeanPsnr(VideoAutoencoder autoencoder, IReadOnlyList<Video> clips)
    {
        var back = RoundTrip(autoencoder, clips);
        return clips.Select((c, i) => Psnr(c, back[i])).Average();
    }
}
