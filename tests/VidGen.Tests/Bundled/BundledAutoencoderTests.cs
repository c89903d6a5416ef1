using VidGen.Data.World2;
using VidGen.Evaluation.World2;
using VidGen.Models.Autoencoders;
using VidGen.Pipelines;
using VidGen.Tests.Data.World2;

namespace VidGen.Tests.Bundled;

/// <summary>
/// The committed world2 autoencoder (models/autoencoder-world2, `vidgen train-autoencoder --world world2`, 4000 steps)
/// keeps reconstructing held-out clips as measured: 36.2 dB mean over the 480 clips of `eval --ground-truth
/// --autoencoder`, 34.9 dB over its 16 validation clips, and the judge reads 96% of reconstructions right.
/// </summary>
public class BundledAutoencoderTests
{
    static string Dir() => Path.Combine(Path.GetDirectoryName(BundledModelTests.ModelDir())!, "autoencoder-world2");

    [EmojiFact]
    public void ReconstructsHeldOutClipsAbove32Db()
    {
        using var ae = AutoencoderFolder.Load(Dir());
        Assert.Equal((4, 8), (ae.Config.Downsampling, ae.Config.LatentChannels));
        var world = CompositionalWorld.Open();
        var clips = Enumerable.Range(0, 12).Select(i => world.HeldOutClip(7, i).Video).ToList();
        var back = Reconstruction.RoundTrip(ae, clips);
        var psnr = clips.Select((c, i) => Reconstruction.Psnr(c, back[i])).ToList();
        Assert.True(psnr.Average() >= 32, $"mean PSNR {psnr.Average():F2} dB (per clip: {string.Join(", ", psnr.Select(p => p.ToString("F1")))})");
        Assert.True(psnr.Min() >= 28, $"worst clip {psnr.Min():F2} dB");
    }

    [EmojiFact]
    public void TheJudgeReadsMostReconstructionsAsTheOriginals()
    {
        using var ae = AutoencoderFolder.Load(Dir());
        var art = ObjectArt.Load();
        var world = new CompositionalWorld(art);
        var options = new World2Options { Clips = 48, ClipsPerPrompt = 2 };
        var report = World2Fidelity.Evaluate(World2ClipSources.Reconstructed(World2ClipSources.GroundTruth(world), ae), options, new World2Judge(art), "reconstructions",
            new Dictionary<string, string>(), World2EvalPrompts.Make(art, 24));
        // Measured over 480 clips: 96.2% (small stars read as circles, suns as orange circles); 100% on the originals.
        Assert.True(report.Overall.All.Category >= 0.85, $"judge on reconstructions: {report.Overall.All.Category:P1}");
    }
}
