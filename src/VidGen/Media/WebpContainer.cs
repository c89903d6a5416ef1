using System.Buffers.Binary;
using System.Text;

namespace VidGen.Media;

/// <summary>One RIFF chunk: its FourCC and where its payload lies in the file.</summary>
internal readonly record struct RiffChunk(string FourCC, int Offset, int Size);

/// <summary>
/// The RIFF layer of WebP (Google's "WebP Container Specification"): a 12-byte "RIFF" size "WEBP" header,
/// then chunks of FourCC + little-endian uint32 size + payload, padded to an even length.
/// </summary>
internal static class WebpContainer
{
    public const int HeaderBytes = 12, ChunkHeaderBytes = 8;

    public static bool HasSignature(ReadOnlySpan<byte> b) =>
        b.Length >= 12 && b[..4].SequenceEqual("RIFF"u8) && b.Slice(8, 4).SequenceEqual("WEBP"u8);

    /// <summary>Top-level chunks, after checking the header and that the declared size is present.</summary>
    public static List<RiffChunk> TopLevel(string path, ReadOnlySpan<byte> b)
    {
        if (!HasSignature(b)) throw new MediaFormatException(path, "not a WebP file (no RIFF/WEBP signature)");
        long declared = BinaryPrimitives.ReadUInt32LittleEndian(b.Slice(4, 4)) + 8L;
        if (declared > b.Length) throw new MediaFormatException(path, $"truncated WebP: the header declares {declared} bytes but the file has {b.Length}");
        if (declared < HeaderBytes + ChunkHeaderBytes) throw new MediaFormatException(path, "WebP file holds no chunks");
        return Chunks(path, b, HeaderBytes, (int)declared);
    }

    /// <summary>The chunks between <paramref name="start"/> and <paramref name="end"/> (a file, or an ANMF payload).</summary>
    public static List<RiffChunk> Chunks(string path, ReadOnlySpan<byte> b, int start, int end)
    {
        var list = new List<RiffChunk>();
        int p = start;
        while (p < end)
        {
            if (p + ChunkHeaderBytes > end) throw new MediaFormatException(path, $"truncated WebP: a chunk header at byte {p} runs past the end");
            string fourcc = Encoding.ASCII.GetString(b.Slice(p, 4));
            uint size = BinaryPrimitives.ReadUInt32LittleEndian(b.Slice(p + 4, 4));
            if (p + ChunkHeaderBytes + (long)size > end)
                throw new MediaFormatException(path, $"truncated WebP: chunk '{fourcc}' at byte {p} declares {size} bytes but only {end - p - ChunkHeaderBytes} remain");
            list.Add(new RiffChunk(fourcc, p + ChunkHeaderBytes, (int)size));
            p += ChunkHeaderBytes + (int)size + (int)(size & 1);
        }
        return list;
    }

    public static void WriteChunk(Stream s, string fourcc, ReadOnlySpan<byte> payload)
    {
        Span<byte> head = stackalloc byte[8];
        Encoding.ASCII.GetBytes(fourcc, head[..4]);
        BinaryPrimitives.WriteUInt32LittleEndian(head[4..], (uint)payload.Length);
        s.Write(head);
        s.Write(payload);
        if ((payload.Length & 1) == 1) s.WriteByte(0);
    }

    /// <summary>A complete WebP file from already-encoded chunks (header with the right RIFF size in front).</summary>
    public static byte[] File(Action<Stream> writeChunks)
    {
        using var body = new MemoryStream();
        writeChunks(body);
        var result = new byte[HeaderBytes + body.Length];
        "RIFF"u8.CopyTo(result);
        BinaryPrimitives.WriteUInt32LittleEndian(result.AsSpan(4), (uint)(body.Length + 4));
        "WEBP"u8.CopyTo(result.AsSpan(8));
        body.ToArray().CopyTo(result, HeaderBytes);
        return result;
    }

    public static int U24(ReadOnlySpan<byte> b) => b[0] | b[1] << 8 | b[2] << 16;

    public static void PutU24(Span<byte> b, int v)
    {
        if (v < 0 || v > 0xFFFFFF) throw new ArgumentOutOfRangeException(nameof(v), v, "does not fit 24 bits");
        b[0] = (byte)v; b[1] = (byte)(v >> 8); b[2] = (byte)(v >> 16);
    }
}
