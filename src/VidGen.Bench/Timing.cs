using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace VidGen.Bench;

/// <summary>Wall-clock timing of a piece of work, synchronising CUDA so queued kernels are counted.</summary>
public static class Timing
{
    /// <summary>Runs <paramref name="work"/> <paramref name="warmup"/> times untimed, then <paramref name="reps"/> times timed; seconds per run.</summary>
    public static double[] Repeat(Action work, int warmup, int reps, Device? device = null)
    {
        for (int i = 0; i < warmup; i++) { work(); Sync(device); }
        var times = new double[reps];
        for (int i = 0; i < reps; i++)
        {
            var clock = Stopwatch.StartNew();
            work();
            Sync(device);
            times[i] = clock.Elapsed.TotalSeconds;
        }
        return times;
    }

    /// <summary>
    /// Several variants of one piece of work, interleaved (A B C A B C ...) so that drifts in machine load
    /// fall on all of them alike; seconds per run of each variant, warm-up rounds excluded.
    /// </summary>
    public static double[][] Interleaved(IReadOnlyList<Action> variants, int warmup, int reps, Device? device = null)
    {
        var times = variants.Select(_ => new double[reps]).ToArray();
        for (int r = -warmup; r < reps; r++)
            for (int v = 0; v < variants.Count; v++)
            {
                var clock = Stopwatch.StartNew();
                variants[v]();
                Sync(device);
                if (r >= 0) times[v][r] = clock.Elapsed.TotalSeconds;
            }
        return times;
    }

    public static double Once(Action work, Device? device = null) => Repeat(work, 0, 1, device)[0];

    public static double Median(IReadOnlyList<double> xs)
    {
        if (xs.Count == 0) throw new ArgumentException("no samples");
        var s = xs.OrderBy(x => x).ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }

    public static void Sync(Device? device)
    {
        if (device is not null && device.type == DeviceType.CUDA) cuda.synchronize(device);
    }
}
