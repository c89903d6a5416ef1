using VidGen.Diffusion;

namespace VidGen.Tests.Diffusion;

public class NoiseScheduleTests
{
    [Theory]
    [InlineData(ScheduleKind.Cosine)]
    [InlineData(ScheduleKind.Linear)]
    public void AlphaBarFallsFromNearOneToNearZero(ScheduleKind kind)
    {
        var s = new NoiseSchedule(kind);
        Assert.InRange(s.AlphaBars[0], 0.999, 1.0);
        Assert.InRange(s.AlphaBars[^1], 0, 1e-4);
        for (int i = 1; i < s.Steps; i++) Assert.True(s.AlphaBars[i] < s.AlphaBars[i - 1]);
        Assert.Equal(1.0, s.AlphaBar(NoiseSchedule.Clean));
    }

    [Fact]
    public void CosineMatchesClosedFormAtMidpoint()
    {
        // abar(t) = f(t)/f(0), f(t) = cos^2(((t/T)+s)/(1+s) pi/2); products of clipped betas equal it away from the end.
        var s = new NoiseSchedule(ScheduleKind.Cosine);
        double F(double t) => Math.Pow(Math.Cos((t / 1000 + 0.008) / 1.008 * Math.PI / 2), 2);
        Assert.Equal(F(500) / F(0), s.AlphaBars[499], 9);
    }

    [Fact]
    public void LinearBetasMatchDdpm()
    {
        var s = new NoiseSchedule(ScheduleKind.Linear);
        Assert.Equal(1 - 1e-4, s.AlphaBars[0], 12);
        Assert.Equal((1 - 1e-4) * (1 - (1e-4 + (0.02 - 1e-4) / 999)), s.AlphaBars[1], 12);
    }

    [Fact]
    public void TimestepForSigmaInvertsSigma()
    {
        var s = new NoiseSchedule();
        foreach (var t in new[] { 0.0, 3.5, 100, 421.25, 998 })
            Assert.Equal(t, s.TimestepForSigma(s.Sigma(t)), 6);
        Assert.Equal(NoiseSchedule.Clean, s.TimestepForSigma(0));
    }

    [Fact]
    public void TrailingSpacingStartsAtPureNoiseAndEndsClean()
    {
        var s = new NoiseSchedule();
        var ts = Timesteps.Make(s, 20, TimestepSpacing.Trailing);
        Assert.Equal(21, ts.Length);
        Assert.Equal(999, ts[0]);
        Assert.Equal(949, ts[1]);
        Assert.Equal(49, ts[19]);
        Assert.Equal(NoiseSchedule.Clean, ts[20]);
        var leading = Timesteps.Make(s, 20, TimestepSpacing.Leading);
        Assert.Equal(951, leading[0]);
        Assert.Equal(1, leading[19]);
        var karras = Timesteps.Make(s, 10, TimestepSpacing.Karras);
        Assert.Equal(Timesteps.KarrasSigmaCap, s.Sigma(karras[0]), 6);
        Assert.Equal(0, karras[9], 6);
        for (int i = 1; i < karras.Length; i++) Assert.True(karras[i] < karras[i - 1]);
    }
}
