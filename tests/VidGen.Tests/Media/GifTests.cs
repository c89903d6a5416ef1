using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Gif;
using VidGen.Media;

namespace VidGen.Tests.Media;

public class GifTests
{
    [Fact]
    public void Round_trip_is_exact_for_a_clip_with_few_colours_and_keeps_timing_and_loop()
    {
        using var dir = new TempDir();
        var clip = TestClips.Shapes(fps: 10);
        string path = dir.File("clip.gif");
        GifWriter.Write(clip, path);

        var back = GifReader.Read(path);
        // Anti-aliased shape on black: far fewer than 256 colours per frame, so the local palette is exact.
        Assert.True(TestClips.MaxAbsDiff(TestClips.Quantised(clip), back) < 1e-6f);
        Assert.Equal(10, back.Fps, 6);

        var info = GifStructure.Walk(path, File.ReadAllBytes(path));
        Assert.Equal(new[] { 10, 10, 10, 10 }, info.Delays);
        Assert.Equal(0, info.LoopCount); // loops forever
        Assert.True(info.HasTrailer);
    }

    [Theory]
    [InlineData(8, 13)]   // 12.5 cs rounds away from zero
    [InlineData(25, 4)]
    [InlineData(100, 2)]  // below 2 cs browsers slow down to 10 cs: clamp at 2
    [InlineData(1, 100)]
    public void Frame_delay_comes_from_fps(double fps, int expectedCs) => Assert.Equal(expectedCs, GifWriter.DelayCentiseconds(fps));

    [Fact]
    public void Palette_is_good_for_a_frame_with_more_than_256_colours()
    {
        using var dir = new TempDir();
        var clip = TestClips.Gradient(w: 24, h: 20); // 480 distinct colours per frame
        string path = dir.File("g.gif");
        GifWriter.Write(clip, path);
        var back = GifReader.Read(path);
        // Measured (256 colours for 480), local tables, no dither: octree mean 0.016, max 0.055 (Wu: 0.016 / 0.054).
        // For comparison: Floyd-Steinberg dithering 0.017 / 0.088-0.13; a fixed web-safe palette 0.067 / 0.26;
        // ImageSharp's Wu with one global table 0.28 (it fits the palette to the first frame only).
        Assert.True(TestClips.MeanAbsDiff(clip, back) < 0.02, $"mean error {TestClips.MeanAbsDiff(clip, back)}");
        Assert.True(TestClips.MaxAbsDiff(clip, back) < 0.07f, $"max error {TestClips.MaxAbsDiff(clip, back)}");
    }

    [Fact]
    public void Scale_replicates_pixels()
    {
        using var dir = new TempDir();
        var clip = TestClips.Shapes(resolution: 16, frames: 2);
        GifWriter.Write(clip, dir.File("x2.gif"), scale: 2);
        var back = GifReader.Read(dir.File("x2.gif"));
        Assert.Equal((2, 32, 32), (back.Frames, back.Height, back.Width));
        for (int y = 0; y < 32; y++)
            for (int x = 0; x < 32; x++)
                Assert.Equal(FrameImages.ToByte(clip.Get(1, y / 2, x / 2).R) / 255f, back.Get(1, y, x).R, 5);
    }

    [Fact]
    public void Max_frames_takes_the_first_frames_only()
    {
        using var dir = new TempDir();
        var clip = TestClips.Shapes(frames: 6);
        GifWriter.Write(clip, dir.File("c.gif"));
        var back = GifReader.Read(dir.File("c.gif"), new ReadOptions { MaxFrames = 2 });
        Assert.Equal(2, back.Frames);
        Assert.True(TestClips.MaxAbsDiff(TestClips.Quantised(Take(clip, 2)), back) < 1e-6f);
    }

    [Fact]
    public void Variable_delays_give_the_mean_rate_and_tiny_delays_count_as_browsers_play_them()
    {
        Assert.Equal(100.0 / 15, GifReader.Fps(new[] { 10, 20 }), 9);
        Assert.Equal(10, GifReader.Fps(new[] { 0, 1 }), 9);
    }

    [Fact]
    public void A_gif_without_trailer_still_reads_when_its_frames_are_complete()
    {
        using var dir = new TempDir();
        GifWriter.Write(TestClips.Shapes(), dir.File("a.gif"));
        var bytes = File.ReadAllBytes(dir.File("a.gif"));
        Assert.Equal(0x3B, bytes[^1]);
        File.WriteAllBytes(dir.File("b.gif"), bytes[..^1]);
        Assert.Equal(4, GifReader.Read(dir.File("b.gif")).Frames);
    }

    [Fact]
    public void Truncated_gif_is_one_line_naming_the_file()
    {
        using var dir = new TempDir();
        GifWriter.Write(TestClips.Shapes(), dir.File("a.gif"));
        var bytes = File.ReadAllBytes(dir.File("a.gif"));
        string cut = dir.File("cut.gif");
        File.WriteAllBytes(cut, bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<MediaFormatException>(() => GifReader.Read(cut));
        TestClips.AssertNamesFile(e, cut);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void Zero_frame_gif_is_rejected()
    {
        using var dir = new TempDir();
        // Header, 1x1 logical screen without colour table, trailer: a valid GIF with no image in it.
        string path = dir.File("empty.gif");
        File.WriteAllBytes(path, new byte[] { (byte)'G', (byte)'I', (byte)'F', (byte)'8', (byte)'9', (byte)'a', 1, 0, 1, 0, 0, 0, 0, 0x3B });
        var e = Assert.Throws<MediaFormatException>(() => GifReader.Read(path));
        TestClips.AssertNamesFile(e, path);
        Assert.Contains("no frames", e.Message);
    }

    [Fact]
    public void Corrupt_block_structure_is_rejected()
    {
        using var dir = new TempDir();
        GifWriter.Write(TestClips.Shapes(), dir.File("a.gif"));
        var bytes = File.ReadAllBytes(dir.File("a.gif"));
        var info = GifStructure.Walk("a", bytes);
        // Replace the trailer with a byte that starts no GIF block.
        bytes[^1] = 0x99;
        string path = dir.File("corrupt.gif");
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<MediaFormatException>(() => GifReader.Read(path));
        TestClips.AssertNamesFile(e, path);
        Assert.Contains("unknown block", e.Message);
        Assert.Equal(4, info.Frames);
    }

    [Fact]
    public void Huge_gif_is_refused_before_decoding()
    {
        using var dir = new TempDir();
        GifWriter.Write(TestClips.Shapes(resolution: 32, frames: 4), dir.File("a.gif"));
        var perFrame = Assert.Throws<MediaFormatException>(() => GifReader.Read(dir.File("a.gif"), new ReadOptions { MaxPixelsPerFrame = 31 * 32 }));
        Assert.Contains("32x32", perFrame.Message);
        var total = Assert.Throws<MediaFormatException>(() => GifReader.Read(dir.File("a.gif"), new ReadOptions { MaxTotalPixels = 3 * 32 * 32 }));
        Assert.Contains("too large", total.Message);
        var bytes = Assert.Throws<MediaFormatException>(() => GifReader.Read(dir.File("a.gif"), new ReadOptions { MaxFileBytes = 100 }));
        Assert.Contains("limit", bytes.Message);
        TestClips.AssertNamesFile(bytes, dir.File("a.gif"));
        // Taking fewer frames brings the same file under the total limit.
        Assert.Equal(3, GifReader.Read(dir.File("a.gif"), new ReadOptions { MaxTotalPixels = 3 * 32 * 32, MaxFrames = 3 }).Frames);
    }

    [Fact]
    public void Non_image_named_gif_is_rejected()
    {
        using var dir = new TempDir();
        string path = dir.File("notes.gif");
        File.WriteAllText(path, "this is a text file, not a picture\n");
        var e = Assert.Throws<MediaFormatException>(() => VideoReader.Read(path));
        TestClips.AssertNamesFile(e, path);
        Assert.Contains("not a GIF", e.Message);
    }

    [Fact]
    public void Written_gif_decodes_in_imagesharp_with_metadata()
    {
        using var dir = new TempDir();
        GifWriter.Write(TestClips.Shapes(fps: 5), dir.File("a.gif"));
        using var img = Image.Load(dir.File("a.gif"));
        Assert.Equal(4, img.Frames.Count);
        Assert.Equal(0, img.Metadata.GetGifMetadata().RepeatCount);
        Assert.All(Enumerable.Range(0, 4), i => Assert.Equal(20, img.Frames[i].Metadata.GetGifMetadata().FrameDelay));
    }

    [FfmpegFact]
    public void Optimised_gifs_from_ffmpeg_decode_the_same_as_ffmpeg_decodes_them()
    {
        // ffmpeg's GIF encoder stores only the changed rectangle of each frame and marks unchanged pixels
        // transparent (gifflags offsetting+transdiff), like most GIFs on the web: frames must be composited.
        using var dir = new TempDir();
        GifWriter.Write(TestClips.Shapes(resolution: 32, frames: 6, fps: 10), dir.File("src.gif"));
        WebpTests.Run(Ffmpeg.Require().FfmpegPath, "-hide_banner", "-loglevel", "error", "-y", "-i", dir.File("src.gif"),
            "-vf", "split[a][b];[a]palettegen=reserve_transparent=1[p];[b][p]paletteuse", dir.File("opt.gif"));
        var info = GifStructure.Walk("opt", File.ReadAllBytes(dir.File("opt.gif")));
        Assert.Equal(6, info.Frames);
        var ours = GifReader.Read(dir.File("opt.gif"));
        var theirs = Mp4.Read(dir.File("opt.gif")); // the generic ffmpeg path: ffmpeg's own GIF decoder
        Assert.True(TestClips.MaxAbsDiff(theirs, ours) < 1e-6f, $"max difference {TestClips.MaxAbsDiff(theirs, ours)}");
        Assert.Equal(10, ours.Fps, 6);
    }

    static Video Take(Video v, int n) => new(n, v.Height, v.Width, v.Fps, v.Pixels[..(n * v.Height * v.Width * 3)]);
}
