using VidGen.Models;
using static TorchSharp.torch;

namespace VidGen.Tests.Models;

public class FlopCounterTests
{
    [Fact]
    public void CountsLayersAndProductsOfARealForwardPerModule()
    {
        manual_seed(1);
        // Default kernels on purpose: the 2D route of the temporal conv bypasses its hook (see the Unseen test below).
        using var block = new ResnetBlock("b", 4, 6, 8, 2, temporalConv: false);
        using var attn = new MultiHeadAttention("attn", 6, 6, heads: 2, dimHead: 3);
        using var _ = no_grad();
        var x = randn(new long[] { 2, 4, 3, 5, 5 });                                  // (B, C, F, H, W): n = 2*3*5*5 = 150 voxels
        var emb = randn(2, 8);
        using (var counter = FlopCounter.Start(block))
        {
            block.call(x, emb);
            var byModule = counter.ByModule.ToDictionary(m => m.Module);
            Assert.Equal(new[] { "conv1", "film", "conv2", "res_conv" }, counter.ByModule.Select(m => m.Module));
            Assert.Equal(2.0 * 150 * 4 * 6 * 9, byModule["conv1"].Conv);   // 1x3x3, Cin 4 -> Cout 6
            Assert.Equal(2.0 * 150 * 6 * 6 * 9, byModule["conv2"].Conv);
            Assert.Equal(2.0 * 150 * 4 * 6, byModule["res_conv"].Conv);    // 1x1x1
            Assert.Equal(2.0 * 2 * 8 * 12, byModule["film"].Linear);       // (B, E) -> (B, 2 Cout)
            Assert.Equal(byModule.Values.Sum(m => m.Total), counter.Total);
            Assert.Empty(counter.Unseen);

            // A module outside the counted tree counts nothing here.
            attn.Forward(randn(2, 7, 6));
            Assert.Equal(4, counter.ByModule.Count);
        }

        using (var counter = FlopCounter.Start(attn))
        {
            attn.Forward(randn(2, 7, 6), randn(2, 5, 6));                // 7 queries, 5 keys, inner 6
            var a = counter.ByModule.Single(m => m.Module == "");
            Assert.Equal(2.0 * (2 * 2 * 7) * 5 * (3 + 3), a.Attention);  // B*heads*Lq query rows, Lk keys, QK^T (d) and AV (dv)
            Assert.Equal(2.0 * 2 * (7 * 6 * 6 + 5 * 6 * 6 * 2 + 7 * 6 * 6), counter.ByModule.Sum(m => m.Linear));
        }
    }

    [Fact]
    public void ScopesNestAndRestoreAndNothingCountsOutsideThem()
    {
        using var lin = nn.Linear(3, 2);
        using var _ = no_grad();
        var x = randn(4, 3);
        lin.call(x); // no counter: nothing to do
        FlopCounter.Attention(lin, x, x, x);
        using var outer = FlopCounter.Start(lin);
        lin.call(x);
        using (var inner = FlopCounter.Start(lin))
        {
            lin.call(x);
            lin.call(x);
            Assert.Equal(2 * 2.0 * 4 * 3 * 2, inner.Total);
        }
        Assert.Equal(2.0 * 4 * 3 * 2, outer.Total);                     // the inner scope's calls were the inner's
        lin.call(x);
        Assert.Equal(2 * 2.0 * 4 * 3 * 2, outer.Total);
        outer.Dispose();
        lin.call(x);
        Assert.Equal(2 * 2.0 * 4 * 3 * 2, outer.Total);                 // nothing counts once the scope is disposed
    }

    [Fact]
    public void LayersThatBypassTheirHooksAreNamed()
    {
        manual_seed(2);
        using var block = new ResnetBlock("b", 4, 4, 8, 2, temporalConv: true) { Kernels = new KernelOptions { TemporalConvAs2d = true } };
        using var _ = no_grad();
        using var counter = FlopCounter.Start(block);
        block.call(randn(new long[] { 1, 4, 3, 4, 4 }), randn(1, 8));
        Assert.Equal(new[] { "temporal_conv" }, counter.Unseen);
    }
}
