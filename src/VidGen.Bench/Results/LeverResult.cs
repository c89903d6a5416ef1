namespace VidGen.Bench.Results;

/// <summary>
/// One lever measured against a baseline in the same process. <see cref="Speedup"/> = baseline / variant seconds.
/// <see cref="MaxAbsDiff"/>: largest output difference where outputs are comparable (null where the variant
/// changes the network, so only speed is meaningful). <see cref="Decision"/>: what was done with it.
/// </summary>
public sealed record LeverResult(string Name, string Baseline, string Variant, double BaselineSeconds, double VariantSeconds, double? MaxAbsDiff, string Decision)
{
    public double Speedup => BaselineSeconds / VariantSeconds;
}
