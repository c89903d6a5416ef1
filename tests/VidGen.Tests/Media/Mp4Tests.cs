using VidGen.Media;

namespace VidGen.Tests.Media;

public class Mp4Tests
{
    [Fact]
    public void Missing_ffmpeg_gives_the_install_hint_not_a_crash()
    {
        using var dir = new TempDir();
        Assert.Null(Ffmpeg.Locate(""));
        Assert.Null(Ffmpeg.Locate(dir.Path)); // a PATH whose only folder has no ffmpeg
        var clip = TestClips.Shapes();
        Assert.Equal("ffmpeg not found on PATH; install it (apt-get install ffmpeg) to read/write MP4", FfmpegNotFoundException.Text);
        // A tool whose executable is gone behaves like a missing ffmpeg: the hint, never a crash.
        var w = Assert.Throws<FfmpegNotFoundException>(() => Mp4.Write(clip, dir.File("a.mp4"), ffmpeg: new Ffmpeg(dir.File("no-such-ffmpeg"), null)));
        Assert.Equal(FfmpegNotFoundException.Text, w.Message);
        File.WriteAllBytes(dir.File("b.mp4"), new byte[] { 0, 0, 0, 24, (byte)'f', (byte)'t', (byte)'y', (byte)'p' });
        var r = Assert.Throws<FfmpegNotFoundException>(() => VideoReader.Read(dir.File("b.mp4"), ffmpeg: new Ffmpeg(dir.File("no-such-ffmpeg"), null)));
        Assert.Equal(FfmpegNotFoundException.Text, r.Message);
        Assert.False(File.Exists(dir.File("a.mp4")));
    }

    [Fact]
    public void Ffmpeg_is_found_only_as_an_executable_file_on_the_given_path()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("ffmpeg"), "#!/bin/sh\n");
        if (OperatingSystem.IsWindows()) return;
        File.SetUnixFileMode(dir.File("ffmpeg"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Assert.Null(Ffmpeg.Locate(dir.Path)); // not executable
        File.SetUnixFileMode(dir.File("ffmpeg"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var found = Ffmpeg.Locate("/nonexistent" + Path.PathSeparator + dir.Path);
        Assert.Equal(dir.File("ffmpeg"), found?.FfmpegPath);
        Assert.Null(found?.FfprobePath);
    }

    [FfmpegFact]
    public void Mp4_is_h264_yuv420p_with_the_right_frames_and_rate_and_reads_back_close()
    {
        using var dir = new TempDir();
        var clip = TestClips.Shapes(resolution: 32, frames: 8, fps: 8);
        string path = dir.File("clip.mp4");
        VideoWriter.Write(clip, path, scale: 2);
        var probe = Mp4.Probe(Ffmpeg.Require(), path);
        Assert.Equal("h264/yuv420p", probe.Codec);
        Assert.Equal((64, 64), (probe.Width, probe.Height));
        Assert.Equal(8, probe.Fps, 6);
        Assert.Equal(8, probe.FrameCount);

        var back = VideoReader.Read(path);
        Assert.Equal((8, 64, 64, 8.0), (back.Frames, back.Height, back.Width, back.Fps));
        var expected = Upscale(clip, 2);
        // H.264 at CRF 18 with 4:2:0 chroma on saturated edges: measured mean error ~0.01.
        Assert.True(TestClips.MeanAbsDiff(expected, back) < 0.03, $"mean error {TestClips.MeanAbsDiff(expected, back)}");
    }

    [FfmpegFact]
    public void Odd_sizes_are_padded_to_even_for_yuv420p()
    {
        using var dir = new TempDir();
        var clip = TestClips.Gradient(w: 17, h: 15, frames: 2);
        VideoWriter.Write(clip, dir.File("odd.mp4"));
        var back = VideoReader.Read(dir.File("odd.mp4"));
        Assert.Equal((2, 16, 18), (back.Frames, back.Height, back.Width));
        Assert.True(back.Get(0, 15, 17).R < 0.1f); // the added row/column is black
    }

    [FfmpegFact]
    public void Reading_can_fit_a_square_and_stop_after_max_frames()
    {
        using var dir = new TempDir();
        var clip = TestClips.Gradient(w: 40, h: 20, frames: 6);
        VideoWriter.Write(clip, dir.File("wide.mp4"));
        var v = VideoReader.Read(dir.File("wide.mp4"), new ReadOptions { FitSquare = 10, MaxFrames = 4 });
        Assert.Equal((4, 10, 10), (v.Frames, v.Height, v.Width));
        // The centre square of a left-to-right red ramp spans red 10/39..29/39: its left column is ~0.3, right ~0.7.
        Assert.InRange(v.Get(0, 5, 0).R, 0.2f, 0.4f);
        Assert.InRange(v.Get(0, 5, 9).R, 0.6f, 0.8f);
    }

    [FfmpegFact]
    public void Truncated_corrupt_and_non_video_mp4_files_are_one_line_errors()
    {
        using var dir = new TempDir();
        VideoWriter.Write(TestClips.Shapes(resolution: 32, frames: 8), dir.File("ok.mp4"), scale: 2);
        var bytes = File.ReadAllBytes(dir.File("ok.mp4"));
        File.WriteAllBytes(dir.File("cut.mp4"), bytes[..(bytes.Length / 2)]);
        File.WriteAllText(dir.File("text.mp4"), "not a video at all\n");
        var garbage = (byte[])bytes.Clone();
        new Random(1).NextBytes(garbage.AsSpan(0, garbage.Length / 2));
        File.WriteAllBytes(dir.File("garbage.mp4"), garbage);
        foreach (var name in new[] { "cut.mp4", "text.mp4", "garbage.mp4" })
        {
            var e = Assert.Throws<MediaFormatException>(() => VideoReader.Read(dir.File(name)));
            TestClips.AssertNamesFile(e, dir.File(name));
        }
        var big = Assert.Throws<MediaFormatException>(() => VideoReader.Read(dir.File("ok.mp4"), new ReadOptions { MaxPixelsPerFrame = 63 * 64 }));
        Assert.Contains("64x64", big.Message);
        var many = Assert.Throws<MediaFormatException>(() => VideoReader.Read(dir.File("ok.mp4"), new ReadOptions { MaxTotalPixels = 3 * 64 * 64 }));
        Assert.Contains("too large", many.Message);
    }

    static Video Upscale(Video v, int s)
    {
        var o = new Video(v.Frames, v.Height * s, v.Width * s, v.Fps);
        for (int f = 0; f < v.Frames; f++)
            for (int y = 0; y < o.Height; y++)
                for (int x = 0; x < o.Width; x++)
                {
                    var (r, g, b) = v.Get(f, y / s, x / s);
                    o.Set(f, y, x, r, g, b);
                }
        return o;
    }
}
