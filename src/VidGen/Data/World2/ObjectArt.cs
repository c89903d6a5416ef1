using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace VidGen.Data.World2;

/// <summary>
/// The artwork of every object class: the five shapes drawn here at 136 px with 4 x 4 supersampling, and the
/// sixteen sprites decoded from the emoji font's PNG bitmaps (Noto Color Emoji: 136 x 128, centred on a 136 px
/// square). Built once per world and immutable after; nothing is cached process-wide.
/// </summary>
public sealed class ObjectArt
{
    /// <summary>
    /// The emoji each sprite class is drawn from: one whole object each (full-body cat and dog rather than faces,
    /// the sun with its rays joined to the disc, a tulip for the flower, a football for the ball).
    /// </summary>
    public static readonly IReadOnlyDictionary<ObjectClass, int> Codepoints = new Dictionary<ObjectClass, int>
    {
        [ObjectClass.Cat] = 0x1F408, [ObjectClass.Dog] = 0x1F415, [ObjectClass.Fish] = 0x1F41F, [ObjectClass.Bird] = 0x1F426,
        [ObjectClass.Car] = 0x1F697, [ObjectClass.Rocket] = 0x1F680, [ObjectClass.Apple] = 0x1F34E, [ObjectClass.Flower] = 0x1F337,
        [ObjectClass.Tree] = 0x1F333, [ObjectClass.House] = 0x1F3E0, [ObjectClass.Sun] = 0x1F31E, [ObjectClass.Balloon] = 0x1F388,
        [ObjectClass.Ball] = 0x26BD, [ObjectClass.Boat] = 0x26F5, [ObjectClass.Airplane] = 0x2708, [ObjectClass.Butterfly] = 0x1F98B,
    };

    /// <summary>Side of the canvas shapes are drawn on, the emoji bitmaps' width.</summary>
    public const int CanvasSize = 136;

    readonly Glyph[] glyphs;

    /// <summary>The font the sprites came from.</summary>
    public string FontPath { get; }

    public Glyph this[ObjectClass c] => glyphs[(int)c];

    ObjectArt(Glyph[] glyphs, string fontPath) { this.glyphs = glyphs; FontPath = fontPath; }

    /// <summary>Reads the sprites from the emoji font (see <see cref="EmojiFont.ResolvePath"/>) and draws the shapes.</summary>
    public static ObjectArt Load(string? fontPath = null)
    {
        var font = EmojiFont.Open(fontPath);
        var glyphs = new Glyph[Terms.Classes.Count];
        foreach (var c in Terms.Shapes) glyphs[(int)c] = new Glyph(c, DrawShape(c, CanvasSize), CanvasSize, tinted: true);
        foreach (var c in Terms.Sprites)
        {
            var png = font.Png(Codepoints[c])
                ?? throw new InvalidDataException($"{font.Path}: the font has no colour bitmap for U+{Codepoints[c]:X4} ({Terms.Name(c)}); install {EmojiFont.Package}");
            var (rgba, size) = DecodeSprite(png, font.Path, c);
            glyphs[(int)c] = new Glyph(c, rgba, size, tinted: false);
        }
        return new ObjectArt(glyphs, font.Path);
    }

    /// <summary>A PNG as premultiplied RGBA floats, centred on a transparent square canvas of its longer side.</summary>
    static (float[] Rgba, int Size) DecodeSprite(byte[] png, string fontPath, ObjectClass c)
    {
        Image<Rgba32> img;
        try { img = Image.Load<Rgba32>(png); }
        catch (Exception e) when (e is UnknownImageFormatException or InvalidImageContentException)
        {
            throw new InvalidDataException($"{fontPath}: the bitmap of {Terms.Name(c)} is not a readable PNG ({e.Message.Split('\n')[0]})");
        }
        using (img)
        {
            int size = Math.Max(img.Width, img.Height);
            int ox = (size - img.Width) / 2, oy = (size - img.Height) / 2;
            var rgba = new float[size * size * 4];
            img.ProcessPixelRows(rows =>
            {
                for (int y = 0; y < rows.Height; y++)
                {
                    var row = rows.GetRowSpan(y);
                    for (int x = 0; x < row.Length; x++)
                    {
                        float a = row[x].A / 255f;
                        int o = ((y + oy) * size + x + ox) * 4;
                        rgba[o] = row[x].R / 255f * a; rgba[o + 1] = row[x].G / 255f * a; rgba[o + 2] = row[x].B / 255f * a; rgba[o + 3] = a;
                    }
                }
            });
            return (rgba, size);
        }
    }

    /// <summary>A shape's coverage on an N x N canvas (4 x 4 samples per texel), stored white: RGB = alpha.</summary>
    static float[] DrawShape(ObjectClass c, int n)
    {
        var rgba = new float[n * n * 4];
        const int ss = 4;
        for (int y = 0; y < n; y++)
            for (int x = 0; x < n; x++)
            {
                int hits = 0;
                for (int j = 0; j < ss; j++)
                    for (int i = 0; i < ss; i++)
                    {
                        float u = (x + (i + 0.5f) / ss) / n * 2 - 1, v = (y + (j + 0.5f) / ss) / n * 2 - 1;
                        if (Inside(c, u, v)) hits++;
                    }
                float a = hits / (float)(ss * ss);
                int o = (y * n + x) * 4;
                rgba[o] = rgba[o + 1] = rgba[o + 2] = rgba[o + 3] = a;
            }
        return rgba;
    }

    // The star's ten corners (outer radius 0.98, inner 0.42, a point upwards), shifted down so its height is
    // centred in the box.
    static readonly (float U, float V)[] StarCorners = Enumerable.Range(0, 10).Select(k =>
    {
        float rad = k % 2 == 0 ? 0.98f : 0.42f, a = MathF.PI * k / 5;
        return (rad * MathF.Sin(a), -rad * MathF.Cos(a) + 0.5f * 0.98f * (1 - MathF.Cos(MathF.PI / 5)));
    }).ToArray();

    static readonly (float U, float V)[] TriangleCorners = { (0f, -0.85f), (0.95f, 0.85f), (-0.95f, 0.85f) };

    /// <summary>Is the point (u, v) of the box [-1, 1]^2 (v downwards) inside the shape?</summary>
    internal static bool Inside(ObjectClass c, float u, float v)
    {
        switch (c)
        {
            case ObjectClass.Circle: return u * u + v * v <= 0.95f * 0.95f;
            case ObjectClass.Square: return MathF.Abs(u) <= 0.92f && MathF.Abs(v) <= 0.92f;
            case ObjectClass.Triangle: return InPolygon(TriangleCorners, u, v);
            case ObjectClass.Star: return InPolygon(StarCorners, u, v);
            case ObjectClass.Heart:
                {
                    // The classic heart curve (x^2 + y^2 - 1)^3 - x^2 y^3 <= 0 (y up) spans x in [-1.14, 1.14] and
                    // y in [-1, 1.24]; scaled so its wider half-extent is 0.95 of the box and centred.
                    const float s = 1.139f / 0.95f;
                    float x = u * s, y = -v * s + 0.118f;
                    float q = x * x + y * y - 1;
                    return q * q * q - x * x * y * y * y <= 0;
                }
            default: throw new ArgumentException($"{c} is a sprite, not a shape");
        }
    }

    static bool InPolygon((float U, float V)[] p, float u, float v)
    {
        bool inside = false;
        for (int i = 0, j = p.Length - 1; i < p.Length; j = i++)
            if ((p[i].V > v) != (p[j].V > v) && u < (p[j].U - p[i].U) * (v - p[i].V) / (p[j].V - p[i].V) + p[i].U)
                inside = !inside;
        return inside;
    }
}
