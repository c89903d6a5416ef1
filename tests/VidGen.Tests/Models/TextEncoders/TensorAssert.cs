using static TorchSharp.torch;

namespace VidGen.Tests;

/// <summary>Exact tensor comparison (TorchSharp's Tensor.equal is element-wise, unlike torch.equal).</summary>
public static class TensorAssert
{
    public static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.dtype == b.dtype && a.eq(b).all().item<bool>();
}
