using VidGen.Media;

namespace VidGen.Data;

/// <summary>The shapes world's held-out split: clips of only the held-out (colour, shape, direction) combinations.</summary>
public static class ShapesSplits
{
    /// <summary>
    /// Held-out clip <paramref name="index"/>: the combinations in <see cref="ShapesWorld.HeldOut"/> order, small then
    /// large, with a start position drawn from (seed, index), so the same arguments always give the same clip.
    /// </summary>
    public static (Video Video, ShapeSpec Spec, string Caption) HeldOutClip(ShapesWorld world, int seed, long index)
    {
        int n = ShapesWorld.HeldOut.Count;
        var (colour, shape, direction) = ShapesWorld.HeldOut[(int)(index % n)];
        var spec = new ShapeSpec(colour, shape, (ShapeSize)(index / n % 2), direction);
        var rng = new Random(Seeds.Mix(seed ^ 0x4E1D, index));
        return (world.Render(spec, rng), spec, spec.Caption);
    }
}
