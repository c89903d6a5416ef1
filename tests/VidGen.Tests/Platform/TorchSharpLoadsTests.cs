using TorchSharp;
using static TorchSharp.torch;

namespace VidGen.Tests.Platform;

/// <summary>libtorch loads on this Linux (the build-time libstdc++ fix worked) and computes correct values.</summary>
public class TorchSharpLoadsTests
{
    [Fact]
    public void MatmulMatchesHandComputedValues()
    {
        using var a = tensor(new float[] { 1, 2, 3, 4, 5, 6 }, new long[] { 2, 3 });
        using var b = tensor(new float[] { 7, 8, 9, 10, 11, 12 }, new long[] { 3, 2 });
        using var c = a.matmul(b);
        Assert.Equal(new float[] { 58, 64, 139, 154 }, c.data<float>().ToArray());
    }

    [Fact]
    public void Conv3dBackwardProducesGradients()
    {
        using var conv = nn.Conv3d(2, 3, (1, 3, 3), padding: (0, 1, 1));
        using var x = ones(new long[] { 1, 2, 2, 4, 4 });
        var y = conv.forward(x).sum();
        y.backward();
        var g = conv.weight!.grad!;
        // d(sum)/dw for an all-ones input is the count of output positions each weight touches: corners 9, edges 12, centre 16, times 2 frames.
        Assert.Equal(16f * 2, g[0, 0, 0, 1, 1].item<float>());
        Assert.Equal(9f * 2, g[0, 0, 0, 0, 0].item<float>());
    }
}
