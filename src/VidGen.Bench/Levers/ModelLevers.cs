using TorchSharp;
using VidGen.Models;
using VidGen.Text;
using VidGen.Training;

namespace VidGen.Bench.Levers;

/// <summary>
/// The levers measured on the benchmarked model at the end of a run, each group against its baseline in the
/// same process: the temporal kernels (guided forward and training pass), threads, batched guidance, bf16 single
/// ops and the bf16 model, and other networks (two spatial-attention layouts, no frame conditioning).
/// </summary>
internal static class ModelLevers
{
    public static void Run(BenchContext ctx)
    {
        ctx.Cancel.ThrowIfCancellationRequested();
        var (model, o, cfg, device) = (ctx.Model, ctx.Options, ctx.Config, ctx.Device);
        int frames = cfg.Frames;
        model.eval();
        void Measure(IReadOnlyList<Lever> group, int reps) => ctx.Levers.AddRange(LeverRunner.Run(group, warmup: 1, reps, device, ctx.Log));

        using var guided = new ForwardInputs(model, 2, frames, device);

        // Kernel choices that keep the model's maths and keys, against the plain modules; all settings of one pass
        // interleaved (they share its baseline), outputs compared for the forward.
        var shipped = model.Kernels;
        var settings = new (string Label, KernelOptions Kernels)[]
        {
            ("temporal conv as Conv2d only", KernelOptions.Plain with { TemporalConvAs2d = true }),
            ("packed to 16 tokens only", KernelOptions.Plain with { PackTemporalTokens = 16 }),
            ("packed to 32 tokens only", KernelOptions.Plain with { PackTemporalTokens = 32 }),
            ("packed to 64 tokens only", KernelOptions.Plain with { PackTemporalTokens = 64 }),
            ($"both, as shipped (packed to {shipped.PackTemporalTokens} tokens, Conv2d)", shipped),
        };
        using (var forward = new TemporalKernelLever.Pass(guided, training: false))
            Measure(settings.Select((s, i) => new TemporalKernelLever(model, forward, s.Label, s.Kernels, shipped: i == settings.Length - 1)).ToList(), ctx.Quick ? 2 : 15);
        using (var train = new ForwardInputs(model, o.TrainBatch, frames, device))
        using (var pass = new TemporalKernelLever.Pass(train, training: true))
            Measure(new[] { 0, 1, settings.Length - 1 }.Select(i => new TemporalKernelLever(model, pass, settings[i].Label, settings[i].Kernels, shipped: i == settings.Length - 1)).ToList(), ctx.Quick ? 1 : 3);

        int n = ctx.Quick ? 2 : 9;
        if (ctx.CanCompareThreads) Measure(new[] { new ThreadsLever("threads: guided forward (2 rows)", ctx.Threads, () => guided.Forward(model)) }, n);
        Measure(new[] { new BatchedGuidanceLever(model, guided) }, n);
        // bf16 single ops: the U-Net's bulk is 1x3x3 convs (at its first level's width and side); and a matmul.
        Measure(new[] { new Bf16ConvLever(cfg.Unet.Dim, frames, cfg.DiffusionResolution / cfg.Unet.PatchSize, device) }, n);
        Measure(new[] { new Bf16MatmulLever(512, device) }, n);

        // A second model needs the built-in encoder's vocabulary to be built: skipped for pretrained encoders.
        if (cfg.Text.Kind != TextEncoderKind.Builtin || model.Tokenizer is not WordTokenizer words) return;
        using (var bf16 = new VideoDiffusionModel(cfg, words))
        {
            Ema.CopyWeights(bf16, model);
            bf16.to(device);
            bf16.to(TorchSharp.torch.ScalarType.BFloat16);
            bf16.eval();
            foreach (int rows in ctx.Quick ? new[] { 2 } : new[] { 2, 2 * o.DdpmClips })
                Measure(new[] { new Bf16ModelLever(model, bf16, rows, frames, device) }, n);
        }

        // Other networks, speed only. Spatial attention: the trained model keeps full attention at 8 px. Frame
        // conditioning: what the per-frame text path costs a forward.
        const string layout = "trained layout (full attention at <= 8 px)";
        var variants = new List<(string Lever, string Baseline, string Name, Unet3DConfig Unet)>
        {
            ("attention", layout, "linear spatial attention at 8 px (full only at 4 px)", cfg.Unet with { FullAttentionMaxResolution = cfg.Unet.FullAttentionMaxResolution / 2 }),
            ("attention", layout, "no spatial attention at 8 px (only at 4 px)", cfg.Unet with { SpatialAttentionMaxResolution = cfg.Unet.SpatialAttentionMaxResolution / 2 }),
        };
        if (cfg.Unet.FrameConditioning)
            variants.Add(("frame conditioning", "trained network (with frame conditioning)", "the same without frame conditioning", cfg.Unet with { FrameConditioning = false }));
        foreach (var (lever, baseline, name, unet) in variants)
            Measure(new[] { new NetworkVariantLever(lever, baseline, name, model, guided, unet, words) }, n);
    }
}
