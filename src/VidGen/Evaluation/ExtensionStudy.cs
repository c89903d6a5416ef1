using System.Diagnostics;
using VidGen.Data;
using VidGen.Diffusion;
using VidGen.Pipelines;

namespace VidGen.Evaluation;

/// <summary>What one extension method gave over a set of shapes-world prompts (`vidgen eval --extension`).</summary>
/// <param name="Method">the extension method</param>
/// <param name="Weight">reconstruction guidance's w_r (unused by replacement)</param>
/// <param name="Clips">clips made</param>
/// <param name="Joins">segment joins measured (clips x (segments - 1))</param>
/// <param name="MeanJumpAtJoins">mean |centroid step| in pixels from the last shared frame to the first new one</param>
/// <param name="MeanStepInside">mean |centroid step| between consecutive frames inside segments: the motion a join should match</param>
/// <param name="IdentityKept">share of joins where the object is found on both sides with the same colour and shape</param>
/// <param name="SegmentAccuracy">per segment, the share of clips whose segment reads as the prompt's colour and shape (the shapes world moves an object across the frame in the model's length, so later segments cannot keep its direction)</param>
/// <param name="SecondsPerClip">mean time to make one clip of the asked length</param>
/// <param name="SecondsPerExtraFrame">(time at the asked length - time at the model's length) / extra frames</param>
public sealed record ExtensionResult(ExtendMethod Method, double Weight, int Clips, int Joins, double MeanJumpAtJoins, double MeanStepInside,
    double IdentityKept, IReadOnlyList<double> SegmentAccuracy, double SecondsPerClip, double SecondsPerExtraFrame);

/// <summary>
/// Reconstruction guidance against replacement (Ho et al. report FVD 136 against 451 for 64-frame extension), on a
/// shapes-world model and the shapes detector: continuity at segment joins (how far the object jumps there,
/// against its steps inside segments; whether colour and shape survive the join), each segment's fidelity to
/// the prompt, and the time per extra frame. Same prompts and seeds for every method.
/// </summary>
public static class ExtensionStudy
{
    /// <param name="pipeline">a shapes-world model's pipeline</param>
    /// <param name="settings">sampler settings (prompt, seed and frames are set here)</param>
    /// <param name="methods">the methods to compare, each with its weight</param>
    /// <param name="clips">prompts (one clip each), from the shapes world's list</param>
    /// <param name="frames">the clip length to extend to</param>
    /// <param name="overlap">frames shared by segments</param>
    /// <param name="seed">clip i uses seed + i</param>
    /// <param name="progress">called after each clip</param>
    /// <param name="cancel">stops between clips</param>
    public static IReadOnlyList<ExtensionResult> Run(TextToVideoPipeline pipeline, GenerationRequest settings, IReadOnlyList<(ExtendMethod Method, double Weight)> methods,
        int clips, int frames, int overlap, long seed = 0, Action? progress = null, CancellationToken cancel = default)
    {
        var cfg = pipeline.Model.Config;
        var detector = new ShapeDetector();
        var specs = ShapesWorld.AllSpecs().ToList();
        var prompts = Enumerable.Range(0, clips).Select(i => specs[(int)((long)i * 7919 % specs.Count)]).ToList(); // spread over the list
        var plan = SegmentPlan.Make(frames, cfg.Frames, overlap);
        // The time of one clip at the model's own length: what extension adds to.
        var baseClock = Stopwatch.StartNew();
        pipeline.Generate(settings with { Prompt = prompts[0].Caption, Seed = seed, Frames = cfg.Frames }, cancel: cancel);
        double baseSeconds = baseClock.Elapsed.TotalSeconds;

        var results = new List<ExtensionResult>();
        foreach (var (method, weight) in methods)
        {
            double jumps = 0, steps = 0, seconds = 0;
            int joins = 0, stepCount = 0, kept = 0;
            var segmentRight = new int[plan.Segments];
            for (int i = 0; i < clips; i++)
            {
                cancel.ThrowIfCancellationRequested();
                var clock = Stopwatch.StartNew();
                var video = pipeline.Generate(settings with { Prompt = prompts[i].Caption, Seed = seed + i, Frames = frames, Extend = method, ReconstructionWeight = weight, Overlap = overlap }, cancel: cancel).Video;
                seconds += clock.Elapsed.TotalSeconds;
                var measured = Enumerable.Range(0, video.Frames).Select(f => detector.MeasureFrame(video, f)).ToList();
                var joinFrames = Enumerable.Range(1, plan.Segments - 1).Select(k => plan.Start(k) + plan.Overlap).Where(f => f < frames).ToHashSet();
                for (int f = 1; f < frames; f++)
                {
                    var (a, b) = (measured[f - 1], measured[f]);
                    double step = a.Found && b.Found ? Math.Sqrt(Math.Pow(b.CentroidX - a.CentroidX, 2) + Math.Pow(b.CentroidY - a.CentroidY, 2)) : double.NaN;
                    if (joinFrames.Contains(f))
                    {
                        joins++;
                        if (!double.IsNaN(step)) jumps += step;
                        if (a.Found && b.Found && a.Colour == b.Colour && a.Shape == b.Shape) kept++;
                    }
                    else if (!double.IsNaN(step)) { steps += step; stepCount++; }
                }
                for (int k = 0; k < plan.Segments; k++)
                {
                    int start = plan.Start(k), length = Math.Min(plan.Length, frames - start);
                    var d = detector.Detect(Slice(video, start, length));
                    var want = prompts[i];
                    if (d.Colour == want.Colour && d.Shape == want.Shape) segmentRight[k]++;
                }
                progress?.Invoke();
            }
            int measuredJoins = Math.Max(1, joins);
            results.Add(new ExtensionResult(method, weight, clips, joins, jumps / measuredJoins, steps / Math.Max(1, stepCount), kept / (double)measuredJoins,
                segmentRight.Select(n => n / (double)clips).ToList(), seconds / clips, (seconds / clips - baseSeconds) / (frames - cfg.Frames)));
        }
        return results;
    }

    static Media.Video Slice(Media.Video v, int start, int length)
    {
        int size = v.Height * v.Width * 3;
        return new Media.Video(length, v.Height, v.Width, v.Fps, v.Pixels.AsSpan(start * size, length * size).ToArray());
    }
}
