using VidGen.Data.World2;
using VidGen.Models;
using VidGen.Text;
using VidGen.Training;

namespace VidGen.Tests.Data.World2;

public class World2TrainingClipsTests(ArtFixture fixture) : IClassFixture<ArtFixture>
{
    [EmojiFact]
    public void Clips_are_the_worlds_training_clips_and_one_category_stays_one()
    {
        var world = fixture.World(new WorldGeometry { Resolution = 32, Frames = 4 });
        var data = new World2TrainingClips(world, seed: 5);
        Assert.Equal((32, 4, 8.0), (data.Resolution, data.Frames, data.Fps));
        for (int i = 0; i < 6; i++)
        {
            var (video, caption) = data.Clip(i);
            var clip = world.TrainingClip(5, i);
            Assert.Equal(clip.Video.Pixels, video.Pixels);
            Assert.Equal(clip.Caption, caption);
        }
        var motion = new World2TrainingClips(world, seed: 5, Category.Motion);
        Assert.All(Enumerable.Range(0, 10), i => Assert.Equal(world.TrainingClip(5, i, Category.Motion).Caption, motion.Clip(i).Caption));
        // The vocabulary starts with whole captions (the trainer's sample grids prompt with the first four).
        Assert.All(data.VocabularyCaptions().Take(4), c => Assert.True(WordTokenizer.Words(c).Count() >= 3, c));
    }

    [EmojiFact]
    public void A_tiny_model_trains_on_it_and_knows_every_caption_word()
    {
        // libtorch's thread count is process-wide: restore it, so later tests (the bundled model's bit-exact
        // goldens) run as they would without this one.
        int threads = TorchSharp.torch.get_num_threads();
        try { TrainsOnIt(); }
        finally { TorchSharp.torch.set_num_threads(threads); }
    }

    void TrainsOnIt()
    {
        TorchSharp.torch.set_num_threads(1);
        TorchSharp.torch.manual_seed(2);
        var world = fixture.World(new WorldGeometry { Resolution = 32, Frames = 4 });
        var data = new World2TrainingClips(world, seed: 1);
        var dir = TinyModels.TempDir("world2-train");
        var options = new TrainOptions { Steps = 2, BatchSize = 2, LearningRate = 1e-3, WarmupSteps = 1, CheckpointEvery = 0, Seed = 1 };
        using var trainer = new Trainer(ModelConfig.Tiny(32, 4), data, options, dir);
        var losses = new List<double>();
        trainer.Train(p => losses.Add(p.Loss));
        Assert.Equal(2, losses.Count);
        Assert.All(losses, l => Assert.True(double.IsFinite(l) && l > 0));
        var tokenizer = WordTokenizer.FromCaptions(data.VocabularyCaptions());
        for (int i = 0; i < 200; i++) Assert.Empty(tokenizer.UnknownWords(data.Clip(i).Caption));
        Assert.NotEmpty(tokenizer.UnknownWords("a crimson kitten drifting underwater"));
    }
}
