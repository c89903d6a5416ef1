using VidGen.Bench.Flops;
using VidGen.Data;
using VidGen.Diffusion;
using VidGen.Diffusion.Samplers;
using VidGen.Models;
using VidGen.Text;
using static TorchSharp.torch;

namespace VidGen.Tests.Bench;

public class ModelFlopsTests
{
    /// <summary>
    /// Two levels at 4 px (no patching), 2 frames: small enough to count by hand. Level 0 (4 px) has linear spatial
    /// attention and no cross-attention; level 1 and the middle (2 px) have full spatial and cross-attention.
    /// </summary>
    static ModelConfig HandConfig => new()
    {
        Unet = new Unet3DConfig
        {
            Channels = 3, Dim = 4, DimMults = new[] { 1, 2 }, AttnHeads = 1, AttnDimHead = 2, Groups = 2, PatchSize = 1, SampleSize = 4,
            FullAttentionMaxResolution = 2, CrossAttentionMaxResolution = 2, SpatialAttentionMaxResolution = 4, TemporalConv = true, MaxFrames = 4, ContextDim = 4,
            FrameConditioning = false, // added below, on its own
        },
        Text = new TextEncoderConfig { Dim = 4, Layers = 1, Heads = 1, MaxLength = 3 },
        Resolution = 4, Frames = 2,
    };

    [Fact]
    public void ForwardCountMatchesAHandCalculation()
    {
        // inner = heads * dim_head = 2, time embedding E = 16, L = 3 text tokens; n = voxels = frames * side^2.
        // Resnet(din, d, n): 2 n (9 din d + 9 d d + 3 d d [+ din d if din != d]) + FiLM 2 E 2d.
        // Temporal(d, n): 2 n 4 d inner + 4 n F inner. Full spatial: 2 n 4 d inner + 4 n side^2 inner.
        // Linear spatial: 2 n 4 d inner + 4 n dh inner. Cross: 2 n 2 d inner + 2*2 Dc inner L + 4 n L inner.
        double time = 2 * (4 * 16 + 16 * 16 + 4 * 16);                    // 768
        double init = 2 * 3 * 4 * 49 * 32;                                 // 37632 (n = 2*4*4 = 32)
        double initTemporal = 2 * 32 * 4 * 4 * 2 + 4 * 32 * 2 * 2;         // 2048 + 512
        double res44 = 2 * 32 * (9 * 16 + 9 * 16 + 3 * 16) + 2 * 16 * 8;  // 21504 + 256 (4 -> 4 at 4 px)
        double lin4 = 2 * 32 * 4 * 4 * 2 + 4 * 32 * 2 * 2;                // 2048 + 512
        double temporal4 = 2 * 32 * 4 * 4 * 2 + 4 * 32 * 2 * 2;            // 2048 + 512
        double down = 2 * 4 * 4 * 16 * (32 / 4);                           // 4096
        double res48 = 2 * 8 * (9 * 4 * 8 + 9 * 64 + 3 * 64 + 4 * 8) + 2 * 16 * 16; // 17408 + 512 (n = 2*2*2 = 8)
        double res88 = 2 * 8 * (9 * 64 + 9 * 64 + 3 * 64) + 2 * 16 * 16;  // 21504 + 512
        double full2 = 2 * 8 * 4 * 8 * 2 + 4 * 8 * 4 * 2;                 // 1024 + 256
        double temporal2 = 2 * 8 * 4 * 8 * 2 + 4 * 8 * 2 * 2;             // 1024 + 128
        double cross2 = 2 * 8 * 2 * 8 * 2 + 2 * 2 * 4 * 2 * 3 + 4 * 8 * 3 * 2; // 512 + 96 + 192
        // ups.0 takes [middle (8); skip (8)] = 16 channels to dims[0] = 4 at 2 px, then upsamples 4 channels.
        double res164 = 2 * 8 * (9 * 16 * 4 + 9 * 16 + 3 * 16 + 16 * 4) + 2 * 16 * 8; // 13312 + 256
        double res44at2 = 2 * 8 * (9 * 16 + 9 * 16 + 3 * 16) + 2 * 16 * 8;  // 5376 + 256
        double full2x4 = 2 * 8 * 4 * 4 * 2 + 4 * 8 * 4 * 2;                // 512 + 256
        double temporal2x4 = 2 * 8 * 4 * 4 * 2 + 4 * 8 * 2 * 2;            // 512 + 128
        double cross2x4 = 2 * 8 * 2 * 4 * 2 + 2 * 2 * 4 * 2 * 3 + 4 * 8 * 3 * 2; // 256 + 96 + 192
        double up = 2 * 4 * 4 * 9 * (8 * 4);                               // 9216 (at the doubled side: 4x the positions)
        double res84 = 2 * 32 * (9 * 8 * 4 + 9 * 16 + 3 * 16 + 8 * 4) + 2 * 16 * 8;    // 32768 + 256
        double outConv = 2 * 4 * 3 * 32;                                   // 768
        double expected = time + init + initTemporal
            + res44 + res44 + lin4 + temporal4 + down                       // downs.0
            + res48 + res88 + full2 + temporal2 + cross2                    // downs.1
            + res88 + full2 + temporal2 + cross2 + res88                    // middle
            + res164 + res44at2 + full2x4 + temporal2x4 + cross2x4 + up     // ups.0
            + res84 + res44 + lin4 + temporal4                              // ups.1
            + res84 + outConv;                                              // final block, out conv
        Assert.Equal(308192, expected);
        var counted = ModelFlops.Count(HandConfig, 2);
        Assert.Equal(expected, counted.UnetForward);
        // Text encoder, one layer: projections 2*4*D^2*L + MLP 2*8*D^2*L + attention 4 L^2 D.
        Assert.Equal(2 * 4 * 16 * 3 + 2 * 8 * 16 * 3 + 4 * 9 * 4, counted.TextForward);
        Assert.Equal(3 * (expected + 1296), counted.TrainingPerClip);
        // Frame conditioning per frame: position projection 2*9*Dc, q and out 2*2*Dc*inner, hidden 2*(Dc+9)*E,
        // output 2*E*E, layout head 2*E*Dim*18, layout map 2*Dim*18*side^2; k and v once per clip 2*2*Dc*inner*L;
        // attention 4*L*inner per frame. And every FiLM (2 E 2d above) runs once per frame.
        double frameMlp = 2 * 2 * (9 * 4 + 2 * 4 * 2 + 13 * 16 + 16 * 16 + 16 * 4 * 18 + 4 * 18 * 16)
            + 2 * 2 * 4 * 2 * 3 + 4 * 2 * 3 * 2;                                        // 2208 + 4608 + 4608
        double film = 3 * 256 + 512 + 3 * 512 + 256 + 256 + 2 * 256;          // 3840: res44 x3, res48, res88 x3, res164, res44at2, res84 x2
        var withFrames = HandConfig with { Unet = HandConfig.Unet with { FrameConditioning = true } };
        Assert.Equal(expected + frameMlp + (2 - 1) * film, ModelFlops.Count(withFrames, 2).UnetForward);
        // The coordinate convs run once per call on a batch-1 grid: 1x7x7 from 3 channels to 4 at 4 px, then 1x1x1
        // into each level's input (4 px: downs.0 has 4 channels in, ups.1 8; 2 px: downs.1 4, ups.0 16). Per call,
        // not per clip: outside the per-clip count.
        Assert.Equal(2.0 * 32 * 4 * 3 * 49 + 2.0 * 32 * 3 * (4 + 8) + 2.0 * 8 * 3 * (4 + 16), counted.UnetPerCall);
    }

    [Fact]
    public void ConvolutionFlopsScaleWithFramesAndGuidanceDoublesRows()
    {
        var cfg = new ModelConfig();
        var count8 = ModelFlops.Count(cfg, 8);
        var eight = count8.Blocks;
        var sixteen = ModelFlops.Count(cfg, 16).Blocks;
        // Convs and linear layers are per voxel: twice the frames, twice the FLOPs (FiLM and the time MLP aside).
        Assert.Equal(2 * eight.Sum(b => b.Conv), sixteen.Sum(b => b.Conv), 6);
        // Temporal attention matmuls grow with F^2.
        double ta8 = eight.Where(b => b.Kind == BlockKind.TemporalAttention).Sum(b => b.Attention);
        double ta16 = sixteen.Where(b => b.Kind == BlockKind.TemporalAttention).Sum(b => b.Attention);
        Assert.Equal(4 * ta8, ta16, 6);
        double f = count8.UnetForward, text = count8.TextForward;
        Assert.Equal(20 * 2 * f + 2 * text, count8.Generation(1, 20, guided: true), 3);
        Assert.Equal(20 * 1 * f + 2 * text, count8.Generation(1, 20, guided: false), 3);
        // The default model: 1.68 GFLOP per 8-frame clip, 82% of it in convolutions.
        Assert.InRange(f, 1.675e9, 1.685e9);
        Assert.InRange(eight.Sum(b => b.Conv) / f, 0.80, 0.83);
    }

    [Fact]
    public void CountOnTheRealModelEqualsTheAnalyticFiguresOfTheDefaultConfig()
    {
        // What the analytic walk (which mirrored Unet3D's constructor) gave for new ModelConfig() before the count
        // moved onto the real module tree; the two agreed block by block for seven configs.
        var eight = ModelFlops.Count(new ModelConfig(), 8);
        var unet = eight.Blocks.Where(b => b.Kind != BlockKind.TextEncoder).ToList();
        Assert.Equal(1684655104, eight.UnetForward);
        Assert.Equal(1368391680, unet.Sum(b => b.Conv));
        Assert.Equal(259869696, unet.Sum(b => b.Linear));
        Assert.Equal(56393728, unet.Sum(b => b.Attention));
        Assert.Equal(3276800, eight.TextForward);
        Assert.Equal(5063795712, eight.TrainingPerClip);
        Assert.Equal(3398088704, ModelFlops.Count(new ModelConfig(), 16).UnetForward);
        Assert.Equal(1676713984, ModelFlops.Count(new ModelConfig { Unet = new Unet3DConfig { FrameConditioning = false } }, 8).UnetForward);
        // The blocks in the order the forward runs them, named by their paths in the module tree.
        Assert.Equal(51, eight.Blocks.Count);
        Assert.Equal(new[] { "text_encoder", "time", "frame_cond", "init_conv", "coord_conv", "init_temporal_attn", "downs.0.coord_proj", "downs.0.block1", "downs.0.block2", "downs.0.temporal_attn", "downs.0.cross_attn", "downs.0.resample" },
            eight.Blocks.Take(12).Select(b => b.Name));
        Assert.Equal(new[] { "final_block", "out_conv" }, eight.Blocks.TakeLast(2).Select(b => b.Name));
    }

    [Fact]
    public void CountingRestoresTheKernelsAndNestsInsideAnotherCounter()
    {
        using var model = TinyModels.Create();
        var kernels = model.Kernels;
        var flops = ModelFlops.Count(model, 4);
        Assert.Same(kernels, model.Kernels);
        // A forward of one row under a counter of our own (plain kernels, as the count runs) is one clip plus the
        // per-call work; the text encoder run inside the scope is outside the counted tree, and a count made while
        // this counter is current (a nested scope) does not leak into it.
        model.Kernels = KernelOptions.Plain;
        using var counter = FlopCounter.Start(model.Unet);
        using (no_grad()) model.Forward(randn(new long[] { 1, 3, 4, 16, 16 }), full(1, 10f), model.EncodeText(new[] { "a red circle" })).Dispose();
        Assert.Equal(flops.UnetForward, ModelFlops.Count(model, 4).UnetForward);
        Assert.Equal(flops.UnetForward + flops.UnetPerCall, counter.Total);
        Assert.Empty(counter.Unseen);
    }

    [Theory]
    [InlineData("default")]
    [InlineData("default, no coordinates")]
    [InlineData("default, no frame conditioning")]
    [InlineData("hand")]
    [InlineData("tiny")]
    public void ParametersOfTheBlocksSumToTheRealModels(string which)
    {
        var cfg = which switch
        {
            "default" => new ModelConfig(),
            "default, no coordinates" => new ModelConfig { Unet = new Unet3DConfig { CoordinateChannels = false } },
            "default, no frame conditioning" => new ModelConfig { Unet = new Unet3DConfig { FrameConditioning = false } },
            "hand" => HandConfig,
            _ => ModelConfig.Tiny(16, 4),
        };
        var tok = WordTokenizer.FromCaptions(ShapesWorld.AllSpecs().Select(s => s.Caption), cfg.Text.MaxLength);
        using var model = new VideoDiffusionModel(cfg, tok);
        var blocks = ModelFlops.Count(model, cfg.Frames).Blocks;
        Assert.Equal(model.ParameterCount(), blocks.Sum(b => b.Parameters));
        // The text encoder's block holds its embedding table too.
        Assert.Equal(model.TextEncoder is nn.Module m ? m.parameters().Sum(p => p.numel()) : 0, blocks.Single(b => b.Kind == BlockKind.TextEncoder).Parameters);
        Assert.True(blocks.Single(b => b.Kind == BlockKind.TextEncoder).Parameters > (long)tok.Vocabulary.Count * cfg.Text.Dim);
    }

    [Theory]
    [InlineData(SamplerKind.Ddpm, 7)]
    [InlineData(SamplerKind.Ddim, 7)]
    [InlineData(SamplerKind.DpmSolverPP2M, 7)]
    [InlineData(SamplerKind.Euler, 7)]
    [InlineData(SamplerKind.Heun, 7)]
    public void EvaluationCountIsWhatTheSamplerCalls(SamplerKind kind, int steps)
    {
        var schedule = new NoiseSchedule(ScheduleKind.Cosine, 1000);
        int calls = 0;
        Denoiser d = (x, t) => { calls++; return zeros_like(x); };
        using var x = randn(new long[] { 1, 3, 2, 4, 4 });
        using var y = Sampler.Run(kind, d, x, new SamplingOptions { Schedule = schedule, Timesteps = Timesteps.Make(schedule, steps), Generator = new Generator(1) });
        Assert.Equal(ModelFlops.Evaluations(kind, steps), calls);
    }
}
