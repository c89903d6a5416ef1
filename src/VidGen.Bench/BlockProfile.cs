using TorchSharp;
using TorchSharp.Modules;
using VidGen.Bench.Flops;
using VidGen.Bench.Results;
using VidGen.Models;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace VidGen.Bench;

/// <summary>
/// Where a forward (or forward + backward) pass spends its time, block by block: every block of the real model
/// (<see cref="ModelBlocks"/>, found by walking its module tree) is timed alone, with its own weights, on the inputs
/// it received in one real forward of the model over the same rows (captured by forward pre-hooks). For residual
/// blocks their GroupNorms are timed too, each with the SiLU after it, on their captured inputs. Summed, the
/// blocks should come close to the whole pass; the rest is glue (skip concatenation, patching, embeddings) and
/// per-call overhead. The small once-per-call blocks (text encoder, time embedding, frame conditioning, coordinate
/// convs) are left out.
/// </summary>
public static class BlockProfile
{
    /// <summary>Blocks too small to time (they run once per call, on a few vectors).</summary>
    public static bool Timed(BlockKind kind) =>
        kind is not (BlockKind.TextEncoder or BlockKind.TimeEmbedding or BlockKind.FrameConditioning or BlockKind.Coordinates);

    /// <param name="model">the model whose blocks are timed, each with its own weights</param>
    /// <param name="flops">the model's FLOP count, for each block's rate</param>
    /// <param name="x">(rows, C, F, H, W) the captured forward's input</param>
    /// <param name="t">(rows) timesteps, as for <see cref="VideoDiffusionModel.Forward"/></param>
    /// <param name="text">the text condition, as for <see cref="VideoDiffusionModel.Forward"/></param>
    /// <param name="drop">(rows) rows that use the null text, or null</param>
    /// <param name="training">time forward + backward (gradients for the block's input and weights, accumulated into the model's and cleared after)</param>
    /// <param name="device">where the timing synchronises</param>
    /// <param name="reps">timed calls per block (median)</param>
    public static IReadOnlyList<BlockTiming> Run(VideoDiffusionModel model, ModelFlops flops, Tensor x, Tensor t, TextCondition text, Tensor? drop,
        bool training, Device device, int reps = 3)
    {
        long rows = x.shape[0];
        var perClip = flops.Blocks.ToDictionary(b => b.Name, b => b.Total);
        var blocks = ModelBlocks.Of(model.Unet).Where(b => Timed(b.Kind) && b.Module is not null).ToList();
        using var captured = new Capture(blocks, training);
        using (no_grad()) model.Forward(x, t, text, drop).Dispose();
        captured.Stop();
        try
        {
            var result = new List<BlockTiming>();
            foreach (var (block, call, norms) in captured.InForwardOrder())
            {
                using var scope = NewDisposeScope();
                double seconds = Time(call, training, device, reps);
                double normSeconds = norms.Sum(n => Time(() => functional.silu(n.Norm.call(n.Input)), training, device, reps));
                result.Add(new BlockTiming(block.Name, block.Kind, seconds, perClip[block.Name] * rows * (training ? 3 : 1), normSeconds));
            }
            return result;
        }
        finally
        {
            if (training) model.zero_grad();
        }
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

    /// <summary>
    /// Pre-hooks on the blocks (and the GroupNorms of residual blocks) that keep a detached copy of the inputs of
    /// their first call; each block then replays as a call of the same module on those copies. With
    /// <c>training</c> the copied main input requires grad, so the backward computes the input's gradient too.
    /// </summary>
    sealed class Capture : IDisposable
    {
        readonly bool training;
        readonly List<Action> removeHooks = new();
        readonly List<Tensor> kept = new();
        readonly List<(ModelBlock Block, Func<Tensor> Call)> calls = new();     // in the order the forward ran them
        readonly Dictionary<string, List<(GroupNorm Norm, Tensor Input)>> norms = new();

        public Capture(IEnumerable<ModelBlock> blocks, bool training)
        {
            this.training = training;
            foreach (var block in blocks)
            {
                bool seen = false;
                void Once(Func<Tensor> call) { if (!seen) calls.Add((block, call)); seen = true; }
                switch (block.Module)
                {
                    case Module<Tensor, Tensor> m:                              // convs, resamplers, spatial attention: (x)
                        removeHooks.Add(m.register_forward_pre_hook((_, a) =>
                        {
                            if (!seen) { var x = Keep(a, main: true); Once(() => m.call(x)); }
                            return a;
                        }).remove);
                        break;
                    case Module<Tensor, Tensor, Tensor> m:                      // residual block (x, emb); temporal attention (x, focus)
                        removeHooks.Add(m.register_forward_pre_hook((_, a, b) =>
                        {
                            if (!seen) { var x = Keep(a, main: true); var y = b is null ? null : Keep(b); Once(() => m.call(x, y!)); }
                            return null;
                        }).remove);
                        break;
                    case Module<Tensor, Tensor, Tensor, Tensor> m:              // cross-attention (x, tokens, key bias)
                        removeHooks.Add(m.register_forward_pre_hook((_, a, b, c) =>
                        {
                            if (!seen) { var x = Keep(a, main: true); var y = Keep(b); var z = Keep(c); Once(() => m.call(x, y, z)); }
                            return null;
                        }).remove);
                        break;
                    default: continue;                                          // no replayable signature: not timed
                }
                if (block.Kind != BlockKind.Resnet) continue;
                var list = norms[block.Name] = new();
                foreach (var norm in block.Module!.modules().OfType<GroupNorm>())
                    removeHooks.Add(norm.register_forward_pre_hook((_, a) =>
                    {
                        if (!list.Any(n => ReferenceEquals(n.Norm, norm))) list.Add((norm, Keep(a, main: true)));
                        return a;
                    }).remove);
            }
        }

        public IEnumerable<(ModelBlock Block, Func<Tensor> Call, IReadOnlyList<(GroupNorm Norm, Tensor Input)> Norms)> InForwardOrder() =>
            calls.Select(c => (c.Block, c.Call, (IReadOnlyList<(GroupNorm, Tensor)>)(norms.GetValueOrDefault(c.Block.Name) ?? new())));

        /// <summary>Removes the hooks: the captured inputs stay until disposal.</summary>
        public void Stop()
        {
            foreach (var remove in removeHooks) remove();
            removeHooks.Clear();
        }

        public void Dispose()
        {
            Stop();
            foreach (var t in kept) t.Dispose();
        }

        Tensor Keep(Tensor t, bool main = false)
        {
            var copy = t.detach().clone();
            copy.DetachFromDisposeScope();   // outlives the forward's scopes
            if (main && training) copy.requires_grad_(true);
            kept.Add(copy);
            return copy;
        }
    }
}
