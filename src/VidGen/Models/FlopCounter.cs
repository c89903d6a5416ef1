using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace VidGen.Models;

/// <summary>What an operation's FLOPs count as: a convolution over the clip, a linear map per token, or an attention product.</summary>
public enum FlopKind { Conv, Linear, Attention }

/// <summary>The FLOPs one module's operations did while a <see cref="FlopCounter"/> was current, split by kind.</summary>
public sealed record ModuleFlops(string Module, double Conv, double Linear, double Attention)
{
    public double Total => Conv + Linear + Attention;
}

/// <summary>
/// Counts the FLOPs of real forward passes through a module tree, per module, as in k-diffusion's flops.py:
/// <c>using var counter = FlopCounter.Start(unet);</c> makes a counter current for this async flow until it is
/// disposed, which restores the counter before it (scopes nest) and removes its hooks. Nothing is process-wide:
/// a forward on another flow, or after the scope, counts nothing.
/// <list type="bullet">
/// <item>Layers are counted by forward hooks on every leaf <see cref="Linear"/> and Conv1d / Conv2d / Conv3d of the
/// tree, keyed by the module's name in it: a convolution costs 2 x (Cin / groups) x kernel volume per output
/// element, a linear layer 2 x in per output element (one multiply and one add per weight; biases not counted).
/// TorchSharp runs hooks only when a module is invoked through <c>call</c>, never through <c>forward</c>, so the
/// model's layers are invoked through <c>call</c>; <see cref="Unseen"/> names any hooked layer that never ran,
/// so a layer called another way cannot silently drop out of a count.</item>
/// <item>Products that are no layer (attention's QK^T and AV, linear attention's context products, a matmul with
/// a fixed basis) are reported by the module that computes them with one call to <see cref="Attention"/> or
/// <see cref="Matmul"/>, which does nothing when no counter is current.</item>
/// </list>
/// Norms, activations, softmax and element-wise arithmetic are not counted: O(1) per element against O(channels)
/// for the operations counted, and bound by memory traffic rather than arithmetic.
/// </summary>
public sealed class FlopCounter : IDisposable
{
    static readonly AsyncLocal<FlopCounter?> current = new();

    readonly FlopCounter? previous;
    readonly Dictionary<nn.Module, string> names = new(ReferenceEqualityComparer.Instance);
    readonly List<Action> removeHooks = new();
    readonly Dictionary<string, double[]> counts = new();   // module -> (conv, linear, attention)
    readonly List<string> order = new();                     // modules in the order their first operation ran
    readonly List<string> layers = new();                    // hooked layers, in tree order
    readonly HashSet<string> ran = new();
    bool disposed;

    FlopCounter(nn.Module root)
    {
        // named_modules() leaves the root out: it is counted too, as "" (a lone layer, or the root's own products).
        foreach (var (name, module) in root.named_modules().Prepend(("", root)))
        {
            names[module] = name;
            switch (module)
            {
                case Linear linear:
                    Hook(linear, name, FlopKind.Linear, linear.weight!.shape[1]);
                    break;
                case Conv3d conv:
                    Hook(conv, name, FlopKind.Conv, PerOutput(conv.weight!));
                    break;
                // A 2D or 1D conv with a unit kernel maps each position linearly (linear attention's projections
                // over (B*F, C, H, W)): counted with the linear layers.
                case Conv2d conv:
                    Hook(conv, name, conv.weight!.shape[2] * conv.weight.shape[3] == 1 ? FlopKind.Linear : FlopKind.Conv, PerOutput(conv.weight));
                    break;
                case Conv1d conv:
                    Hook(conv, name, conv.weight!.shape[2] == 1 ? FlopKind.Linear : FlopKind.Conv, PerOutput(conv.weight));
                    break;
            }
        }
        previous = current.Value;
        current.Value = this;
    }

    /// <summary>Starts counting forward passes through <paramref name="root"/>'s tree; dispose to stop.</summary>
    public static FlopCounter Start(nn.Module root) => new(root);

    /// <summary>Counted modules in the order their first operation ran (for a network: the order of its forward).</summary>
    public IReadOnlyList<ModuleFlops> ByModule =>
        order.Select(name => new ModuleFlops(name, counts[name][0], counts[name][1], counts[name][2])).ToList();

    public double Total => counts.Values.Sum(c => c[0] + c[1] + c[2]);

    /// <summary>Hooked layers of the tree that did not run while counting (invoked through <c>forward</c>, or not at all).</summary>
    public IReadOnlyList<string> Unseen => layers.Where(l => !ran.Contains(l)).ToList();

    /// <summary>
    /// Scaled dot-product attention softmax(q k^T) v by <paramref name="owner"/>: q (..., Lq, d), k (..., Lk, d),
    /// v (..., Lk, dv); 2 Lk d per query row for QK^T plus 2 Lk dv for the weighted sum of values.
    /// </summary>
    public static void Attention(nn.Module owner, Tensor q, Tensor k, Tensor v)
    {
        if (current.Value is not { } counter) return;
        long d = q.shape[^1], lk = k.shape[^2], dv = v.shape[^1];
        counter.Add(owner, FlopKind.Attention, 2.0 * (q.numel() / d) * lk * (d + dv));
    }

    /// <summary>
    /// A matrix product by <paramref name="owner"/>, each element of <paramref name="product"/> a sum over
    /// <paramref name="inner"/> terms: 2 x inner per element.
    /// </summary>
    public static void Matmul(nn.Module owner, Tensor product, long inner, FlopKind kind)
    {
        if (current.Value is not { } counter) return;
        counter.Add(owner, kind, 2.0 * inner * product.numel());
    }

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        foreach (var remove in removeHooks) remove();
        current.Value = previous;
    }

    /// <summary>Weights per output element of a conv: (Cout, Cin / groups, k...) -> Cin / groups x kernel volume.</summary>
    static long PerOutput(Tensor weight) => weight.numel() / weight.shape[0];

    void Hook(nn.Module<Tensor, Tensor> layer, string name, FlopKind kind, long weightsPerOutput)
    {
        layers.Add(name);
        var hook = layer.register_forward_hook((_, _, y) =>
        {
            if (current.Value == this)
            {
                ran.Add(name);
                Record(name, kind, 2.0 * weightsPerOutput * y.numel());
            }
            return y;
        });
        removeHooks.Add(hook.remove);
    }

    void Add(nn.Module owner, FlopKind kind, double flops)
    {
        // Operations of modules outside the counted tree (a text encoder run meanwhile, say) are not this count's.
        if (names.TryGetValue(owner, out var name)) Record(name, kind, flops);
    }

    void Record(string name, FlopKind kind, double flops)
    {
        if (!counts.TryGetValue(name, out var c))
        {
            counts[name] = c = new double[3];
            order.Add(name);
        }
        c[(int)kind] += flops;
    }
}
