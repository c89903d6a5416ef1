using static TorchSharp.torch;

namespace VidGen.Diffusion;

/// <summary>What the network predicts: the noise (Ho et al. 2020) or v = sqrt(abar) eps - sqrt(1-abar) x0 (Salimans and Ho 2022).</summary>
public enum PredictionKind { Epsilon, V }

/// <summary>Converts between network outputs, x0 and eps at a given abar. All tensors (B, ...) with abar as (B, 1, ...) or scalar.</summary>
public static class Prediction
{
    /// <summary>The training target for the network.</summary>
    public static Tensor Target(PredictionKind kind, Tensor x0, Tensor eps, Tensor sqrtAbar, Tensor sqrtOneMinus) =>
        kind == PredictionKind.Epsilon ? eps.alias() : sqrtAbar * eps - sqrtOneMinus * x0;

    /// <summary>x0 estimate from the network output at x_t.</summary>
    public static Tensor ToX0(PredictionKind kind, Tensor output, Tensor xt, double abar)
    {
        double sa = Math.Sqrt(abar), so = Math.Sqrt(1 - abar);
        return kind == PredictionKind.Epsilon
            ? (xt - output * so) / sa
            : xt * sa - output * so;
    }

    /// <summary>eps implied by an x0 estimate at x_t.</summary>
    public static Tensor EpsFromX0(Tensor x0, Tensor xt, double abar)
    {
        double sa = Math.Sqrt(abar), so = Math.Sqrt(1 - abar);
        return (xt - x0 * sa) / so;
    }
}
