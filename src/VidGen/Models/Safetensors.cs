using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace VidGen.Models;

/// <summary>
/// Reader and writer for the safetensors format (8-byte little-endian header length, JSON header of
/// name -> {dtype, shape, data_offsets}, then raw little-endian tensor bytes). F32, F16, BF16, I64, I32, BOOL.
/// </summary>
public static class Safetensors
{
    public static void Save(string path, IEnumerable<(string Name, Tensor Tensor)> tensors, IReadOnlyDictionary<string, string>? metadata = null, ScalarType? storeAs = null)
    {
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
            header["__metadata__"] = new JsonObject(metadata.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value))));
        var blobs = new List<byte[]>();
        long offset = 0;
        foreach (var (name, t0) in tensors.OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            using var t = ConvertForStorage(t0, storeAs);
            var bytes = t.bytes.ToArray();
            header[name] = new JsonObject
            {
                ["dtype"] = DtypeName(t.dtype),
                ["shape"] = new JsonArray(t.shape.Select(s => (JsonNode?)JsonValue.Create(s)).ToArray()),
                ["data_offsets"] = new JsonArray(JsonValue.Create(offset), JsonValue.Create(offset + bytes.Length)),
            };
            blobs.Add(bytes);
            offset += bytes.Length;
        }
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        int pad = (8 - json.Length % 8) % 8; // align tensor data to 8 bytes (the format pads with spaces)
        var headerBytes = json.Concat(Enumerable.Repeat((byte)' ', pad)).ToArray();
        // Never a half-written checkpoint under the real name (AtomicFiles: temporary file, flush, rename).
        AtomicFiles.WriteStream(path, fs =>
        {
            Span<byte> len = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)headerBytes.Length);
            fs.Write(len);
            fs.Write(headerBytes);
            foreach (var b in blobs) fs.Write(b);
        });
    }

    static Tensor ConvertForStorage(Tensor t, ScalarType? storeAs)
    {
        var c = t.detach().cpu().contiguous();
        if (storeAs is { } dt && t.is_floating_point() && c.dtype != dt) { var d = c.to_type(dt); c.Dispose(); return d; }
        return c;
    }

    /// <summary>Reads every tensor of a safetensors file. Throws InvalidDataException naming the file on any damage.</summary>
    public static Dictionary<string, Tensor> Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"weights file not found: {path}", path);
        var data = File.ReadAllBytes(path);
        if (data.Length < 8) throw new InvalidDataException($"{path}: too short to be a safetensors file");
        ulong headerLen = BinaryPrimitives.ReadUInt64LittleEndian(data);
        if (headerLen > (ulong)(data.Length - 8)) throw new InvalidDataException($"{path}: header length {headerLen} exceeds the file size; the file is truncated or not safetensors");
        JsonObject header;
        try { header = JsonNode.Parse(Encoding.UTF8.GetString(data, 8, (int)headerLen))!.AsObject(); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: header is not valid JSON ({e.Message})", e); }
        long dataStart = 8 + (long)headerLen;
        var result = new Dictionary<string, Tensor>();
        foreach (var (name, node) in header)
        {
            if (name == "__metadata__" || node is null) continue;
            var dtype = ParseDtype((string)node["dtype"]!, path, name);
            var shape = node["shape"]!.AsArray().Select(s => (long)s!).ToArray();
            var offs = node["data_offsets"]!.AsArray().Select(s => (long)s!).ToArray();
            long begin = dataStart + offs[0], end = dataStart + offs[1];
            long expected = shape.Aggregate(1L, (a, b) => a * b) * ElementSize(dtype);
            if (end > data.Length || begin > end || end - begin != expected)
                throw new InvalidDataException($"{path}: tensor '{name}' lies outside the file or has the wrong byte size; the file is truncated or corrupt");
            var t = empty(shape, dtype);
            t.bytes = data.AsSpan((int)begin, (int)(end - begin));
            result[name] = t;
        }
        return result;
    }

    public static IReadOnlyDictionary<string, string> ReadMetadata(string path)
    {
        using var fs = File.OpenRead(path);
        Span<byte> len = stackalloc byte[8];
        fs.ReadExactly(len);
        var buf = new byte[BinaryPrimitives.ReadUInt64LittleEndian(len)];
        fs.ReadExactly(buf);
        var meta = JsonNode.Parse(buf)!["__metadata__"];
        return meta is null ? new Dictionary<string, string>() : meta.AsObject().ToDictionary(kv => kv.Key, kv => (string?)kv.Value ?? "");
    }

    static string DtypeName(ScalarType t) => t switch
    {
        ScalarType.Float32 => "F32", ScalarType.Float16 => "F16", ScalarType.BFloat16 => "BF16",
        ScalarType.Int64 => "I64", ScalarType.Int32 => "I32", ScalarType.Bool => "BOOL", ScalarType.Float64 => "F64",
        _ => throw new NotSupportedException($"safetensors writer does not support {t}"),
    };

    static ScalarType ParseDtype(string name, string path, string tensor) => name switch
    {
        "F32" => ScalarType.Float32, "F16" => ScalarType.Float16, "BF16" => ScalarType.BFloat16,
        "I64" => ScalarType.Int64, "I32" => ScalarType.Int32, "BOOL" => ScalarType.Bool, "F64" => ScalarType.Float64,
        _ => throw new InvalidDataException($"{path}: tensor '{tensor}' has unsupported dtype {name}"),
    };

    static long ElementSize(ScalarType t) => t switch
    {
        ScalarType.Float64 or ScalarType.Int64 => 8, ScalarType.Float32 or ScalarType.Int32 => 4,
        ScalarType.Float16 or ScalarType.BFloat16 => 2, _ => 1,
    };
}
