using TorchSharp;
using VidGen.Bench.Levers;
using VidGen.Bench.Results;
using static TorchSharp.torch;

namespace VidGen.Bench;

/// <summary>
/// (a) The machine's arithmetic ceiling as libtorch reaches it: a large fp32 matmul (MKL / oneDNN sgemm, the fastest
/// thing libtorch does on a CPU), with the default threads and on one; for reference the same GEMM through oneDNN
/// and the U-Net's own workhorse, a 1x3x3 Conv3d forward + backward. MFU figures divide by the matmul's best rate,
/// the conservative choice (a higher ceiling, a lower MFU). Then the threads lever on that matmul.
/// </summary>
internal static class CeilingStage
{
    public const int MatmulSize = 2048;

    public static CeilingResult Run(BenchContext ctx)
    {
        ctx.Cancel.ThrowIfCancellationRequested();
        var device = ctx.Device;
        int reps = ctx.Quick ? 2 : 5;
        var matmul = Matmul(device, MatmulSize, reps);
        Rate? matmul1 = null;
        if (ctx.CanCompareThreads)
        {
            set_num_threads(1);
            try { matmul1 = Matmul(device, MatmulSize, ctx.Quick ? 1 : 3); }
            finally { set_num_threads(ctx.Threads); }
        }
        var gemm = GemmAsConv(device, MatmulSize, reps);
        var conv = Conv1x3x3(device, reps: reps);
        ctx.Ceiling = matmul.BestGflops;
        ctx.BestGemm = Math.Max(matmul.BestGflops, gemm.BestGflops);
        ctx.Log($"(a) matmul ceiling {ctx.Ceiling:F1} GFLOP/s ({ctx.Threads} threads){(matmul1 is null ? "" : $", {matmul1.BestGflops:F1} on 1 thread")}; same GEMM through oneDNN {gemm.BestGflops:F1}; Conv3d 1x3x3 fwd+bwd {conv.BestGflops:F1} GFLOP/s");

        if (ctx.CanCompareThreads)
        {
            using var scope = NewDisposeScope();
            var a = randn(MatmulSize, MatmulSize, device: device);
            var b = randn(MatmulSize, MatmulSize, device: device);
            var lever = new ThreadsLever($"threads: fp32 matmul {MatmulSize}^3", ctx.Threads, () => { using var c = a.matmul(b); });
            ctx.Levers.AddRange(LeverRunner.Run(new[] { lever }, warmup: 1, reps: ctx.Quick ? 1 : 3, device, ctx.Log));
        }
        return new CeilingResult(matmul, matmul1, gemm, conv);
    }

    /// <summary>(n x n) @ (n x n) in fp32: 2 n^3 FLOPs per product.</summary>
    public static Rate Matmul(Device device, int n = MatmulSize, int reps = 5)
    {
        using var scope = NewDisposeScope();
        var a = randn(n, n, device: device);
        var b = randn(n, n, device: device);
        double flops = 2.0 * n * n * n;
        var times = Timing.Repeat(() => { using var c = a.matmul(b); }, warmup: 1, reps, device);
        return new Rate($"fp32 matmul {n}x{n}x{n}", flops, flops / times.Min() / 1e9, flops / Timing.Median(times) / 1e9, get_num_threads());
    }

    /// <summary>
    /// The same fp32 GEMM shape run through oneDNN instead of libtorch's matmul (MKL sgemm): a 1x1 Conv2d of n
    /// channels over an image of n pixels (32 x n/32) is an (n x n) @ (n x n) product. On CPUs where MKL picks a narrower code
    /// path than the hardware has (MKL on AMD uses AVX2 even where AVX-512 exists) this is the higher figure.
    /// </summary>
    public static Rate GemmAsConv(Device device, int n = MatmulSize, int reps = 5)
    {
        using var scope = NewDisposeScope();
        if (n % 32 != 0) throw new ArgumentException($"n must be a multiple of 32 (got {n})");
        var x = randn(new long[] { 1, n, 32, n / 32 }, device: device);                  // n pixels of n channels
        var w = randn(new long[] { n, n, 1, 1 }, device: device);
        double flops = 2.0 * n * n * n;
        using var ng = no_grad();
        var times = Timing.Repeat(() => { using var y = nn.functional.conv2d(x, w); }, warmup: 1, reps, device);
        return new Rate($"fp32 GEMM {n}x{n}x{n} as a 1x1 Conv2d (oneDNN)", flops, flops / times.Min() / 1e9, flops / Timing.Median(times) / 1e9, get_num_threads());
    }

    /// <summary>
    /// A Conv3d with a 1x3x3 kernel, <paramref name="channels"/> in and out, on (B, C, F, H, W), forward and
    /// backward (input and weight gradients): 3 x 2 x C^2 x 9 x B F H W FLOPs.
    /// </summary>
    public static Rate Conv1x3x3(Device device, long channels = 64, long batch = 8, long frames = 8, long side = 16, int reps = 5)
    {
        using var scope = NewDisposeScope();
        using var conv = nn.Conv3d(channels, channels, (1, 3, 3), padding: (0, 1, 1));
        conv.to(device);
        var x = randn(new[] { batch, channels, frames, side, side }, device: device).requires_grad_(true);
        var g = randn(new[] { batch, channels, frames, side, side }, device: device);
        double flops = 3 * 2.0 * channels * channels * 9 * batch * frames * side * side;
        var times = Timing.Repeat(() =>
        {
            using var inner = NewDisposeScope();
            var y = conv.forward(x);
            autograd.backward(y, g);
            x.grad?.zero_();
            conv.zero_grad();
        }, warmup: 1, reps, device);
        return new Rate($"Conv3d 1x3x3 {channels}->{channels} on {batch}x{channels}x{frames}x{side}x{side}, fwd+bwd", flops,
            flops / times.Min() / 1e9, flops / Timing.Median(times) / 1e9, get_num_threads());
    }
}
