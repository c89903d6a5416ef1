using VidGen.Models;
using static TorchSharp.torch;

namespace VidGen.Tests.Models;

/// <summary>
/// The faster kernels (packed temporal attention, the temporal conv as a 2D conv) compute the same function as
/// the plain modules, forward and backward, with the same parameters and state-dict keys.
/// </summary>
public class FastKernelTests
{
    static (Tensor Out, Dictionary<string, Tensor> Grads) RunAndGrad(nn.Module module, Func<Tensor> forward)
    {
        module.zero_grad();
        var y = forward();
        using var g = randn(y.shape, generator: new Generator(7));
        autograd.backward(y, g);
        var grads = module.named_parameters().Where(p => p.parameter.grad is not null).ToDictionary(p => p.name, p => p.parameter.grad!.clone());
        return (y.detach(), grads);
    }

    static void AssertSame((Tensor Out, Dictionary<string, Tensor> Grads) a, (Tensor Out, Dictionary<string, Tensor> Grads) b, double atol)
    {
        Assert.True(a.Out.allclose(b.Out, rtol: 1e-4, atol: atol), $"outputs differ by {(a.Out - b.Out).abs().max().item<float>()}");
        Assert.Equal(a.Grads.Keys.OrderBy(k => k), b.Grads.Keys.OrderBy(k => k));
        foreach (var (name, ga) in a.Grads)
            Assert.True(ga.allclose(b.Grads[name], rtol: 1e-4, atol: atol), $"{name} gradients differ by {(ga - b.Grads[name]).abs().max().item<float>()}");
    }

    [Theory]
    [InlineData(8, 4, 4)]   // 32 tokens: 4 pixels per packed sequence
    [InlineData(16, 4, 4)]  // 2 pixels per sequence
    [InlineData(6, 3, 3)]   // 9 pixels per clip, 5 wanted: packs 3 (the largest divisor of 18 sequences up to 5)
    public void PackedTemporalAttentionEqualsOneSequencePerPixel(int frames, int h, int w)
    {
        manual_seed(3);
        using var attn = new TemporalAttention("t", 16, 2, 8, 32);
        using (no_grad())
            foreach (var p in attn.parameters()) p.copy_(randn(p.shape) * 0.3f); // non-zero relative bias and frame embedding
        var x = randn(new long[] { 2, 16, frames, h, w });
        attn.Kernels = new KernelOptions { PackTemporalTokens = 0 };
        var plain = RunAndGrad(attn, () => attn.call(x, null));
        attn.Kernels = new KernelOptions { PackTemporalTokens = 32 };
        Assert.True(TemporalAttention.PackFactor(2L * h * w, frames, 32) > 1);
        var packed = RunAndGrad(attn, () => attn.call(x, null));
        AssertSame(plain, packed, 1e-5);
    }

    [Fact]
    public void PackFactorDividesTheSequenceCount()
    {
        Assert.Equal(4, TemporalAttention.PackFactor(512, 8, 32));
        Assert.Equal(2, TemporalAttention.PackFactor(512, 16, 32));
        Assert.Equal(1, TemporalAttention.PackFactor(512, 32, 32));
        Assert.Equal(3, TemporalAttention.PackFactor(9, 8, 32));   // 4 does not divide 9
        Assert.Equal(1, TemporalAttention.PackFactor(7, 8, 32));
        Assert.Equal(1, TemporalAttention.PackFactor(512, 8, 0));
    }

    [Fact]
    public void FocusPresentClipsUseThePlainPathAndStillSeeOnlyTheirFrame()
    {
        manual_seed(4);
        using var attn = new TemporalAttention("t", 8, 2, 4, 16);
        using var _ = no_grad();
        foreach (var p in attn.parameters()) p.copy_(randn(p.shape) * 0.3f);
        var x = randn(new long[] { 2, 8, 4, 2, 2 });
        var focus = tensor(new[] { true, false });
        var y = attn.call(x, focus);
        // Clip 0 attends only to its own frame: changing another frame leaves frame 0 as it was.
        var x2 = x.clone();
        x2[0, TensorIndex.Colon, 3] = randn(8, 2, 2);
        var y2 = attn.call(x2, focus);
        Assert.True(y[0, TensorIndex.Colon, 0].allclose(y2[0, TensorIndex.Colon, 0], atol: 1e-6));
        Assert.True(y[1].allclose(y2[1], atol: 1e-6));
    }

    [Theory]
    [InlineData(8, 8, 8)]
    [InlineData(8, 16, 3)]
    public void TemporalConvAs2dEqualsConv3d(int dimIn, int dimOut, int frames)
    {
        manual_seed(5);
        using var block = new ResnetBlock("b", dimIn, dimOut, 12, 4, temporalConv: true);
        using (no_grad())
            foreach (var p in block.parameters()) p.copy_(randn(p.shape) * 0.2f); // the temporal conv starts at zero; make it count
        var x = randn(new long[] { 2, dimIn, frames, 5, 6 });
        var emb = randn(2, 12);
        block.Kernels = new KernelOptions { TemporalConvAs2d = false };
        var plain = RunAndGrad(block, () => block.call(x, emb));
        block.Kernels = new KernelOptions { TemporalConvAs2d = true };
        var fast = RunAndGrad(block, () => block.call(x, emb));
        AssertSame(plain, fast, 1e-5);
        Assert.Contains("temporal_conv.weight", fast.Grads.Keys);
    }

    [Fact]
    public void StateDictKeysAreUnchanged()
    {
        // A model trained before these kernels loads by name: the modules that hold the weights are the same.
        using var m = TinyModels.Create();
        var keys = m.state_dict().Keys.ToHashSet();
        Assert.Contains("unet.downs.0.block1.temporal_conv.weight", keys);
        Assert.Contains("unet.downs.0.temporal_attn.rel_pos_bias", keys);
        Assert.Contains("unet.downs.0.temporal_attn.attn.to_q.weight", keys);
        Assert.DoesNotContain(keys, k => k.Contains("pack", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void KernelOptionsBelongToOneModelAndReachEveryBlock()
    {
        using var a = TinyModels.Create();
        using var b = TinyModels.Create();
        Assert.Equal(KernelOptions.Default, a.Kernels);
        a.Kernels = KernelOptions.Plain;
        Assert.All(a.Unet.modules().OfType<TemporalAttention>(), t => Assert.Same(KernelOptions.Plain, t.Kernels));
        Assert.All(a.Unet.modules().OfType<ResnetBlock>(), r => Assert.Same(KernelOptions.Plain, r.Kernels));
        Assert.NotEmpty(a.Unet.modules().OfType<ResnetBlock>());
        // the other model keeps its own
        Assert.All(b.Unet.modules().OfType<TemporalAttention>(), t => Assert.Same(KernelOptions.Default, t.Kernels));
        Assert.Equal(KernelOptions.Default, b.Kernels);
        // and the two kernels give the same model output
        using var _ = no_grad();
        var x = randn(new long[] { 1, 3, 4, 16, 16 }, generator: new Generator(1));
        var t = full(1, 500f);
        var text = b.EncodeText(new[] { "a red circle" });
        a.load_state_dict(b.state_dict());
        var plain = a.Forward(x, t, text);
        var fast = b.Forward(x, t, text);
        Assert.True(plain.allclose(fast, rtol: 1e-4, atol: 1e-5), $"max diff {(plain - fast).abs().max().item<float>()}");
    }
}
