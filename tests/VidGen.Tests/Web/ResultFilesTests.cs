using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using VidGen.Media;
using VidGen.Web.Jobs;

namespace VidGen.Tests.Web;

public class ResultFilesTests
{
    static Video Gradient(int frames, int size)
    {
        var v = new Video(frames, size, size, fps: 6);
        for (int f = 0; f < frames; f++)
            for (int y = 0; y < size; y++)
                for (int x = 0; x < size; x++)
                    v.Set(f, y, x, x / (float)(size - 1), y / (float)(size - 1), f / (float)(frames - 1));
        return v;
    }

    [Fact]
    public void FramesPngKeepsEveryFrameSideBySideAndReadsBackTo8BitValues()
    {
        string dir = Path.Combine(Path.GetTempPath(), "vidgen-results-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var video = Gradient(3, 5);
            ResultFiles.Save(dir, video, scale: 2);

            using (var strip = Image.Load<Rgb24>(Path.Combine(dir, ResultFiles.FramesFile)))
            {
                Assert.Equal((15, 5), (strip.Width, strip.Height));
                Assert.Equal(new Rgb24(255, 0, 128), strip[4 + 5 * 1, 0]); // frame 1, x 4, y 0: blue = 0.5 rounds to 128
            }
            var back = ResultFiles.LoadFrames(Path.Combine(dir, ResultFiles.FramesFile), frames: 3, fps: 6);
            Assert.Equal((3, 5, 5), (back.Frames, back.Height, back.Width));
            for (int i = 0; i < video.Pixels.Length; i++)
                Assert.Equal(FrameImages.ToByte(video.Pixels[i]) / 255f, back.Pixels[i], 6);

            Assert.Throws<InvalidDataException>(() => ResultFiles.LoadFrames(Path.Combine(dir, ResultFiles.FramesFile), frames: 4, fps: 6));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public async Task AMissingVideoFileIsRemadeFromTheStoredFrames()
    {
        // This is how a format added to VideoWriter later becomes downloadable for old results.
        string dir = Path.Combine(Path.GetTempPath(), "vidgen-results-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            ResultFiles.Save(dir, Gradient(4, 6), scale: 3);
            string gif = Path.Combine(dir, "video.gif");
            byte[] original = File.ReadAllBytes(gif);
            File.Delete(gif);

            string path = await ResultFiles.GetOrCreateAsync(dir, "gif", frames: 4, fps: 6, scale: 3, CancellationToken.None);
            Assert.Equal(gif, path);
            Assert.Equal(original, File.ReadAllBytes(path)); // frames.png is lossless for 8-bit frames
            Assert.Empty(Directory.GetFiles(dir, ".tmp-*"));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
