using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using VidGen.Data.World2;
using VidGen.Tests.Media;

namespace VidGen.Tests.Data.World2;

public class EmojiFontTests(ArtFixture fixture) : IClassFixture<ArtFixture>
{
    [EmojiFact]
    public void Every_sprite_is_a_136_by_128_png_read_from_the_font()
    {
        var font = EmojiFont.Open();
        Assert.Equal(109, font.PixelsPerEm);
        foreach (var (cls, codepoint) in ObjectArt.Codepoints)
        {
            var png = font.Png(codepoint);
            Assert.NotNull(png);
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png![..4]);
            using var img = Image.Load<Rgba32>(png);
            Assert.Equal((136, 128), (img.Width, img.Height));
            // Each emoji is one object on transparency: opaque in the middle, clear in the corners.
            Assert.True(img[img.Width / 2, img.Height / 2].A > 0, $"{cls}: clear centre");
            Assert.Equal(0, img[0, 0].A);
        }
        Assert.Equal(16, ObjectArt.Codepoints.Count);
        Assert.Equal(Terms.Sprites.OrderBy(c => c), ObjectArt.Codepoints.Keys.OrderBy(c => c));
    }

    [EmojiFact]
    public void A_codepoint_the_font_lacks_has_no_bitmap()
    {
        var font = EmojiFont.Open();
        Assert.Null(font.GlyphId(0x10FFFD));
        Assert.Null(font.Png(0x10FFFD));
        Assert.Null(font.Png('A')); // a colour emoji font maps no Latin letters
        Assert.NotNull(font.GlyphId(0x1F408));
    }

    [Fact]
    public void A_missing_font_is_one_line_naming_the_package()
    {
        using var dir = new TempDir();
        string path = dir.File("NoSuchEmoji.ttf");
        var e = Assert.Throws<EmojiFontMissingException>(() => EmojiFont.Open(path));
        Assert.StartsWith(path + ":", e.Message);
        Assert.Contains("apt-get install fonts-noto-color-emoji", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.IsAssignableFrom<IOException>(e); // the CLI prints IOExceptions as one red line
        Assert.Throws<EmojiFontMissingException>(() => ObjectArt.Load(path));
    }

    [Fact]
    public void A_file_that_is_no_colour_font_is_one_line_naming_it()
    {
        using var dir = new TempDir();
        string text = dir.File("notes.ttf");
        File.WriteAllText(text, "this is not a font at all, just text");
        var e = Assert.Throws<InvalidDataException>(() => EmojiFont.Open(text));
        Assert.StartsWith(text + ":", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        string empty = dir.File("empty.ttf");
        File.WriteAllBytes(empty, Array.Empty<byte>());
        Assert.StartsWith(empty + ":", Assert.Throws<InvalidDataException>(() => EmojiFont.Open(empty)).Message);
    }

    [EmojiFact]
    public void A_truncated_font_is_one_line_not_a_crash()
    {
        using var dir = new TempDir();
        var bytes = File.ReadAllBytes(EmojiFont.ResolvePath());
        string cut = dir.File("cut.ttf");
        // The table directory survives, the tables it points to do not.
        File.WriteAllBytes(cut, bytes[..4096]);
        var e = Assert.Throws<InvalidDataException>(() => EmojiFont.Open(cut));
        Assert.StartsWith(cut + ":", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void The_path_comes_from_the_option_then_the_environment_then_debian()
    {
        string? saved = Environment.GetEnvironmentVariable(EmojiFont.EnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(EmojiFont.EnvironmentVariable, null);
            Assert.Equal(EmojiFont.DefaultPath, EmojiFont.ResolvePath());
            Environment.SetEnvironmentVariable(EmojiFont.EnvironmentVariable, "/from/env.ttf");
            Assert.Equal("/from/env.ttf", EmojiFont.ResolvePath());
            Assert.Equal("/given.ttf", EmojiFont.ResolvePath("/given.ttf"));
        }
        finally { Environment.SetEnvironmentVariable(EmojiFont.EnvironmentVariable, saved); }
    }

    [EmojiFact]
    public void Glyphs_are_premultiplied_and_shapes_cover_their_analytic_area()
    {
        var art = fixture.Art;
        foreach (var c in Terms.Classes)
        {
            var g = art[c];
            Assert.Equal(Terms.IsShape(c), g.Tinted);
            var patch = new float[40 * 40 * 4];
            g.Rasterise(new TrackPoint(20, 20, 16, 0), 0, 0, 40, 40, patch);
            for (int i = 0; i < patch.Length; i += 4)
            {
                Assert.InRange(patch[i + 3], 0f, 1.0001f);
                for (int k = 0; k < 3; k++) Assert.True(patch[i + k] <= patch[i + 3] + 1e-4f, $"{c}: colour above alpha (not premultiplied)");
            }
            Assert.InRange(g.Coverage, 0.2f, 0.9f);
            Assert.InRange(g.Reach, 0.85f, 1.42f);
        }
        // Coverage of the box: circle pi 0.95^2 / 4, square 0.92^2, triangle 1.9 x 1.7 / 2 / 4.
        Assert.Equal(MathF.PI * 0.95f * 0.95f / 4, art[ObjectClass.Circle].Coverage, 0.005f);
        Assert.Equal(0.92f * 0.92f, art[ObjectClass.Square].Coverage, 0.005f);
        Assert.Equal(1.9f * 1.7f / 2 / 4, art[ObjectClass.Triangle].Coverage, 0.005f);
        // The rasterised area at radius 16 px (box 32 px) matches the coverage.
        var circle = new float[40 * 40 * 4];
        art[ObjectClass.Circle].Rasterise(new TrackPoint(20, 20, 16, 0), 0, 0, 40, 40, circle);
        float area = 0;
        for (int i = 3; i < circle.Length; i += 4) area += circle[i];
        Assert.Equal(MathF.PI * 0.95f * 0.95f * 16 * 16, area, 0.01f * area);
    }
}
