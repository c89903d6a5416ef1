using VidGen.Bench.Results;
using VidGen.Diffusion.Samplers;
using VidGen.Pipelines;

namespace VidGen.Bench;

/// <summary>
/// (c) Generation latency through the pipeline, one clip as `vidgen generate` makes it (guidance, so 2 rows per
/// network call; prompt encoding and conversion to frames included; model loaded and warmed up by a 2-step
/// generation): each sampler at 10 and 20 steps, dpm++2m also at 50, and the default at 16 frames.
/// MFU = network calls x 2 x forward FLOPs at that frame count / time / ceiling.
/// </summary>
internal static class GenerationStage
{
    public static IReadOnlyList<GenerationTiming> Run(BenchContext ctx)
    {
        ctx.Cancel.ThrowIfCancellationRequested();
        var cfg = ctx.Config;
        var pipeline = new TextToVideoPipeline(ctx.Model);
        pipeline.Generate(new GenerationRequest { Prompt = BenchRunner.Prompt, Steps = 2 }); // warm-up: first-call allocations
        var result = new List<GenerationTiming>();
        foreach (var (sampler, steps, frames, reps) in Grid(ctx.Quick, cfg.Frames))
        {
            ctx.Cancel.ThrowIfCancellationRequested();
            if (frames > cfg.Unet.MaxFrames) continue;
            var request = new GenerationRequest { Prompt = BenchRunner.Prompt, Seed = 1, Steps = steps, Sampler = sampler, Frames = frames, Extend = VidGen.Diffusion.ExtendMethod.None }; // one pass, as every committed result measured
            double s = Timing.Median(Timing.Repeat(() => pipeline.Generate(request), warmup: 0, reps, ctx.Device));
            int evals = Flops.ModelFlops.Evaluations(sampler, steps);
            double gflops = ctx.Flops(frames).Generation(1, evals, guided: true) / s / 1e9;
            result.Add(new GenerationTiming(Names.Sampler.Name(sampler), steps, frames, 1, evals, s, s / evals, gflops, ctx.Mfu(gflops)));
            ctx.Log($"(c) {Names.Sampler.Name(sampler)} x {steps}, {frames} frames: {s:F2} s ({s / evals * 1000:F1} ms per guided evaluation, MFU {ctx.Mfu(gflops):P1})");
        }
        return result;
    }

    /// <summary>(sampler, steps, frames, timed runs); the default setting (dpm++2m x 20) gets three runs in the full grid.</summary>
    static IEnumerable<(SamplerKind Sampler, int Steps, int Frames, int Reps)> Grid(bool quick, int frames)
    {
        if (quick)
        {
            yield return (SamplerKind.DpmSolverPP2M, 20, frames, 1);
            yield return (SamplerKind.DpmSolverPP2M, 20, 16, 1);
            yield break;
        }
        foreach (var s in new[] { SamplerKind.DpmSolverPP2M, SamplerKind.Ddim, SamplerKind.Euler, SamplerKind.Heun, SamplerKind.Ddpm })
            foreach (var n in new[] { 10, 20 })
                yield return (s, n, frames, s == SamplerKind.DpmSolverPP2M && n == 20 ? 3 : 1);
        yield return (SamplerKind.DpmSolverPP2M, 50, frames, 1);
        yield return (SamplerKind.DpmSolverPP2M, 20, 16, 3);
    }
}
