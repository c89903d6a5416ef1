using TorchSharp;
using VidGen.Models;
using VidGen.Pipelines;
using VidGen.Training;
using static TorchSharp.torch;

namespace VidGen.Tests.Models;

public class CheckpointTests
{
    [Fact]
    public void RoundTripGivesIdenticalOutputs()
    {
        var dir = TinyModels.TempDir("ckpt");
        using var m = TinyModels.Create(seed: 5);
        Checkpoint.Save(dir, m);
        using var loaded = Checkpoint.Load(dir);
        var req = new GenerationRequest { Prompt = "a red circle moving left", Seed = 11, Steps = 3 };
        var a = new TextToVideoPipeline(m).Generate(req).Video.Pixels;
        var b = new TextToVideoPipeline(loaded).Generate(req).Video.Pixels;
        Assert.Equal(a, b);
    }

    [Fact]
    public void Float16StorageRoundTripsWithinHalfPrecision()
    {
        var dir = TinyModels.TempDir("ckpt16");
        using var m = TinyModels.Create(seed: 6);
        Checkpoint.Save(dir, m, storeAs: ScalarType.Float16);
        using var loaded = Checkpoint.Load(dir);
        var w = m.state_dict()["unet.out_conv.weight"];
        var w2 = loaded.state_dict()["unet.out_conv.weight"];
        Assert.Equal(ScalarType.Float32, w2.dtype);
        Assert.True(w.allclose(w2, rtol: 1e-3, atol: 1e-4));
    }

    [Fact]
    public void MismatchedWeightsListMissingAndUnexpectedKeys()
    {
        var path = Path.Combine(TinyModels.TempDir("bad"), "w.safetensors");
        using var m = TinyModels.Create();
        var tensors = m.state_dict().Where(kv => kv.Key != "unet.out_conv.bias").Select(kv => (kv.Key, kv.Value)).ToList();
        tensors.Add(("unet.not_a_layer.weight", zeros(2)));
        Safetensors.Save(path, tensors);
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.LoadWeights(path, m));
        Assert.Contains("missing keys: unet.out_conv.bias", e.Message);
        Assert.Contains("unexpected keys: unet.not_a_layer.weight", e.Message);
    }

    [Fact]
    public void TruncatedFileGivesAClearError()
    {
        var path = Path.Combine(TinyModels.TempDir("trunc"), "w.safetensors");
        using var m = TinyModels.Create();
        Checkpoint.SaveWeights(path, m);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.LoadWeights(path, m));
        Assert.Contains(path, e.Message);
        Assert.Contains("truncated", e.Message);
        File.WriteAllBytes(path, new byte[] { 1, 2, 3 });
        Assert.Throws<InvalidDataException>(() => Checkpoint.LoadWeights(path, m));
    }

    [Fact]
    public void MissingFolderNamesTheFix()
    {
        var e = Assert.Throws<FileNotFoundException>(() => Checkpoint.Load(TinyModels.TempDir("empty")));
        Assert.Contains("vidgen train", e.Message);
    }

    [Fact]
    public void SafetensorsHeaderIsReadableByOtherTools()
    {
        // Layout check: u64 header length, JSON with dtype/shape/data_offsets, 8-byte aligned data.
        var path = Path.Combine(TinyModels.TempDir("st"), "x.safetensors");
        Safetensors.Save(path, new[] { ("a", tensor(new float[] { 1, 2, 3 })), ("b", tensor(new long[] { 7 })) }, new Dictionary<string, string> { ["k"] = "v" });
        var bytes = File.ReadAllBytes(path);
        long n = BitConverter.ToInt64(bytes, 0);
        Assert.Equal(0, n % 8);
        var header = System.Text.Encoding.UTF8.GetString(bytes, 8, (int)n);
        Assert.Contains("\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]}", header);
        Assert.Contains("\"b\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[12,20]}", header);
        var back = Safetensors.Load(path);
        Assert.Equal(new float[] { 1, 2, 3 }, back["a"].data<float>().ToArray());
        Assert.Equal(7, back["b"].item<long>());
        Assert.Equal("v", Safetensors.ReadMetadata(path)["k"]);
    }

    [Theory]
    // A repeated name inside a tensor entry: JsonObject used to throw ArgumentException on the entry's first read.
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"shape\":[1],\"data_offsets\":[0,4]}}    ", "not valid JSON")]
    // System.Text.Json's message quotes the bad literal, and the literal here holds a line break.
    [InlineData("{\"a\":f\"dtype\r\n\":1}", "not valid JSON")]
    public void DamagedHeadersAreOneLineInvalidData(string header, string expected)
    {
        var path = Path.Combine(TinyModels.TempDir("st-bad"), "x.safetensors");
        var json = System.Text.Encoding.UTF8.GetBytes(header);
        File.WriteAllBytes(path, [.. BitConverter.GetBytes((long)json.Length), .. json, 0, 0, 0, 0]);
        foreach (var read in new Action[] { () => Safetensors.Load(path), () => Safetensors.ReadMetadata(path) })
        {
            var e = Assert.Throws<InvalidDataException>(read);
            Assert.Contains(expected, e.Message);
            Assert.Contains(path, e.Message);
            Assert.DoesNotContain('\n', e.Message);
            Assert.DoesNotContain('\r', e.Message);
        }
    }
}
