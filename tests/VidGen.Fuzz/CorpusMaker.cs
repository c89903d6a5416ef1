using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.PixelFormats;
using VidGen.Media;
using VidGen.Models;
using VidGen.Models.Autoencoders;
using VidGen.Text;
using static TorchSharp.torch;

namespace VidGen.Fuzz;

/// <summary>
/// Writes the seed corpora (<c>VidGen.Fuzz --make-corpus tests/fuzz/corpus</c>), one folder per target:
/// <c>seed-*</c> files are real files made by VidGen's own writers (or copied from models/), which the target
/// must accept; <c>bad-*</c> files are hand-made hostile variants (truncated, huge declared sizes, wrong magic)
/// that it must refuse with one of its allowed errors. Inputs that crash a target do not belong here: they go to
/// tests/fuzz/regressions/TARGET/.
/// </summary>
public static class CorpusMaker
{
    public static void Write(string dir, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(log);
        var repo = ModelLocator.RepositoryRoot(AppContext.BaseDirectory) ?? ModelLocator.RepositoryRoot(Directory.GetCurrentDirectory())
                   ?? throw new DirectoryNotFoundException("run --make-corpus from a clone (the seeds copy files from models/)");
        var scratch = Directory.CreateTempSubdirectory("vidgen-corpus-").FullName;
        try
        {
            var c = new Corpus(dir, log);
            Gif(c, scratch);
            Webp(c);
            Png(c, scratch);
            SafetensorsFiles(c, scratch, repo);
            Configs(c, repo);
            Tokenizers(c, repo);
            Manifests(c);
            Ppm(c, scratch);
            Onnx(c);
            log.WriteLine($"{c.Count} files written under {dir}");
        }
        finally { Directory.Delete(scratch, recursive: true); }
    }

    sealed class Corpus(string root, TextWriter log)
    {
        public int Count { get; private set; }

        public void Add(string target, string name, byte[] bytes)
        {
            var folder = Path.Combine(root, target);
            Directory.CreateDirectory(folder);
            File.WriteAllBytes(Path.Combine(folder, name), bytes);
            Count++;
            log.WriteLine($"{target}/{name} ({bytes.Length} bytes)");
        }

        public void Add(string target, string name, string text) => Add(target, name, Encoding.UTF8.GetBytes(text));
    }

    /// <summary>A clip with distinct, smoothly changing colours per frame, so palettes and compression are exercised.</summary>
    public static Video Clip(int frames, int height, int width, double fps)
    {
        var v = new Video(frames, height, width, fps);
        for (int f = 0; f < frames; f++)
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                    v.Set(f, y, x, (x + f) % width / (float)width, y / (float)height, (f + 1) / (float)(frames + 1));
        return v;
    }

    static byte[] Cut(byte[] b, int length) => b[..Math.Min(length, b.Length)];

    static byte[] Patched(byte[] b, int offset, params byte[] bytes)
    {
        var copy = (byte[])b.Clone();
        bytes.CopyTo(copy, offset);
        return copy;
    }

    // ---- media ----

    static void Gif(Corpus c, string scratch)
    {
        var path = Path.Combine(scratch, "clip.gif");
        VideoWriter.Write(Clip(4, 8, 8, 8), path);
        var clip = File.ReadAllBytes(path);
        c.Add("gif", "seed-4frames-8x8.gif", clip);
        VideoWriter.Write(Clip(1, 3, 5, 8), path);
        c.Add("gif", "seed-1frame-5x3.gif", File.ReadAllBytes(path));
        c.Add("gif", "bad-truncated.gif", Cut(clip, clip.Length / 2));
        c.Add("gif", "bad-wrong-magic.gif", Patched(clip, 0, "GIF88a"u8.ToArray()));
        c.Add("gif", "bad-huge-canvas.gif", Patched(clip, 6, 0xFF, 0xFF, 0xFF, 0xFF)); // 65535 x 65535 logical screen
        c.Add("gif", "bad-no-frames.gif", [.. "GIF89a"u8, 1, 0, 1, 0, 0, 0, 0, 0x3B]);
        c.Add("gif", "bad-unknown-block.gif", [.. "GIF89a"u8, 1, 0, 1, 0, 0, 0, 0, 0x99]);
    }

    static void Webp(Corpus c)
    {
        var clip = WebpWriter.Encode(Clip(4, 8, 8, 8));
        c.Add("webp", "seed-animated-4frames-8x8.webp", clip);
        c.Add("webp", "seed-still-lossless-6x4.webp", StillWebp(WebpFileFormatType.Lossless));
        c.Add("webp", "seed-still-lossy-6x4.webp", StillWebp(WebpFileFormatType.Lossy));
        c.Add("webp", "bad-truncated.webp", Cut(clip, clip.Length / 2));
        c.Add("webp", "bad-wrong-magic.webp", Patched(clip, 0, "RIFX"u8.ToArray()));
        c.Add("webp", "bad-riff-size-huge.webp", Patched(clip, 4, 0xF0, 0xFF, 0xFF, 0xFF));
        // VP8X payload starts at byte 20: flags, 3 reserved, then canvas width-1 and height-1 (24 bits each).
        c.Add("webp", "bad-canvas-huge.webp", Patched(clip, 24, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF));
        // The first ANMF frame (after VP8X 8+10 and ANIM 8+6 bytes) starts its payload at byte 52: X offset / 2 first.
        c.Add("webp", "bad-frame-outside-canvas.webp", Patched(clip, 52, 0x00, 0x10, 0x00));
    }

    static byte[] StillWebp(WebpFileFormatType format)
    {
        using var img = FrameImages.ToImage(Clip(1, 4, 6, 8), 0);
        using var ms = new MemoryStream();
        img.SaveAsWebp(ms, new WebpEncoder { FileFormat = format });
        return ms.ToArray();
    }

    static void Png(Corpus c, string scratch)
    {
        var path = Path.Combine(scratch, "strip.png");
        VideoWriter.Write(Clip(3, 4, 6, 5), path); // a filmstrip: 18x4 with frames=3, fps=5
        var strip = File.ReadAllBytes(path);
        c.Add("png", "seed-filmstrip-3frames-6x4.png", strip);
        using (var still = FrameImages.ToImage(Clip(1, 3, 5, 8), 0))
        {
            c.Add("png", "seed-still-5x3.png", PngBytes(still, null));
        }
        using (var odd = FrameImages.ToImage(Clip(1, 2, 10, 8), 0))
        {
            c.Add("png", "seed-frames-tag-not-dividing-10x2.png", PngBytes(odd, "7")); // 10 px do not split in 7: a still
        }
        c.Add("png", "bad-truncated.png", Cut(strip, 40));
        c.Add("png", "bad-wrong-magic.png", Patched(strip, 1, (byte)'M'));
        c.Add("png", "bad-huge-ihdr.png", Patched(strip, 16, 0x7F, 0xFF, 0xFF, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF));
        c.Add("png", "bad-no-ihdr.png", [.. strip.AsSpan(0, 8), 0, 0, 0, 0, .. "IEND"u8, 0xAE, 0x42, 0x60, 0x82]);
    }

    static byte[] PngBytes(Image<Rgb24> img, string? frames)
    {
        if (frames is not null) img.Metadata.GetPngMetadata().TextData.Add(new PngTextData("frames", frames, string.Empty, string.Empty));
        using var ms = new MemoryStream();
        img.SaveAsPng(ms);
        return ms.ToArray();
    }

    // ---- safetensors ----

    /// <summary>The metadata of seed-tiny.safetensors (its tensors: one per dtype the format reader knows, and a scalar).</summary>
    public static readonly IReadOnlyDictionary<string, string> TinyMetadata = new Dictionary<string, string> { ["format"] = "pt", ["step"] = "3" };

    static void SafetensorsFiles(Corpus c, string scratch, string repo)
    {
        var path = Path.Combine(scratch, "tiny.safetensors");
        using (var scope = NewDisposeScope())
        {
            var tensors = new List<(string, Tensor)>
            {
                ("a.f32", arange(6, ScalarType.Float32).reshape(2, 3)),
                ("b.f16", tensor(new float[] { 0.5f, -1, 2, 65504 }).to_type(ScalarType.Float16)),
                ("c.bf16", ones(2, 2).to_type(ScalarType.BFloat16)),
                ("d.i64", tensor(new long[] { -1, 0, long.MaxValue })),
                ("e.i32", tensor(new int[] { 7, -7 })),
                ("f.bool", tensor(new bool[] { true, false, true })),
                ("g.f64", tensor(new double[] { Math.PI })),
                ("h.scalar", tensor(42f)),
            };
            Safetensors.Save(path, tensors, TinyMetadata);
        }
        var tiny = File.ReadAllBytes(path);
        c.Add("safetensors", "seed-tiny.safetensors", tiny);
        c.Add("safetensors-metadata", "seed-tiny.safetensors", tiny);

        // The bundled model's header (its metadata and 100+ tensor entries) without the 6 MB of weights: ReadMetadata
        // reads only the header, so this is a real seed for it.
        var model = Path.Combine(repo, "models", "default", "model.safetensors");
        if (File.Exists(model))
        {
            using var fs = File.OpenRead(model);
            Span<byte> len = stackalloc byte[8];
            fs.ReadExactly(len);
            long headerLen = (long)BinaryPrimitives.ReadUInt64LittleEndian(len);
            if (headerLen < 60_000)
            {
                var head = new byte[8 + headerLen];
                len.CopyTo(head);
                fs.ReadExactly(head.AsSpan(8));
                c.Add("safetensors-metadata", "seed-default-model-header.safetensors", head);
            }
        }

        c.Add("safetensors", "bad-too-short.safetensors", [1, 0, 0]);
        c.Add("safetensors", "bad-truncated.safetensors", Cut(tiny, tiny.Length - 5));
        c.Add("safetensors", "bad-header-length-huge.safetensors", Patched(tiny, 0, 0, 0, 0, 0, 0, 0, 0, 0x80));
        c.Add("safetensors", "bad-header-not-json.safetensors", SafetensorsFile("{\"a\": [1, 2", []));
        c.Add("safetensors", "bad-unknown-dtype.safetensors", SafetensorsFile("{\"x\":{\"dtype\":\"Q8\",\"shape\":[1],\"data_offsets\":[0,1]}}", [1]));
        c.Add("safetensors", "bad-offsets-outside.safetensors", SafetensorsFile("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", [1, 2, 3, 4]));
        c.Add("safetensors", "bad-shape-size-mismatch.safetensors", SafetensorsFile("{\"x\":{\"dtype\":\"F32\",\"shape\":[1000000,1000000],\"data_offsets\":[0,4]}}", [1, 2, 3, 4]));
    }

    /// <summary>A safetensors file from a header text and data bytes (no padding).</summary>
    public static byte[] SafetensorsFile(string header, byte[] data)
    {
        var json = Encoding.UTF8.GetBytes(header);
        var file = new byte[8 + json.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)json.Length);
        json.CopyTo(file, 8);
        data.CopyTo(file, 8 + json.Length);
        return file;
    }

    // ---- configs and tokenizers ----

    static void Configs(Corpus c, string repo)
    {
        string models = Path.Combine(repo, "models");
        var defaultConfig = File.ReadAllText(Path.Combine(models, "default", "config.json"));
        c.Add("model-config", "seed-default.json", defaultConfig);
        var latent = Path.Combine(models, "candidates", "world2-v2", "config.json");
        if (File.Exists(latent)) c.Add("model-config", "seed-latent-world2.json", File.ReadAllText(latent));
        c.Add("model-config", "seed-tiny.json", ModelConfig.Tiny().ToJson());
        c.Add("model-config", "bad-truncated.json", defaultConfig[..(defaultConfig.Length / 2)]);
        c.Add("model-config", "bad-null.json", "null");
        c.Add("model-config", "bad-array.json", "[1, 2, 3]");
        c.Add("model-config", "bad-unknown-schedule.json", "{\"schedule\": \"zigzag\"}");
        c.Add("model-config", "bad-latent-mismatch.json", "{\"unet\": {\"channels\": 3, \"sample_size\": 32}, \"resolution\": 32, \"latent\": {}}");
        c.Add("model-config", "bad-latent-scale-zero.json", "{\"unet\": {\"channels\": 8, \"sample_size\": 8}, \"resolution\": 32, \"latent\": {\"scale\": 0}}");

        var ae = Path.Combine(models, "autoencoder-world2", "autoencoder.json");
        if (File.Exists(ae)) c.Add("autoencoder-config", "seed-world2.json", File.ReadAllText(ae));
        c.Add("autoencoder-config", "seed-tiny.json", AutoencoderConfig.Tiny().ToJson());
        c.Add("autoencoder-config", "seed-defaults.json", "{}");
        c.Add("autoencoder-config", "bad-truncated.json", "{\"channels\": 3, \"level_ch");
        c.Add("autoencoder-config", "bad-null.json", "null");
        c.Add("autoencoder-config", "bad-no-levels.json", "{\"level_channels\": []}");
        c.Add("autoencoder-config", "bad-groups-not-dividing.json", "{\"level_channels\": [6], \"groups\": 4}");
        c.Add("autoencoder-config", "bad-resolution-not-dividing.json", "{\"resolution\": 63}");
        c.Add("autoencoder-config", "bad-channels-huge-number.json", "{\"channels\": 99999999999999999999}");
    }

    static void Tokenizers(Corpus c, string repo)
    {
        var real = File.ReadAllText(Path.Combine(repo, "models", "default", "tokenizer.json"));
        c.Add("word-tokenizer", "seed-default.json", real);
        c.Add("word-tokenizer", "seed-from-captions.json",
            WordTokenizer.FromCaptions(["A red circle moves left.", "Ein grüner Kreis, 2 Quadrate", "猫が跳ぶ"], maxLength: 8).ToJson());
        c.Add("word-tokenizer", "bad-truncated.json", real[..(real.Length / 2)]);
        c.Add("word-tokenizer", "bad-null.json", "null");
        c.Add("word-tokenizer", "bad-no-pad.json", "{\"Vocabulary\": [\"[UNK]\", \"a\"], \"MaxLength\": 4}");
        c.Add("word-tokenizer", "bad-max-length-zero.json", "{\"Vocabulary\": [\"[PAD]\", \"[UNK]\"], \"MaxLength\": 0}");
        c.Add("word-tokenizer", "bad-vocabulary-not-array.json", "{\"Vocabulary\": \"[PAD] [UNK]\", \"MaxLength\": 4}");
    }

    // ---- manifests ----

    /// <summary>
    /// TGIF-style list. Lines naming <see cref="FuzzTargets.InputFileName"/> resolve while fuzzing (the input file
    /// itself sits in the media folder); the replay test also creates tumblr_cat.gif beside a copy.
    /// </summary>
    public const string TgifTsv =
        "# TGIF-style list: url<TAB>caption\n" +
        "https://33.media.tumblr.com/abc/tumblr_cat.gif\ta cat jumps  over a box\n" +
        "input\ta bare file name\n" +
        "https://example.com/clips/input?size=500#t=1\twith a query and a fragment\n" +
        "https://example.com/missing.gif\ta clip that is not in the folder\n" +
        "no tab on this line\n" +
        "https://example.com/empty.gif\t   \n" +
        "https://example.com/..\tclimbing out of the folder\n" +
        "https://example.com/%69nput\ta percent-escaped name\n" +
        "\n" +
        "https://example.com/cr.gif\ta caption ending in CR LF\r\n";

    public const string CaptionsJsonl =
        "{\"path\": \"input\", \"caption\": \"a bare relative path\"}\n" +
        "{\"path\": \"sub/../input\", \"caption\": \"  spaced \\t  caption  \", \"extra\": [1, 2]}\n" +
        "{\"path\": \"missing.gif\", \"caption\": \"not there\"}\n" +
        "{\"path\": \"input\"}\n" +
        "{\"caption\": \"no path\"}\n" +
        "[1, 2, 3]\n" +
        "{\"path\": \"input\", \"caption\": \n" +
        "not json at all\n" +
        "\n" +
        "{\"path\": 7, \"caption\": \"path is a number\"}\n";

    static void Manifests(Corpus c)
    {
        c.Add("manifest-tsv", "seed-tgif.tsv", TgifTsv);
        c.Add("manifest-tsv", "seed-binary-garbage.tsv", [0, 0xFF, 0xFE, 9, 0x80, 10, 0xC3, 0x28, 9, 0xE2, 0x82, 10]);
        c.Add("manifest-jsonl", "seed-captions.jsonl", CaptionsJsonl);
        c.Add("manifest-jsonl", "seed-deep-nesting.jsonl", new string('[', 200) + new string(']', 200) + "\n{\"path\": \"input\", \"caption\": \"after\"}\n");
    }

    // ---- ffmpeg's PPM pipe ----

    static void Ppm(Corpus c, string scratch)
    {
        c.Add("ppm-header", "seed-comment-2x1.ppm", [.. "P6\n# a comment\n2 1\n255\n"u8, 255, 0, 0, 0, 255, 0]);
        c.Add("ppm-header", "bad-maxval-65535.ppm", [.. "P6\n1 1\n65535\n"u8, 0, 0, 0, 0, 0, 0]);
        c.Add("ppm-header", "bad-width-10-digits.ppm", [.. "P6\n1234567890 1\n255\n"u8, 0, 0, 0]);
        c.Add("ppm-header", "bad-header-cut.ppm", "P6\n8 "u8.ToArray());
        c.Add("ppm-header", "bad-not-ppm.ppm", "P3\n1 1\n255\n0 0 0\n"u8.ToArray());
        var tool = Ffmpeg.Default;
        if (tool is null) { Console.Error.WriteLine("ffmpeg not found: the ppm-header corpus has no ffmpeg-made seeds"); return; }
        var mp4 = Path.Combine(scratch, "clip.mp4");
        Mp4.Write(Clip(4, 8, 8, 8), mp4, ffmpeg: tool);
        var video = File.ReadAllBytes(mp4);
        // What Mp4.Read pipes out of ffmpeg: binary PPM frames, header then rgb24 bytes.
        var psi = new ProcessStartInfo(tool.FfmpegPath) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-hide_banner", "-loglevel", "error", "-nostdin", "-i", mp4, "-frames:v", "2", "-f", "image2pipe", "-c:v", "ppm", "-pix_fmt", "rgb24", "pipe:1" })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("could not start ffmpeg");
        var err = p.StandardError.ReadToEndAsync();
        using var frames = new MemoryStream();
        p.StandardOutput.BaseStream.CopyTo(frames);
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"ffmpeg failed: {err.Result}");
        var ppm = frames.ToArray();
        c.Add("ppm-header", "seed-ffmpeg-2frames-8x8.ppm", ppm);
        c.Add("ppm-header", "bad-truncated-frame.ppm", Cut(ppm, ppm.Length - 10));
        c.Add("ppm-header", "bad-mp4-header.mp4", Cut(video, 64)); // an MP4's ftyp box where PPM frames belong
    }

    // ---- ONNX ----

    /// <summary>
    /// A tiny ONNX ModelProto, encoded field by field (onnx.proto numbers): a Gemm with transB = 1 and an Add,
    /// initializers as raw_data floats, packed float_data and raw int64 data, and graph inputs/outputs.
    /// </summary>
    public static byte[] TinyOnnx()
    {
        var w = new Proto();
        w.Varint(1, 8);                              // ir_version
        w.String(2, "vidgen-fuzz");                  // producer_name
        w.Message(8, o => { o.String(1, ""); o.Varint(2, 13); }); // opset_import { domain "", version 13 }
        w.Message(7, g =>
        {
            g.Message(1, n =>
            {
                n.String(1, "x"); n.String(1, "W"); n.String(1, "B");
                n.String(2, "y"); n.String(3, "gemm0"); n.String(4, "Gemm");
                n.Message(5, a => { a.String(1, "transB"); a.Varint(3, 1); a.Varint(20, 2); }); // INT attribute
                n.Message(5, a => { a.String(1, "alpha"); a.Fixed32(2, 1.0f); a.Varint(20, 1); }); // FLOAT attribute (not an int)
            });
            g.Message(1, n => { n.String(1, "y"); n.String(1, "shift"); n.String(2, "z"); n.String(3, "add0"); n.String(4, "Add"); });
            g.String(2, "tiny");
            g.Message(5, t =>
            {
                t.Varint(1, 2); t.Varint(1, 3); t.Varint(2, 1); t.String(8, "W");
                var raw = new byte[24];
                for (int i = 0; i < 6; i++) BinaryPrimitives.WriteSingleLittleEndian(raw.AsSpan(4 * i), i * 0.5f);
                t.Bytes(9, raw);
            });
            g.Message(5, t =>
            {
                t.Bytes(1, [2]); // packed dims
                t.Varint(2, 1); t.String(8, "B");
                var packed = new byte[8];
                BinaryPrimitives.WriteSingleLittleEndian(packed, 1.5f);
                BinaryPrimitives.WriteSingleLittleEndian(packed.AsSpan(4), -2f);
                t.Bytes(4, packed); // packed float_data
            });
            g.Message(5, t =>
            {
                t.Varint(1, 1); t.Varint(2, 7); t.String(8, "shift");
                t.Bytes(9, BitConverter.GetBytes(3L));
                t.Varint(14, 0); // data_location DEFAULT
            });
            g.Message(11, v => v.String(1, "x"));
            g.Message(12, v => v.String(1, "z"));
        });
        return w.ToArray();
    }

    static void Onnx(Corpus c)
    {
        var tiny = TinyOnnx();
        c.Add("onnx-graph", "seed-tiny.onnx", tiny);
        c.Add("onnx-graph", "bad-truncated.onnx", Cut(tiny, tiny.Length - 7));
        c.Add("onnx-graph", "bad-no-graph.onnx", [0x08, 0x08, 0x12, 0x01, (byte)'a']);
        c.Add("onnx-graph", "bad-length-huge.onnx", [0x3A, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20, 0x0A]);
        c.Add("onnx-graph", "bad-wire-type-7.onnx", [0x0F, 0x00]);
        c.Add("onnx-graph", "bad-varint-11-bytes.onnx", [0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]);
        var external = new Proto();
        external.Message(7, g => g.Message(5, t => { t.String(8, "w"); t.Varint(14, 1); }));
        c.Add("onnx-graph", "bad-external-data.onnx", external.ToArray());
    }

    /// <summary>Protobuf wire-format writer: just what <see cref="TinyOnnx"/> needs.</summary>
    sealed class Proto
    {
        readonly List<byte> s = new();

        void Raw(ulong v)
        {
            do { byte b = (byte)(v & 0x7F); v >>= 7; s.Add(v == 0 ? b : (byte)(b | 0x80)); } while (v != 0);
        }

        void Tag(int field, int wire) => Raw((ulong)field << 3 | (uint)wire);

        public void Varint(int field, ulong value) { Tag(field, 0); Raw(value); }

        public void Fixed32(int field, float value)
        {
            Tag(field, 5);
            Span<byte> b = stackalloc byte[4];
            BinaryPrimitives.WriteSingleLittleEndian(b, value);
            s.AddRange(b);
        }

        public void Bytes(int field, ReadOnlySpan<byte> value) { Tag(field, 2); Raw((ulong)value.Length); s.AddRange(value); }

        public void String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

        public void Message(int field, Action<Proto> write)
        {
            var inner = new Proto();
            write(inner);
            Bytes(field, inner.ToArray());
        }

        public byte[] ToArray() => s.ToArray();
    }
}
