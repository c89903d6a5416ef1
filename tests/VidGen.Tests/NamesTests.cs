using System.Text.Json;
using VidGen.Diffusion.Samplers;
using VidGen.Models;
using VidGen.Text;

namespace VidGen.Tests;

/// <summary>The user-facing names of every enum a person chooses from (<see cref="Names"/>).</summary>
public class NamesTests
{
    /// <summary>Every value has one distinct name that parses back to it (any case, spaces around), and nothing else does.</summary>
    static void RoundTrips<T>(NameTable<T> table) where T : struct, Enum
    {
        Assert.Equal(Enum.GetValues<T>(), table.Values);
        Assert.Equal(table.All.Count, table.All.Distinct().Count());
        foreach (var value in Enum.GetValues<T>())
        {
            string name = table.Name(value);
            Assert.Equal(value, table.Parse(name));
            Assert.Equal(value, table.Parse($" {name.ToUpperInvariant()} "));
            Assert.True(table.TryParse(name, out var parsed));
            Assert.Equal(value, parsed);
        }
        var e = Assert.Throws<ArgumentException>(() => table.Parse("no such name"));
        Assert.Equal($"unknown {table.What} 'no such name'; use one of: {string.Join(", ", table.All)}", e.Message);
        Assert.Contains("--option 'x'", Assert.Throws<ArgumentException>(() => table.Parse("x", "--option")).Message);
        Assert.False(table.TryParse(null, out _));
        // A cast integer that is no value of the enum has no name: an error, never another value's name.
        Assert.Throws<ArgumentOutOfRangeException>(() => table.Name((T)Enum.ToObject(typeof(T), 99)));
    }

    [Fact]
    public void EveryEnumValueRoundTripsThroughItsName()
    {
        RoundTrips(Names.Sampler);
        RoundTrips(Names.Spacing);
        RoundTrips(Names.Clip);
        RoundTrips(Names.ShortClips);
        RoundTrips(Names.TextEncoder);
        RoundTrips(Names.Preset);
    }

    [Fact]
    public void TheNamesAreTheDocumentedOnes()
    {
        // README.md lists these (generate, train and the web API); the web API's /api/info sends the samplers.
        Assert.Equal(new[] { "ddpm", "ddim", "dpm++2m", "euler", "heun" }, Names.Sampler.All);
        Assert.Equal(new[] { "trailing", "leading", "linspace", "karras" }, Names.Spacing.All);
        Assert.Equal(new[] { "none", "clamp", "dynamic" }, Names.Clip.All);
        Assert.Equal(new[] { "loop", "pad", "skip" }, Names.ShortClips.All);
        Assert.Equal(new[] { "builtin", "bert", "clip", "minilm" }, Names.TextEncoder.All);
        Assert.Equal(new[] { "tiny", "small", "default" }, Names.Preset.All);
        Assert.Equal("ddpm | ddim | dpm++2m | euler | heun", Names.Sampler.Choices);
    }

    [Theory]
    [InlineData("dpmpp-2m", SamplerKind.DpmSolverPP2M)]
    [InlineData("DPM_Solver++", SamplerKind.DpmSolverPP2M)]
    [InlineData("dpm", SamplerKind.DpmSolverPP2M)]
    [InlineData("ancestral", SamplerKind.Ddpm)]
    public void SamplerAliasesStillParse(string alias, SamplerKind kind) => Assert.Equal(kind, Names.Sampler.Parse(alias));

    [Fact]
    public void SamplerNameThrowsOnAnUndefinedKind()
    {
        Assert.Equal("heun", Names.Sampler.Name(SamplerKind.Heun));
        Assert.Throws<ArgumentOutOfRangeException>(() => Names.Sampler.Name((SamplerKind)99)); // Sampler.Name said "heun"
    }

    [Fact]
    public void TextEncoderNamesAreTheOnesConfigJsonWrites()
    {
        foreach (var kind in Enum.GetValues<TextEncoderKind>())
            Assert.Equal($"\"{Names.TextEncoder.Name(kind)}\"", JsonSerializer.Serialize(kind, ModelConfig.Json));
    }

    [Fact]
    public void EveryPresetBuildsAConfigOfTheAskedFormat()
    {
        foreach (var name in Names.Preset.All)
        {
            var cfg = ModelPresets.Get(Names.Preset.Parse(name), 16, 4);
            Assert.Equal((16, 4, 16), (cfg.Resolution, cfg.Frames, cfg.Unet.SampleSize));
        }
        Assert.Equal(ModelConfig.Tiny(16, 4).ToJson(), ModelPresets.Get(ModelPreset.Tiny, 16, 4).ToJson());
        Assert.Equal("unknown preset 'huge'; use one of: tiny, small, default",
            Assert.Throws<ArgumentException>(() => Names.Preset.Parse("huge")).Message);
    }
}
