using VidGen.Bench;
using VidGen.Data.World2;
using static TorchSharp.torch;

namespace VidGen.Tests.Bench;

/// <summary>The bench's world2 data stage without its font: skipped with a line saying why, except under CI=true, where it must fail.</summary>
public class World2DataStageTests
{
    [Fact]
    public void A_missing_font_skips_the_stage_with_a_reason_or_fails_in_ci()
    {
        using var model = TinyModels.Create(seed: 1);
        var dir = TinyModels.TempDir("bench-w2");
        string font = Path.Combine(dir, "none.ttf");
        var lines = new List<string>();
        var ctx = new BenchContext(new BenchOptions { Quick = true, EmojiFont = font }, CPU, model, dir, dir, lines.Add, default);
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            var e = Assert.Throws<EmojiFontMissingException>(() => World2DataStage.Run(ctx));
            Assert.Contains(EmojiFont.Package, e.Message);
            return;
        }
        Assert.Null(World2DataStage.Run(ctx));
        var line = Assert.Single(lines);
        Assert.Equal($"(g) world2 data: skipped: no emoji font at {font} (apt-get install fonts-noto-color-emoji, or --emoji-font PATH)", line);
    }
}
