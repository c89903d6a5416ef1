using System.CommandLine;
using TorchSharp;
using VidGen.Cli.Commands;
using VidGen.Data;
using VidGen.Models;
using VidGen.Models.TextEncoders;
using VidGen.Text;
using VidGen.Training;
using static TorchSharp.torch;

namespace VidGen.Tests.Models.TextEncoders;

/// <summary>The diffusion model with the built-in encoder (keys unchanged) and with a frozen BERT / CLIP.</summary>
public class PretrainedTextModelIntegrationTests
{
    static readonly string[] Captions = { "a small red circle moving left", "a large blue square moving up" };

    [Fact]
    public void BuiltinModelKeepsItsCheckpointKeys()
    {
        var config = ModelConfig.Tiny();
        using var model = new VideoDiffusionModel(config, WordTokenizer.FromCaptions(Captions));
        var keys = model.state_dict().Keys.ToList();
        Assert.All(keys, k => Assert.True(k.StartsWith("text_encoder.") || k.StartsWith("unet."), k));
        Assert.Contains("unet.null_tokens", keys);
        // The full text encoder key set of a 1-layer builtin encoder, as models trained before pretrained encoders existed have it.
        var expected = new[] { "token_embedding.weight", "position_embedding", "final_norm.weight", "final_norm.bias" }
            .Concat(new[] { "norm1.weight", "norm1.bias", "attn.to_q.weight", "attn.to_k.weight", "attn.to_v.weight", "attn.to_out.weight", "attn.to_out.bias",
                            "norm2.weight", "norm2.bias", "mlp_in.weight", "mlp_in.bias", "mlp_out.weight", "mlp_out.bias" }.Select(k => "layers.0." + k))
            .Select(k => "text_encoder." + k).Order();
        Assert.Equal(expected, keys.Where(k => k.StartsWith("text_encoder.")).Order());
    }

    static ModelConfig TinyWith(string spec) => PretrainedTextEncoder.Configure(ModelConfig.Tiny(), spec);

    [Fact]
    public void ConfigureSetsKindPathWidthAndContextDim()
    {
        var dir = TinyPretrained.WriteBertFolder(TinyPretrained.TempDir("cfg-bert"));
        var c = TinyWith("bert:" + dir);
        Assert.Equal(TextEncoderKind.Bert, c.Text.Kind);
        Assert.Equal(Path.GetFullPath(dir), c.Text.PretrainedPath);
        Assert.Equal(16, c.Text.Dim);
        Assert.Equal(16, c.Unet.ContextDim);
        Assert.Equal(20, c.Text.MaxLength);                 // min(32, max_position_embeddings 20)
        var clipDir = TinyPretrained.WriteClipFolder(TinyPretrained.TempDir("cfg-clip"));
        var d = TinyWith(clipDir);                           // bare path: kind from config.json
        Assert.Equal(TextEncoderKind.Clip, d.Text.Kind);
        Assert.Equal(12, d.Text.MaxLength);
        Assert.Equal(TextEncoderKind.Builtin, TinyWith("builtin").Text.Kind);
        Assert.Null(TinyWith("builtin").Text.PretrainedPath);
        var json = ModelConfig.FromJson(c.ToJson());
        Assert.Equal(c.Text, json.Text);
    }

    [Theory]
    [InlineData("bert:", "give the folder after 'bert:'")]
    [InlineData("/no/such/folder", "use builtin, minilm, bert:FOLDER, clip:FOLDER")]
    [InlineData("clip:/no/such/folder", "/no/such/folder not found")]
    public void BadTextEncoderChoiceIsExplained(string spec, string expected)
    {
        var e = Assert.ThrowsAny<Exception>(() => TinyWith(spec));
        Assert.True(e is ArgumentException or IOException, e.GetType().Name);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void FrozenEncoderStaysOutOfStateDictAndCheckpoint()
    {
        var dir = TinyPretrained.WriteBertFolder(TinyPretrained.TempDir("vdm-bert"));
        var config = TinyWith("bert:" + dir);
        using var enc = PretrainedTextEncoder.Load(config.Text);
        manual_seed(0);
        using var model = new VideoDiffusionModel(config, enc);
        Assert.All(model.state_dict().Keys, k => Assert.StartsWith("unet.", k));
        Assert.Equal(model.Unet.parameters().Sum(p => p.numel()), model.ParameterCount());
        Assert.Same(enc.Tokenizer, model.Tokenizer);

        var outDir = TinyPretrained.TempDir("vdm-bert-out");
        Checkpoint.Save(outDir, model);
        Assert.False(File.Exists(Path.Combine(outDir, Checkpoint.TokenizerFile)));
        Assert.All(Safetensors.Load(Path.Combine(outDir, Checkpoint.WeightsFile)).Keys, k => Assert.StartsWith("unet.", k));
        Assert.True(Checkpoint.Exists(outDir));

        using var loaded = Checkpoint.Load(outDir);
        Assert.Equal(TextEncoderKind.Bert, loaded.TextEncoder.Kind);
        using var noGrad = no_grad();
        var x = randn(new long[] { 1, 3, 4, 16, 16 }, generator: new Generator(3));
        var t = tensor(new float[] { 500 });
        model.eval();
        var before = model.Forward(x, t, model.EncodeText(new[] { "a red circle moving left" }));
        var after = loaded.Forward(x, t, loaded.EncodeText(new[] { "a red circle moving left" }));
        Assert.True(TensorAssert.Same(before, after));
    }

    [Fact]
    public void MissingEncoderFolderAtLoadNamesConfigAndPath()
    {
        var dir = TinyPretrained.WriteClipFolder(TinyPretrained.TempDir("vdm-clip"));
        var config = TinyWith("clip:" + dir);
        var outDir = TinyPretrained.TempDir("vdm-clip-out");
        using (var enc = PretrainedTextEncoder.Load(config.Text))
        using (var model = new VideoDiffusionModel(config, enc))
            Checkpoint.Save(outDir, model);
        Directory.Move(dir, dir + "-moved");
        var e = Assert.Throws<DirectoryNotFoundException>(() => Checkpoint.Load(outDir));
        Assert.Contains(Path.Combine(outDir, "config.json"), e.Message);
        Assert.Contains(Path.GetFullPath(dir), e.Message);
        Assert.Contains("text.pretrained_path", e.Message);
    }

    [Fact]
    public void EncoderOfAnotherWidthAtLoadIsRejected()
    {
        var dir = TinyPretrained.WriteBertFolder(TinyPretrained.TempDir("vdm-width"));
        var config = TinyWith("bert:" + dir);
        var e = Assert.Throws<InvalidDataException>(() => PretrainedTextEncoder.Load(config.Text with { Dim = 32 }, "/m/config.json"));
        Assert.Contains("/m/config.json: text.dim is 32 but the encoder", e.Message);
    }

    [Fact]
    public void TrainingWithFrozenClipUpdatesOnlyTheUnet()
    {
        var dir = TinyPretrained.WriteClipFolder(TinyPretrained.TempDir("train-clip"));
        var config = TinyWith("clip:" + dir);
        var outDir = TinyPretrained.TempDir("train-clip-out");
        var options = new TrainOptions { Steps = 2, BatchSize = 2, WarmupSteps = 1, LearningRate = 1e-3, CheckpointEvery = 0, Threads = 1 };
        using var trainer = new Trainer(config, new ShapesTrainingClips(new ShapesWorld(16, 4)), options, outDir);
        var frozen = (PretrainedTextEncoder)trainer.Model.TextEncoder;
        Assert.Same(frozen, trainer.EmaModel.TextEncoder);                            // loaded once, shared
        var textBefore = frozen.Model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        var unetBefore = trainer.Model.Unet.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        trainer.Train();
        Assert.All(frozen.Model.state_dict(), kv => Assert.True(TensorAssert.Same(kv.Value, textBefore[kv.Key]), kv.Key));
        Assert.Contains(trainer.Model.Unet.state_dict(), kv => !TensorAssert.Same(kv.Value, unetBefore[kv.Key]));
        Assert.False(File.Exists(Path.Combine(outDir, Checkpoint.TokenizerFile)));
        using var loaded = Checkpoint.Load(outDir);
        Assert.Equal(TextEncoderKind.Clip, loaded.Config.Text.Kind);
    }

    [Fact]
    public void TrainCommandAcceptsTextEncoderOption()
    {
        var dir = TinyPretrained.WriteBertFolder(TinyPretrained.TempDir("cli-bert"));
        var outDir = TinyPretrained.TempDir("cli-bert-out");
        var root = new RootCommand { TrainCommand.Create() };
        int rc = root.Parse(new[] { "train", "--out", outDir, "--steps", "1", "--batch", "1", "--warmup", "1", "--preset", "tiny",
                                    "--resolution", "16", "--frames", "4", "--threads", "1", "--text-encoder", "bert:" + dir }).Invoke();
        Assert.Equal(0, rc);
        var config = ModelConfig.FromJson(File.ReadAllText(Path.Combine(outDir, Checkpoint.ConfigFile)));
        Assert.Equal(TextEncoderKind.Bert, config.Text.Kind);
        Assert.Equal(Path.GetFullPath(dir), config.Text.PretrainedPath);
        Assert.Equal(16, config.Unet.ContextDim);
    }
}
