using VidGen.Data;
using VidGen.Models;
using VidGen.Training;
using static TorchSharp.torch;

namespace VidGen.Tests;

public class TorchThreadsTests
{
    [Fact]
    public void AScopeGivesThePreviousCountBack()
    {
        int before = get_num_threads();
        using (TorchThreads.Use(1))
        {
            Assert.Equal(1, get_num_threads());
            using (TorchThreads.Use(3)) Assert.Equal(3, get_num_threads());
            Assert.Equal(1, get_num_threads());
        }
        Assert.Equal(before, get_num_threads());
        using (TorchThreads.Use(0)) Assert.Equal(before, get_num_threads()); // 0: unchanged
        Assert.Equal(before, get_num_threads());
    }

    [Fact]
    public void ATrainerWithItsOwnThreadCountGivesItBackWhenDisposed()
    {
        int before = get_num_threads();
        int wanted = before == 1 ? 2 : 1;
        var dir = Path.Combine(Path.GetTempPath(), "vidgen-threads-" + Guid.NewGuid().ToString("N"));
        try
        {
            var config = ModelConfig.Tiny(16, 4);
            using (new Trainer(config, new ShapesTrainingClips(new ShapesWorld(16, 4)), new TrainOptions { Threads = wanted, Steps = 1 }, dir))
                Assert.Equal(wanted, get_num_threads());
            Assert.Equal(before, get_num_threads());
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); }
    }
}
