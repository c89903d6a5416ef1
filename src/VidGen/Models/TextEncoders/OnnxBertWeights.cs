using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace VidGen.Models.TextEncoders;

/// <summary>
/// Reads the weights of a HuggingFace BertModel exported to ONNX by torch.onnx.export into BertTextModel's
/// state-dict names. The exporter keeps the HF names of embeddings, biases and LayerNorms, but every Linear
/// weight becomes an anonymous MatMul initializer holding W^T (in, out); the graph ties it to its module: the
/// MatMul's output feeds the Add of the bias named "X.bias", so the weight is "X.weight", viewed transposed as
/// (out, in). The pooler (a Gemm on the first token) keeps its name.
/// </summary>
public static class OnnxBertWeights
{
    /// <summary>State dict (HF BertModel names) of the ONNX model in <paramref name="onnx"/>; <paramref name="source"/> names it in errors.</summary>
    public static Dictionary<string, Tensor> Read(ReadOnlySpan<byte> onnx, string source)
    {
        var graph = OnnxGraph.Read(onnx, source);
        var inits = new Dictionary<string, OnnxInitializer>(StringComparer.Ordinal);
        foreach (var t in graph.Initializers) inits[t.Name] = t;
        var consumers = new Dictionary<string, List<OnnxNode>>(StringComparer.Ordinal);
        foreach (var n in graph.Nodes)
            foreach (var i in n.Inputs)
            {
                if (!consumers.TryGetValue(i, out var l)) consumers[i] = l = new List<OnnxNode>();
                l.Add(n);
            }

        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            // Named float initializers are already HF keys; position_ids is a buffer BertTextModel computes.
            foreach (var (name, t) in inits)
                if (IsModuleKey(name) && name != "embeddings.position_ids" && t.DataType == OnnxInitializer.FloatType)
                    result[name] = ToTensor(onnx, t, source);

            foreach (var n in graph.Nodes)
            {
                if (n.OpType == "MatMul" && n.Inputs.Count == 2 && inits.TryGetValue(n.Inputs[1], out var w) && !IsModuleKey(w.Name))
                {
                    // x (.., in) @ W (in, out) + bias: the bias's name is the module's.
                    var add = consumers.GetValueOrDefault(n.Outputs[0])?.Where(c => c.OpType == "Add").ToList();
                    if (add is not { Count: 1 })
                        throw new InvalidDataException($"{source}: MatMul {n.Name} (weight {w.Name}) is not followed by exactly one bias Add; not a BERT export this reader knows");
                    var bias = add[0].Inputs.FirstOrDefault(i => i != n.Outputs[0] && i.EndsWith(".bias", StringComparison.Ordinal) && inits.ContainsKey(i))
                        ?? throw new InvalidDataException($"{source}: the Add after MatMul {n.Name} adds no named bias initializer");
                    var key = bias[..^".bias".Length] + ".weight";
                    if (result.ContainsKey(key)) throw new InvalidDataException($"{source}: two weights map to {key}");
                    if (w.Dims.Length != 2) throw new InvalidDataException($"{source}: MatMul weight {w.Name} has rank {w.Dims.Length}, expected 2");
                    // (in, out) -> a (out, in) view, not a copy: linear multiplies by its transpose, which is
                    // the stored layout, so the GEMM reads it as is (saves copying 42 MB at each load).
                    using var wt = ToTensor(onnx, w, source);
                    result[key] = wt.t();
                }
                else if (n.OpType == "Gemm" && n.Inputs.Count >= 2 && result.TryGetValue(n.Inputs[1], out var stored)
                         && n.IntAttributes.GetValueOrDefault("transB") == 0)
                {
                    // y = x W^T + b with transB = 1 is torch's Linear layout already; transB = 0 stores W^T.
                    result[n.Inputs[1]] = stored.t().contiguous();
                    stored.Dispose();
                }
            }
        }
        catch
        {
            foreach (var t in result.Values) t.Dispose();
            throw;
        }
        return result;
    }

    // "encoder.layer.0.output.dense.bias", not "925" or "onnx::MatMul_927".
    static bool IsModuleKey(string name) => name.Length > 0 && char.IsLetter(name[0]) && name.Contains('.') && !name.Contains("::");

    static Tensor ToTensor(ReadOnlySpan<byte> onnx, OnnxInitializer t, string source)
    {
        if (t.DataType != OnnxInitializer.FloatType)
            throw new InvalidDataException($"{source}: initializer {t.Name} has ONNX data type {t.DataType}, expected float");
        long count = t.Dims.Aggregate(1L, (a, b) => a * b);
        var shape = "[" + string.Join(",", t.Dims) + "]";
        ReadOnlySpan<byte> bytes;
        if (t.RawLength > 0)
        {
            if (t.RawLength != count * sizeof(float)) throw new InvalidDataException($"{source}: initializer {t.Name} has {t.RawLength} bytes for shape {shape}");
            bytes = onnx.Slice((int)t.RawOffset, t.RawLength);                                // little-endian, as ONNX stores raw data
        }
        else if (t.FloatData is { } f && f.Length == count) bytes = MemoryMarshal.AsBytes(f.AsSpan());
        else throw new InvalidDataException($"{source}: initializer {t.Name} holds {t.FloatData?.Length ?? 0} values for shape {shape}");
        var result = empty(t.Dims, ScalarType.Float32);
        // The setter wants a Span but only reads it: copied once, from the (mapped) model straight into the tensor.
        result.bytes = MemoryMarshal.CreateSpan(ref MemoryMarshal.GetReference(bytes), bytes.Length);
        return result;
    }
}
