using System.CommandLine;
using VidGen.Cli.Commands;

namespace VidGen.Tests.Cli;

/// <summary>The CLI takes its option names from <see cref="Names"/>.</summary>
public class NamesAndDefaultsTests
{
    [Fact]
    public void AnUnknownShortClipsValueIsRefusedNamingTheOption()
    {
        var data = new DataOptions();
        var cmd = new RootCommand();
        foreach (var o in data.All) cmd.Add(o);
        var parsed = cmd.Parse(new[] { "--short-clips", "wrap" });
        var e = Assert.Throws<ArgumentException>(() => data.Collection(parsed, 16, 4, 8, 0));
        Assert.Contains("--short-clips", e.Message);
        Assert.Contains("use one of: loop, pad, skip", e.Message);
    }
}
