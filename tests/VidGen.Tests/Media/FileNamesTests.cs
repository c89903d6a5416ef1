using VidGen.Media;

namespace VidGen.Tests.Media;

public class FileNamesTests
{
    [Theory]
    [InlineData("a red circle moving left", "a_red_circle_moving_left")]
    [InlineData("  A Red, circle!! moving/left?  ", "a_red_circle_moving_left")]
    [InlineData("café crème", "cafe_creme")]
    [InlineData("../../etc/passwd", "etc_passwd")]
    [InlineData("***", "video")]
    [InlineData("con", "con_video")]
    public void PromptsBecomeSafeNames(string prompt, string expected) => Assert.Equal(expected, FileNames.FromPrompt(prompt));

    [Fact]
    public void LongPromptsAreCut() => Assert.True(FileNames.FromPrompt(string.Join(' ', Enumerable.Repeat("word", 100))).Length <= 80);
}
