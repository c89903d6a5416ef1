using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using VidGen.Media;

namespace VidGen.Tests.Media;

public class VideoReaderWriterTests
{
    [Theory]
    [InlineData(".gif")]
    [InlineData(".webp")]
    [InlineData(".png")]
    public void Every_writer_format_reads_back_through_the_dispatcher(string ext)
    {
        using var dir = new TempDir();
        var clip = TestClips.Shapes(resolution: 16, frames: 4, fps: 10);
        string path = dir.File("clip" + ext);
        VideoWriter.Write(clip, path);
        var back = VideoReader.Read(path);
        Assert.True(TestClips.MaxAbsDiff(TestClips.Quantised(clip), back) < 1e-6f);
        Assert.Equal(10, back.Fps, 6);
    }

    [Fact]
    public void A_path_without_extension_is_a_folder_of_png_frames()
    {
        using var dir = new TempDir();
        var clip = TestClips.Shapes(frames: 3);
        VideoWriter.Write(clip, dir.File("frames"));
        Assert.Equal(3, Directory.GetFiles(dir.File("frames"), "*.png").Length);
        Assert.Equal(3, VideoReader.Read(dir.File("frames")).Frames);
    }

    [Fact]
    public void Decoder_is_chosen_by_content_not_by_name()
    {
        using var dir = new TempDir();
        GifWriter.Write(TestClips.Shapes(), dir.File("real.gif"));
        File.Copy(dir.File("real.gif"), dir.File("misnamed.webp"));
        Assert.Equal(4, VideoReader.Read(dir.File("misnamed.webp")).Frames);
    }

    [Fact]
    public void Extensions_lists_what_can_be_written_here()
    {
        Assert.Equal(new[] { ".gif", ".webp", ".png", ".mp4" }, VideoWriter.AllExtensions);
        Assert.Equal(Ffmpeg.IsAvailable, VideoWriter.Extensions.Contains(".mp4"));
        Assert.Subset(VideoWriter.AllExtensions.ToHashSet(), VideoWriter.Extensions.ToHashSet());
        var e = Assert.Throws<NotSupportedException>(() => VideoWriter.Write(TestClips.Shapes(), "out.bmp"));
        Assert.Contains("out.bmp", e.Message);
    }

    [Fact]
    public void Missing_empty_and_unknown_files_are_one_line_errors_naming_the_file()
    {
        using var dir = new TempDir();
        var missing = Assert.Throws<FileNotFoundException>(() => VideoReader.Read(dir.File("nope.gif")));
        TestClips.AssertNamesFile(missing, dir.File("nope.gif"));
        File.WriteAllBytes(dir.File("empty.gif"), Array.Empty<byte>());
        var empty = Assert.Throws<MediaFormatException>(() => VideoReader.Read(dir.File("empty.gif")));
        TestClips.AssertNamesFile(empty, dir.File("empty.gif"));
        Assert.Contains("empty", empty.Message);
        File.WriteAllBytes(dir.File("data.bin"), new byte[] { 1, 2, 3, 4, 5 });
        var unknown = Assert.Throws<MediaFormatException>(() => VideoReader.Read(dir.File("data.bin")));
        TestClips.AssertNamesFile(unknown, dir.File("data.bin"));
    }

    [Fact]
    public void Fit_square_crops_the_centre_identically_in_every_frame()
    {
        using var dir = new TempDir();
        // 30x10 frames: black, with a white 2x2 marker at the centre column (x 14..15, y 4..5) and a red bar
        // at the far left that the centre crop must remove. The marker sits still; the red bar moves.
        var v = new Video(3, 10, 30, 10);
        for (int f = 0; f < 3; f++)
        {
            for (int y = 4; y < 6; y++) for (int x = 14; x < 16; x++) v.Set(f, y, x, 1, 1, 1);
            for (int y = 0; y < 10; y++) v.Set(f, y, f, 1, 0, 0);
        }
        VideoWriter.Write(v, dir.File("wide.png"));
        var sq = VideoReader.Read(dir.File("wide.png"), new ReadOptions { FitSquare = 10 });
        Assert.Equal((3, 10, 10), (sq.Frames, sq.Height, sq.Width));
        for (int f = 0; f < 3; f++)
        {
            // Centre crop of a 30-wide frame is x 10..19, so the marker lands at x 4..5 in every frame.
            Assert.Equal(1f, sq.Get(f, 4, 4).G, 2);
            Assert.Equal(1f, sq.Get(f, 5, 5).G, 2);
            for (int y = 0; y < 10; y++) for (int x = 0; x < 10; x++) Assert.True(sq.Get(f, y, x).R - sq.Get(f, y, x).G < 0.05f, "red bar outside the crop leaked in");
            Assert.Equal(sq.Frame(0).ToArray(), sq.Frame(f).ToArray());
        }
    }

    [Fact]
    public void Fit_square_resizes_the_shorter_side()
    {
        using var img = new Image<Rgb24>(40, 20);
        FrameImages.FitSquare(img, 8);
        Assert.Equal((8, 8), (img.Width, img.Height));
        Assert.Equal(new Rectangle(10, 0, 20, 20), FrameImages.CenterSquare(40, 20));
        Assert.Equal(new Rectangle(0, 2, 5, 5), FrameImages.CenterSquare(5, 10));
    }
}
