using System.Diagnostics;
using System.Globalization;
using TorchSharp;
using VidGen.Data;
using VidGen.Diffusion.Samplers;
using VidGen.Evaluation;
using VidGen.Models;
using VidGen.Pipelines;
using VidGen.Text;
using VidGen.Training;
using static TorchSharp.torch;

namespace VidGen.Bench;

/// <summary>How to start the `vidgen` command line in a child process (for peak memory): a program and the arguments before the command name.</summary>
public sealed record ChildCommand(string FileName, IReadOnlyList<string> Prefix);

public sealed record BenchOptions
{
    /// <summary>Model folder; null benchmarks an untrained <c>new ModelConfig()</c> (speed only: fidelity is then meaningless).</summary>
    public string? ModelDir { get; init; }
    /// <summary>Fewer repetitions, a smaller grid, DDPM over <see cref="QuickDdpmSteps"/> steps on 2 clips: a smoke run, not the numbers.</summary>
    public bool Quick { get; init; }
    /// <summary>Clips (different prompts, one batch) for the DDPM-1000 vs fast-sampler comparison.</summary>
    public int DdpmClips { get; init; } = 8;
    public int DdpmSteps { get; init; } = 1000;
    /// <summary>Clips for the fast sampler's own, larger fidelity estimate (0 = skip).</summary>
    public int FastClips { get; init; } = 32;
    public int FastSteps { get; init; } = 20;
    public SamplerKind FastSampler { get; init; } = SamplerKind.DpmSolverPP2M;
    public int TrainBatch { get; init; } = 16;
    public int TrainSteps { get; init; } = 4;
    /// <summary>Seed of the recipe comparison's starting noise (and of each later batch: seed + first clip index).</summary>
    public long Seed { get; init; }
    public Device? Device { get; init; }
    /// <summary>How to run `vidgen` for the peak-memory children; null skips (e).</summary>
    public ChildCommand? Cli { get; init; }
    public bool Levers { get; init; } = true;
    public bool Profile { get; init; } = true;
    public string Name { get; init; } = "bench";
    public string CommandLine { get; init; } = "";

    public const int QuickDdpmSteps = 50;

    public void Validate()
    {
        if (DdpmClips < 1 || DdpmClips > 64) throw new ArgumentException($"--ddpm-clips must be between 1 and 64 (got {DdpmClips})");
        if (DdpmSteps < 1 || DdpmSteps > 1000) throw new ArgumentException($"--ddpm-steps must be between 1 and 1000 (got {DdpmSteps})");
        if (FastClips < 0 || FastClips > 1024) throw new ArgumentException($"--fast-clips must be between 0 and 1024 (got {FastClips})");
        if (TrainBatch < 1 || TrainBatch > 256) throw new ArgumentException($"--train-batch must be between 1 and 256 (got {TrainBatch})");
        if (TrainSteps < 1 || TrainSteps > 100) throw new ArgumentException($"--train-steps must be between 1 and 100 (got {TrainSteps})");
    }
}

/// <summary>
/// Issue #8's benchmark, in one process: (a) the fp32 matmul ceiling, (b) training throughput and MFU, (c)
/// generation latency per sampler and step count, (d) DDPM-1000 against the default fast sampler with prompt
/// fidelity, (e) peak RSS of `vidgen generate` and `vidgen train` (child processes), then a per-block profile and
/// the levers, each against a baseline measured in the same process.
/// </summary>
public static class BenchRunner
{
    public const string Prompt = "a small red circle moving left";

    public static BenchReport Run(BenchOptions o, Action<string>? log = null, CancellationToken cancel = default)
    {
        o.Validate();
        log ??= _ => { };
        var started = DateTime.UtcNow;
        var clock = Stopwatch.StartNew();
        var device = o.Device ?? CPU;
        int threads = get_num_threads();
        var temp = Path.Combine(Path.GetTempPath(), "vidgen-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(temp);
        try
        {
            var machine = MachineInfo.Describe(device);
            log($"machine: {machine.Cpu}, {machine.LogicalCores} cores, libtorch {machine.Libtorch} with {threads} threads, {machine.Device}");

            // The model: a folder, or an untrained default written to a temp folder so child processes can load it.
            VideoDiffusionModel model;
            string modelDir, source;
            string? trainedSteps = null;
            if (o.ModelDir is null)
            {
                var config = new ModelConfig();
                manual_seed(0);
                model = new VideoDiffusionModel(config, WordTokenizer.FromCaptions(ShapesWorld.AllSpecs().Select(s => s.Caption), config.Text.MaxLength));
                modelDir = Path.Combine(temp, "untrained");
                Checkpoint.Save(modelDir, model);
                model.to(device);
                source = "untrained new ModelConfig() (random weights: speed only)";
            }
            else
            {
                modelDir = o.ModelDir;
                model = Checkpoint.Load(modelDir, device);
                source = DisplayPath(modelDir);
                var meta = Safetensors.ReadMetadata(Path.Combine(modelDir, Checkpoint.WeightsFile));
                trainedSteps = meta.TryGetValue("step", out var st) ? st : null;
            }
            using var _model = model;
            var cfg = model.Config;
            var modelSummary = new ModelSummary(source, o.ModelDir is not null, trainedSteps, model.ParameterCount(), cfg.Frames, cfg.Resolution, cfg.Unet);
            log($"model: {source}{(trainedSteps is null ? "" : $" (step {trainedSteps})")}, {modelSummary.Parameters / 1e6:F2}M parameters");

            double unetF = ModelFlops.UnetForward(cfg, cfg.Frames);
            var perBlock = ModelFlops.PerBlock(cfg, cfg.Frames).Where(b => b.Block.Kind != BlockKind.TextEncoder).ToList();
            var share = new Dictionary<string, double>();
            foreach (var b in perBlock) share[Kind(b.Block.Kind)] = share.GetValueOrDefault(Kind(b.Block.Kind)) + b.Total / unetF;
            foreach (var (name, pick) in new (string, Func<BlockFlops, double>)[] { ("(all) convolutions", b => b.Conv), ("(all) linear layers", b => b.Linear), ("(all) attention matmuls", b => b.Attention) })
                share[name] = perBlock.Sum(pick) / unetF;
            var flops = new FlopSummary(unetF, ModelFlops.TextForward(cfg), ModelFlops.TrainingPerClip(cfg), share,
                "analytic from the config (ModelFlops): 2*Cin*Cout*kernel per conv output, 2*in*out per linear token, 4*keys*inner per attention query; norms and activations not counted; training = 3x forward");
            log($"FLOPs: U-Net forward {unetF / 1e9:F3} GFLOP per {cfg.Frames}-frame clip, training {flops.TrainingPerClip / 1e9:F3} GFLOP per clip");
            var levers = new List<LeverResult>();

            // (a) ceiling
            cancel.ThrowIfCancellationRequested();
            int reps = o.Quick ? 2 : 5;
            var matmul = Ceiling.Matmul(device, 2048, reps);
            Rate? matmul1 = null;
            if (device.type == DeviceType.CPU && threads > 1)
            {
                set_num_threads(1);
                try { matmul1 = Ceiling.Matmul(device, 2048, o.Quick ? 1 : 3); }
                finally { set_num_threads(threads); }
            }
            var gemm = Ceiling.GemmAsConv(device, 2048, reps);
            var conv = Ceiling.Conv1x3x3(device, reps: reps);
            double ceiling = matmul.BestGflops;
            log($"(a) matmul ceiling {ceiling:F1} GFLOP/s ({threads} threads){(matmul1 is null ? "" : $", {matmul1.BestGflops:F1} on 1 thread")}; same GEMM through oneDNN {gemm.BestGflops:F1}; Conv3d 1x3x3 fwd+bwd {conv.BestGflops:F1} GFLOP/s");
            if (matmul1 is not null)
                levers.Add(new LeverResult("threads: fp32 matmul 2048^3", $"{threads} threads", "1 thread", 1 / matmul.BestGflops, 1 / matmul1.BestGflops, null, "libtorch's default (one thread per core) kept"));
            double Mfu(double gflops) => gflops / ceiling;

            // (b) training
            cancel.ThrowIfCancellationRequested();
            TrainingResult training;
            {
                var data = new ShapesTrainingClips(new ShapesWorld(cfg.Resolution, cfg.Frames, cfg.Fps));
                var trainOptions = new TrainOptions { BatchSize = o.TrainBatch, Steps = 1_000_000, CheckpointEvery = 0, Seed = 0 };
                using var trainer = new Trainer(cfg, data, trainOptions, Path.Combine(temp, "train"), device);
                trainer.Model.train();
                void Step()
                {
                    trainer.TrainStep();
                    Ema.Update(trainer.EmaModel, trainer.Model, 0.999);
                }
                int steps = o.Quick ? 1 : o.TrainSteps;
                var times = Timing.Repeat(Step, warmup: 1, steps, device);
                double s = Timing.Median(times);
                double gflops = flops.TrainingPerClip * o.TrainBatch / s / 1e9;
                double dataSeconds = Timing.Median(Timing.Repeat(() =>
                {
                    using var t = ClipTensors.ToTensor(Enumerable.Range(0, o.TrainBatch).Select(i => data.Clip(i).Video).ToList(), device);
                }, warmup: 1, 3, device));
                training = new TrainingResult(o.TrainBatch, cfg.Frames, steps, s, o.TrainBatch / s, gflops, Mfu(gflops), threads, dataSeconds);
                log($"(b) training: batch {o.TrainBatch}, {s:F3} s/step ({dataSeconds * 1000:F0} ms of it making the batch), {training.VideosPerSecond:F1} videos/s, {gflops:F1} GFLOP/s, MFU {training.Mfu:P1}");
                if (o.Levers && !o.Quick)
                {
                    // Same effective batch in micro-batches (gradient accumulation): smaller activations stay in cache.
                    foreach (int micro in new[] { o.TrainBatch / 2, o.TrainBatch / 4 })
                    {
                        if (micro < 1 || o.TrainBatch % micro != 0) continue;
                        var accumOptions = trainOptions with { BatchSize = micro, GradAccumulation = o.TrainBatch / micro };
                        using var accum = new Trainer(cfg, data, accumOptions, Path.Combine(temp, "train-accum"), device);
                        accum.Model.train();
                        double sa = Timing.Median(Timing.Repeat(() => { accum.TrainStep(); Ema.Update(accum.EmaModel, accum.Model, 0.999); }, warmup: 1, Math.Min(steps, 3), device));
                        levers.Add(new LeverResult($"training micro-batches: {o.TrainBatch} clips per step as {o.TrainBatch / micro} x {micro}", $"1 x {o.TrainBatch}", $"{o.TrainBatch / micro} x {micro} (--grad-accum)", s, sa, null,
                            sa < s ? $"faster: train with --batch {micro} --grad-accum {o.TrainBatch / micro}" : "slower: one batch kept"));
                        log($"    lever micro-batches: {o.TrainBatch / micro} x {micro}: {sa:F3} s/step against {s:F3}");
                    }
                }
                if (o.Levers && device.type == DeviceType.CPU && threads > 1)
                {
                    set_num_threads(1);
                    try
                    {
                        double s1 = Timing.Median(Timing.Repeat(Step, warmup: 1, o.Quick ? 1 : 2, device));
                        levers.Add(new LeverResult("threads: training step", $"{threads} threads", "1 thread", s, s1, null, "libtorch's default kept"));
                        log($"    lever threads: training step {s:F3} s with {threads} threads, {s1:F3} s with 1");
                    }
                    finally { set_num_threads(threads); }
                }
            }

            // (c) generation latency through the pipeline, one clip as `vidgen generate` makes it.
            cancel.ThrowIfCancellationRequested();
            var pipeline = new TextToVideoPipeline(model);
            pipeline.Generate(new GenerationRequest { Prompt = Prompt, Steps = 2 }); // warm-up: first-call allocations
            var grid = new List<(SamplerKind Sampler, int Steps, int Frames, int Reps)>();
            if (o.Quick)
            {
                grid.Add((SamplerKind.DpmSolverPP2M, 20, cfg.Frames, 1));
                grid.Add((SamplerKind.DpmSolverPP2M, 20, 16, 1));
            }
            else
            {
                foreach (var s in new[] { SamplerKind.DpmSolverPP2M, SamplerKind.Ddim, SamplerKind.Euler, SamplerKind.Heun, SamplerKind.Ddpm })
                    foreach (var n in new[] { 10, 20 })
                        grid.Add((s, n, cfg.Frames, s == SamplerKind.DpmSolverPP2M && n == 20 ? 3 : 1));
                grid.Add((SamplerKind.DpmSolverPP2M, 50, cfg.Frames, 1));
                grid.Add((SamplerKind.DpmSolverPP2M, 20, 16, 3));
            }
            var generation = new List<GenerationTiming>();
            foreach (var (sampler, steps, frames, n) in grid)
            {
                cancel.ThrowIfCancellationRequested();
                if (frames > cfg.Unet.MaxFrames) continue;
                var request = new GenerationRequest { Prompt = Prompt, Seed = 1, Steps = steps, Sampler = sampler, Frames = frames };
                double s = Timing.Median(Timing.Repeat(() => pipeline.Generate(request), warmup: 0, n, device));
                int evals = ModelFlops.Evaluations(sampler, steps);
                double gflops = ModelFlops.Generation(cfg, frames, 1, evals, guided: true) / s / 1e9;
                generation.Add(new GenerationTiming(Sampler.Name(sampler), steps, frames, 1, evals, s, s / evals, gflops, Mfu(gflops)));
                log($"(c) {Sampler.Name(sampler)} x {steps}, {frames} frames: {s:F2} s ({s / evals * 1000:F1} ms per guided evaluation, MFU {Mfu(gflops):P1})");
            }

            // (d) the original's recipe against the fast sampler, same prompts, noise and batch.
            cancel.ThrowIfCancellationRequested();
            RecipeComparison recipe;
            {
                int clips = o.Quick ? Math.Min(o.DdpmClips, 2) : o.DdpmClips;
                int ddpmSteps = o.Quick ? Math.Min(o.DdpmSteps, BenchOptions.QuickDdpmSteps) : o.DdpmSteps;
                var prompts = MultiPromptSampling.Prompts(clips);
                var ddpm = Fidelity(model, prompts, SamplerKind.Ddpm, ddpmSteps, clips, o.Seed, device, cancel);
                log($"(d) ddpm x {ddpmSteps} on {clips} clips: {ddpm.Seconds:F1} s, all attributes {Pct(ddpm.Overall.All)}");
                var fast = Fidelity(model, prompts, o.FastSampler, o.FastSteps, clips, o.Seed, device, cancel);
                log($"(d) {fast.Sampler} x {o.FastSteps} on the same clips: {fast.Seconds:F2} s, all attributes {Pct(fast.Overall.All)}");
                SamplerFidelity? larger = null;
                int fastClips = o.Quick ? 0 : o.FastClips;
                if (fastClips > 0)
                {
                    larger = Fidelity(model, MultiPromptSampling.Prompts(fastClips), o.FastSampler, o.FastSteps, clips, o.Seed, device, cancel);
                    log($"(d) {larger.Sampler} x {o.FastSteps} on {fastClips} clips: {larger.Seconds:F1} s, all attributes {Pct(larger.Overall.All)}");
                }
                var pairs = ddpm.ClipCorrect.Zip(fast.ClipCorrect).ToList();
                recipe = new RecipeComparison(ddpm, fast, ddpm.Seconds / fast.Seconds, (fast.Overall.All ?? 0) >= (ddpm.Overall.All ?? 0), larger,
                    pairs.Count(p => p.First && p.Second), pairs.Count(p => p.First && !p.Second), pairs.Count(p => !p.First && p.Second));
            }

            // (e) peak memory of whole commands, as a user runs them.
            var memory = new List<MemoryRun>();
            if (o.Cli is not null && PeakMemory.Supported)
            {
                string gif = Path.Combine(temp, "gen.gif");
                var runs = new List<(string Label, string[] Args)>
                {
                    ($"vidgen generate (dpm++2m x 20, {cfg.Frames} frames)", new[] { "generate", Prompt, "--model", modelDir, "--seed", "1", "--out", gif }),
                    ("vidgen generate --frames 16", new[] { "generate", Prompt, "--model", modelDir, "--seed", "1", "--frames", "16", "--out", gif }),
                    ($"vidgen train (default preset, batch {o.TrainBatch}, 3 steps)", new[] { "train", "--out", Path.Combine(temp, "train-child"), "--steps", "3", "--batch", o.TrainBatch.ToString(CultureInfo.InvariantCulture), "--warmup", "1", "--checkpoint-every", "0", "--resolution", cfg.Resolution.ToString(CultureInfo.InvariantCulture), "--frames", cfg.Frames.ToString(CultureInfo.InvariantCulture) }),
                };
                if (o.Quick) runs.RemoveAt(1);
                foreach (var (label, args) in runs)
                {
                    cancel.ThrowIfCancellationRequested();
                    try
                    {
                        var run = PeakMemory.Run(o.Cli.FileName, o.Cli.Prefix.Concat(args).ToList(), TimeSpan.FromMinutes(5));
                        memory.Add(new MemoryRun(label, run.Command, run.ExitCode, run.PeakRssMiB, run.WallSeconds, run.Samples, run.ExitCode == 0 ? null : run.OutputTail));
                        log($"(e) {label}: peak RSS {run.PeakRssMiB:F0} MiB, {run.WallSeconds:F1} s wall, exit {run.ExitCode}");
                    }
                    catch (Exception e) when (e is TimeoutException or System.ComponentModel.Win32Exception or InvalidOperationException)
                    {
                        memory.Add(new MemoryRun(label, string.Join(' ', args), -1, 0, 0, 0, e.Message));
                        log($"(e) {label}: {e.Message}");
                    }
                }
            }

            // Profile and levers.
            ProfileResult? profile = null;
            if (o.Profile)
            {
                cancel.ThrowIfCancellationRequested();
                profile = Profile(model, o, device, ceiling, log);
            }
            if (o.Levers)
            {
                cancel.ThrowIfCancellationRequested();
                levers.AddRange(Levers(model, o, device, threads, log));
            }

            var targets = Targets(training, generation, recipe, memory, cfg);
            return new BenchReport(o.Name, started, clock.Elapsed.TotalSeconds, o.CommandLine, machine, modelSummary, flops,
                new CeilingResult(matmul, matmul1, gemm, conv), training, generation, recipe, memory, profile, levers, targets);
        }
        finally
        {
            set_num_threads(threads);
            try { Directory.Delete(temp, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    static string Pct(double? v) => v is { } x ? (x * 100).ToString("F1", CultureInfo.InvariantCulture) + "%" : "-";
    static string Kind(BlockKind k) => k.ToString();

    /// <summary>Generates the prompts' clips in batches of <paramref name="batch"/> (one batch per call, different prompts) and scores them.</summary>
    static SamplerFidelity Fidelity(VideoDiffusionModel model, IReadOnlyList<EvalPrompt> prompts, SamplerKind sampler, int steps, int batch, long seed, Device device, CancellationToken cancel)
    {
        var clips = new List<Media.Video>();
        double seconds = 0;
        for (int start = 0; start < prompts.Count; start += batch)
        {
            var chunk = prompts.Skip(start).Take(batch).Select(p => p.Text).ToList();
            var settings = new GenerationRequest { Prompt = chunk[0], Seed = seed + start, Steps = steps, Sampler = sampler };
            Media.Video[] videos = Array.Empty<Media.Video>();
            seconds += Timing.Once(() => videos = MultiPromptSampling.Generate(model, chunk, settings, cancel), device);
            clips.AddRange(videos);
        }
        var settingsText = new Dictionary<string, string> { ["sampler"] = Sampler.Name(sampler), ["steps"] = steps.ToString(CultureInfo.InvariantCulture), ["guidance"] = "4", ["batch"] = batch.ToString(CultureInfo.InvariantCulture) };
        var report = MultiPromptSampling.Score(prompts, clips, seed, "bench", settingsText);
        return new SamplerFidelity(Sampler.Name(sampler), steps, clips.Count, batch, seconds, seconds / clips.Count,
            report.Seen, report.HeldOut, report.Overall, report.ClipScores.Select(c => c.AllCorrect).ToList());
    }

    /// <summary>Guided inputs for a forward over <paramref name="rows"/> rows (half conditional, half null text).</summary>
    sealed class ForwardInputs : IDisposable
    {
        public Tensor X = null!, T = null!, Drop = null!;
        public TextCondition Text = null!;
        readonly DisposeScope scope;

        public ForwardInputs(VideoDiffusionModel model, int rows, int frames, Device device, ScalarType dtype = ScalarType.Float32)
        {
            scope = NewDisposeScope();
            using (no_grad())
            {
                var cfg = model.Config;
                var gen = new Generator(1234, CPU);
                X = randn(new long[] { rows, cfg.Unet.Channels, frames, cfg.Resolution, cfg.Resolution }, generator: gen).to(device).to_type(dtype);
                T = full(rows, 500f, device: device);
                var prompts = Enumerable.Range(0, rows).Select(i => i < (rows + 1) / 2 ? Prompt : "").ToList();
                var text = model.EncodeText(prompts);
                Text = new TextCondition(text.Tokens.to_type(dtype), text.Mask, text.Pooled.to_type(dtype));
                Drop = arange(rows, device: device) >= (rows + 1) / 2;
            }
            scope.Detach(X, T, Drop, Text.Tokens, Text.Mask, Text.Pooled);
            scope.Dispose();
        }

        public void Dispose() { X.Dispose(); T.Dispose(); Drop.Dispose(); Text.Tokens.Dispose(); Text.Mask.Dispose(); Text.Pooled.Dispose(); }
    }

    static double TimeForward(VideoDiffusionModel model, ForwardInputs inputs, int reps, Device device) =>
        Timing.Median(Timing.Repeat(() =>
        {
            using var ng = no_grad();
            using var y = model.Forward(inputs.X, inputs.T, inputs.Text, inputs.Drop);
        }, warmup: 1, reps, device));

    /// <summary>Forward and backward over the inputs' rows with the model's weights (text encoded inside, as in training).</summary>
    static double TimeTrainPass(VideoDiffusionModel model, ForwardInputs inputs, int reps, Device device)
    {
        model.train();
        try
        {
            using var scope = NewDisposeScope();
            var grad = randn(inputs.X.shape, device: device);
            int rows = (int)inputs.X.shape[0];
            return Timing.Median(Timing.Repeat(() =>
            {
                using var inner = NewDisposeScope();
                var text = model.EncodeText(Enumerable.Repeat(Prompt, rows).ToList());
                var y = model.Forward(inputs.X, inputs.T, text, inputs.Drop);
                autograd.backward(y, grad);
            }, warmup: 1, reps, device));
        }
        finally
        {
            model.zero_grad();
            model.eval();
        }
    }

    static Tensor Output(VideoDiffusionModel model, ForwardInputs inputs)
    {
        using var ng = no_grad();
        return model.Forward(inputs.X, inputs.T, inputs.Text, inputs.Drop);
    }

    static ProfileResult Profile(VideoDiffusionModel model, BenchOptions o, Device device, double ceiling, Action<string> log)
    {
        var cfg = model.Config;
        int frames = cfg.Frames, reps = o.Quick ? 1 : 3;
        model.eval();
        // Inference at the default generation's shape: one clip, guided, so 2 rows.
        double inferWhole;
        using (var inputs = new ForwardInputs(model, 2, frames, device)) inferWhole = TimeForward(model, inputs, reps * 3, device);
        var inferBlocks = BlockProfile.Run(cfg, 2, frames, training: false, device, reps * 3);
        // Training at the training batch: forward + backward through the whole model (text encoder included).
        double trainWhole;
        using (var inputs = new ForwardInputs(model, o.TrainBatch, frames, device)) trainWhole = TimeTrainPass(model, inputs, reps, device);
        var trainBlocks = BlockProfile.Run(cfg, o.TrainBatch, frames, training: true, device, reps);

        var rows = new List<RowScaling>();
        foreach (int r in o.Quick ? new[] { 2, 8 } : new[] { 2, 4, 8, 16, 32 })
        {
            using var inputs = new ForwardInputs(model, r, frames, device);
            double s = TimeForward(model, inputs, reps, device);
            double gflops = r * ModelFlops.UnetForward(cfg, frames) / s / 1e9;
            rows.Add(new RowScaling(r, s, gflops, gflops / ceiling));
        }
        var (a, b) = LeastSquares(rows.Select(r => (double)r.Rows).ToArray(), rows.Select(r => r.Seconds).ToArray());
        log($"profile: forward over 2 rows {inferWhole * 1000:F1} ms (blocks alone {inferBlocks.Sum(x => x.Seconds) * 1000:F1} ms); training fwd+bwd over {o.TrainBatch} rows {trainWhole:F3} s (blocks {trainBlocks.Sum(x => x.Seconds):F3} s); forward time ~ {a * 1000:F1} ms + {b * 1000:F2} ms per row");
        return new ProfileResult(frames, 2, inferWhole, inferBlocks.Sum(x => x.Seconds), ByKind(inferBlocks),
            o.TrainBatch, trainWhole, trainBlocks.Sum(x => x.Seconds), ByKind(trainBlocks), rows, a, b, inferBlocks, trainBlocks);
    }

    static IReadOnlyList<KindTime> ByKind(IReadOnlyList<BlockTiming> blocks)
    {
        double total = blocks.Sum(b => b.Seconds);
        return blocks.GroupBy(b => b.Kind)
            .Select(g => new KindTime(g.Key.ToString(), g.Count(), g.Sum(b => b.Seconds), g.Sum(b => b.Seconds) / total, g.Sum(b => b.Flops),
                g.Sum(b => b.Flops) / g.Sum(b => b.Seconds) / 1e9, g.Sum(b => b.NormSiluSeconds)))
            .OrderByDescending(k => k.Seconds).ToList();
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

    static IEnumerable<LeverResult> Levers(VideoDiffusionModel model, BenchOptions o, Device device, int threads, Action<string> log)
    {
        var cfg = model.Config;
        int frames = cfg.Frames, reps = o.Quick ? 2 : 5;
        model.eval();
        var results = new List<LeverResult>();
        void Add(LeverResult r)
        {
            results.Add(r);
            log($"    lever {r.Name}: {r.Baseline} {r.BaselineSeconds * 1000:F1} ms, {r.Variant} {r.VariantSeconds * 1000:F1} ms (x{r.Speedup:F2}){(r.MaxAbsDiff is { } d ? $", max |diff| {d:G3}" : "")}");
        }

        using var guided = new ForwardInputs(model, 2, frames, device);

        // Kernel choices inside the model that keep its maths and keys, against the plain libtorch modules, for
        // sampling (2 rows) and a training pass; variants interleaved so load drifts fall on all alike; outputs compared.
        var shipped = model.Kernels; int packDefault = shipped.PackTemporalTokens; bool convDefault = shipped.TemporalConvAs2d;
        using (var train = new ForwardInputs(model, o.TrainBatch, frames, device))
        {
            try
            {
                var settings = new (string Label, int Pack, bool Conv)[]
                {
                    ("plain (one sequence per pixel, Conv3d 3x1x1)", 0, false),
                    ("temporal conv as Conv2d only", 0, true),
                    ("packed to 16 tokens only", 16, false),
                    ("packed to 32 tokens only", 32, false),
                    ("packed to 64 tokens only", 64, false),
                    ($"both, as shipped (packed to {packDefault} tokens, Conv2d)", packDefault, convDefault),
                };
                Action Run(Action work, int pack, bool conv) => () => { model.Kernels = new KernelOptions { PackTemporalTokens = pack, TemporalConvAs2d = conv }; work(); };
                void GuidedForward() { using var ng = no_grad(); using var y = model.Forward(guided.X, guided.T, guided.Text, guided.Drop); }
                var fwd = Timing.Interleaved(settings.Select(v => Run(GuidedForward, v.Pack, v.Conv)).ToList(), 1, o.Quick ? 2 : 15, device);
                var outputs = settings.Select(v => { model.Kernels = new KernelOptions { PackTemporalTokens = v.Pack, TemporalConvAs2d = v.Conv }; return Output(model, guided); }).ToList();
                // Training passes: the plain modules, each kernel alone and the shipped setting.
                var trainSettings = new[] { 0, 1, 2, settings.Length - 1 };
                model.train();
                using var grad = randn(train.X.shape, device: device);
                void TrainPass()
                {
                    using var inner = NewDisposeScope();
                    var text = model.EncodeText(Enumerable.Repeat(Prompt, o.TrainBatch).ToList());
                    autograd.backward(model.Forward(train.X, train.T, text, train.Drop), grad);
                }
                var trn = Timing.Interleaved(trainSettings.Select(i => Run(TrainPass, settings[i].Pack, settings[i].Conv)).ToList(), 1, o.Quick ? 1 : 3, device);
                model.zero_grad();
                model.eval();
                double plainFwd = Timing.Median(fwd[0]);
                for (int i = 1; i < settings.Length; i++)
                {
                    double diff = (outputs[i] - outputs[0]).abs().max().item<float>();
                    Add(new LeverResult($"temporal kernels: {settings[i].Label}: guided forward (2 rows)", settings[0].Label, settings[i].Label, plainFwd, Timing.Median(fwd[i]), diff,
                        i == settings.Length - 1 ? "shipped" : "measured"));
                }
                for (int k = 1; k < trainSettings.Length; k++)
                    Add(new LeverResult($"temporal kernels: {settings[trainSettings[k]].Label}: training fwd+bwd ({o.TrainBatch} rows)", settings[0].Label, settings[trainSettings[k]].Label,
                        Timing.Median(trn[0]), Timing.Median(trn[k]), null, trainSettings[k] == settings.Length - 1 ? "shipped" : "measured"));
                foreach (var y in outputs) y.Dispose();
            }
            finally
            {
                model.Kernels = shipped;
                model.eval();
            }
        }

        // Each remaining lever: baseline and variant interleaved, median of each.
        int n = o.Quick ? 2 : 9;
        (double A, double B) Compare(Action a, Action b)
        {
            var t = Timing.Interleaved(new[] { a, b }, 1, n, device);
            return (Timing.Median(t[0]), Timing.Median(t[1]));
        }
        void Forward(VideoDiffusionModel m, ForwardInputs inputs) { using var ng = no_grad(); using var y = m.Forward(inputs.X, inputs.T, inputs.Text, inputs.Drop); }

        // Threads, for the sampling forward.
        if (device.type == DeviceType.CPU && threads > 1)
        {
            try
            {
                var (t2, t1) = Compare(() => { set_num_threads(threads); Forward(model, guided); }, () => { set_num_threads(1); Forward(model, guided); });
                Add(new LeverResult("threads: guided forward (2 rows)", $"{threads} threads", "1 thread", t2, t1, null, "libtorch's default kept"));
            }
            finally { set_num_threads(threads); }
        }

        // Batched guidance: one forward over [cond; uncond] against two forwards of one row each.
        {
            using var scope = NewDisposeScope();
            using var ng = no_grad();
            var x1 = guided.X.narrow(0, 0, 1);
            var t1 = guided.T.narrow(0, 0, 1);
            TextCondition Row(int i) => new(guided.Text.Tokens.narrow(0, i, 1), guided.Text.Mask.narrow(0, i, 1), guided.Text.Pooled.narrow(0, i, 1));
            var c = Row(0); var u = Row(1);
            var dropU = guided.Drop.narrow(0, 1, 1);
            var x2 = cat(new[] { x1, x1 });
            var (separate, batchedTime) = Compare(
                () => { using var a = model.Forward(x1, t1, c); using var b = model.Forward(x1, t1, u, dropU); },
                () => { using var y = model.Forward(x2, guided.T, guided.Text, guided.Drop); });
            var batched = model.Forward(x2, guided.T, guided.Text, guided.Drop);
            var sep = cat(new[] { model.Forward(x1, t1, c), model.Forward(x1, t1, u, dropU) });
            double diff = (batched - sep).abs().max().item<float>();
            Add(new LeverResult("batched guidance", "two forwards of 1 row", "one forward of 2 rows", separate, batchedTime, diff, "already the pipeline's way (GuidedModel, GuidanceBranch.Both)"));
        }

        // bf16 single ops: the U-Net's bulk is 1x3x3 convs; and a matmul.
        {
            using var scope = NewDisposeScope();
            using var ng = no_grad();
            long ch = cfg.Unet.Dim, side = cfg.Resolution / cfg.Unet.PatchSize;
            using var conv32 = nn.Conv3d(ch, ch, (1, 3, 3), padding: (0, 1, 1));
            using var conv16 = nn.Conv3d(ch, ch, (1, 3, 3), padding: (0, 1, 1));
            conv32.to(device);
            Ema.CopyWeights(conv16, conv32);
            conv16.to(device);
            conv16.to(ScalarType.BFloat16);
            var x = randn(new[] { 2L, ch, frames, side, side }, device: device);
            var xb = x.to_type(ScalarType.BFloat16);
            var (fp32, bf16) = Compare(() => { using var y = conv32.forward(x); }, () => { using var y = conv16.forward(xb); });
            double diff = (conv16.forward(xb).to_type(ScalarType.Float32) - conv32.forward(x)).abs().max().item<float>();
            Add(new LeverResult($"bf16: Conv3d 1x3x3 {ch}->{ch} on 2x{ch}x{frames}x{side}x{side}", "fp32", "bf16", fp32, bf16, diff, bf16 < fp32 ? "faster" : "slower"));
            var a = randn(512, 512, device: device); var b = randn(512, 512, device: device);
            var ab = a.to_type(ScalarType.BFloat16); var bb = b.to_type(ScalarType.BFloat16);
            var (m32, m16) = Compare(() => { using var y = a.matmul(b); }, () => { using var y = ab.matmul(bb); });
            Add(new LeverResult("bf16: matmul 512^3", "fp32", "bf16", m32, m16, null, m16 < m32 ? "faster" : "slower"));
        }

        // bf16 weights and activations for the whole network (a sampler would keep its state in fp32: cast in, cast out).
        if (cfg.Text.Kind == TextEncoderKind.Builtin && model.Tokenizer is WordTokenizer vocab)
        {
            using var bf = new VideoDiffusionModel(cfg, vocab);
            Ema.CopyWeights(bf, model);
            bf.to(device);
            bf.to(ScalarType.BFloat16);
            bf.eval();
            foreach (int rows in o.Quick ? new[] { 2 } : new[] { 2, 2 * o.DdpmClips })
            {
                using var f32 = new ForwardInputs(model, rows, frames, device);
                using var b16 = new ForwardInputs(bf, rows, frames, device, ScalarType.BFloat16);
                var (t32, t16) = Compare(() => Forward(model, f32), () => Forward(bf, b16));
                using var y32 = Output(model, f32);
                using var y16 = Output(bf, b16);
                using var y16f = y16.to_type(ScalarType.Float32);
                double diff = (y16f - y32).abs().max().item<float>();
                double rel = (y16f - y32).square().mean().sqrt().item<float>() / Math.Max(1e-12, y32.square().mean().sqrt().item<float>());
                Add(new LeverResult($"bf16 model: forward ({rows} rows)", "fp32", "bf16 weights and activations", t32, t16, diff,
                    $"relative RMS error {rel:P1} per forward; " + (t16 < t32 ? "faster, but changes outputs beyond fp32 rounding: not the default" : "not faster: not adopted")));
            }
        }

        // Network variants: speed only (a different network, other weights). Spatial attention: the trained model
        // keeps full attention at 8 px. Frame conditioning: what the per-frame text path costs a forward.
        var variants = new List<(string Lever, string Baseline, string Name, Unet3DConfig Unet)>
        {
            ("attention", "trained layout (full attention at <= 8 px)", "linear spatial attention at 8 px (full only at 4 px)", cfg.Unet with { FullAttentionMaxResolution = cfg.Unet.FullAttentionMaxResolution / 2 }),
            ("attention", "trained layout (full attention at <= 8 px)", "no spatial attention at 8 px (only at 4 px)", cfg.Unet with { SpatialAttentionMaxResolution = cfg.Unet.SpatialAttentionMaxResolution / 2 }),
        };
        if (cfg.Unet.FrameConditioning)
            variants.Add(("frame conditioning", "trained network (with frame conditioning)", "the same without frame conditioning", cfg.Unet with { FrameConditioning = false }));
        foreach (var (lever, baseline, name, unet) in variants)
        {
            if (cfg.Text.Kind != TextEncoderKind.Builtin || model.Tokenizer is not WordTokenizer words) break;
            using var variant = new VideoDiffusionModel(cfg with { Unet = unet }, words);
            variant.to(device);
            variant.eval();
            using var inputs = new ForwardInputs(variant, 2, frames, device);
            var (tb, tv) = Compare(() => Forward(model, guided), () => Forward(variant, inputs));
            Add(new LeverResult($"{lever}: {name}", baseline, name, tb, tv, null,
                "changes the network and its state-dict keys: not applicable to the trained model; speed only"));
        }
        return results;
    }

    static IReadOnlyList<TargetResult> Targets(TrainingResult training, IReadOnlyList<GenerationTiming> generation, RecipeComparison recipe, IReadOnlyList<MemoryRun> memory, ModelConfig cfg)
    {
        var list = new List<TargetResult>
        {
            new("training MFU", ">= 40%", Pct(training.Mfu), training.Mfu >= 0.4, $"batch {training.Batch}, {training.VideosPerSecond:F1} videos/s"),
        };
        var def = generation.FirstOrDefault(g => g.Sampler == "dpm++2m" && g.Steps == 20 && g.Frames == cfg.Frames);
        if (def is not null)
            list.Add(new("generation MFU (dpm++2m x 20, 1 clip)", ">= 40%", Pct(def.Mfu), def.Mfu >= 0.4, $"{def.Seconds:F2} s, {def.SecondsPerEvaluation * 1000:F1} ms per guided evaluation"));
        var sixteen = generation.FirstOrDefault(g => g.Sampler == "dpm++2m" && g.Steps == 20 && g.Frames == 16);
        if (sixteen is not null)
            list.Add(new("16-frame generation (dpm++2m x 20)", "< 5 s", $"{sixteen.Seconds:F2} s", sixteen.Seconds < 5, "in process, model loaded"));
        list.Add(new($"speed-up over DDPM x {recipe.Ddpm.Steps}", ">= 40x at equal or better fidelity", $"{recipe.Speedup:F1}x, all attributes {Pct(recipe.Fast.Overall.All)} vs {Pct(recipe.Ddpm.Overall.All)}",
            recipe.Speedup >= 40 && recipe.FastEqualOrBetter && recipe.Ddpm.Steps == 1000,
            $"{recipe.Ddpm.Clips} clips, batch {recipe.Ddpm.Batch}; fast vs DDPM: colour {Pct(recipe.Fast.Overall.Colour)} vs {Pct(recipe.Ddpm.Overall.Colour)}, shape {Pct(recipe.Fast.Overall.Shape)} vs {Pct(recipe.Ddpm.Overall.Shape)}, size {Pct(recipe.Fast.Overall.Size)} vs {Pct(recipe.Ddpm.Overall.Size)}, direction {Pct(recipe.Fast.Overall.Direction)} vs {Pct(recipe.Ddpm.Overall.Direction)}"));
        var gen = memory.FirstOrDefault(m => m.Label.StartsWith("vidgen generate (", StringComparison.Ordinal));
        if (gen is not null)
            list.Add(new("generate peak RSS", "<= 1.5 GiB", $"{gen.PeakRssMiB:F0} MiB", gen.ExitCode == 0 && gen.PeakRssMiB <= 1536, gen.Error ?? $"{gen.WallSeconds:F1} s wall for the whole command"));
        return list;
    }

    /// <summary>The folder relative to the working directory when it lies under it (results stay portable), else absolute.</summary>
    internal static string DisplayPath(string dir)
    {
        string full = Path.GetFullPath(dir);
        string relative = Path.GetRelativePath(Environment.CurrentDirectory, full);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? full : relative;
    }
}
