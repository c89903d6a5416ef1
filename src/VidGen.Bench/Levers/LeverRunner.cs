using VidGen.Bench.Results;
using static TorchSharp.torch;

namespace VidGen.Bench.Levers;

/// <summary>Measures levers: baselines and variants interleaved in one process, medians, ratios.</summary>
internal static class LeverRunner
{
    /// <summary>
    /// Times <paramref name="levers"/> together: each distinct baseline (<see cref="Lever.BaselineKey"/>) and each
    /// variant run once per round, A B C A B C ..., <paramref name="warmup"/> rounds untimed, then
    /// <paramref name="reps"/> timed; one result per lever, from the medians. Levers that change process-wide
    /// state (threads) are measured alone, so that their arms cannot leak into other levers' rounds.
    /// </summary>
    public static IReadOnlyList<LeverResult> Run(IReadOnlyList<Lever> levers, int warmup, int reps, Device device, Action<string> log)
    {
        var set = new List<Lever>();
        try
        {
            foreach (var lever in levers) { set.Add(lever); lever.Setup(); }
            var arms = new List<Action>();
            var baselineArm = new Dictionary<object, int>();
            var armsOf = new List<(int Baseline, int Variant)>();
            foreach (var lever in levers)
            {
                if (!baselineArm.TryGetValue(lever.BaselineKey, out int b)) { baselineArm[lever.BaselineKey] = b = arms.Count; arms.Add(lever.Baseline); }
                armsOf.Add((b, arms.Count));
                arms.Add(lever.Variant);
            }
            var times = Timing.Interleaved(arms, warmup, reps, device);
            var results = new List<LeverResult>();
            for (int i = 0; i < levers.Count; i++)
            {
                var lever = levers[i];
                double baseline = Timing.Median(times[armsOf[i].Baseline]), variant = Timing.Median(times[armsOf[i].Variant]);
                var r = new LeverResult(lever.Name, lever.BaselineName, lever.VariantName, baseline, variant, lever.MaxAbsDiff(), lever.Decision(baseline, variant));
                log($"    lever {r.Name}: {r.Baseline} {r.BaselineSeconds * 1000:F1} ms, {r.Variant} {r.VariantSeconds * 1000:F1} ms (x{r.Speedup:F2}){(r.MaxAbsDiff is { } d ? $", max |diff| {d:G3}" : "")}");
                results.Add(r);
            }
            return results;
        }
        finally
        {
            for (int i = set.Count - 1; i >= 0; i--) set[i].Cleanup();
        }
    }
}
