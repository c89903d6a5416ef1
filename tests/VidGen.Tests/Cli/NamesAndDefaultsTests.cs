using System.CommandLine;
using VidGen.Cli.Commands;
using VidGen.Diffusion;
using VidGen.Diffusion.Samplers;
using VidGen.Evaluation;
using VidGen.Pipelines;
using VidGen.Training;

namespace VidGen.Tests.Cli;

/// <summary>
/// The CLI's defaults are the library's and its option values the names in <see cref="Names"/>: the options a user
/// leaves out give exactly the library's records (every field, so a new one cannot be forgotten).
/// </summary>
public class NamesAndDefaultsTests
{
    static ParseResult Parse(IEnumerable<Option> options, params string[] args)
    {
        var cmd = new RootCommand();
        foreach (var o in options) cmd.Add(o);
        var parsed = cmd.Parse(args);
        Assert.Empty(parsed.Errors);
        return parsed;
    }

    [Fact]
    public void GenerateWithoutOptionsAsksForTheLibrarysDefaultRequest()
    {
        var o = new RequestOptionSet();
        var parsed = Parse(o.All);
        Assert.Equal(GenerationRequest.Defaults, o.Request(parsed));
        Assert.Equal("dpm++2m", parsed.GetValue(o.Sampler)); // the name README.md documents
        Assert.Equal(20, parsed.GetValue(o.Steps));
        Assert.Equal(4, parsed.GetValue(o.Guidance));
    }

    [Fact]
    public void EvalWithoutOptionsUsesTheLibrarysDefaults()
    {
        var sampling = new RequestOptionSet();
        var fidelity = new FidelityOptionSet();
        var parsed = Parse(sampling.SamplerOnly.Concat(fidelity.All));
        Assert.Equal(GenerationRequest.Defaults, sampling.SamplerRequest(parsed));
        Assert.Equal(FidelityOptions.Defaults, fidelity.Options(parsed));
    }

    [Fact]
    public void TrainWithoutOptionsUsesTheLibrarysDefaults()
    {
        var t = new TrainOptionSet();
        var parsed = Parse(t.All);
        Assert.Equal(TrainOptions.Defaults, t.Options(parsed));
        // README.md's value; the CLI said 250 and the library 500 before they shared one default.
        Assert.Equal(250, parsed.GetValue(t.CheckpointEvery));
    }

    [Fact]
    public void TrainAutoencoderWithoutOptionsUsesTheLibrarysDefaults()
    {
        var t = new AutoencoderTrainOptionSet();
        var parsed = Parse(t.All);
        Assert.Equal(VidGen.Training.AutoencoderTrainOptions.Defaults, t.Options(parsed));
        Assert.Equal(new VidGen.Models.Autoencoders.AutoencoderConfig().ToJson(), t.Config(parsed).ToJson());
        var given = t.Config(Parse(t.All, "--level-channels", "32, 48", "--latent-channels", "4"));
        Assert.Equal(new[] { 32, 48 }, given.LevelChannels);
        Assert.Equal(4, given.LatentChannels);
        Assert.Throws<ArgumentException>(() => t.Config(Parse(t.All, "--level-channels", "32,x")));
    }

    [Fact]
    public void GivenOptionsReachTheRequestByName()
    {
        var o = new RequestOptionSet();
        var parsed = Parse(o.All, "--sampler", "ddim", "--spacing", "karras", "--clip", "dynamic", "--steps", "7", "--frames", "0");
        Assert.Equal(GenerationRequest.Defaults with { Sampler = SamplerKind.Ddim, Spacing = TimestepSpacing.Karras, Clip = X0Clip.Dynamic, Steps = 7 },
            o.Request(parsed));
        var bad = Assert.Throws<ArgumentException>(() => o.Request(Parse(o.All, "--clip", "maybe")));
        Assert.Equal("unknown --clip 'maybe'; use one of: none, clamp, dynamic", bad.Message);
    }

    [Fact]
    public void AnUnknownShortClipsValueIsRefusedNamingTheOption()
    {
        var data = new DataOptions();
        var parsed = Parse(data.All, "--short-clips", "wrap");
        var e = Assert.Throws<ArgumentException>(() => data.Collection(parsed, 16, 4, 8, 0));
        Assert.Contains("--short-clips", e.Message);
        Assert.Contains("use one of: loop, pad, skip", e.Message);
        Assert.Equal("loop", Parse(data.All).GetValue(data.ShortClips));
    }
}
