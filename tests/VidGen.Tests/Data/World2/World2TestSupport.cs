using VidGen.Data.World2;

namespace VidGen.Tests.Data.World2;

/// <summary>
/// A fact that needs the emoji font (fonts-noto-color-emoji). Skipped on a developer machine without it; under
/// CI=true it always runs (and fails without the font), so CI can never pass without drawing the sprites.
/// </summary>
public sealed class EmojiFactAttribute : FactAttribute
{
    public EmojiFactAttribute()
    {
        if (!EmojiFont.IsInstalled() && !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            Skip = $"the emoji font is not installed (apt-get install {EmojiFont.Package}); CI installs it and runs this test";
    }
}

/// <summary>A theory that needs the emoji font; skipped and failed as <see cref="EmojiFactAttribute"/>.</summary>
public sealed class EmojiTheoryAttribute : TheoryAttribute
{
    public EmojiTheoryAttribute()
    {
        if (!EmojiFont.IsInstalled() && !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            Skip = $"the emoji font is not installed (apt-get install {EmojiFont.Package}); CI installs it and runs this test";
    }
}

/// <summary>The artwork, loaded once per test class (decoding 16 PNGs takes a few tens of milliseconds).</summary>
public sealed class ArtFixture
{
    readonly Lazy<ObjectArt> art = new(() => ObjectArt.Load());

    public ObjectArt Art => art.Value;

    public CompositionalWorld World(WorldGeometry? geometry = null) => new(Art, geometry);
}
