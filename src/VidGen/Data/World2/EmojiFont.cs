using System.Buffers.Binary;

namespace VidGen.Data.World2;

/// <summary>
/// The emoji font is missing or unreadable: an environment problem with a one-line message naming the package.
/// A FileNotFoundException (an IOException), so the CLI prints it as one red line.
/// </summary>
public sealed class EmojiFontMissingException : FileNotFoundException
{
    public EmojiFontMissingException(string path)
        : base($"{path}: colour emoji font not found (the second world's sprites are read from it); install it with `apt-get install {EmojiFont.Package}`, or point --emoji-font or {EmojiFont.EnvironmentVariable} at a CBDT colour emoji font", path) { }
}

/// <summary>
/// Reads colour emoji bitmaps out of a CBDT/CBLC font such as Debian's Noto Color Emoji (fonts-noto-color-emoji;
/// the font is under the SIL Open Font License, its images under Apache-2.0). Nothing is copied into the
/// repository: the artwork is read from the installed font at run time.
/// <para>Only what the sprites need is parsed: the table directory, the character map (format 12, or format 4
/// for the Basic Multilingual Plane) and the bitmap location table (CBLC: strikes, index sub-tables of formats
/// 1 to 5). Each glyph's record in the bitmap data table (CBDT image formats 17, 18 and 19) holds a PNG.</para>
/// Every offset is bounds-checked: a damaged font gives one <see cref="InvalidDataException"/> line naming it.
/// </summary>
public sealed class EmojiFont
{
    public const string DefaultPath = "/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf";
    public const string EnvironmentVariable = "VIDGEN_EMOJI_FONT";
    public const string Package = "fonts-noto-color-emoji";

    // The whole file (Noto Color Emoji is 11 MB): read once per world, never kept process-wide.
    readonly byte[] data;
    readonly (uint Start, uint End, uint Glyph)[] groups;
    readonly Strike strike;

    /// <summary>The font file that was read.</summary>
    public string Path { get; }

    /// <summary>Pixels per em of the strike the bitmaps come from (Noto Color Emoji: 109, bitmaps 136 x 128).</summary>
    public int PixelsPerEm => strike.Ppem;

    /// <summary>The font to use: <paramref name="given"/>, else $VIDGEN_EMOJI_FONT, else Debian's path.</summary>
    public static string ResolvePath(string? given = null)
    {
        if (!string.IsNullOrWhiteSpace(given)) return given;
        var env = Environment.GetEnvironmentVariable(EnvironmentVariable);
        return string.IsNullOrWhiteSpace(env) ? DefaultPath : env;
    }

    /// <summary>Opens the font at <see cref="ResolvePath"/>; a missing file is a one-line <see cref="EmojiFontMissingException"/>.</summary>
    public static EmojiFont Open(string? path = null)
    {
        path = ResolvePath(path);
        if (!File.Exists(path)) throw new EmojiFontMissingException(path);
        return new EmojiFont(path, File.ReadAllBytes(path));
    }

    /// <summary>Whether <see cref="Open"/> would find a file (tests use it to decide whether to skip).</summary>
    public static bool IsInstalled(string? path = null) => File.Exists(ResolvePath(path));

    EmojiFont(string path, byte[] bytes)
    {
        Path = path;
        data = bytes;
        try
        {
            var tables = ReadTableDirectory();
            if (!tables.TryGetValue("cmap", out var cmap)) throw Bad("it has no cmap table");
            if (!tables.TryGetValue("CBLC", out var cblc) || !tables.TryGetValue("CBDT", out var cbdt))
                throw Bad("it has no CBLC/CBDT colour bitmap tables (is it a colour emoji font?)");
            groups = ReadCmap(cmap.Offset, cmap.Length);
            strike = ReadLargestStrike(cblc.Offset, cblc.Length, cbdt.Offset, cbdt.Length);
        }
        catch (IndexOutOfRangeException) { throw Bad("a table points outside the file"); }
        catch (ArgumentOutOfRangeException) { throw Bad("a table points outside the file"); }
    }

    InvalidDataException Bad(string why) => new($"{Path}: not a readable colour emoji font: {why}");

    /// <summary>The glyph id the character map gives <paramref name="codepoint"/>, or null if the font lacks it.</summary>
    public int? GlyphId(int codepoint)
    {
        int lo = 0, hi = groups.Length - 1;
        uint c = (uint)codepoint;
        while (lo <= hi)
        {
            int mid = (lo + hi) >> 1;
            var g = groups[mid];
            if (c < g.Start) hi = mid - 1;
            else if (c > g.End) lo = mid + 1;
            else return (int)(g.Glyph + (c - g.Start));
        }
        return null;
    }

    /// <summary>The PNG image of <paramref name="codepoint"/>'s bitmap, or null when the font has none for it.</summary>
    public byte[]? Png(int codepoint)
    {
        if (GlyphId(codepoint) is not int glyph) return null;
        if (strike.Locate(glyph) is not (int offset, int format)) return null;
        try
        {
            // CBDT record: metrics (small 5 bytes for format 17, big 8 bytes for 18, none for 19), then uint32 length, then PNG.
            int metrics = format switch { 17 => 5, 18 => 8, 19 => 0, _ => throw Bad($"glyph {glyph} uses image format {format}, which is not a PNG format") };
            int lengthAt = offset + metrics;
            uint length = U32(lengthAt);
            int start = lengthAt + 4;
            if (length == 0 || start + (long)length > strike.DataEnd) throw Bad($"glyph {glyph}'s PNG runs past the CBDT table");
            return data.AsSpan(start, (int)length).ToArray();
        }
        catch (ArgumentOutOfRangeException) { throw Bad($"glyph {glyph}'s bitmap record points outside the file"); }
    }

    ushort U16(int at) => BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(at, 2));
    uint U32(int at) => BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(at, 4));

    Dictionary<string, (int Offset, int Length)> ReadTableDirectory()
    {
        if (data.Length < 12) throw Bad("the file is too short for a font");
        uint version = U32(0);
        if (version is not (0x00010000u or 0x74727565u)) throw Bad("it is not a TrueType font (no sfnt header)");
        int n = U16(4);
        var tables = new Dictionary<string, (int, int)>();
        for (int i = 0; i < n; i++)
        {
            int rec = 12 + 16 * i;
            string tag = System.Text.Encoding.ASCII.GetString(data, rec, 4);
            uint off = U32(rec + 8), len = U32(rec + 12);
            if (off + (ulong)len > (ulong)data.Length) throw Bad($"table {tag} runs past the end of the file");
            tables[tag] = ((int)off, (int)len);
        }
        return tables;
    }

    /// <summary>Character map as sorted (first, last, first glyph) ranges, from the best Unicode subtable.</summary>
    (uint, uint, uint)[] ReadCmap(int cmap, int length)
    {
        int n = U16(cmap + 2);
        int best = -1, bestRank = -1;
        for (int i = 0; i < n; i++)
        {
            int rec = cmap + 4 + 8 * i;
            int platform = U16(rec), encoding = U16(rec + 2);
            int sub = cmap + (int)U32(rec + 4);
            if (sub + 2 > cmap + length) continue;
            int format = U16(sub);
            // Full-repertoire subtables (format 12: Windows UCS-4, Unicode full) beat BMP-only ones (format 4).
            int rank = (format, platform, encoding) switch
            {
                (12, 3, 10) or (12, 0, _) => 3,
                (4, 3, 1) or (4, 0, _) => 1,
                _ => -1,
            };
            if (rank > bestRank) { bestRank = rank; best = sub; }
        }
        if (best < 0) throw Bad("its cmap has no Unicode subtable of format 12 or 4");
        return U16(best) == 12 ? ReadFormat12(best) : ReadFormat4(best);
    }

    (uint, uint, uint)[] ReadFormat12(int sub)
    {
        uint count = U32(sub + 12);
        if (sub + 16 + 12L * count > data.Length) throw Bad("its cmap format 12 table is truncated");
        var result = new (uint, uint, uint)[count];
        for (int i = 0; i < count; i++)
        {
            int g = sub + 16 + 12 * i;
            result[i] = (U32(g), U32(g + 4), U32(g + 8));
        }
        Array.Sort(result, (a, b) => a.Item1.CompareTo(b.Item1));
        return result;
    }

    (uint, uint, uint)[] ReadFormat4(int sub)
    {
        // Segments of (end, start, delta, range offset); a range offset points into the glyph array, so those
        // segments are expanded to one range per character to keep a single lookup structure.
        int segments = U16(sub + 6) / 2;
        int ends = sub + 14, starts = ends + 2 * segments + 2, deltas = starts + 2 * segments, ranges = deltas + 2 * segments;
        var result = new List<(uint, uint, uint)>();
        for (int s = 0; s < segments; s++)
        {
            int end = U16(ends + 2 * s), start = U16(starts + 2 * s);
            short delta = (short)U16(deltas + 2 * s);
            int rangeOffset = U16(ranges + 2 * s);
            if (start == 0xFFFF) continue;
            if (rangeOffset == 0)
                result.Add(((uint)start, (uint)end, (uint)((start + delta) & 0xFFFF)));
            else
                for (int c = start; c <= end; c++)
                {
                    int at = ranges + 2 * s + rangeOffset + 2 * (c - start);
                    int glyph = U16(at);
                    if (glyph != 0) result.Add(((uint)c, (uint)c, (uint)((glyph + delta) & 0xFFFF)));
                }
        }
        return result.OrderBy(r => r.Item1).ToArray();
    }

    /// <summary>The strike with the most pixels per em, and where each of its glyphs' records start in CBDT.</summary>
    Strike ReadLargestStrike(int cblc, int cblcLength, int cbdt, int cbdtLength)
    {
        uint sizes = U32(cblc + 4);
        if (sizes == 0) throw Bad("its CBLC table lists no bitmap sizes");
        if (cblc + 8 + 48L * sizes > cblc + cblcLength) throw Bad("its CBLC table is truncated");
        int bestAt = -1, bestPpem = -1;
        for (int i = 0; i < sizes; i++)
        {
            // BitmapSize record (48 bytes): ppemX at byte 44.
            int rec = cblc + 8 + 48 * i;
            int ppem = data[rec + 44];
            if (ppem > bestPpem) { bestPpem = ppem; bestAt = rec; }
        }
        int arrayAt = cblc + (int)U32(bestAt);
        uint subtables = U32(bestAt + 8);
        var index = new List<SubTable>();
        for (int k = 0; k < subtables; k++)
        {
            // IndexSubTableArray entry: first glyph, last glyph, offset of its header from the array's start.
            int e = arrayAt + 8 * k;
            int first = U16(e), last = U16(e + 2);
            int header = arrayAt + (int)U32(e + 4);
            int indexFormat = U16(header), imageFormat = U16(header + 2);
            int imageData = cbdt + (int)U32(header + 4);
            index.Add(new SubTable(first, last, indexFormat, imageFormat, imageData, header + 8));
        }
        return new Strike(this, bestPpem, index, cbdt + cbdtLength);
    }

    sealed record SubTable(int First, int Last, int IndexFormat, int ImageFormat, int ImageData, int Body);

    sealed class Strike(EmojiFont font, int ppem, List<SubTable> index, int dataEnd)
    {
        public int Ppem { get; } = ppem;
        public int DataEnd { get; } = dataEnd;

        /// <summary>(absolute offset of the glyph's CBDT record, its image format), or null when the strike lacks it.</summary>
        public (int Offset, int Format)? Locate(int glyph)
        {
            foreach (var t in index)
            {
                if (glyph < t.First || glyph > t.Last) continue;
                int i = glyph - t.First;
                switch (t.IndexFormat)
                {
                    case 1: // uint32 offsets, one more than glyphs; equal neighbours mean "no bitmap"
                        {
                            uint a = font.U32(t.Body + 4 * i), b = font.U32(t.Body + 4 * (i + 1));
                            return b > a ? (t.ImageData + (int)a, t.ImageFormat) : null;
                        }
                    case 3: // uint16 offsets
                        {
                            int a = font.U16(t.Body + 2 * i), b = font.U16(t.Body + 2 * (i + 1));
                            return b > a ? (t.ImageData + a, t.ImageFormat) : null;
                        }
                    case 2: // every glyph the same size: uint32 image size, then big metrics
                        return (t.ImageData + (int)font.U32(t.Body) * i, t.ImageFormat);
                    case 4: // sparse: count, then (glyph, uint16 offset) pairs
                        {
                            uint count = font.U32(t.Body);
                            for (int k = 0; k < count; k++)
                                if (font.U16(t.Body + 4 + 4 * k) == glyph)
                                    return (t.ImageData + font.U16(t.Body + 4 + 4 * k + 2), t.ImageFormat);
                            return null;
                        }
                    case 5: // sparse, same size: image size, big metrics (8), count, glyph ids
                        {
                            uint size = font.U32(t.Body), count = font.U32(t.Body + 12);
                            for (int k = 0; k < count; k++)
                                if (font.U16(t.Body + 16 + 2 * k) == glyph) return (t.ImageData + (int)size * k, t.ImageFormat);
                            return null;
                        }
                    default:
                        return null;
                }
            }
            return null;
        }
    }
}
