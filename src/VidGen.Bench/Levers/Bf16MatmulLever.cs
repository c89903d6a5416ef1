using TorchSharp;
using static TorchSharp.torch;

namespace VidGen.Bench.Levers;

/// <summary>bf16 on a plain matmul, (n x n) @ (n x n), against fp32.</summary>
internal sealed class Bf16MatmulLever(int n, Device device) : Lever
{
    DisposeScope? scope;
    Tensor a = null!, b = null!, ab = null!, bb = null!;

    public override string Name => $"bf16: matmul {n}^3";
    public override string BaselineName => "fp32";
    public override string VariantName => "bf16";

    public override void Setup()
    {
        scope = NewDisposeScope();
        a = randn(n, n, device: device); b = randn(n, n, device: device);
        ab = a.to_type(ScalarType.BFloat16); bb = b.to_type(ScalarType.BFloat16);
    }

    public override void Baseline() { using var y = a.matmul(b); }
    public override void Variant() { using var y = ab.matmul(bb); }
    public override string Decision(double baselineSeconds, double variantSeconds) => variantSeconds < baselineSeconds ? "faster" : "slower";
    public override void Cleanup() { scope?.Dispose(); scope = null; }
}
