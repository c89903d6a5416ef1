namespace VidGen.Tests;

public class SeedsTests
{
    [Fact]
    public void MixGivesTheSameValuesInEveryProcess()
    {
        // Computed independently (Python, 64-bit SplitMix finaliser); System.HashCode would differ per process.
        Assert.Equal(1447931562, Seeds.Mix(0, 0));
        Assert.Equal(165600993, Seeds.Mix(3, 7));
        Assert.Equal(239960205, Seeds.Mix(1, 123456789));
    }
}
