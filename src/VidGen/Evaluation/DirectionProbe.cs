using VidGen.Data;
using VidGen.Diffusion;
using VidGen.Models;
using static TorchSharp.torch;
using VidGen.Pipelines;

namespace VidGen.Evaluation;

/// <summary>Per-frame centroid of a predicted clip, in pixels: X[f], Y[f].</summary>
public sealed record CentroidPath(Direction Direction, string Prompt, float[] X, float[] Y);

/// <summary>
/// Does the text decide where the object goes? At the noisiest timestep the input says nothing, so a model's x0
/// prediction is its mean clip for the prompt; this reads the centroid path of that mean for each direction of
/// one shape, and, for scale, how much of real clips' variance the direction explains (`vidgen eval
/// --direction-probe`; docs/model-history.md shows what it found in an earlier model).
/// </summary>
public static class DirectionProbe
{
    /// <summary>Centroid paths of the x0 predicted at <paramref name="timestep"/> (default: the last), averaged over <paramref name="samples"/> noises shared by all directions.</summary>
    public static IReadOnlyList<CentroidPath> Paths(VideoDiffusionModel model, string colour, ShapeKind shape, ShapeSize size,
        int? timestep = null, int samples = 8, long seed = 1)
    {
        var cfg = model.Config;
        var schedule = new NoiseSchedule(cfg.Schedule, cfg.TrainTimesteps);
        int t = timestep ?? cfg.TrainTimesteps - 1;
        var device = model.parameters().First().device;
        var result = new List<CentroidPath>();
        using var noGrad = no_grad();
        foreach (var direction in Enum.GetValues<Direction>())
        {
            using var scope = NewDisposeScope();
            string prompt = new ShapeSpec(colour, shape, size, direction).Caption;
            // Noise in the model's own space (latents for a latent model); the centroids are read on decoded clips.
            int side = cfg.DiffusionResolution;
            var x = randn(new long[] { samples, cfg.Unet.Channels, cfg.Frames, side, side }, generator: new Generator((ulong)seed)).to(device);
            var output = model.Forward(x, full(samples, (float)t, device: device), model.EncodeText(Enumerable.Repeat(prompt, samples).ToList()));
            float bound = (float)(cfg.Latent?.Bound ?? 1);
            var x0 = DiffusionSpace.ToClips(model, Prediction.ToX0(cfg.Prediction, output, x, schedule.AlphaBar(t)).clamp(-bound, bound)).clamp(-1f, 1f);
            var (cx, cy) = Centroids(((x0 + 1f) / 2f).amax(new long[] { 1 }));          // (B, F, H, W) brightest channel
            result.Add(new CentroidPath(direction, prompt, cx, cy));
        }
        return result;
    }

    /// <summary>Mean over the batch of each frame's brightness-weighted centroid. weights (B, F, H, W) -> (x[F], y[F]).</summary>
    public static (float[] X, float[] Y) Centroids(Tensor weights)
    {
        using var scope = NewDisposeScope();
        long h = weights.shape[2], w = weights.shape[3];
        var xs = arange(w, dtype: weights.dtype, device: weights.device).view(1, 1, 1, w);
        var ys = arange(h, dtype: weights.dtype, device: weights.device).view(1, 1, h, 1);
        var mass = weights.sum(new long[] { 2, 3 }).clamp_min(1e-6f);                   // (B, F)
        var cx = ((weights * xs).sum(new long[] { 2, 3 }) / mass).mean(new long[] { 0 });
        var cy = ((weights * ys).sum(new long[] { 2, 3 }) / mass).mean(new long[] { 0 });
        return (cx.cpu().data<float>().ToArray(), cy.cpu().data<float>().ToArray());
    }

    /// <summary>
    /// Share of real clips' per-pixel variance (one colour, shape and size; all four directions equally) that the
    /// direction explains: what a model that reads direction can take off its x0 error at pure noise.
    /// </summary>
    public static double DirectionVarianceShare(ShapesWorld world, string colour, ShapeKind shape, ShapeSize size, int clipsPerDirection = 200, int seed = 1)
    {
        using var scope = NewDisposeScope();
        var rng = new Random(seed);
        var groups = Enum.GetValues<Direction>()
            .Select(d => ClipTensors.ToTensor(Enumerable.Range(0, clipsPerDirection).Select(_ => world.Render(new ShapeSpec(colour, shape, size, d), rng)).ToList()))
            .ToList();
        var all = cat(groups.ToArray(), 0);
        var mean = all.mean(new long[] { 0 }, keepdim: true);
        double total = (all - mean).square().mean().item<float>();
        double between = groups.Average(g => (g.mean(new long[] { 0 }, keepdim: true) - mean).square().mean().item<float>());
        return between / total;
    }
}
