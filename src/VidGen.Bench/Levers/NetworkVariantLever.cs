using TorchSharp;
using VidGen.Models;
using VidGen.Text;

namespace VidGen.Bench.Levers;

/// <summary>
/// Another network: the benchmarked config with a different U-Net (<paramref name="unet"/>), freshly initialised,
/// against the benchmarked model, on a guided forward of 2 rows. Speed only: a different network has other
/// weights and state-dict keys, so it is not applicable to the trained model.
/// </summary>
internal sealed class NetworkVariantLever(string lever, string baseline, string variant, VideoDiffusionModel model, ForwardInputs guided,
    Unet3DConfig unet, WordTokenizer words) : Lever
{
    VideoDiffusionModel? other;
    ForwardInputs? inputs;

    public override string Name => $"{lever}: {variant}";
    public override string BaselineName => baseline;
    public override string VariantName => variant;

    public override void Setup()
    {
        other = new VideoDiffusionModel(model.Config with { Unet = unet }, words);
        other.to(guided.X.device);
        other.eval();
        inputs = new ForwardInputs(other, guided.Rows, (int)guided.X.shape[2], guided.X.device);
    }

    public override void Baseline() => guided.Forward(model);
    public override void Variant() => inputs!.Forward(other!);

    public override string Decision(double baselineSeconds, double variantSeconds) =>
        "changes the network and its state-dict keys: not applicable to the trained model; speed only";

    public override void Cleanup()
    {
        inputs?.Dispose(); other?.Dispose();
        inputs = null; other = null;
    }
}
