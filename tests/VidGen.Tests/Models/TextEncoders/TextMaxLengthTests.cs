using VidGen.Data.World2;
using VidGen.Models;
using VidGen.Models.TextEncoders;
using VidGen.Text;
using static TorchSharp.torch;

namespace VidGen.Tests.Models.TextEncoders;

/// <summary>`train --text-max-length`: the prompt length a config is given, checked against what each encoder can hold.</summary>
public class TextMaxLengthTests
{
    const string LongCaption = "a video of a little pink kitty sliding to the right quickly while the big orange puppy going to the left slowly on a green field";

    [Fact]
    public void Without_a_length_each_encoder_keeps_its_default()
    {
        Assert.Equal(new TextEncoderConfig().MaxLength, PretrainedTextEncoder.Configure(ModelConfig.Tiny(), "builtin").Text.MaxLength);
        Assert.Equal(16, new TextEncoderConfig().MaxLength);
        Assert.Equal(PretrainedTextEncoder.DefaultMaxLength, PretrainedTextEncoder.Configure(ModelConfig.Tiny(), "minilm").Text.MaxLength);
    }

    [Fact]
    public void The_builtin_encoder_takes_a_longer_prompt_and_refuses_nonsense_in_one_line()
    {
        var config = PretrainedTextEncoder.Configure(ModelConfig.Tiny(32, 4), "builtin", 30);
        Assert.Equal(30, config.Text.MaxLength);
        var tokenizer = WordTokenizer.FromCaptions(World2TrainingClips.Vocabulary(), config.Text.MaxLength);
        Assert.Equal(0, ((IPromptTokenizer)tokenizer).TruncatedTokens(LongCaption));
        using var model = new VideoDiffusionModel(config, tokenizer);
        var text = model.EncodeText(new[] { LongCaption });
        Assert.Equal(new long[] { 1, 30, config.Text.Dim }, text.Tokens.shape);
        foreach (int bad in new[] { 0, TextEncoderConfig.BuiltinMaxLengthLimit + 1 })
        {
            var e = Assert.Throws<ArgumentException>(() => PretrainedTextEncoder.Configure(ModelConfig.Tiny(), "builtin", bad));
            Assert.StartsWith($"--text-max-length {bad}: ", e.Message);
            Assert.DoesNotContain('\n', e.Message);
        }
    }

    /// <summary>MiniLM's position embeddings allow 512 tokens: a longer prompt length loads and encodes whole.</summary>
    [Fact]
    public void MiniLm_accepts_a_longer_length_up_to_its_positions()
    {
        int length = CaptionLength.Longest(MiniLm.Tokenizer()) + 8;
        var config = PretrainedTextEncoder.Configure(ModelConfig.Tiny(), "minilm", length);
        Assert.Equal(length, config.Text.MaxLength);
        using var encoder = PretrainedTextEncoder.Load(config.Text);
        Assert.Equal(length, encoder.Tokenizer.MaxLength);
        Assert.Equal(0, encoder.Tokenizer.TruncatedTokens(LongCaption));
        var text = encoder.Encode(new[] { LongCaption }, CPU);
        Assert.Equal(new long[] { 1, length, MiniLm.Width }, text.Tokens.shape);
        Assert.Equal(encoder.Tokenizer.Length(LongCaption), text.Mask.sum().item<long>());
        Assert.Equal(512, PretrainedTextEncoder.Configure(ModelConfig.Tiny(), "minilm", 512).Text.MaxLength);
        var e = Assert.Throws<ArgumentException>(() => PretrainedTextEncoder.Configure(ModelConfig.Tiny(), "minilm", 513));
        Assert.Equal("--text-max-length 513: MiniLM takes 3 (two special tokens and one word) to 512 tokens, its position embeddings", e.Message);
    }
}
