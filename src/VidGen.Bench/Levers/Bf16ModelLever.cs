using VidGen.Models;
using static TorchSharp.torch;

namespace VidGen.Bench.Levers;

/// <summary>
/// bf16 weights and activations for the whole network (<paramref name="bf16"/>, a bf16 copy of the model) against
/// the fp32 model, on a guided forward of <paramref name="rows"/> rows; a sampler would keep its state in fp32 and
/// cast in and out. Reports the output error: bf16 changes outputs beyond fp32 rounding.
/// </summary>
internal sealed class Bf16ModelLever(VideoDiffusionModel model, VideoDiffusionModel bf16, int rows, int frames, Device device) : Lever
{
    ForwardInputs? f32, b16;
    double relative = double.NaN;

    public override string Name => $"bf16 model: forward ({rows} rows)";
    public override string BaselineName => "fp32";
    public override string VariantName => "bf16 weights and activations";

    public override void Setup()
    {
        f32 = new ForwardInputs(model, rows, frames, device);
        b16 = new ForwardInputs(bf16, rows, frames, device, ScalarType.BFloat16);
    }

    public override void Baseline() => f32!.Forward(model);
    public override void Variant() => b16!.Forward(bf16);

    public override double? MaxAbsDiff()
    {
        using var y32 = f32!.Output(model);
        using var y16 = b16!.Output(bf16);
        using var y16f = y16.to_type(ScalarType.Float32);
        using var scope = NewDisposeScope();
        relative = (y16f - y32).square().mean().sqrt().item<float>() / Math.Max(1e-12, y32.square().mean().sqrt().item<float>());
        return (y16f - y32).abs().max().item<float>();
    }

    public override string Decision(double baselineSeconds, double variantSeconds) =>
        $"relative RMS error {relative:P1} per forward; " + (variantSeconds < baselineSeconds ? "faster, but changes outputs beyond fp32 rounding: not the default" : "not faster: not adopted");

    public override void Cleanup()
    {
        f32?.Dispose(); b16?.Dispose();
        f32 = b16 = null;
    }
}
