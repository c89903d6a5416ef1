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
        var (header, dataStart) = ParseHeader(data, data.Length, path);
        var result = new Dictionary<string, Tensor>();
        try
        {
            foreach (var (name, node) in header)
            {
                if (name == MetadataKey) continue;
                var (dtype, shape, begin, end) = Entry(name, node, data.Length - dataStart, path);
                var t = empty(shape, dtype);
                result[name] = t;
                t.bytes = data.AsSpan((int)(dataStart + begin), (int)(end - begin));
            }
        }
        catch
        {
            foreach (var t in result.Values) t.Dispose();
            throw;
        }
        return result;
    }

    /// <summary>The __metadata__ strings of a safetensors file, reading only its header; damage is one InvalidDataException naming the file.</summary>
    public static IReadOnlyDictionary<string, string> ReadMetadata(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"weights file not found: {path}", path);
        using var fs = File.OpenRead(path);
        var buf = new byte[8];
        if (fs.ReadAtLeast(buf, 8, throwOnEndOfStream: false) < 8) throw new InvalidDataException($"{path}: too short to be a safetensors file");
        ulong headerLen = BinaryPrimitives.ReadUInt64LittleEndian(buf);
        if (headerLen > (ulong)(fs.Length - 8)) throw new InvalidDataException($"{path}: header length {headerLen} exceeds the file size; the file is truncated or not safetensors");
        var head = new byte[8 + (int)headerLen]; // bounded by the file's size, checked above
        buf.CopyTo(head, 0);
        fs.ReadExactly(head.AsSpan(8));
        var (header, _) = ParseHeader(head, fs.Length, path);
        return Metadata(header, path);
    }

    const string MetadataKey = "__metadata__";

    static readonly JsonDocumentOptions StrictJson = new() { AllowDuplicateProperties = false };

    /// <summary>
    /// The header of a safetensors file (its first bytes in <paramref name="data"/>, <paramref name="fileLength"/> in
    /// all): a JSON object whose entries are tensors or __metadata__. Returns it and where tensor data starts.
    /// </summary>
    static (JsonObject Header, long DataStart) ParseHeader(byte[] data, long fileLength, string path)
    {
        if (data.Length < 8) throw new InvalidDataException($"{path}: too short to be a safetensors file");
        ulong headerLen = BinaryPrimitives.ReadUInt64LittleEndian(data);
        if (headerLen > (ulong)(fileLength - 8) || headerLen > (ulong)(data.Length - 8))
            throw new InvalidDataException($"{path}: header length {headerLen} exceeds the file size; the file is truncated or not safetensors");
        JsonNode? root;
        try
        {
            // JsonObject reads its properties lazily, so a repeated name in a nested object would otherwise throw an
            // ArgumentException wherever the entry is first read; refused here, while parsing, at any depth.
            root = JsonNode.Parse(Encoding.UTF8.GetString(data, 8, (int)headerLen), documentOptions: StrictJson);
        }
        catch (JsonException e)
        {
            // System.Text.Json quotes the input's bytes, line breaks included.
            throw new InvalidDataException($"{path}: header is not valid JSON ({ErrorText.OneLine(e.Message)})", e);
        }
        if (root is not JsonObject header) throw new InvalidDataException($"{path}: header is not a JSON object");
        Metadata(header, path);
        return (header, 8 + (long)headerLen);
    }

    static Dictionary<string, string> Metadata(JsonObject header, string path)
    {
        var result = new Dictionary<string, string>();
        if (!header.TryGetPropertyValue(MetadataKey, out var meta) || meta is null) return result;
        if (meta is not JsonObject o) throw new InvalidDataException($"{path}: {MetadataKey} is not a JSON object");
        foreach (var (k, v) in o)
            result[k] = v is JsonValue s && s.TryGetValue<string>(out var text) ? text : throw new InvalidDataException($"{path}: {MetadataKey}.{k} is not a string");
        return result;
    }

    /// <summary>One tensor entry, checked: a known dtype, a shape of non-negative sizes, offsets [begin, end] inside the data that hold exactly its bytes.</summary>
    static (ScalarType Dtype, long[] Shape, long Begin, long End) Entry(string name, JsonNode? node, long dataLength, string path)
    {
        string Bad(string what) => $"{path}: tensor '{name}' {what}; the file is truncated, corrupt or not safetensors";
        if (node is not JsonObject o) throw new InvalidDataException(Bad("is not a JSON object"));
        if (o["dtype"] is not JsonValue d || !d.TryGetValue<string>(out var dtypeName)) throw new InvalidDataException(Bad("has no dtype string"));
        var dtype = ParseDtype(dtypeName, path, name);
        long[] Integers(string key, string what) =>
            o[key] is JsonArray a && a.All(x => x is JsonValue v && v.TryGetValue<long>(out var n) && n >= 0)
                ? a.Select(x => x!.GetValue<long>()).ToArray()
                : throw new InvalidDataException(Bad($"has no {key} of {what}"));
        var shape = Integers("shape", "non-negative integers");
        var offsets = Integers("data_offsets", "two non-negative integers");
        if (offsets.Length != 2) throw new InvalidDataException(Bad("has no data_offsets of two non-negative integers"));
        long expected;
        try { expected = checked(shape.Aggregate(1L, (x, y) => x * y) * ElementSize(dtype)); }
        catch (OverflowException) { throw new InvalidDataException(Bad("has a shape too large for any file")); }
        long begin = offsets[0], end = offsets[1];
        if (begin > end || end > dataLength || end - begin != expected)
            throw new InvalidDataException(Bad("lies outside the file or has the wrong byte size"));
        return (dtype, shape, begin, end);
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
        _ => throw new InvalidDataException($"{path}: tensor '{tensor}' has unsupported dtype '{name}'"),
    };

    static long ElementSize(ScalarType t) => t switch
    {
        ScalarType.Float64 or ScalarType.Int64 => 8, ScalarType.Float32 or ScalarType.Int32 => 4,
        ScalarType.Float16 or ScalarType.BFloat16 => 2, _ => 1,
    };
}
