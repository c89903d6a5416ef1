using VidGen.Data;
using VidGen.Media;
using VidGen.Tests.Media;

namespace VidGen.Tests.Data;

public class VideoCollectionTests
{
    /// <summary>
    /// A folder of 3 good GIFs (32 px, 6 frames), a truncated GIF, a text file named .gif, a clip without
    /// caption, and a 2-frame GIF; all captioned except one.
    /// </summary>
    static TempDir MakeCollection()
    {
        var dir = new TempDir();
        for (int i = 0; i < 3; i++)
        {
            GifWriter.Write(TestClips.Shapes(resolution: 32, frames: 6, fps: 10, index: i), dir.File($"good{i}.gif"));
            File.WriteAllText(dir.File($"good{i}.txt"), $"clip number {i} moving left");
        }
        var bytes = File.ReadAllBytes(dir.File("good0.gif"));
        File.WriteAllBytes(dir.File("truncated.gif"), bytes[..(bytes.Length / 2)]);
        File.WriteAllText(dir.File("truncated.txt"), "a truncated clip");
        File.WriteAllText(dir.File("text.gif"), "hello");
        File.WriteAllText(dir.File("text.txt"), "a text file");
        GifWriter.Write(TestClips.Shapes(resolution: 32, frames: 2), dir.File("nocaption.gif"));
        GifWriter.Write(TestClips.Shapes(resolution: 32, frames: 2, fps: 10, index: 9), dir.File("short.gif"));
        File.WriteAllText(dir.File("short.txt"), "a short clip");
        return dir;
    }

    static CollectionOptions Options(ShortClipPolicy policy = ShortClipPolicy.Skip, bool preload = true, bool flip = false, int seed = 0) => new()
    {
        Resolution = 16,
        Sampling = new FrameSampling { Frames = 4, ShortClips = policy },
        Preload = preload, Flip = flip, Seed = seed,
    };

    [Fact]
    public void Bad_files_are_skipped_counted_and_reported_by_name()
    {
        using var dir = MakeCollection();
        var c = VideoCollection.Load(dir.Path, Options());
        Assert.Equal(3, c.Count);
        Assert.Equal(16, c.Resolution);
        Assert.Equal(4, c.Frames);
        var reasons = c.Skipped.GroupBy(s => s.Reason).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(new Dictionary<SkipReason, int> { [SkipReason.NoCaption] = 1, [SkipReason.Unreadable] = 2, [SkipReason.TooShort] = 1 }, reasons);
        Assert.Equal("4 skipped: 1 without caption, 2 unreadable, 1 too short", c.Summary());
        string report = c.Report();
        Assert.StartsWith($"{dir.Path}: 3 clips in use of 7 listed; 4 skipped", report);
        Assert.Contains("truncated.gif: truncated GIF", report);
        Assert.Contains("text.gif: not a GIF", report);
        Assert.Equal(5, report.Split('\n').Length); // summary line + one line per skipped item
        Assert.Equal(3, c.VocabularyCaptions().Count());
    }

    [Fact]
    public void Clips_are_fitted_sampled_and_deterministic_per_index()
    {
        using var dir = MakeCollection();
        var a = VideoCollection.Load(dir.Path, Options());
        var b = VideoCollection.Load(dir.Path, Options());
        for (long i = 0; i < 8; i++)
        {
            var (va, ca) = a.Clip(i);
            var (vb, cb) = b.Clip(i);
            Assert.Equal((4, 16, 16, 8.0), (va.Frames, va.Height, va.Width, va.Fps));
            Assert.Equal(va.Pixels, vb.Pixels);
            Assert.Equal(ca, cb);
        }
        // One epoch (3 indices) visits every clip once.
        Assert.Equal(3, Enumerable.Range(0, 3).Select(i => a.Clip(i).Caption).Distinct().Count());
        // Another seed gives another order or other windows.
        var other = VideoCollection.Load(dir.Path, Options(seed: 1));
        Assert.Contains(Enumerable.Range(0, 6), i => !other.Clip(i).Video.Pixels.SequenceEqual(a.Clip(i).Video.Pixels));
    }

    [Fact]
    public void Window_frames_are_consecutive_source_frames()
    {
        using var dir = new TempDir();
        // Frame k is a solid grey of level k/10, so each sampled frame says which source frame it came from.
        var v = new Video(10, 4, 4, 10);
        for (int f = 0; f < 10; f++) Array.Fill(v.Pixels, f / 10f, f * 48, 48);
        PngFrames.Write(v, dir.File("ramp"));
        File.WriteAllText(dir.File("ramp.txt"), "grey ramp");
        var c = VideoCollection.Load(dir.Path, new CollectionOptions { Resolution = 4, Sampling = new FrameSampling { Frames = 3, Stride = 2 } });
        var starts = new HashSet<int>();
        for (int i = 0; i < 30; i++)
        {
            var clip = c.Clip(i).Video;
            int first = (int)Math.Round(clip.Pixels[0] * 10);
            starts.Add(first);
            for (int k = 0; k < 3; k++) Assert.Equal((first + 2 * k) / 10f, clip.Get(k, 1, 1).R, 2);
        }
        Assert.Equal(Enumerable.Range(0, 6).ToHashSet(), starts); // every start 0..5 (span 5 in 10 frames) is used
    }

    [Fact]
    public void Short_clips_loop_when_asked_instead_of_being_skipped()
    {
        using var dir = MakeCollection();
        var c = VideoCollection.Load(dir.Path, Options(ShortClipPolicy.Loop));
        Assert.Equal(4, c.Count);
        var shortClip = Enumerable.Range(0, 4).Select(i => c.Clip(i)).Single(x => x.Caption == "a short clip").Video;
        Assert.Equal(shortClip.Frame(0).ToArray(), shortClip.Frame(2).ToArray()); // 0 1 0 1
        Assert.Equal(shortClip.Frame(1).ToArray(), shortClip.Frame(3).ToArray());
        Assert.NotEqual(shortClip.Frame(0).ToArray(), shortClip.Frame(1).ToArray());
    }

    [Fact]
    public void Flip_mirrors_whole_clips_and_their_captions()
    {
        using var dir = MakeCollection();
        var plain = VideoCollection.Load(dir.Path, Options());
        var flipping = VideoCollection.Load(dir.Path, Options(flip: true));
        int flipped = 0;
        for (int i = 0; i < 12; i++)
        {
            var (p, pc) = plain.Clip(i);
            var (f, fc) = flipping.Clip(i);
            if (fc == pc) { Assert.Equal(p.Pixels, f.Pixels); continue; }
            flipped++;
            Assert.Equal(pc.Replace("left", "right"), fc);
            for (int k = 0; k < p.Frames; k++)
                for (int y = 0; y < 16; y++)
                    for (int x = 0; x < 16; x++) Assert.Equal(p.Get(k, y, x), f.Get(k, y, 15 - x));
        }
        Assert.InRange(flipped, 2, 10);
    }

    [Theory]
    [InlineData("a cat walks left", "a cat walks right")]
    [InlineData("Right then LEFT, leftwards", "Left then RIGHT, rightwards")]
    [InlineData("the bright copyright", "the bright copyright")]
    public void Mirrored_captions_swap_sides(string caption, string expected) =>
        Assert.Equal(expected, VideoCollection.MirrorCaption(caption));

    [Fact]
    public void Lazy_loading_finds_bad_files_when_met_and_stays_deterministic_in_any_visiting_order()
    {
        using var dir = MakeCollection();
        var forward = VideoCollection.Load(dir.Path, Options(preload: false));
        var backward = VideoCollection.Load(dir.Path, Options(preload: false));
        Assert.Equal(6, forward.Count);              // nothing decoded yet: only the caption-less clip is out
        Assert.Single(forward.Skipped);
        var fw = Enumerable.Range(0, 10).Select(i => forward.Clip(i)).ToList();
        var bw = Enumerable.Range(0, 10).Reverse().Select(i => (i, backward.Clip(i))).OrderBy(p => p.i).Select(p => p.Item2).ToList();
        for (int i = 0; i < 10; i++)
        {
            Assert.Equal(fw[i].Caption, bw[i].Caption);
            Assert.Equal(fw[i].Video.Pixels, bw[i].Video.Pixels);
        }
        Assert.Equal(3, forward.Count);
        Assert.Equal("4 skipped: 1 without caption, 2 unreadable, 1 too short", forward.Summary());
    }

    [Fact]
    public void Oversized_files_are_skipped_under_the_read_limits()
    {
        using var dir = MakeCollection();
        GifWriter.Write(TestClips.Shapes(resolution: 64, frames: 6), dir.File("big.gif"));
        File.WriteAllText(dir.File("big.txt"), "a big clip");
        var c = VideoCollection.Load(dir.Path, Options() with { Read = new ReadOptions { MaxPixelsPerFrame = 32 * 32 } });
        Assert.Equal(3, c.Count);
        var big = Assert.Single(c.Skipped, s => s.Item == dir.File("big.gif"));
        Assert.Equal(SkipReason.Unreadable, big.Reason);
        Assert.Contains("64x64", big.ToString());
        Assert.Contains("limit", big.ToString());
    }

    [Fact]
    public void A_collection_with_nothing_usable_is_an_error_that_says_why()
    {
        using var dir = MakeCollection();
        var e = Assert.Throws<InvalidDataException>(() => VideoCollection.Load(dir.Path, Options() with { Read = new ReadOptions { MaxPixelsPerFrame = 31 * 31 } }));
        Assert.Contains(dir.Path, e.Message);
        Assert.Contains("no usable clips", e.Message);
        Assert.Contains("unreadable", e.Message);
    }

    [Fact]
    public void Videos_needing_a_missing_ffmpeg_stop_the_load_with_the_install_hint()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("a.mp4"), new byte[] { 0, 0, 0, 24, (byte)'f', (byte)'t', (byte)'y', (byte)'p' });
        File.WriteAllText(dir.File("a.txt"), "a video");
        var e = Assert.Throws<FfmpegNotFoundException>(() => VideoCollection.Load(dir.Path, Options(), ffmpeg: new Ffmpeg(dir.File("no-ffmpeg"), null)));
        Assert.Equal(FfmpegNotFoundException.Text, e.Message);
    }

    [Fact]
    public void Tsv_and_jsonl_collections_load_the_same_clips()
    {
        using var dir = MakeCollection();
        File.WriteAllLines(dir.File("list.tsv"), Enumerable.Range(0, 3).Select(i => $"https://media.example/{i}/good{i}.gif\tclip number {i}"));
        File.WriteAllLines(dir.File("list.jsonl"), Enumerable.Range(0, 3).Select(i => $"{{\"path\": \"good{i}.gif\", \"caption\": \"clip number {i}\"}}"));
        var tsv = VideoCollection.Load(dir.File("list.tsv"), Options());
        var jsonl = VideoCollection.Load(dir.File("list.jsonl"), Options());
        Assert.Equal("nothing skipped", tsv.Summary());
        for (int i = 0; i < 6; i++)
        {
            Assert.Equal(tsv.Clip(i).Caption, jsonl.Clip(i).Caption);
            Assert.Equal(tsv.Clip(i).Video.Pixels, jsonl.Clip(i).Video.Pixels);
        }
    }
}
