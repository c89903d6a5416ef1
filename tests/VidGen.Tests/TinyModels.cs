using TorchSharp;
using VidGen.Data;
using VidGen.Models;
using VidGen.Text;

namespace VidGen.Tests;

/// <summary>Seeded tiny models and data shared by tests (seconds on a CPU).</summary>
public static class TinyModels
{
    public static readonly string[] Captions =
    {
        "a red circle moving left", "a blue square moving right", "a green triangle moving up", "a white circle moving down",
    };

    public static VideoDiffusionModel Create(int seed = 0, ModelConfig? config = null)
    {
        torch.manual_seed(seed);
        var tok = WordTokenizer.FromCaptions(Captions);
        return new VideoDiffusionModel(config ?? ModelConfig.Tiny(16, 4), tok);
    }

    public static ShapesTrainingClips ShapesData(int resolution = 16, int frames = 4) => new(new ShapesWorld(resolution, frames), seed: 1);

    public static string TempDir(string name)
    {
        var dir = Path.Combine(Path.GetTempPath(), "vidgen-tests", name + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        return dir;
    }
}

/// <summary>Clip 0 of another source, whatever index is asked: for overfitting tests.</summary>
public sealed class SingleClip(ITrainingClips inner) : ITrainingClips
{
    public int Resolution => inner.Resolution;
    public int Frames => inner.Frames;
    public double Fps => inner.Fps;
    public IEnumerable<string> VocabularyCaptions() => inner.VocabularyCaptions();
    public (VidGen.Media.Video Video, string Caption) Clip(long index) => inner.Clip(0);
}
