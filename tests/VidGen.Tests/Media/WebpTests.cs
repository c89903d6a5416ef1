using System.Buffers.Binary;
using System.Diagnostics;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using VidGen.Media;

namespace VidGen.Tests.Media;

public class WebpTests
{
    [Fact]
    public void Animated_webp_round_trip_is_lossless()
    {
        using var dir = new TempDir();
        var clip = TestClips.Gradient(frames: 3, fps: 12.5);
        string path = dir.File("g.webp");
        WebpWriter.Write(clip, path);
        var back = WebpReader.Read(path);
        Assert.True(TestClips.MaxAbsDiff(TestClips.Quantised(clip), back) < 1e-6f);
        Assert.Equal(12.5, back.Fps, 6); // 80 ms frames
    }

    [Fact]
    public void Container_has_vp8x_anim_and_one_anmf_per_frame()
    {
        var clip = TestClips.Shapes(resolution: 16, frames: 5, fps: 8);
        var bytes = WebpWriter.Encode(clip, scale: 2);
        var top = WebpContainer.TopLevel("mem", bytes);
        Assert.Equal(new[] { "VP8X", "ANIM", "ANMF", "ANMF", "ANMF", "ANMF", "ANMF" }, top.Select(c => c.FourCC));
        Assert.Equal(bytes.Length - 8, (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(4)));
        var vp8x = bytes.AsSpan(top[0].Offset, 10);
        Assert.Equal(0x02, vp8x[0]); // animation flag only
        Assert.Equal(31, WebpContainer.U24(vp8x[4..]));
        Assert.Equal(31, WebpContainer.U24(vp8x[7..]));
        Assert.Equal(0, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(top[1].Offset + 4))); // loop forever
        var info = WebpReader.Inspect("mem", bytes);
        Assert.All(info.Frames, f => Assert.Equal((0, 0, 32, 32, 125, false), (f.X, f.Y, f.Width, f.Height, f.DurationMs, f.Blend)));
        Assert.All(info.Frames, f => Assert.Equal("VP8L", f.Bitstream.FourCC));
    }

    [Fact]
    public void Still_webp_reads_as_one_frame()
    {
        using var dir = new TempDir();
        string path = dir.File("still.webp");
        using (var img = FrameImages.ToImage(TestClips.Gradient(frames: 1), 0)) img.SaveAsWebp(path, new SixLabors.ImageSharp.Formats.Webp.WebpEncoder { FileFormat = SixLabors.ImageSharp.Formats.Webp.WebpFileFormatType.Lossless });
        var back = VideoReader.Read(path);
        Assert.Equal((1, 20, 24), (back.Frames, back.Height, back.Width));
        Assert.True(TestClips.MaxAbsDiff(TestClips.Quantised(TestClips.Gradient(frames: 1)), back) < 1e-6f);
    }

    [Fact]
    public void Sub_frames_are_placed_blended_and_disposed_as_the_spec_says()
    {
        // Canvas 4x2. Frame 1: opaque red 4x2 (no blend). Frame 2: 2x2 at (2,0), half-transparent blue, blended,
        // disposed to background afterwards. Frame 3: 2x2 at (0,0) opaque green, overwriting.
        var red = Solid(4, 2, new Rgba32(255, 0, 0, 255));
        var blue = Solid(2, 2, new Rgba32(0, 0, 255, 128));
        var green = Solid(2, 2, new Rgba32(0, 255, 0, 255));
        byte[] file = WebpContainer.File(s =>
        {
            var vp8x = new byte[10];
            vp8x[0] = 0x12; // animation + alpha
            WebpContainer.PutU24(vp8x.AsSpan(4), 3);
            WebpContainer.PutU24(vp8x.AsSpan(7), 1);
            WebpContainer.WriteChunk(s, "VP8X", vp8x);
            WebpContainer.WriteChunk(s, "ANIM", new byte[6]);
            WebpContainer.WriteChunk(s, "ANMF", Anmf(0, 0, red, 100, blend: false, dispose: false));
            WebpContainer.WriteChunk(s, "ANMF", Anmf(2, 0, blue, 100, blend: true, dispose: true));
            WebpContainer.WriteChunk(s, "ANMF", Anmf(0, 0, green, 100, blend: false, dispose: false));
        });
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("sub.webp"), file);
        var v = WebpReader.Read(dir.File("sub.webp"));
        Assert.Equal((3, 2, 4), (v.Frames, v.Height, v.Width));
        Assert.Equal(10, v.Fps, 6);
        // Frame 2, right half: blue at alpha 128/255 over opaque red.
        var (r, g, b) = v.Get(1, 0, 3);
        Assert.Equal(127 / 255f, r, 2);
        Assert.Equal(0f, g, 3);
        Assert.Equal(128 / 255f, b, 2);
        Assert.Equal((1f, 0f, 0f), v.Get(1, 0, 0)); // left half untouched
        // Frame 3: frame 2's rectangle was disposed to transparent (black on our opaque output), left is green.
        Assert.Equal((0f, 1f, 0f), v.Get(2, 1, 0));
        Assert.Equal((0f, 0f, 0f), v.Get(2, 1, 3));
    }

    [Fact]
    public void Lossy_frames_with_an_alpha_chunk_are_blended_with_their_alpha()
    {
        // Frame 2 is lossy VP8 with a separate ALPH chunk (left column opaque white, right column transparent),
        // blended over an opaque red frame 1: the left column turns white, the right stays red.
        using var white = new Image<Rgba32>(2, 2, new Rgba32(255, 255, 255, 255));
        white[1, 0] = white[1, 1] = new Rgba32(255, 255, 255, 0);
        byte[] file = WebpContainer.File(s =>
        {
            var vp8x = new byte[10];
            vp8x[0] = 0x12;
            WebpContainer.PutU24(vp8x.AsSpan(4), 1);
            WebpContainer.PutU24(vp8x.AsSpan(7), 1);
            WebpContainer.WriteChunk(s, "VP8X", vp8x);
            WebpContainer.WriteChunk(s, "ANMF", Anmf(0, 0, Solid(2, 2, new Rgba32(255, 0, 0, 255)), 50, blend: false, dispose: false));
            WebpContainer.WriteChunk(s, "ANMF", Anmf(0, 0, white, 50, blend: true, dispose: false, lossy: true));
        });
        var info = WebpReader.Inspect("mem", file);
        Assert.NotNull(info.Frames[1].Alpha);
        Assert.Equal("VP8 ", info.Frames[1].Bitstream.FourCC);
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("alpha.webp"), file);
        var v = WebpReader.Read(dir.File("alpha.webp"));
        Assert.Equal(20, v.Fps, 6);
        Assert.True(v.Get(1, 0, 0).G > 0.9f && v.Get(1, 1, 0).B > 0.9f, $"left column {v.Get(1, 0, 0)}");
        Assert.Equal((1f, 0f, 0f), v.Get(1, 0, 1)); // alpha 0: the canvas shows through exactly
    }

    [FfmpegFact]
    public void Reads_animated_webp_made_by_libwebp_through_ffmpeg()
    {
        using var dir = new TempDir();
        var clip = TestClips.Shapes(resolution: 32, frames: 6, fps: 10);
        GifWriter.Write(clip, dir.File("src.gif"));
        var expected = GifReader.Read(dir.File("src.gif"));
        var ff = Ffmpeg.Require();
        // libwebp's animation encoder crops frames to the changed rectangle and uses blending: a real-world file.
        Run(ff.FfmpegPath, "-hide_banner", "-loglevel", "error", "-y", "-i", dir.File("src.gif"), "-c:v", "libwebp_anim", "-lossless", "1", "-loop", "0", dir.File("lossless.webp"));
        var lossless = WebpReader.Read(dir.File("lossless.webp"));
        Assert.True(TestClips.MaxAbsDiff(expected, lossless) < 1e-6f);
        Assert.Equal(10, lossless.Fps, 6);

        Run(ff.FfmpegPath, "-hide_banner", "-loglevel", "error", "-y", "-i", dir.File("src.gif"), "-c:v", "libwebp_anim", "-lossless", "0", "-quality", "90", "-loop", "0", dir.File("lossy.webp"));
        var lossy = WebpReader.Read(dir.File("lossy.webp"));
        Assert.Equal(6, lossy.Frames);
        Assert.True(TestClips.MeanAbsDiff(expected, lossy) < 0.03, $"lossy mean error {TestClips.MeanAbsDiff(expected, lossy)}");
    }

    [Fact]
    public void Truncated_webp_is_rejected()
    {
        using var dir = new TempDir();
        var bytes = WebpWriter.Encode(TestClips.Shapes());
        string path = dir.File("cut.webp");
        File.WriteAllBytes(path, bytes[..(bytes.Length * 2 / 3)]);
        var e = Assert.Throws<MediaFormatException>(() => VideoReader.Read(path));
        TestClips.AssertNamesFile(e, path);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void Animated_webp_without_frames_is_rejected()
    {
        using var dir = new TempDir();
        string path = dir.File("none.webp");
        File.WriteAllBytes(path, WebpContainer.File(s =>
        {
            var vp8x = new byte[10];
            vp8x[0] = 0x02;
            WebpContainer.WriteChunk(s, "VP8X", vp8x);
            WebpContainer.WriteChunk(s, "ANIM", new byte[6]);
        }));
        var e = Assert.Throws<MediaFormatException>(() => VideoReader.Read(path));
        TestClips.AssertNamesFile(e, path);
        Assert.Contains("no frames", e.Message);
    }

    [Fact]
    public void Corrupt_frame_bitstream_is_rejected()
    {
        using var dir = new TempDir();
        var bytes = WebpWriter.Encode(TestClips.Gradient());
        var frame = WebpReader.Inspect("mem", bytes).Frames[1];
        // Keep the VP8L signature and size, scramble the entropy-coded data after it.
        var rng = new Random(3);
        for (int i = frame.Bitstream.Offset + 5; i < frame.Bitstream.Offset + frame.Bitstream.Size; i++) bytes[i] = (byte)rng.Next(256);
        string path = dir.File("bad.webp");
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<MediaFormatException>(() => WebpReader.Read(path));
        TestClips.AssertNamesFile(e, path);
        Assert.Contains("frame 2", e.Message);
    }

    [Fact]
    public void Frame_outside_the_canvas_is_rejected()
    {
        using var dir = new TempDir();
        string path = dir.File("out.webp");
        File.WriteAllBytes(path, WebpContainer.File(s =>
        {
            var vp8x = new byte[10];
            vp8x[0] = 0x02;
            WebpContainer.PutU24(vp8x.AsSpan(4), 1);
            WebpContainer.PutU24(vp8x.AsSpan(7), 1);
            WebpContainer.WriteChunk(s, "VP8X", vp8x);
            WebpContainer.WriteChunk(s, "ANMF", Anmf(2, 0, Solid(2, 2, new Rgba32(1, 2, 3, 255)), 100, false, false));
        }));
        var e = Assert.Throws<MediaFormatException>(() => WebpReader.Read(path));
        Assert.Contains("outside", e.Message);
    }

    [Fact]
    public void Huge_webp_canvas_is_refused()
    {
        using var dir = new TempDir();
        WebpWriter.Write(TestClips.Shapes(resolution: 32), dir.File("a.webp"));
        var e = Assert.Throws<MediaFormatException>(() => WebpReader.Read(dir.File("a.webp"), new ReadOptions { MaxPixelsPerFrame = 1000 }));
        TestClips.AssertNamesFile(e, dir.File("a.webp"));
        Assert.Contains("32x32", e.Message);
    }

    static Image<Rgba32> Solid(int w, int h, Rgba32 c) => new(w, h, c);

    /// <summary>An ANMF payload holding <paramref name="img"/> as a lossless bitstream at (x, y).</summary>
    static byte[] Anmf(int x, int y, Image<Rgba32> img, int ms, bool blend, bool dispose, bool lossy = false)
    {
        using var ms1 = new MemoryStream();
        img.SaveAsWebp(ms1, new SixLabors.ImageSharp.Formats.Webp.WebpEncoder
        {
            FileFormat = lossy ? SixLabors.ImageSharp.Formats.Webp.WebpFileFormatType.Lossy : SixLabors.ImageSharp.Formats.Webp.WebpFileFormatType.Lossless,
            TransparentColorMode = SixLabors.ImageSharp.Formats.Webp.WebpTransparentColorMode.Preserve,
        });
        var still = ms1.ToArray();
        var chunks = WebpContainer.TopLevel("frame", still);
        using var o = new MemoryStream();
        var head = new byte[16];
        WebpContainer.PutU24(head, x / 2);
        WebpContainer.PutU24(head.AsSpan(3), y / 2);
        WebpContainer.PutU24(head.AsSpan(6), img.Width - 1);
        WebpContainer.PutU24(head.AsSpan(9), img.Height - 1);
        WebpContainer.PutU24(head.AsSpan(12), ms);
        head[15] = (byte)((blend ? 0 : 2) | (dispose ? 1 : 0));
        o.Write(head);
        // Keep the frame's image chunks (ALPH and VP8 for lossy with alpha, VP8L for lossless); drop VP8X.
        foreach (var c in chunks.Where(c => c.FourCC is "ALPH" or "VP8 " or "VP8L"))
            WebpContainer.WriteChunk(o, c.FourCC, still.AsSpan(c.Offset, c.Size));
        return o.ToArray();
    }

    internal static void Run(string exe, params string[] args)
    {
        var psi = new ProcessStartInfo(exe) { RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{exe} failed: {err}");
    }
}
