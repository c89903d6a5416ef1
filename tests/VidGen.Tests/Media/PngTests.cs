using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using VidGen.Media;

namespace VidGen.Tests.Media;

public class PngTests
{
    [Fact]
    public void Frame_folder_round_trip_is_exact_and_keeps_fps()
    {
        using var dir = new TempDir();
        var clip = TestClips.Gradient(frames: 3, fps: 7.5);
        string folder = dir.File("frames");
        PngFrames.Write(clip, folder);
        Assert.Equal(new[] { "frame_0000.png", "frame_0001.png", "frame_0002.png" }, Directory.GetFiles(folder).Select(Path.GetFileName).Order());
        var back = VideoReader.Read(folder);
        Assert.True(TestClips.MaxAbsDiff(TestClips.Quantised(clip), back) < 1e-6f);
        Assert.Equal(7.5, back.Fps);
    }

    [Fact]
    public void Frames_are_ordered_by_number_not_by_text()
    {
        using var dir = new TempDir();
        // Frame k is a solid grey of level 10*k; written as 1.png .. 12.png (text order would put 10 before 2).
        for (int k = 1; k <= 12; k++)
        {
            using var img = new Image<Rgb24>(2, 2, new Rgb24((byte)(10 * k), 0, 0));
            img.SaveAsPng(dir.File($"{k}.png"));
        }
        File.WriteAllText(dir.File("notes.txt"), "ignored");
        var v = PngFrames.Read(dir.Path, new ReadOptions { DefaultFps = 6 });
        Assert.Equal(12, v.Frames);
        Assert.Equal(6, v.Fps);
        for (int k = 1; k <= 12; k++) Assert.Equal(10 * k / 255f, v.Get(k - 1, 0, 0).R, 5);
    }

    [Fact]
    public void Natural_order_compares_digit_runs_by_value()
    {
        var names = new[] { "f10.png", "f2.png", "f1.png", "f02b.png", "g.png" };
        Assert.Equal(new[] { "f1.png", "f2.png", "f02b.png", "f10.png", "g.png" }, names.Order(NaturalOrder.Instance));
    }

    [Fact]
    public void Folder_without_png_frames_is_rejected()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<MediaFormatException>(() => VideoReader.Read(dir.Path));
        TestClips.AssertNamesFile(e, dir.Path);
        Assert.Contains("no PNG frames", e.Message);
    }

    [Fact]
    public void Frames_of_different_sizes_name_the_odd_file()
    {
        using var dir = new TempDir();
        using (var a = new Image<Rgb24>(4, 4)) a.SaveAsPng(dir.File("0.png"));
        using (var b = new Image<Rgb24>(5, 4)) b.SaveAsPng(dir.File("1.png"));
        var e = Assert.Throws<MediaFormatException>(() => VideoReader.Read(dir.Path));
        TestClips.AssertNamesFile(e, dir.File("1.png"));
        Assert.Contains("5x4", e.Message);
    }

    [Fact]
    public void Truncated_png_frame_names_the_file()
    {
        using var dir = new TempDir();
        PngFrames.Write(TestClips.Gradient(frames: 2), dir.Path);
        string second = Directory.GetFiles(dir.Path).Order().Last();
        var bytes = File.ReadAllBytes(second);
        File.WriteAllBytes(second, bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<MediaFormatException>(() => VideoReader.Read(dir.Path));
        TestClips.AssertNamesFile(e, second);
    }

    [Fact]
    public void Filmstrip_png_holds_all_frames_and_reads_back_as_the_clip()
    {
        using var dir = new TempDir();
        var clip = TestClips.Shapes(resolution: 16, frames: 4, fps: 8);
        string path = dir.File("strip.png");
        VideoWriter.Write(clip, path, scale: 2);
        using (var img = Image.Load<Rgb24>(path)) Assert.Equal((4 * 32, 32), (img.Width, img.Height));
        var back = VideoReader.Read(path);
        Assert.Equal((4, 32, 32, 8.0), (back.Frames, back.Height, back.Width, back.Fps));
        Assert.Equal(FrameImages.ToByte(clip.Get(3, 5, 7).G) / 255f, back.Get(3, 10, 14).G, 5);
    }

    [Fact]
    public void Plain_png_is_a_one_frame_clip()
    {
        using var dir = new TempDir();
        using (var img = new Image<Rgb24>(6, 3, new Rgb24(0, 255, 0))) img.SaveAsPng(dir.File("still.png"));
        var v = VideoReader.Read(dir.File("still.png"));
        Assert.Equal((1, 3, 6), (v.Frames, v.Height, v.Width));
        Assert.Equal((0f, 1f, 0f), v.Get(0, 2, 5));
    }

    [Fact]
    public void Contact_sheet_puts_clips_in_rows_and_frames_in_columns()
    {
        var a = TestClips.Shapes(resolution: 16, frames: 3, index: 0);
        var b = TestClips.Shapes(resolution: 16, frames: 3, index: 1);
        using var sheet = ContactSheet.Grid(new[] { a, b }, scale: 1, gap: 1);
        Assert.Equal((3 * 16 + 2, 2 * 16 + 1), (sheet.Width, sheet.Height));
        // Clip b, frame 2, pixel (y=4, x=9) sits at row 1 (y offset 17) and column 2 (x offset 34).
        Assert.Equal(FrameImages.ToByte(b.Get(2, 4, 9).R), sheet[34 + 9, 17 + 4].R);
        Assert.Equal(new Rgb24(64, 64, 64), sheet[16, 0]); // the gap line
    }
}
