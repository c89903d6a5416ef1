using TorchSharp;
using VidGen.Models;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace VidGen.Bench;

/// <summary>One block timed on its own: seconds per call, its counted FLOPs, and the rate they imply.</summary>
public sealed record BlockTiming(string Name, BlockKind Kind, double Seconds, double Flops, double NormSiluSeconds)
{
    public double Gflops => Flops / Seconds / 1e9;
}

/// <summary>
/// Where a forward (or forward + backward) pass spends its time: every block of the U-Net, as
/// <see cref="ModelFlops.Blocks"/> lists them, is built on its own with the model's shapes and timed on inputs of
/// the shape it sees inside the network. For residual blocks the GroupNorm + SiLU pairs are also timed alone.
/// Summed, the blocks should come close to the whole pass; the rest is glue (skip concatenation, patching,
/// embeddings) and per-call overhead. Weights are random: speed does not depend on them.
/// </summary>
public static class BlockProfile
{
    public static IReadOnlyList<BlockTiming> Run(ModelConfig config, int rows, int frames, bool training, Device device, int reps = 3)
    {
        var c = config.Unet;
        var flops = ModelFlops.PerBlock(config, frames).ToDictionary(b => b.Block.Name, b => b.Total);
        var result = new List<BlockTiming>();
        foreach (var spec in ModelFlops.Blocks(config))
        {
            if (spec.Kind is BlockKind.TextEncoder or BlockKind.TimeEmbedding or BlockKind.FrameConditioning or BlockKind.Coordinates) continue; // tiny, once per call
            using var scope = NewDisposeScope();
            long r = rows, f = frames, s = spec.Side;
            var x = randn(new[] { r, spec.DimIn, f, s, s }, device: device);
            if (training) x.requires_grad_(true);
            Module module;
            Func<Tensor> call;
            var normShapes = new List<long>();
            switch (spec.Kind)
            {
                case BlockKind.InitConv:
                {
                    var m = Conv3d(spec.DimIn, spec.DimOut, (1, 7, 7), padding: (0, 3, 3)); module = m; call = () => m.forward(x); break;
                }
                case BlockKind.OutConv:
                {
                    var m = Conv3d(spec.DimIn, spec.DimOut, 1); module = m; call = () => m.forward(x); break;
                }
                case BlockKind.Resnet:
                {
                    var emb = randn(new[] { r, (long)c.TimeEmbDim }, device: device);
                    var m = new ResnetBlock("block", spec.DimIn, spec.DimOut, c.TimeEmbDim, c.Groups, c.TemporalConv); module = m;
                    call = () => m.call(x, emb);
                    normShapes.Add(spec.DimIn); normShapes.Add(spec.DimOut);
                    break;
                }
                case BlockKind.TemporalAttention:
                {
                    var m = new TemporalAttention("t", spec.DimOut, c.AttnHeads, c.AttnDimHead, c.MaxFrames); module = m; call = () => m.call(x, null); break;
                }
                case BlockKind.SpatialFullAttention or BlockKind.SpatialLinearAttention:
                {
                    var m = new SpatialAttentionBlock("s", spec.DimOut, c.AttnHeads, c.AttnDimHead, spec.Kind == BlockKind.SpatialFullAttention); module = m;
                    call = () => m.call(x); break;
                }
                case BlockKind.CrossAttention:
                {
                    long l = config.Text.MaxLength;
                    var tokens = randn(new[] { r, l, (long)c.ContextDim }, device: device);
                    var bias = zeros(new[] { r, 1L, 1L, l }, device: device);
                    var m = new TextCrossAttention("x", spec.DimOut, c.ContextDim, c.AttnHeads, c.AttnDimHead); module = m;
                    call = () => m.call(x, tokens, bias); break;
                }
                case BlockKind.Downsample:
                {
                    var m = new Downsample("d", spec.DimOut); module = m; call = () => m.forward(x); break;
                }
                case BlockKind.Upsample:
                {
                    var m = new Upsample("u", spec.DimOut); module = m; call = () => m.forward(x); break;
                }
                default: continue;
            }
            using (module)
            {
                module.to(device);
                double seconds = Time(call, training, device, reps);
                double normSeconds = 0;
                for (int i = 0; i < normShapes.Count; i++)
                {
                    long ch = normShapes[i];
                    using var norm = Norms.GroupNorm(Math.Min(c.Groups, ch), ch);
                    norm.to(device);
                    var nx = i == 0 ? x : randn(new[] { r, ch, f, s, s }, device: device);
                    if (training) nx.requires_grad_(true);
                    normSeconds += Time(() => functional.silu(norm.forward(nx)), training, device, reps);
                }
                double blockFlops = flops[spec.Name] * rows * (training ? 3 : 1);
                result.Add(new BlockTiming(spec.Name, spec.Kind, seconds, blockFlops, normSeconds));
            }
        }
        return result;
    }

    static double Time(Func<Tensor> call, bool training, Device device, int reps)
    {
        Tensor? grad = null; // made on the first call, owned by the caller's dispose scope
        var times = Timing.Repeat(() =>
        {
            using var scope = NewDisposeScope();
            if (!training)
            {
                using var ng = no_grad();
                call();
                return;
            }
            var y = call();
            grad ??= randn(y.shape, device: y.device).MoveToOuterDisposeScope();
            autograd.backward(y, grad);
        }, warmup: 1, reps, device);
        return Timing.Median(times);
    }
}
