using TorchSharp;
using VidGen.Models;
using static TorchSharp.torch;

namespace VidGen.Bench.Levers;

/// <summary>
/// Classifier-free guidance's two rows, conditional and null text, in one forward of 2 rows against two forwards
/// of 1 row each (what GuidedModel with GuidanceBranch.Both already does); outputs compared.
/// </summary>
internal sealed class BatchedGuidanceLever(VideoDiffusionModel model, ForwardInputs guided) : Lever
{
    DisposeScope? scope;
    Tensor x1 = null!, t1 = null!, x2 = null!, dropU = null!;
    TextCondition c = null!, u = null!;

    public override string Name => "batched guidance";
    public override string BaselineName => "two forwards of 1 row";
    public override string VariantName => "one forward of 2 rows";

    public override void Setup()
    {
        if (guided.Rows != 2) throw new ArgumentException($"batched guidance compares 2 rows (got {guided.Rows})");
        scope = NewDisposeScope();
        x1 = guided.X.narrow(0, 0, 1);                                                  // (1, C, F, H, W), both rows share it
        t1 = guided.T.narrow(0, 0, 1);
        TextCondition Row(int i) => new(guided.Text.Tokens.narrow(0, i, 1), guided.Text.Mask.narrow(0, i, 1), guided.Text.Pooled.narrow(0, i, 1));
        c = Row(0); u = Row(1);
        dropU = guided.Drop.narrow(0, 1, 1);
        x2 = cat(new[] { x1, x1 });                                                     // (2, C, F, H, W)
    }

    public override void Baseline()
    {
        using var ng = no_grad();
        using var a = model.Forward(x1, t1, c);
        using var b = model.Forward(x1, t1, u, dropU);
    }

    public override void Variant()
    {
        using var ng = no_grad();
        using var y = model.Forward(x2, guided.T, guided.Text, guided.Drop);
    }

    public override double? MaxAbsDiff()
    {
        using var inner = NewDisposeScope();
        using var ng = no_grad();
        var batched = model.Forward(x2, guided.T, guided.Text, guided.Drop);
        var separate = cat(new[] { model.Forward(x1, t1, c), model.Forward(x1, t1, u, dropU) });
        return (batched - separate).abs().max().item<float>();
    }

    public override string Decision(double baselineSeconds, double variantSeconds) => "already the pipeline's way (GuidedModel, GuidanceBranch.Both)";

    public override void Cleanup() { scope?.Dispose(); scope = null; }
}
