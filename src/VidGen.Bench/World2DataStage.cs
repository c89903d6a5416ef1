using System.Diagnostics;
using VidGen.Bench.Results;
using VidGen.Data.World2;
using VidGen.Pipelines;

namespace VidGen.Bench;

/// <summary>
/// (g) The second world's data cost, at its own size (64x64, 16 frames): the data part of a training step
/// (<see cref="BenchOptions.TrainBatch"/> clips of World2TrainingClips on one thread, then ClipTensors.ToTensor, as
/// <c>Trainer.TrainStep</c> makes its batch; the same batch as stage (b), so the two compare) and 10,000 training clips rendered on every core
/// (<see cref="GenerationSpeed.Measure"/>; a quick run renders <see cref="QuickClips"/> and scales the time).
/// Needs the emoji font: without it the stage is skipped with a line saying so, except under CI=true, where
/// .ci/run installs the font and a missing one must fail rather than pass unmeasured.
/// </summary>
internal static class World2DataStage
{
    public const int QuickClips = 400;

    public static World2DataResult? Run(BenchContext ctx)
    {
        ctx.Cancel.ThrowIfCancellationRequested();
        var o = ctx.Options;
        bool ci = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
        if (!ci && !EmojiFont.IsInstalled(o.EmojiFont))
        {
            ctx.Log($"(g) world2 data: skipped: no emoji font at {EmojiFont.ResolvePath(o.EmojiFont)} (apt-get install {EmojiFont.Package}, or --emoji-font PATH)");
            return null;
        }
        var world = new CompositionalWorld(ObjectArt.Load(o.EmojiFont));
        var data = new World2TrainingClips(world);
        long next = 0; // each step draws new clips, as training does
        int steps = ctx.Quick ? 2 : 10;
        var (render, total) = (new double[steps], new double[steps]);
        for (int r = -1; r < steps; r++) // one warm-up step
        {
            var clock = Stopwatch.StartNew();
            var clips = new List<Media.Video>(o.TrainBatch);
            for (int i = 0; i < o.TrainBatch; i++) clips.Add(data.Clip(next++).Video);
            double drawn = clock.Elapsed.TotalSeconds;
            using (var batch = ClipTensors.ToTensor(clips, ctx.Device)) Timing.Sync(ctx.Device);
            if (r >= 0) (render[r], total[r]) = (drawn, clock.Elapsed.TotalSeconds);
        }
        double step = Timing.Median(total), rendering = Timing.Median(render);
        ctx.Cancel.ThrowIfCancellationRequested();
        var m = GenerationSpeed.Measure(world, ctx.Quick ? QuickClips : GenerationSpeed.TargetClips, batch: o.TrainBatch);
        var result = new World2DataResult(o.TrainBatch, world.Resolution, world.Frames, steps, step, rendering, m.Clips, m.Threads, m.Seconds, m.SecondsFor10000);
        ctx.Log($"(g) world2 data: {step * 1000:F1} ms per training step, {rendering * 1000:F1} ms of it drawing the clips (batch {o.TrainBatch} of {world.Resolution}x{world.Resolution}, {world.Frames} frames, one thread); " +
            $"{m.Clips} clips in {m.Seconds:F2} s on {m.Threads} threads: {m.SecondsFor10000:F1} s for {GenerationSpeed.TargetClips:N0}");
        return result;
    }
}
