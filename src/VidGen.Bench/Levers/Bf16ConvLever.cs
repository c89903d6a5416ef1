using TorchSharp;
using VidGen.Training;
using static TorchSharp.torch;

namespace VidGen.Bench.Levers;

/// <summary>
/// bf16 on the U-Net's bulk operation alone: a 1x3x3 Conv3d of <paramref name="channels"/> channels on
/// (2, C, F, S, S), the shape of a guided forward's first level, in fp32 and with bf16 weights and input.
/// </summary>
internal sealed class Bf16ConvLever(long channels, long frames, long side, Device device) : Lever
{
    DisposeScope? scope;
    nn.Module<Tensor, Tensor> conv32 = null!, conv16 = null!;
    Tensor x = null!, xb = null!;

    public override string Name => $"bf16: Conv3d 1x3x3 {channels}->{channels} on 2x{channels}x{frames}x{side}x{side}";
    public override string BaselineName => "fp32";
    public override string VariantName => "bf16";

    public override void Setup()
    {
        scope = NewDisposeScope();
        var a = nn.Conv3d(channels, channels, (1, 3, 3), padding: (0, 1, 1));
        var b = nn.Conv3d(channels, channels, (1, 3, 3), padding: (0, 1, 1));
        a.to(device);
        Ema.CopyWeights(b, a);
        b.to(device);
        b.to(ScalarType.BFloat16);
        conv32 = a; conv16 = b;
        x = randn(new[] { 2L, channels, frames, side, side }, device: device);
        xb = x.to_type(ScalarType.BFloat16);
    }

    public override void Baseline() { using var ng = no_grad(); using var y = conv32.call(x); }
    public override void Variant() { using var ng = no_grad(); using var y = conv16.call(xb); }

    public override double? MaxAbsDiff()
    {
        using var inner = NewDisposeScope();
        using var ng = no_grad();
        return (conv16.call(xb).to_type(ScalarType.Float32) - conv32.call(x)).abs().max().item<float>();
    }

    public override string Decision(double baselineSeconds, double variantSeconds) => variantSeconds < baselineSeconds ? "faster" : "slower";

    public override void Cleanup()
    {
        conv32?.Dispose(); conv16?.Dispose();
        scope?.Dispose(); scope = null;
    }
}
