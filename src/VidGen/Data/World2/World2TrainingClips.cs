using VidGen.Media;

namespace VidGen.Data.World2;

/// <summary>
/// The second world as a training source: clip i is <see cref="CompositionalWorld.TrainingClip"/>(seed, i), so
/// no held-out combination ever appears, and the same index always gives the same clip whatever thread asks.
/// <see cref="Category"/> restricts training to one category (null: all in turn, drawn per clip).
/// </summary>
public sealed class World2TrainingClips(CompositionalWorld world, int seed = 0, Category? category = null) : ITrainingClips
{
    public int Resolution => world.Resolution;
    public int Frames => world.Frames;
    public double Fps => world.Fps;
    public Category? Category => category;

    /// <summary>
    /// Every word a training caption can use (the grammar's training forms), for the tokenizer's vocabulary. The
    /// first four are whole canonical captions, since the trainer's sample grids prompt with the first four.
    /// </summary>
    public IEnumerable<string> VocabularyCaptions() => Vocabulary();

    public static IEnumerable<string> Vocabulary() => Examples.Select(s => Captions.Write(s)).Concat(Lexicon.TrainingPhrases());

    static readonly ClipSpec[] Examples =
    {
        new(World2.Category.Motion, Scene.Black, new[] { new ObjectSpec(ObjectClass.Circle, "red", ShapeSize.Large, Movement.Right) }),
        new(World2.Category.Spatial, Scene.Sky, new[] { new ObjectSpec(ObjectClass.Bird, null, ShapeSize.Small), new ObjectSpec(ObjectClass.House, null, ShapeSize.Large) }, Relation.Above),
        new(World2.Category.Numeracy, Scene.Grass, Enumerable.Repeat(new ObjectSpec(ObjectClass.Star, "yellow", ShapeSize.Small), 3).ToArray()),
        new(World2.Category.Action, Scene.Sea, new[] { new ObjectSpec(ObjectClass.Fish, null, ShapeSize.Large, Movement.Spinning) }),
    };

    public (Video Video, string Caption) Clip(long index)
    {
        var clip = world.TrainingClip(seed, index, category);
        return (clip.Video, clip.Caption);
    }
}
