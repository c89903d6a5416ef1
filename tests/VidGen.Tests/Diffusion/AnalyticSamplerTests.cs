using TorchSharp;
using VidGen.Diffusion;
using VidGen.Diffusion.Samplers;
using static TorchSharp.torch;

namespace VidGen.Tests.Diffusion;

/// <summary>
/// Samplers driven by the exact denoiser of data whose posterior mean is known in closed form must land on
/// that data distribution. This checks the sampler maths independently of any network.
/// </summary>
public class AnalyticSamplerTests
{
    const int N = 8192;
    static readonly NoiseSchedule Schedule = new(ScheduleKind.Cosine);

    // Data x0 ~ N(mu, s^2): E[x0 | x_t] = mu + sqrt(a) s^2 / (a s^2 + 1 - a) (x_t - sqrt(a) mu).
    static Denoiser GaussianDenoiser(double mu, double s) => (xt, t) =>
    {
        double a = Schedule.AlphaBar(t), sa = Math.Sqrt(a);
        double gain = sa * s * s / (a * s * s + 1 - a);
        return (xt - sa * mu) * gain + mu;
    };

    // Data x0 = +-1 with equal probability: E[x0 | x_t] = tanh(sqrt(a) x_t / (1 - a)).
    static Denoiser TwoPointDenoiser() => (xt, t) =>
    {
        double a = Schedule.AlphaBar(t);
        return (xt * (Math.Sqrt(a) / (1 - a))).tanh();
    };

    static Tensor Noise(int seed) => randn(new long[] { N, 1, 1, 1, 1 }, generator: new Generator((ulong)seed));

    public static TheoryData<SamplerKind, int, TimestepSpacing> Deterministic => new()
    {
        { SamplerKind.Ddim, 25, TimestepSpacing.Trailing },
        { SamplerKind.DpmSolverPP2M, 20, TimestepSpacing.Trailing },
        { SamplerKind.DpmSolverPP2M, 20, TimestepSpacing.Karras },
        { SamplerKind.Euler, 50, TimestepSpacing.Karras },
        { SamplerKind.Heun, 20, TimestepSpacing.Karras },
    };

    [Theory]
    [MemberData(nameof(Deterministic))]
    public void GaussianDataIsRecovered(SamplerKind kind, int steps, TimestepSpacing spacing)
    {
        const double mu = 0.3, s = 0.5;
        var o = new SamplingOptions { Schedule = Schedule, Timesteps = Timesteps.Make(Schedule, steps, spacing) };
        using var x = Sampler.Run(kind, GaussianDenoiser(mu, s), Noise(1), o);
        Assert.Equal(mu, x.mean().item<float>(), 0.03);
        Assert.Equal(s, x.std().item<float>(), 0.03);
    }

    [Theory]
    [InlineData(SamplerKind.Ddim, 25)]
    [InlineData(SamplerKind.DpmSolverPP2M, 20)]
    [InlineData(SamplerKind.Heun, 15)]
    public void TwoPointDataLandsOnThePoints(SamplerKind kind, int steps)
    {
        var o = new SamplingOptions { Schedule = Schedule, Timesteps = Timesteps.Make(Schedule, steps, TimestepSpacing.Trailing) };
        using var x = Sampler.Run(kind, TwoPointDenoiser(), Noise(2), o);
        using var near = (x.abs() - 1).abs() < 0.05f;
        Assert.True(near.to_type(ScalarType.Float32).mean().item<float>() > 0.97f);
        float positive = (x > 0).to_type(ScalarType.Float32).mean().item<float>();
        Assert.InRange(positive, 0.47f, 0.53f);
    }

    [Fact]
    public void AncestralDdpmMatchesTheGaussian()
    {
        const double mu = -0.2, s = 0.4;
        var o = new SamplingOptions { Schedule = Schedule, Timesteps = Timesteps.Make(Schedule, 250), Generator = new Generator(3) };
        using var x = Sampler.Run(SamplerKind.Ddpm, GaussianDenoiser(mu, s), Noise(3), o);
        Assert.Equal(mu, x.mean().item<float>(), 0.03);
        Assert.Equal(s, x.std().item<float>(), 0.03);
    }

    [Fact]
    public void StochasticDdimWithEtaOneAlsoMatches()
    {
        const double mu = 0.1, s = 0.7;
        var o = new SamplingOptions { Schedule = Schedule, Timesteps = Timesteps.Make(Schedule, 200), Eta = 1, Generator = new Generator(4) };
        using var x = Sampler.Run(SamplerKind.Ddim, GaussianDenoiser(mu, s), Noise(4), o);
        Assert.Equal(mu, x.mean().item<float>(), 0.03);
        Assert.Equal(s, x.std().item<float>(), 0.04);
    }

    [Fact]
    public void FewStepDpmSolverIsCloserToTheTruthThanDdim()
    {
        // The point of a second-order solver: at 8 steps its std error is smaller than first-order DDIM's.
        const double mu = 0, s = 0.5;
        double Err(SamplerKind k)
        {
            var o = new SamplingOptions { Schedule = Schedule, Timesteps = Timesteps.Make(Schedule, 8, TimestepSpacing.Karras) };
            using var x = Sampler.Run(k, GaussianDenoiser(mu, s), Noise(5), o);
            return Math.Abs(x.std().item<float>() - s);
        }
        Assert.True(Err(SamplerKind.DpmSolverPP2M) < Err(SamplerKind.Ddim));
    }

    [Fact]
    public void CallbackSeesEveryStepAndCancellationStops()
    {
        var steps = new List<int>();
        using var cts = new CancellationTokenSource();
        var o = new SamplingOptions
        {
            Schedule = Schedule, Timesteps = Timesteps.Make(Schedule, 10),
            Callback = s => { steps.Add(s.Step); Assert.Equal(10, s.TotalSteps); if (s.Step == 3) cts.Cancel(); },
            Cancellation = cts.Token,
        };
        Assert.Throws<OperationCanceledException>(() => Sampler.Run(SamplerKind.DpmSolverPP2M, GaussianDenoiser(0, 1), Noise(6), o));
        Assert.Equal(new[] { 1, 2, 3 }, steps);
    }

    [Fact]
    public void SamplerNamesParse()
    {
        Assert.Equal(SamplerKind.DpmSolverPP2M, Names.Sampler.Parse("DPM++2M"));
        Assert.Equal(SamplerKind.Ddim, Names.Sampler.Parse("ddim"));
        var e = Assert.Throws<ArgumentException>(() => Names.Sampler.Parse("plms"));
        Assert.Contains("unknown sampler 'plms'", e.Message);
    }
}
