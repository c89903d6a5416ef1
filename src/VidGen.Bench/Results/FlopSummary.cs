namespace VidGen.Bench.Results;

/// <summary>
/// FLOPs per clip at the model's frame count, counted on the real model (see <see cref="Flops.ModelFlops"/>);
/// <see cref="ForwardShareByKind"/>: each block kind's share of the U-Net forward, and the shares of all
/// convolutions, linear layers and attention products.
/// </summary>
public sealed record FlopSummary(double UnetForwardPerClip, double TextForwardPerPrompt, double TrainingPerClip,
    IReadOnlyDictionary<string, double> ForwardShareByKind, string Method);
