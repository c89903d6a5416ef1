using System.Diagnostics;
using TorchSharp;
using VidGen.Data;
using VidGen.Fuzz;
using VidGen.Media;
using VidGen.Models;
using VidGen.Models.Autoencoders;
using VidGen.Models.TextEncoders;
using VidGen.Text;

namespace VidGen.Tests.Fuzzing;

/// <summary>
/// The fuzz corpora (tests/fuzz/corpus/TARGET/) and the saved findings (tests/fuzz/regressions/TARGET/) replayed
/// through the SharpFuzz targets: no input may raise an exception outside its target's allowed one-line errors, and
/// each runs in seconds. Seeds (seed-*) must be accepted and hostile inputs (bad-*) refused; the seeds read back as
/// the files they were made from.
/// </summary>
public class CorpusReplayTests
{
    static readonly string FuzzRoot = Path.Combine(
        ModelLocator.RepositoryRoot(AppContext.BaseDirectory) ?? throw new DirectoryNotFoundException("no clone above the test binaries"), "tests", "fuzz");

    static string Corpus(string target, string name) => Path.Combine(FuzzRoot, "corpus", target, name);

    /// <summary>(target, path relative to tests/fuzz) for every corpus and regression file.</summary>
    public static TheoryData<string, string> Inputs()
    {
        var data = new TheoryData<string, string>();
        foreach (var kind in new[] { "corpus", "regressions" })
        {
            var root = Path.Combine(FuzzRoot, kind);
            if (!Directory.Exists(root)) continue;
            foreach (var dir in Directory.EnumerateDirectories(root).Order(StringComparer.Ordinal))
                foreach (var file in Directory.EnumerateFiles(dir).Order(StringComparer.Ordinal))
                    data.Add(Path.GetFileName(dir), Path.GetRelativePath(FuzzRoot, file));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Input_runs_without_an_unexpected_exception(string target, string file)
    {
        var bytes = File.ReadAllBytes(Path.Combine(FuzzRoot, file));
        Exception? Replay()
        {
            try { return FuzzTargets.Run(target, bytes); }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException)
            {
                throw new Xunit.Sdk.XunitException($"{file}: {target} crashed (allowed: {FuzzTargets.ExpectedDescription(target)}): {e}");
            }
        }
        Replay(); // the first run pays for JIT and, for safetensors, loading libtorch
        var watch = Stopwatch.StartNew();
        var refused = Replay();
        watch.Stop();
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"{file} took {watch.Elapsed.TotalSeconds:F1} s");

        var name = Path.GetFileName(file);
        if (name.StartsWith("seed-", StringComparison.Ordinal))
            Assert.True(refused is null, $"{file} is a seed but {target} refused it: {refused?.Message}");
        else if (name.StartsWith("bad-", StringComparison.Ordinal))
        {
            Assert.True(refused is not null, $"{file} is hostile but {target} accepted it");
            Assert.True(FuzzTargets.IsExpected(target, refused));
        }
    }

    [Fact]
    public void Every_target_has_a_seed_and_every_folder_is_a_target()
    {
        foreach (var target in FuzzTargets.All.Keys)
            Assert.Contains(Directory.EnumerateFiles(Path.Combine(FuzzRoot, "corpus", target)), f => Path.GetFileName(f).StartsWith("seed-", StringComparison.Ordinal));
        foreach (var kind in new[] { "corpus", "regressions" })
            if (Directory.Exists(Path.Combine(FuzzRoot, kind)))
                foreach (var dir in Directory.EnumerateDirectories(Path.Combine(FuzzRoot, kind)))
                    Assert.True(FuzzTargets.All.ContainsKey(Path.GetFileName(dir)), $"{dir} is not named after a fuzz target");
        // Small seeds keep afl-fuzz fast: every corpus file is under 64 KB.
        Assert.All(Directory.EnumerateFiles(Path.Combine(FuzzRoot, "corpus"), "*", SearchOption.AllDirectories),
            f => Assert.True(new FileInfo(f).Length < 64 * 1024, $"{f} is {new FileInfo(f).Length} bytes"));
    }

    [Fact]
    public void Unknown_targets_and_other_exceptions_are_not_expected()
    {
        Assert.Throws<ArgumentException>(() => FuzzTargets.Run("no-such-target", []));
        Assert.True(FuzzTargets.IsExpected("gif", new MediaFormatException("x.gif", "corrupt")));
        Assert.False(FuzzTargets.IsExpected("gif", new InvalidDataException("x.gif: corrupt")));
        Assert.False(FuzzTargets.IsExpected("safetensors", new InvalidDataException("two\nlines")));
        Assert.False(FuzzTargets.IsExpected("safetensors", new InvalidOperationException("The node must be of type 'JsonObject'.")));
        Assert.False(FuzzTargets.IsExpected("manifest-tsv", new InvalidDataException("x")));
        Assert.True(FuzzTargets.IsExpected("ppm-header", new EndOfStreamException()));
    }

    // ---- the seeds are what they were made from ----

    [Theory]
    [InlineData("gif", "seed-4frames-8x8.gif", 4, 8, 8, 100.0 / 13, true)]   // GifWriter: 8 fps is a 13 cs delay
    [InlineData("gif", "seed-1frame-5x3.gif", 1, 3, 5, 100.0 / 13, true)]
    [InlineData("webp", "seed-animated-4frames-8x8.webp", 4, 8, 8, 8.0, true)]
    [InlineData("webp", "seed-still-lossless-6x4.webp", 1, 4, 6, 8.0, true)]   // a still plays at DefaultFps
    [InlineData("webp", "seed-still-lossy-6x4.webp", 1, 4, 6, 8.0, false)]
    [InlineData("png", "seed-filmstrip-3frames-6x4.png", 3, 4, 6, 5.0, true)]   // the "frames" and "fps" text chunks
    [InlineData("png", "seed-still-5x3.png", 1, 3, 5, 8.0, true)]
    [InlineData("png", "seed-frames-tag-not-dividing-10x2.png", 1, 2, 10, 8.0, true)]
    public void Media_seeds_read_back_as_the_clip_they_were_written_from(string target, string name, int frames, int height, int width, double fps, bool lossless)
    {
        var v = VideoReader.Read(Corpus(target, name));
        Assert.Equal((frames, height, width), (v.Frames, v.Height, v.Width));
        Assert.Equal(fps, v.Fps, 3);
        if (!lossless) return;
        var made = CorpusMaker.Clip(frames, height, width, fps);
        for (int i = 0; i < made.Pixels.Length; i++)
            Assert.True(Math.Abs(made.Pixels[i] - v.Pixels[i]) <= 0.5f / 255 + 1e-6f, $"{name}: value {i} is {v.Pixels[i]}, written {made.Pixels[i]}");
    }

    [Fact]
    public void Safetensors_seed_holds_every_dtype_and_the_metadata()
    {
        var path = Corpus("safetensors", "seed-tiny.safetensors");
        var tensors = Safetensors.Load(path);
        try
        {
            Assert.Equal(new[] { "a.f32", "b.f16", "c.bf16", "d.i64", "e.i32", "f.bool", "g.f64", "h.scalar" }, tensors.Keys.Order(StringComparer.Ordinal));
            Assert.Equal(new long[] { 2, 3 }, tensors["a.f32"].shape);
            Assert.Equal(new float[] { 0, 1, 2, 3, 4, 5 }, tensors["a.f32"].data<float>().ToArray());
            Assert.Equal(torch.ScalarType.Float16, tensors["b.f16"].dtype);
            using (var f16 = tensors["b.f16"].to_type(torch.ScalarType.Float32))
                Assert.Equal(new float[] { 0.5f, -1, 2, 65504 }, f16.data<float>().ToArray());
            Assert.Equal(torch.ScalarType.BFloat16, tensors["c.bf16"].dtype);
            Assert.Equal(new long[] { -1, 0, long.MaxValue }, tensors["d.i64"].data<long>().ToArray());
            Assert.Equal(new[] { 7, -7 }, tensors["e.i32"].data<int>().ToArray());
            Assert.Equal(new[] { true, false, true }, tensors["f.bool"].data<bool>().ToArray());
            Assert.Equal(Math.PI, tensors["g.f64"].data<double>().ToArray()[0]);
            Assert.Empty(tensors["h.scalar"].shape);
            Assert.Equal(42f, tensors["h.scalar"].item<float>());
        }
        finally { foreach (var t in tensors.Values) t.Dispose(); }
        Assert.Equal(CorpusMaker.TinyMetadata.OrderBy(kv => kv.Key), Safetensors.ReadMetadata(path).OrderBy(kv => kv.Key));
        Assert.Equal(File.ReadAllBytes(path), File.ReadAllBytes(Corpus("safetensors-metadata", "seed-tiny.safetensors")));
    }

    [Fact]
    public void Model_header_seed_has_the_bundled_models_metadata()
    {
        var real = Path.Combine(FuzzRoot, "..", "..", "models", "default", "model.safetensors");
        var fromHeader = Safetensors.ReadMetadata(Corpus("safetensors-metadata", "seed-default-model-header.safetensors"));
        Assert.Equal(Safetensors.ReadMetadata(real).OrderBy(kv => kv.Key), fromHeader.OrderBy(kv => kv.Key));
    }

    [Fact]
    public void Config_and_tokenizer_seeds_parse_to_their_values()
    {
        var latent = ModelConfig.FromJson(File.ReadAllText(Corpus("model-config", "seed-latent-world2.json")));
        Assert.NotNull(latent.Latent);
        Assert.Equal((64, 8, 4), (latent.Resolution, latent.Unet.Channels, latent.Latent.Autoencoder.Downsampling));
        Assert.Equal(1.2209778424157598, latent.Latent.Scale);
        var plain = ModelConfig.FromJson(File.ReadAllText(Corpus("model-config", "seed-default.json")));
        Assert.Null(plain.Latent);
        Assert.Equal(TextEncoderKind.Builtin, plain.Text.Kind);
        Assert.Equal(ModelConfig.Tiny().ToJson(), ModelConfig.FromJson(File.ReadAllText(Corpus("model-config", "seed-tiny.json"))).ToJson());

        var ae = AutoencoderConfig.FromJson(File.ReadAllText(Corpus("autoencoder-config", "seed-world2.json")), "autoencoder.json");
        Assert.Equal((8, 4, 64), (ae.LatentChannels, ae.Downsampling, ae.Resolution));
        Assert.Equal(new[] { 48, 64 }, ae.LevelChannels);

        var tok = WordTokenizer.FromJson(File.ReadAllText(Corpus("word-tokenizer", "seed-default.json")));
        Assert.Equal(16, tok.MaxLength);
        Assert.Equal(new long[] { 2, 3, 4, 5 }, tok.Encode("a small red circle").Ids[..4]);
        var fromCaptions = WordTokenizer.FromJson(File.ReadAllText(Corpus("word-tokenizer", "seed-from-captions.json")));
        Assert.Equal(8, fromCaptions.MaxLength);
        Assert.Contains("grüner", fromCaptions.Vocabulary);
    }

    [Fact]
    public void Manifest_seeds_list_the_clips_beside_them_and_skip_the_rest()
    {
        var dir = TinyModels.TempDir("fuzz-manifests");
        File.WriteAllText(Path.Combine(dir, FuzzTargets.InputFileName), "x");
        File.WriteAllText(Path.Combine(dir, "tumblr_cat.gif"), "x");
        var tsvPath = Path.Combine(dir, "list.tsv");
        File.Copy(Corpus("manifest-tsv", "seed-tgif.tsv"), tsvPath);
        var tsv = ClipManifests.ReadTsv(tsvPath);
        Assert.Equal(new[] { "a cat jumps over a box", "a bare file name", "with a query and a fragment", "a percent-escaped name" }, tsv.Entries.Select(e => e.Caption));
        Assert.Equal(new[] { "tumblr_cat.gif", "input", "input", "input" }, tsv.Entries.Select(e => Path.GetFileName(e.Path)));
        Assert.Equal(new[] { SkipReason.Missing, SkipReason.BadLine, SkipReason.NoCaption, SkipReason.BadLine, SkipReason.Missing }, tsv.Skipped.Select(s => s.Reason));

        var jsonlPath = Path.Combine(dir, "captions.jsonl");
        File.Copy(Corpus("manifest-jsonl", "seed-captions.jsonl"), jsonlPath);
        var jsonl = ClipManifests.ReadJsonl(jsonlPath);
        Assert.Equal(new[] { "a bare relative path", "spaced caption" }, jsonl.Entries.Select(e => e.Caption));
        Assert.All(jsonl.Entries, e => Assert.Equal(Path.Combine(dir, FuzzTargets.InputFileName), e.Path));
        Assert.Equal(new[] { SkipReason.Missing, SkipReason.NoCaption, SkipReason.BadLine, SkipReason.BadLine, SkipReason.BadLine, SkipReason.BadLine, SkipReason.BadLine },
            jsonl.Skipped.Select(s => s.Reason));
    }

    [Fact]
    public void Ppm_seed_is_two_8x8_frames_from_ffmpeg()
    {
        using var s = File.OpenRead(Corpus("ppm-header", "seed-ffmpeg-2frames-8x8.ppm"));
        for (int i = 0; i < 2; i++)
        {
            Assert.True(Ppm.TryReadHeader(s, out int w, out int h));
            Assert.Equal((8, 8), (w, h));
            s.Seek(w * h * 3, SeekOrigin.Current);
        }
        Assert.False(Ppm.TryReadHeader(s, out _, out _));
    }

    [Fact]
    public void Onnx_seed_reads_the_same_with_OnnxSharp()
    {
        var bytes = File.ReadAllBytes(Corpus("onnx-graph", "seed-tiny.onnx"));
        Assert.Equal(CorpusMaker.TinyOnnx(), bytes);
        var ours = OnnxGraph.Read(bytes, "seed-tiny.onnx");
        Assert.Equal(new[] { ("Gemm", "gemm0"), ("Add", "add0") }, ours.Nodes.Select(n => (n.OpType, n.Name)));
        Assert.Equal(new[] { "x", "W", "B" }, ours.Nodes[0].Inputs);
        Assert.Equal(1, ours.Nodes[0].IntAttributes["transB"]);
        Assert.False(ours.Nodes[0].IntAttributes.ContainsKey("alpha")); // a FLOAT attribute
        Assert.Equal(new[] { "W", "B", "shift" }, ours.Initializers.Select(i => i.Name));
        var w = ours.Initializers[0];
        Assert.Equal(new long[] { 2, 3 }, w.Dims);
        Assert.Equal((OnnxInitializer.FloatType, 24), (w.DataType, w.RawLength));
        Assert.Equal(2.5f, BitConverter.ToSingle(bytes, (int)w.RawOffset + 20));
        Assert.Equal(new[] { 1.5f, -2f }, ours.Initializers[1].FloatData);
        Assert.Equal(3L, BitConverter.ToInt64(bytes, (int)ours.Initializers[2].RawOffset));

        var reference = Onnx.ModelProto.Parser.ParseFrom(bytes);
        Assert.Equal(8, reference.IrVersion);
        Assert.Equal(ours.Nodes.Select(n => n.OpType), reference.Graph.Node.Select(n => n.OpType));
        Assert.Equal(ours.Initializers.Select(i => i.Name), reference.Graph.Initializer.Select(i => i.Name));
        Assert.Equal(new[] { 1.5f, -2f }, reference.Graph.Initializer[1].FloatData);
    }
}
