using System.Text;

namespace VidGen.Models.TextEncoders;

/// <summary>An ONNX initializer: where its bytes lie in the model buffer (raw_data), or its float_data values.</summary>
public sealed record OnnxInitializer(string Name, long[] Dims, int DataType, long RawOffset, int RawLength, float[]? FloatData)
{
    /// <summary>ONNX TensorProto.DataType codes: FLOAT and INT64.</summary>
    public const int FloatType = 1, Int64Type = 7;
}

/// <summary>An ONNX node: op type, name, inputs, outputs and its integer attributes (e.g. Gemm's transB).</summary>
public sealed record OnnxNode(string OpType, string Name, IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs, IReadOnlyDictionary<string, long> IntAttributes);

/// <summary>
/// The parts of an ONNX ModelProto a weight converter needs (graph.initializer and graph.node), read straight from
/// the protobuf wire format over a span, so a 91 MB model is never copied: initializers keep offsets into the
/// buffer. Field numbers are onnx.proto's (ModelProto.graph 7; GraphProto.node 1, initializer 5; NodeProto input 1,
/// output 2, name 3, op_type 4, attribute 5; AttributeProto name 1, i 3; TensorProto dims 1, data_type 2,
/// float_data 4, name 8, raw_data 9, data_location 14). A test checks the result against OnnxSharp's full parse.
/// </summary>
public sealed class OnnxGraph
{
    public IReadOnlyList<OnnxInitializer> Initializers { get; }
    public IReadOnlyList<OnnxNode> Nodes { get; }

    private OnnxGraph(List<OnnxInitializer> initializers, List<OnnxNode> nodes) { Initializers = initializers; Nodes = nodes; }

    /// <summary>Reads the graph of the ModelProto in <paramref name="model"/>; <paramref name="source"/> names it in errors.</summary>
    public static OnnxGraph Read(ReadOnlySpan<byte> model, string source)
    {
        try
        {
            var inits = new List<OnnxInitializer>();
            var nodes = new List<OnnxNode>();
            bool graphSeen = false;
            var r = new WireReader(model, 0);
            while (r.Next(out int field, out int wire))
            {
                if (field == 7 && wire == WireReader.Len)
                {
                    graphSeen = true;
                    var g = r.Message();
                    while (g.Next(out int gf, out int gw))
                    {
                        if (gf == 1 && gw == WireReader.Len) nodes.Add(ReadNode(g.Message()));
                        else if (gf == 5 && gw == WireReader.Len) inits.Add(ReadTensor(g.Message(), source));
                        else g.Skip(gw);
                    }
                }
                else r.Skip(wire);
            }
            if (!graphSeen) throw new InvalidDataException($"{source} is not an ONNX model (no graph)");
            return new OnnxGraph(inits, nodes);
        }
        catch (FormatException e) { throw new InvalidDataException($"{source} is not a valid ONNX model ({e.Message})", e); }
    }

    static OnnxNode ReadNode(WireReader r)
    {
        string op = "", name = "";
        var inputs = new List<string>();
        var outputs = new List<string>();
        var ints = new Dictionary<string, long>(StringComparer.Ordinal);
        while (r.Next(out int f, out int w))
        {
            switch (f)
            {
                case 1 when w == WireReader.Len: inputs.Add(r.String()); break;
                case 2 when w == WireReader.Len: outputs.Add(r.String()); break;
                case 3 when w == WireReader.Len: name = r.String(); break;
                case 4 when w == WireReader.Len: op = r.String(); break;
                case 5 when w == WireReader.Len:
                    var a = r.Message();
                    string? attr = null;
                    long? value = null;
                    while (a.Next(out int af, out int aw))
                    {
                        if (af == 1 && aw == WireReader.Len) attr = a.String();
                        else if (af == 3 && aw == WireReader.VarintType) value = (long)a.Varint();
                        else a.Skip(aw);
                    }
                    if (attr is not null && value is not null) ints[attr] = value.Value;
                    break;
                default: r.Skip(w); break;
            }
        }
        return new OnnxNode(op, name, inputs, outputs, ints);
    }

    static OnnxInitializer ReadTensor(WireReader r, string source)
    {
        var dims = new List<long>();
        int type = 0;
        string name = "";
        long rawOffset = 0;
        int rawLength = 0;
        List<float>? floats = null;
        while (r.Next(out int f, out int w))
        {
            switch (f)
            {
                case 1 when w == WireReader.VarintType: dims.Add((long)r.Varint()); break;
                case 1 when w == WireReader.Len: { var p = r.Message(); while (!p.End) dims.Add((long)p.Varint()); break; } // packed
                case 2 when w == WireReader.VarintType: type = (int)r.Varint(); break;
                case 4 when w == WireReader.Fixed32: (floats ??= new()).Add(r.Float()); break;
                case 4 when w == WireReader.Len: { var p = r.Message(); floats ??= new(); while (!p.End) floats.Add(p.Float()); break; } // packed
                case 8 when w == WireReader.Len: name = r.String(); break;
                case 9 when w == WireReader.Len: (rawOffset, rawLength) = r.Range(); break;
                case 14 when w == WireReader.VarintType:
                    if (r.Varint() != 0) throw new InvalidDataException($"{source}: initializer {ErrorText.OneLine(name)} keeps its data in an external file, which this reader does not follow");
                    break;
                default: r.Skip(w); break;
            }
        }
        return new OnnxInitializer(name, dims.ToArray(), type, rawOffset, rawLength, floats?.ToArray());
    }

    /// <summary>Protobuf wire format over a span (varints, 32/64-bit fixed, length-delimited); offsets are absolute in the whole buffer.</summary>
    private ref struct WireReader
    {
        public const int VarintType = 0, Fixed64 = 1, Len = 2, Fixed32 = 5;
        private readonly ReadOnlySpan<byte> data;
        private readonly long start; // offset of data[0] in the whole buffer
        private int pos;

        public WireReader(ReadOnlySpan<byte> data, long start) { this.data = data; this.start = start; pos = 0; }

        public readonly bool End => pos >= data.Length;

        public bool Next(out int field, out int wire)
        {
            field = wire = 0;
            if (End) return false;
            ulong tag = Varint();
            field = (int)(tag >> 3);
            wire = (int)(tag & 7);
            if (field <= 0) throw new FormatException($"field number 0 at byte {start + pos}");
            return true;
        }

        public ulong Varint()
        {
            ulong v = 0;
            for (int shift = 0; shift < 64; shift += 7)
            {
                if (pos >= data.Length) throw new FormatException($"truncated varint at byte {start + pos}");
                byte b = data[pos++];
                v |= (ulong)(b & 0x7F) << shift;
                if ((b & 0x80) == 0) return v;
            }
            throw new FormatException($"varint longer than 10 bytes at byte {start + pos}");
        }

        public float Float()
        {
            Need(4);
            float f = BitConverter.ToSingle(data.Slice(pos, 4));
            pos += 4;
            return f;
        }

        /// <summary>A length-delimited field's (absolute offset, length), skipped.</summary>
        public (long Offset, int Length) Range()
        {
            ulong n = Varint();
            if (n > (ulong)(data.Length - pos)) throw new FormatException($"a field of {n} bytes at byte {start + pos} runs past the end");
            var result = (start + pos, (int)n);
            pos += (int)n;
            return result;
        }

        public WireReader Message()
        {
            var (offset, length) = Range();
            int local = (int)(offset - start);
            return new WireReader(data.Slice(local, length), offset);
        }

        public string String()
        {
            var (offset, length) = Range();
            return Encoding.UTF8.GetString(data.Slice((int)(offset - start), length));
        }

        public void Skip(int wire)
        {
            switch (wire)
            {
                case VarintType: Varint(); break;
                case Fixed64: Need(8); pos += 8; break;
                case Len: Range(); break;
                case Fixed32: Need(4); pos += 4; break;
                default: throw new FormatException($"wire type {wire} at byte {start + pos}");
            }
        }

        private readonly void Need(int n)
        {
            if (pos + n > data.Length) throw new FormatException($"truncated field at byte {start + pos}");
        }
    }
}
