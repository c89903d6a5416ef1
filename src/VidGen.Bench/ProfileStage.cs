using VidGen.Bench.Results;
using VidGen.Models;
using static TorchSharp.torch;

namespace VidGen.Bench;

/// <summary>
/// The profile: the whole forward over 2 rows (one guided clip) and forward + backward over the training batch,
/// each against its blocks timed alone (<see cref="BlockProfile"/>), summed per kind; then the forward at several
/// row counts with its MFU and a least-squares line time = fixed + per-row x rows.
/// </summary>
internal static class ProfileStage
{
    public static ProfileResult Run(BenchContext ctx)
    {
        ctx.Cancel.ThrowIfCancellationRequested();
        var (model, o, device) = (ctx.Model, ctx.Options, ctx.Device);
        int frames = ctx.Config.Frames, reps = ctx.Quick ? 1 : 3;
        var flops = ctx.Flops(frames);
        model.eval();
        // Inference at the default generation's shape: one clip, guided, so 2 rows.
        double inferWhole;
        IReadOnlyList<BlockTiming> inferBlocks;
        using (var inputs = new ForwardInputs(model, 2, frames, device))
        {
            inferWhole = TimeForward(model, inputs, reps * 3, device);
            inferBlocks = BlockProfile.Run(model, flops, inputs.X, inputs.T, inputs.Text, inputs.Drop, training: false, device, reps * 3);
        }
        // Training at the training batch: forward + backward through the whole model (text encoder included).
        double trainWhole;
        IReadOnlyList<BlockTiming> trainBlocks;
        using (var inputs = new ForwardInputs(model, o.TrainBatch, frames, device))
        {
            trainWhole = TimeTrainPass(model, inputs, reps, device);
            trainBlocks = BlockProfile.Run(model, flops, inputs.X, inputs.T, inputs.Text, inputs.Drop, training: true, device, reps);
        }

        var rows = new List<RowScaling>();
        foreach (int r in ctx.Quick ? new[] { 2, 8 } : new[] { 2, 4, 8, 16, 32 })
        {
            using var inputs = new ForwardInputs(model, r, frames, device);
            double s = TimeForward(model, inputs, reps, device);
            double gflops = r * flops.UnetForward / s / 1e9;
            rows.Add(new RowScaling(r, s, gflops, ctx.Mfu(gflops)));
        }
        var (a, b) = LeastSquares(rows.Select(r => (double)r.Rows).ToArray(), rows.Select(r => r.Seconds).ToArray());
        ctx.Log($"profile: forward over 2 rows {inferWhole * 1000:F1} ms (blocks alone {inferBlocks.Sum(x => x.Seconds) * 1000:F1} ms); training fwd+bwd over {o.TrainBatch} rows {trainWhole:F3} s (blocks {trainBlocks.Sum(x => x.Seconds):F3} s); forward time ~ {a * 1000:F1} ms + {b * 1000:F2} ms per row");
        return new ProfileResult(frames, 2, inferWhole, inferBlocks.Sum(x => x.Seconds), ByKind(inferBlocks),
            o.TrainBatch, trainWhole, trainBlocks.Sum(x => x.Seconds), ByKind(trainBlocks), rows, a, b, inferBlocks, trainBlocks);
    }

    /// <summary>Least-squares line y = a + b x.</summary>
    public static (double A, double B) LeastSquares(double[] x, double[] y)
    {
        if (x.Length != y.Length || x.Length < 2) throw new ArgumentException("need at least two points");
        double mx = x.Average(), my = y.Average();
        double sxy = x.Zip(y).Sum(p => (p.First - mx) * (p.Second - my)), sxx = x.Sum(v => (v - mx) * (v - mx));
        double b = sxx == 0 ? 0 : sxy / sxx;
        return (my - b * mx, b);
    }

    static List<KindTime> ByKind(IReadOnlyList<BlockTiming> blocks)
    {
        double total = blocks.Sum(b => b.Seconds);
        return blocks.GroupBy(b => b.Kind)
            .Select(g => new KindTime(g.Key.ToString(), g.Count(), g.Sum(b => b.Seconds), g.Sum(b => b.Seconds) / total, g.Sum(b => b.Flops),
                g.Sum(b => b.Flops) / g.Sum(b => b.Seconds) / 1e9, g.Sum(b => b.NormSiluSeconds)))
            .OrderByDescending(k => k.Seconds).ToList();
    }

    static double TimeForward(VideoDiffusionModel model, ForwardInputs inputs, int reps, Device device) =>
        Timing.Median(Timing.Repeat(() => inputs.Forward(model), warmup: 1, reps, device));

    /// <summary>Forward and backward over the inputs' rows with the model's weights (text encoded inside, as in training).</summary>
    static double TimeTrainPass(VideoDiffusionModel model, ForwardInputs inputs, int reps, Device device)
    {
        model.train();
        try
        {
            using var scope = NewDisposeScope();
            var grad = randn(inputs.X.shape, device: device);
            return Timing.Median(Timing.Repeat(() => inputs.TrainPass(model, grad), warmup: 1, reps, device));
        }
        finally
        {
            model.zero_grad();
            model.eval();
        }
    }
}
