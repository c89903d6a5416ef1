using VidGen.Models;
using static TorchSharp.torch;

namespace VidGen.Bench.Levers;

/// <summary>
/// A kernel choice inside the model that keeps its maths and keys (<see cref="KernelOptions"/>: packed temporal
/// attention, the temporal conv as a 2D conv) against the plain modules, on one pass of the benchmarked model:
/// a guided forward (outputs compared) or a training forward + backward. Levers on the same pass share it as
/// their baseline, so all settings are interleaved in one set of rounds.
/// </summary>
internal sealed class TemporalKernelLever(VideoDiffusionModel model, TemporalKernelLever.Pass pass, string label, KernelOptions kernels, bool shipped) : Lever
{
    public const string PlainLabel = "plain (one sequence per pixel, Conv3d 3x1x1)";

    /// <summary>The work both arms run: its inputs, and whether it is a guided forward or a training pass.</summary>
    public sealed class Pass(ForwardInputs inputs, bool training) : IDisposable
    {
        Tensor? grad;
        public ForwardInputs Inputs => inputs;
        public bool Training => training;
        public string Name => training ? $"training fwd+bwd ({inputs.Rows} rows)" : $"guided forward ({inputs.Rows} rows)";

        public void Run(VideoDiffusionModel model)
        {
            if (!training) { inputs.Forward(model); return; }
            grad ??= randn(inputs.X.shape, device: inputs.X.device);               // dL/dy (rows, C, F, H, W)
            inputs.TrainPass(model, grad);
        }

        public void Dispose() { grad?.Dispose(); grad = null; }
    }

    readonly KernelOptions before = model.Kernels;

    public override string Name => $"temporal kernels: {label}: {pass.Name}";
    public override string BaselineName => PlainLabel;
    public override string VariantName => label;
    public override object BaselineKey => pass;

    public override void Setup() { if (pass.Training) model.train(); }
    public override void Baseline() { model.Kernels = KernelOptions.Plain; pass.Run(model); }
    public override void Variant() { model.Kernels = kernels; pass.Run(model); }

    public override double? MaxAbsDiff()
    {
        if (pass.Training) return null;
        model.Kernels = KernelOptions.Plain;
        using var plain = pass.Inputs.Output(model);
        model.Kernels = kernels;
        using var variant = pass.Inputs.Output(model);
        model.Kernels = before;
        return (variant - plain).abs().max().item<float>();
    }

    public override string Decision(double baselineSeconds, double variantSeconds) => shipped ? "shipped" : "measured";

    public override void Cleanup()
    {
        model.Kernels = before;
        if (!pass.Training) return;
        model.zero_grad();
        model.eval();
    }
}
