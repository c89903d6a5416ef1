using TorchSharp;
using System.Diagnostics;
using VidGen.Bench.Flops;
using VidGen.Bench.Levers;
using VidGen.Bench.Results;
using VidGen.Data;
using VidGen.Models;
using VidGen.Text;
using static TorchSharp.torch;

namespace VidGen.Bench;

/// <summary>
/// The benchmark, in one process, stage by stage: (a) the fp32 matmul ceiling (<see cref="CeilingStage"/>),
/// (b) training throughput and MFU (<see cref="TrainingStage"/>), (c) generation latency per sampler and step
/// count (<see cref="GenerationStage"/>), (d) DDPM-1000 against the default fast sampler with prompt fidelity
/// (<see cref="DdpmVsFastStage"/>), (e) peak RSS of `vidgen generate` and `vidgen train` as child processes
/// (<see cref="MemoryStage"/>), (f) the packaged text encoder (<see cref="TextEncoderStage"/>), (g) the second world's data
/// time (<see cref="World2DataStage"/>), then a per-block profile (<see cref="ProfileStage"/>) and the levers, each against
/// a baseline measured in the same process (<see cref="ModelLevers"/>; the ceiling and training stages measure
/// theirs). FLOPs are counted on the model itself (<see cref="ModelFlops"/>).
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
            var (model, modelDir, summary) = LoadModel(o, device, temp);
            using var _model = model;
            log($"model: {summary.Source}{(summary.TrainedSteps is null ? "" : $" (step {summary.TrainedSteps})")}, {summary.Parameters / 1e6:F2}M parameters");

            var ctx = new BenchContext(o, device, model, modelDir, temp, log, cancel);
            var flops = Summarise(ctx.Flops(model.Config.Frames));
            log($"FLOPs: U-Net forward {flops.UnetForwardPerClip / 1e9:F3} GFLOP per {model.Config.Frames}-frame clip, training {flops.TrainingPerClip / 1e9:F3} GFLOP per clip");

            var ceiling = CeilingStage.Run(ctx);
            var training = TrainingStage.Run(ctx);
            var generation = GenerationStage.Run(ctx);
            var recipe = DdpmVsFastStage.Run(ctx);
            var memory = MemoryStage.Run(ctx);
            var textEncoder = o.TextEncoder ? TextEncoderStage.Run(ctx) : null;
            var world2Data = o.World2Data ? World2DataStage.Run(ctx) : null;
            var latent = o.Latent ? LatentStage.Run(ctx, training) : null;
            var profile = o.Profile ? ProfileStage.Run(ctx) : null;
            if (o.Levers) ModelLevers.Run(ctx);
            if (o.Levers && o.RecipeLevers) RecipeLevers.Run(ctx);

            var targets = Targets.Of(training, generation, recipe, memory, textEncoder, world2Data, latent, model.Config);
            return new BenchReport(o.Name, started, clock.Elapsed.TotalSeconds, o.CommandLine, machine, summary, flops,
                ceiling, training, generation, recipe, memory, profile, ctx.Levers, targets, textEncoder, world2Data, latent);
        }
        finally
        {
            set_num_threads(threads);
            try { Directory.Delete(temp, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>The model: a folder, or an untrained default written to a temp folder so child processes can load it.</summary>
    static (VideoDiffusionModel Model, string Dir, ModelSummary Summary) LoadModel(BenchOptions o, Device device, string temp)
    {
        VideoDiffusionModel model;
        string dir, source;
        string? trainedSteps = null;
        if (o.ModelDir is null)
        {
            var config = new ModelConfig();
            manual_seed(0);
            model = new VideoDiffusionModel(config, WordTokenizer.FromCaptions(ShapesWorld.AllSpecs().Select(s => s.Caption), config.Text.MaxLength));
            dir = Path.Combine(temp, "untrained");
            Checkpoint.Save(dir, model);
            model.to(device);
            source = "untrained new ModelConfig() (random weights: speed only)";
        }
        else
        {
            dir = o.ModelDir;
            model = Checkpoint.Load(dir, device);
            source = DisplayPath(dir);
            var meta = Safetensors.ReadMetadata(Path.Combine(dir, Checkpoint.WeightsFile));
            trainedSteps = meta.TryGetValue("step", out var st) ? st : null;
        }
        var cfg = model.Config;
        return (model, dir, new ModelSummary(source, o.ModelDir is not null, trainedSteps, model.ParameterCount(), cfg.Frames, cfg.Resolution, cfg.Unet));
    }

    /// <summary>The report's FLOP figures: totals, and each block kind's share of the U-Net forward (then all convs, linears, attention).</summary>
    static FlopSummary Summarise(ModelFlops f)
    {
        var blocks = f.Blocks.Where(b => b.Kind != BlockKind.TextEncoder).ToList();
        var share = new Dictionary<string, double>();
        foreach (var b in blocks) share[b.Kind.ToString()] = share.GetValueOrDefault(b.Kind.ToString()) + b.Total / f.UnetForward;
        share["(all) convolutions"] = blocks.Sum(b => b.Conv) / f.UnetForward;
        share["(all) linear layers"] = blocks.Sum(b => b.Linear) / f.UnetForward;
        share["(all) attention matmuls"] = blocks.Sum(b => b.Attention) / f.UnetForward;
        return new FlopSummary(f.UnetForward, f.TextForward, f.TrainingPerClip, share,
            "counted on the real model (ModelFlops: one forward under a FlopCounter, per clip = the second row's increment): 2*Cin*Cout*kernel per conv output, 2*in*out per linear token, 4*keys*inner per attention query; norms and activations not counted; training = 3x forward");
    }

    /// <summary>The folder relative to the working directory when it lies under it (results stay portable), else absolute.</summary>
    internal static string DisplayPath(string dir)
    {
        string full = Path.GetFullPath(dir);
        string relative = Path.GetRelativePath(Environment.CurrentDirectory, full);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? full : relative;
    }
}
