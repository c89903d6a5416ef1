namespace VidGen.Text;

/// <summary>The jointly trained built-in text encoder: a small pre-norm transformer over word tokens.</summary>
public sealed record TextEncoderConfig
{
    public int Dim { get; init; } = 64;
    public int Layers { get; init; } = 2;
    public int Heads { get; init; } = 4;
    public int MaxLength { get; init; } = 16;
}
