using VidGen.Data;
using VidGen.Media;
using VidGen.Tests.Media;

namespace VidGen.Tests.Data;

public class ClipManifestTests
{
    [Fact]
    public void Tsv_maps_urls_to_local_files_by_name_and_reports_what_it_skips()
    {
        using var dir = new TempDir();
        var gifs = Directory.CreateDirectory(dir.File("gifs")).FullName;
        File.WriteAllBytes(Path.Combine(gifs, "tumblr_abc_500.gif"), new byte[] { 1 });
        File.WriteAllBytes(Path.Combine(gifs, "two words.gif"), new byte[] { 1 });
        File.WriteAllLines(dir.File("list.tsv"), new[]
        {
            "https://38.media.tumblr.com/9f6c/tumblr_abc_500.gif\ta man is  dancing\r",
            "# a comment line",
            "",
            "http://example.com/x/two%20words.gif?width=500#top\tTwo people wave",
            "https://example.com/missing.gif\ta cat jumps",
            "no tab on this line",
            "https://example.com/tumblr_abc_500.gif\t   ",
        });
        var m = ClipManifests.ReadTsv(dir.File("list.tsv"), gifs);
        Assert.Equal(new[] { ("tumblr_abc_500.gif", "a man is dancing"), ("two words.gif", "Two people wave") },
            m.Entries.Select(e => (Path.GetFileName(e.Path), e.Caption)));
        Assert.Equal(dir.File("list.tsv") + ":1", m.Entries[0].Origin);
        Assert.Equal(new[] { SkipReason.Missing, SkipReason.BadLine, SkipReason.NoCaption }, m.Skipped.Select(s => s.Reason));
        Assert.Contains("missing.gif", m.Skipped[0].ToString());
        Assert.Contains("--media-dir", m.Skipped[0].ToString());
        Assert.Contains(":6", m.Skipped[1].ToString());
    }

    [Fact]
    public void Tsv_media_folder_defaults_to_the_lists_folder_and_must_exist()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("a.gif"), new byte[] { 1 });
        File.WriteAllText(dir.File("l.tsv"), "http://h/a.gif\tcaption a\n");
        Assert.Single(ClipManifests.Load(dir.File("l.tsv")).Entries);
        var e = Assert.Throws<DirectoryNotFoundException>(() => ClipManifests.ReadTsv(dir.File("l.tsv"), dir.File("nope")));
        Assert.Contains("--media-dir", e.Message);
    }

    [Theory]
    [InlineData("https://a/b/c.gif", "c.gif")]
    [InlineData("c.gif", "c.gif")]
    [InlineData("https://a/b/c%20d.gif?x=1", "c d.gif")]
    [InlineData("https://a/b/..", "")]
    [InlineData("https://a/b/%2e%2e", "")]
    public void File_name_of_a_url_never_leaves_the_media_folder(string url, string expected) =>
        Assert.Equal(expected, ClipManifests.FileNameOf(url));

    [Fact]
    public void Jsonl_reads_path_and_caption_relative_to_the_manifest()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("clips/frames_a"));
        File.WriteAllBytes(dir.File("clips/a.gif"), new byte[] { 1 });
        File.WriteAllLines(dir.File("m.jsonl"), new[]
        {
            "{\"path\": \"clips/a.gif\", \"caption\": \"a red ball\", \"colour\": \"red\"}",
            "{\"path\": \"clips/frames_a\", \"caption\": \"frames folder\"}",
            "{\"path\": \"clips/gone.gif\", \"caption\": \"x\"}",
            "{\"path\": \"clips/a.gif\"}",
            "{not json",
            "[1, 2]",
            "",
        });
        var m = ClipManifests.ReadJsonl(dir.File("m.jsonl"));
        Assert.Equal(new[] { dir.File("clips/a.gif"), dir.File("clips/frames_a") }, m.Entries.Select(e => e.Path));
        Assert.Equal("a red ball", m.Entries[0].Caption);
        Assert.Equal(new[] { SkipReason.Missing, SkipReason.NoCaption, SkipReason.BadLine, SkipReason.BadLine }, m.Skipped.Select(s => s.Reason));
        Assert.Contains("m.jsonl:5", m.Skipped[2].ToString());
        Assert.All(m.Skipped, s => Assert.DoesNotContain('\n', s.ToString()));
    }

    [Fact]
    public void Folder_pairs_clips_with_same_named_txt_captions()
    {
        using var dir = new TempDir();
        GifWriter.Write(TestClips.Shapes(), dir.File("b.gif"));
        File.WriteAllText(dir.File("b.txt"), "\n  a shape   moves\nsecond caption ignored\n");
        File.WriteAllBytes(dir.File("a.webp"), new byte[] { 1 });            // no caption
        File.WriteAllText(dir.File("notes.md"), "not a clip");
        PngFrames.Write(TestClips.Shapes(), dir.File("sub/frames"));
        File.WriteAllText(dir.File("sub/frames.txt"), "frames caption");
        Directory.CreateDirectory(dir.File("sub/deeper"));
        File.WriteAllBytes(dir.File("sub/deeper/c.mp4"), new byte[] { 1 });
        File.WriteAllText(dir.File("sub/deeper/c.txt"), "an mp4 clip");
        File.WriteAllText(dir.File("empty.txt"), "   ");
        File.WriteAllBytes(dir.File("empty.gif"), new byte[] { 1 });          // empty caption file
        var m = ClipManifests.Load(dir.Path);
        Assert.Equal(new[] { ("b.gif", "a shape moves"), ("c.mp4", "an mp4 clip"), ("frames", "frames caption") },
            m.Entries.Select(e => (Path.GetFileName(e.Path), e.Caption)));
        Assert.Equal(2, m.Skipped.Count);
        Assert.All(m.Skipped, s => Assert.Equal(SkipReason.NoCaption, s.Reason));
        Assert.Contains(m.Skipped, s => s.ToString().Contains("a.txt is missing"));
        Assert.Contains(m.Skipped, s => s.ToString().Contains("empty.txt is empty"));
    }

    [Fact]
    public void A_folder_with_captions_jsonl_is_read_through_the_manifest()
    {
        using var dir = new TempDir();
        GifWriter.Write(TestClips.Shapes(), dir.File("clip_0.gif"));
        File.WriteAllText(dir.File("captions.jsonl"), "{\"path\": \"clip_0.gif\", \"caption\": \"from jsonl\"}\n");
        File.WriteAllText(dir.File("clip_0.txt"), "from txt");
        Assert.Equal("from jsonl", ClipManifests.Load(dir.Path).Entries.Single().Caption);
    }

    [Fact]
    public void Unknown_collection_paths_are_one_line_errors()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("x.csv"), "a,b");
        var e = Assert.Throws<ArgumentException>(() => ClipManifests.Load(dir.File("x.csv")));
        Assert.Contains("x.csv", e.Message);
        var missing = Assert.Throws<FileNotFoundException>(() => ClipManifests.Load(dir.File("none.tsv")));
        Assert.Contains("none.tsv", missing.Message);
    }
}
