using TorchSharp;
using VidGen.Models;
using static TorchSharp.torch;

namespace VidGen.Bench;

/// <summary>
/// Inputs of one guided forward over a number of rows: fixed noise x (rows, C, F, H, W) at t = 500,
/// the first half of the rows conditioned on the bench prompt, the rest on the null text (<see cref="Drop"/>),
/// as classifier-free guidance batches them. Owned here, outside any dispose scope.
/// </summary>
internal sealed class ForwardInputs : IDisposable
{
    public const string Prompt = BenchRunner.Prompt;

    public Tensor X { get; }
    public Tensor T { get; }
    public Tensor Drop { get; }
    public TextCondition Text { get; }
    public int Rows { get; }

    public ForwardInputs(VideoDiffusionModel model, int rows, int frames, Device device, ScalarType dtype = ScalarType.Float32)
    {
        Rows = rows;
        using var scope = NewDisposeScope();
        using (no_grad())
        {
            var cfg = model.Config;
            var gen = new Generator(1234, CPU);
            X = randn(new long[] { rows, cfg.Unet.Channels, frames, cfg.DiffusionResolution, cfg.DiffusionResolution }, generator: gen).to(device).to_type(dtype);
            T = full(rows, 500f, device: device);
            var prompts = Enumerable.Range(0, rows).Select(i => i < (rows + 1) / 2 ? Prompt : "").ToList();
            var text = model.EncodeText(prompts);
            Text = new TextCondition(text.Tokens.to_type(dtype), text.Mask, text.Pooled.to_type(dtype));
            Drop = arange(rows, device: device) >= (rows + 1) / 2;
        }
        scope.Detach(X, T, Drop, Text.Tokens, Text.Mask, Text.Pooled);
    }

    /// <summary>The model's output on these inputs, without gradients (the caller disposes it).</summary>
    public Tensor Output(VideoDiffusionModel model)
    {
        using var ng = no_grad();
        return model.Forward(X, T, Text, Drop);
    }

    /// <summary>One forward, its output dropped: what the timed work of a sampling step is.</summary>
    public void Forward(VideoDiffusionModel model)
    {
        using var y = Output(model);
    }

    /// <summary>
    /// One training pass over these rows: the prompt encoded with gradients (the built-in encoder trains with the
    /// U-Net), forward (the null-text rows as guidance training drops them), backward with <paramref name="grad"/>
    /// (rows, C, F, H, W) as dL/dy. The model should be in train mode; gradients accumulate in its parameters.
    /// </summary>
    public void TrainPass(VideoDiffusionModel model, Tensor grad)
    {
        using var scope = NewDisposeScope();
        var text = model.EncodeText(Enumerable.Repeat(Prompt, Rows).ToList());
        autograd.backward(model.Forward(X, T, text, Drop), grad);
    }

    public void Dispose() { X.Dispose(); T.Dispose(); Drop.Dispose(); Text.Tokens.Dispose(); Text.Mask.Dispose(); Text.Pooled.Dispose(); }
}
