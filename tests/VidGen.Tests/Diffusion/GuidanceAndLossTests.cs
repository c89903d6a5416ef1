using TorchSharp;
using VidGen.Diffusion;
using static TorchSharp.torch;

namespace VidGen.Tests.Diffusion;

public class GuidanceAndLossTests
{
    static readonly NoiseSchedule Schedule = new();

    [Fact]
    public void PredictionConversionsRoundTrip()
    {
        var x0 = randn(new long[] { 2, 3 }, generator: new Generator(1));
        var eps = randn(new long[] { 2, 3 }, generator: new Generator(2));
        double a = Schedule.AlphaBar(300);
        var xt = x0 * Math.Sqrt(a) + eps * Math.Sqrt(1 - a);
        var sa = tensor((float)Math.Sqrt(a)); var so = tensor((float)Math.Sqrt(1 - a));
        foreach (var kind in new[] { PredictionKind.Epsilon, PredictionKind.V })
        {
            var target = Prediction.Target(kind, x0, eps, sa, so);
            Assert.True(Prediction.ToX0(kind, target, xt, a).allclose(x0, rtol: 1e-4, atol: 1e-4));
        }
        Assert.True(Prediction.EpsFromX0(x0, xt, a).allclose(eps, rtol: 1e-4, atol: 1e-4));
    }

    [Fact]
    public void ScaleOneIsExactlyTheConditionalPrediction()
    {
        int bothCalls = 0;
        GuidedModel model = (xt, t, branch) =>
        {
            if (branch == GuidanceBranch.Both) { bothCalls++; return cat(new[] { xt * 0.5f, xt * 0.1f }); }
            return xt * 0.5f;
        };
        var d = Guidance.Denoiser(model, PredictionKind.Epsilon, Schedule, new GuidanceOptions { Scale = 1, Clip = X0Clip.None });
        var x = randn(new long[] { 1, 4 }, generator: new Generator(3));
        var expected = Prediction.ToX0(PredictionKind.Epsilon, x * 0.5f, x, Schedule.AlphaBar(500));
        Assert.True(d(x, 500).eq(expected).all().item<bool>());
        Assert.Equal(0, bothCalls); // scale 1 never pays for the unconditional branch
    }

    [Fact]
    public void GuidanceExtrapolatesFromUnconditionalToConditional()
    {
        GuidedModel model = (xt, t, branch) => cat(new[] { ones_like(xt) * 2f, ones_like(xt) * 1f });
        var d = Guidance.Denoiser(model, PredictionKind.V, Schedule, new GuidanceOptions { Scale = 3, Clip = X0Clip.None });
        var x = zeros(1, 4);
        double a = Schedule.AlphaBar(200);
        // guided v = 1 + 3 (2 - 1) = 4; x0 = sqrt(a) x - sqrt(1-a) v with x = 0
        Assert.Equal((float)(-Math.Sqrt(1 - a) * 4), d(x, 200)[0, 0].item<float>(), 5);
    }

    [Fact]
    public void DynamicThresholdRescalesOnlyOutliers()
    {
        var x0 = tensor(new float[] { 0.5f, -0.2f, 0.1f, 0.3f, 3f, -1.5f, 0.5f, 2f }, new long[] { 2, 4 });
        var y = Guidance.DynamicThreshold(x0, 1.0);
        // row 0 stays (max |x| 0.5 < 1); row 1 divides by its max |x| = 3
        Assert.Equal(new[] { 0.5f, -0.2f, 0.1f, 0.3f }, y[0].data<float>().ToArray());
        Assert.Equal(new[] { 1f, -0.5f, 0.5f / 3f, 2f / 3f }, y[1].data<float>().ToArray().Select(v => MathF.Round(v, 6)).ToArray(), new FloatTolerance(1e-5f));
    }

    [Fact]
    public void PerfectPredictorHasZeroLossAndMinSnrWeightsAreBounded()
    {
        var loss = new DiffusionLoss(Schedule, new LossOptions { Prediction = PredictionKind.Epsilon, MinSnrGamma = 5 });
        var x0 = randn(new long[] { 4, 3, 2, 4, 4 }, generator: new Generator(4));
        // Oracle: recover eps from x_t because it knows x0 and the timestep's abar.
        var abar = tensor(Schedule.AlphaBars.Select(a => (float)a).ToArray());
        using var l = loss.Compute((xt, t) =>
        {
            var a = abar.index_select(0, t.to_type(ScalarType.Int64)).view(-1, 1, 1, 1, 1);
            return (xt - x0 * a.sqrt()) / (1 - a).sqrt();
        }, x0, new Generator(5));
        Assert.True(l.item<float>() < 1e-6f);
        using var zero = loss.Compute((xt, t) => zeros_like(xt), x0, new Generator(5));
        // A zero predictor has per-sample MSE ~1 against eps, weighted by min(snr,5)/snr <= 1.
        Assert.InRange(zero.item<float>(), 0.01f, 1.2f);
    }

    [Theory]
    [InlineData(1.0, 0.10)]
    [InlineData(3.0, 0.25)]
    [InlineData(9.0, 0.50)]
    public void TimestepShiftPutsSOverSPlusNineOfTheStepsInTheLastTenth(double shift, double expected)
    {
        var loss = new DiffusionLoss(Schedule, new LossOptions { TimestepShift = shift });
        var t = loss.SampleTimesteps(40000, CPU, new Generator(6));
        Assert.Equal(ScalarType.Int64, t.dtype);
        Assert.Equal(0, t.min().item<long>());
        Assert.Equal(Schedule.Steps - 1, t.max().item<long>());
        double high = (t >= (long)(0.9 * Schedule.Steps)).to_type(ScalarType.Float64).mean().item<double>();
        Assert.Equal(expected, high, 2);
    }

    [Fact]
    public void UnshiftedTimestepsAreTheUniformDrawOfEarlierVersions()
    {
        // Resuming a run started before the shift existed must see the same timesteps.
        var t = new DiffusionLoss(Schedule, new LossOptions { TimestepShift = 1 }).SampleTimesteps(16, CPU, new Generator(7));
        var old = randint(0, Schedule.Steps, new long[] { 16 }, dtype: ScalarType.Int64, generator: new Generator(7));
        Assert.Equal(old.data<long>().ToArray(), t.data<long>().ToArray());
        Assert.Throws<ArgumentException>(() => new DiffusionLoss(Schedule, new LossOptions { TimestepShift = 0 }));
    }
}

file sealed class FloatTolerance(float tol) : IEqualityComparer<float>
{
    public bool Equals(float a, float b) => MathF.Abs(a - b) <= tol;
    public int GetHashCode(float v) => 0;
}
