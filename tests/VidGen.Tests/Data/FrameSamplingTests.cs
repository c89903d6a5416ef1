using VidGen.Data;
using VidGen.Media;

namespace VidGen.Tests.Data;

public class FrameSamplingTests
{
    [Fact]
    public void Stride_takes_every_nth_frame_from_the_window_start()
    {
        var s = new FrameSampling { Frames = 4, Stride = 3 };
        Assert.Equal(10, s.Span(25));
        Assert.Equal(new[] { 0, 3, 6, 9 }, s.Indices(12, 25, 0));
        Assert.Equal(new[] { 2, 5, 8, 11 }, s.Indices(12, 25, 2));
        Assert.Equal(3, s.WindowStarts(12, 25));
        Assert.Throws<ArgumentOutOfRangeException>(() => s.Indices(12, 25, 3));
    }

    [Fact]
    public void Target_fps_picks_frames_by_time_using_the_clips_own_rate()
    {
        var s = new FrameSampling { Frames = 5, TargetFps = 5 };
        Assert.Equal(new[] { 0, 2, 4, 6, 8 }, s.Indices(20, 10, 0));       // 10 fps source: every 2nd
        Assert.Equal(new[] { 0, 1, 3, 4, 6 }, s.Indices(20, 8, 0));        // 8 fps: t = 0, .2, .4, .6, .8 s -> frames 0, 1.6, 3.2, 4.8, 6.4
        Assert.Equal(new[] { 0, 0, 1, 1, 2 }, s.Indices(20, 2.5, 0));      // slower source: frames repeat
    }

    [Fact]
    public void Short_clips_loop_pad_or_skip_as_chosen()
    {
        var loop = new FrameSampling { Frames = 8, ShortClips = ShortClipPolicy.Loop };
        Assert.Equal(new[] { 0, 1, 2, 0, 1, 2, 0, 1 }, loop.Indices(3, 10));
        Assert.Equal(1, loop.WindowStarts(3, 10));
        var pad = loop with { ShortClips = ShortClipPolicy.Pad };
        Assert.Equal(new[] { 0, 1, 2, 2, 2, 2, 2, 2 }, pad.Indices(3, 10));
        var skip = loop with { ShortClips = ShortClipPolicy.Skip };
        Assert.Null(skip.Indices(3, 10));
        Assert.Equal(0, skip.WindowStarts(3, 10));
        // Exactly long enough is not short.
        Assert.Equal(Enumerable.Range(0, 8), skip.Indices(8, 10));
        var strided = new FrameSampling { Frames = 3, Stride = 2, ShortClips = ShortClipPolicy.Loop };
        Assert.Equal(new[] { 0, 2, 0 }, strided.Indices(4, 10)); // needs 5, has 4: offsets 0, 2, 4 wrap to 0
    }

    [Fact]
    public void Options_are_checked_with_messages_naming_the_option()
    {
        Assert.Contains("--frame-stride", Assert.Throws<ArgumentException>(() => new FrameSampling { Stride = 0 }.Validate()).Message);
        Assert.Contains("--target-fps", Assert.Throws<ArgumentException>(() => new FrameSampling { TargetFps = -1 }.Validate()).Message);
        Assert.Contains("not both", Assert.Throws<ArgumentException>(() => new FrameSampling { TargetFps = 5, Stride = 2 }.Validate()).Message);
        Assert.Equal(ShortClipPolicy.Pad, Names.ShortClips.Parse(" PAD "));
        // That an unknown --short-clips value is refused naming the option: Cli/NamesAndDefaultsTests.
    }

    [Fact]
    public void Take_copies_the_chosen_frames_and_flips_every_frame_of_the_clip_together()
    {
        var v = new Video(3, 2, 3, 10);
        for (int f = 0; f < 3; f++) for (int y = 0; y < 2; y++) for (int x = 0; x < 3; x++) v.Set(f, y, x, f, y, x);
        var t = FrameSampling.Take(v, new[] { 2, 0 }, flip: false, fps: 5);
        Assert.Equal((2, 5.0), (t.Frames, t.Fps));
        Assert.Equal((2f, 1f, 2f), t.Get(0, 1, 2));
        Assert.Equal((0f, 1f, 0f), t.Get(1, 1, 0));
        var m = FrameSampling.Take(v, new[] { 0, 1, 2 }, flip: true, fps: 10);
        for (int f = 0; f < 3; f++)
            for (int y = 0; y < 2; y++)
                for (int x = 0; x < 3; x++) Assert.Equal(((float)f, (float)y, (float)(2 - x)), m.Get(f, y, x));
    }
}
