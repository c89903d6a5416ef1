using TorchSharp;
using VidGen.Bench.Flops;
using VidGen.Bench.Results;
using VidGen.Models;
using static TorchSharp.torch;

namespace VidGen.Bench;

/// <summary>
/// What the stages of one run share: the options, the device and libtorch's thread count, the model under test
/// (and its folder, which child processes load), its FLOP count, the ceiling once (a) has measured it, and the
/// levers measured so far, in report order.
/// </summary>
internal sealed class BenchContext
{
    readonly Dictionary<int, ModelFlops> flops = new();

    public BenchContext(BenchOptions options, Device device, VideoDiffusionModel model, string modelDir, string tempDir, Action<string> log, CancellationToken cancel)
    {
        Options = options; Device = device; Model = model; ModelDir = modelDir; TempDir = tempDir; Log = log; Cancel = cancel;
        Threads = get_num_threads();
    }

    public BenchOptions Options { get; }
    public bool Quick => Options.Quick;
    public Device Device { get; }
    /// <summary>libtorch's intra-op threads as the run started (the thread levers return to it).</summary>
    public int Threads { get; }
    public VideoDiffusionModel Model { get; }
    public ModelConfig Config => Model.Config;
    public string ModelDir { get; }
    public string TempDir { get; }
    public Action<string> Log { get; }
    public CancellationToken Cancel { get; }

    /// <summary>The fp32 matmul rate of (a) in GFLOP/s: every MFU figure divides by it.</summary>
    public double Ceiling { get; set; } = double.NaN;
    public double Mfu(double gflops) => gflops / Ceiling;
    /// <summary>The best GEMM rate (a) measured by any route (oneDNN's reaches about twice MKL's here): the strict ceiling.</summary>
    public double BestGemm { get; set; } = double.NaN;
    public double MfuOfBestGemm(double gflops) => gflops / BestGemm;

    public List<LeverResult> Levers { get; } = new();

    /// <summary>A fresh copy of a latent model's autoencoder (a trainer owns and disposes the one it is given); null for a pixel model.</summary>
    public VidGen.Models.Autoencoders.LatentCodec? LoadLatents() => Config.Latent is null ? null : Checkpoint.LoadLatents(ModelDir, Config);

    /// <summary>Whether the thread levers apply: a CPU run with more than one thread to compare against one.</summary>
    public bool CanCompareThreads => Device.type == DeviceType.CPU && Threads > 1;

    /// <summary>The model's FLOP count at a frame count (counted once per frame count, on the real model).</summary>
    public ModelFlops Flops(int frames)
    {
        if (!flops.TryGetValue(frames, out var f)) flops[frames] = f = ModelFlops.Count(Model, frames);
        return f;
    }
}
