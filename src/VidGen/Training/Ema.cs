using static TorchSharp.torch;

namespace VidGen.Training;

/// <summary>Exponential moving average of weights; sampling uses the average (Ho et al. 2020, appendix B).</summary>
public static class Ema
{
    /// <summary>Decay warmed up as min(decay, (1 + step) / (10 + step)) so early averages are not stuck at init.</summary>
    public static double DecayAt(double decay, long step) => Math.Min(decay, (1.0 + step) / (10.0 + step));

    public static void Update(nn.Module ema, nn.Module model, double decay)
    {
        using var _ = no_grad();
        var src = model.state_dict();
        foreach (var (name, e) in ema.state_dict())
        {
            var p = src[name];
            if (e.is_floating_point()) e.mul_(decay).add_(p, alpha: 1 - decay);
            else e.copy_(p);
        }
    }

    public static void CopyWeights(nn.Module to, nn.Module from)
    {
        using var _ = no_grad();
        var src = from.state_dict();
        foreach (var (name, t) in to.state_dict()) t.copy_(src[name]);
    }
}
