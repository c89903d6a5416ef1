using VidGen.Bench.Levers;
using VidGen.Bench.Results;
using VidGen.Data;
using VidGen.Pipelines;
using VidGen.Training;

namespace VidGen.Bench;

/// <summary>
/// (b) Training throughput: <see cref="Trainer.TrainStep"/> plus the EMA update, what one step of `vidgen train`
/// does (render the shapes-world batch, encode captions, forward, backward, clip, AdamW), on a freshly initialised
/// model of the benchmarked config (speed does not depend on the weights); median of the timed steps after a
/// warm-up. The batch's data part (rendering the clips and making the tensor) is timed alone too. Then the
/// micro-batch and threads levers on the same step.
/// </summary>
internal static class TrainingStage
{
    public static TrainingResult Run(BenchContext ctx)
    {
        ctx.Cancel.ThrowIfCancellationRequested();
        var (o, cfg, device) = (ctx.Options, ctx.Config, ctx.Device);
        var data = new ShapesTrainingClips(new ShapesWorld(cfg.Resolution, cfg.Frames, cfg.Fps));
        var trainOptions = new TrainOptions { BatchSize = o.TrainBatch, Steps = 1_000_000, CheckpointEvery = 0, Seed = 0 };
        using var trainer = new Trainer(cfg, data, trainOptions, Path.Combine(ctx.TempDir, "train"), device, latents: ctx.LoadLatents());
        trainer.Model.train();
        Action step = () => Step(trainer);

        int steps = ctx.Quick ? 1 : o.TrainSteps;
        double s = Timing.Median(Timing.Repeat(step, warmup: 1, steps, device));
        double gflops = ctx.Flops(cfg.Frames).TrainingPerClip * o.TrainBatch / s / 1e9;
        double dataSeconds = Timing.Median(Timing.Repeat(() =>
        {
            using var t = ClipTensors.ToTensor(Enumerable.Range(0, o.TrainBatch).Select(i => data.Clip(i).Video).ToList(), device);
        }, warmup: 1, 3, device));
        var result = new TrainingResult(o.TrainBatch, cfg.Frames, steps, s, o.TrainBatch / s, gflops, ctx.Mfu(gflops), ctx.Threads, dataSeconds);
        ctx.Log($"(b) training: batch {o.TrainBatch}, {s:F3} s/step ({dataSeconds * 1000:F0} ms of it making the batch), {result.VideosPerSecond:F1} videos/s, {gflops:F1} GFLOP/s, MFU {result.Mfu:P1}");

        if (o.Levers && !ctx.Quick)
        {
            // The same effective batch in micro-batches (gradient accumulation): smaller activations stay in cache.
            foreach (int micro in new[] { o.TrainBatch / 2, o.TrainBatch / 4 })
            {
                if (micro < 1 || o.TrainBatch % micro != 0) continue;
                var lever = new MicroBatchLever(trainer, data, trainOptions, micro, Path.Combine(ctx.TempDir, "train-accum"), device, ctx.LoadLatents);
                ctx.Levers.AddRange(LeverRunner.Run(new[] { lever }, warmup: 1, reps: Math.Min(steps, 3), device, ctx.Log));
            }
        }
        if (o.Levers && ctx.CanCompareThreads)
            ctx.Levers.AddRange(LeverRunner.Run(new[] { new ThreadsLever("threads: training step", ctx.Threads, step) }, warmup: 1, reps: ctx.Quick ? 1 : 2, device, ctx.Log));
        return result;
    }

    /// <summary>One optimizer step and the EMA update after it.</summary>
    public static void Step(Trainer trainer)
    {
        trainer.TrainStep();
        Ema.Update(trainer.EmaModel, trainer.Model, 0.999);
    }
}
