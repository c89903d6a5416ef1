using VidGen.Media;

namespace VidGen.Data;

/// <summary>An indexable, deterministic source of captioned training clips at one fixed size.</summary>
public interface ITrainingClips
{
    int Resolution { get; }
    int Frames { get; }
    double Fps { get; }
    /// <summary>Every caption the tokenizer must know (for the built-in word vocabulary).</summary>
    IEnumerable<string> VocabularyCaptions();
    /// <summary>Clip number <paramref name="index"/>; the same index always gives the same clip.</summary>
    (Video Video, string Caption) Clip(long index);
}

/// <summary>The shapes world as a training source: held-out combinations never appear.</summary>
public sealed class ShapesTrainingClips : ITrainingClips
{
    private readonly ShapesWorld world;
    private readonly int seed;

    public ShapesTrainingClips(ShapesWorld world, int seed = 0) { this.world = world; this.seed = seed; }

    public int Resolution => world.Resolution;
    public int Frames => world.Frames;
    public double Fps => world.Fps;

    public IEnumerable<string> VocabularyCaptions() => ShapesWorld.AllSpecs().Select(s => s.Caption);

    public (Video Video, string Caption) Clip(long index)
    {
        var (v, _, caption) = world.TrainingClip(seed, index);
        return (v, caption);
    }
}
