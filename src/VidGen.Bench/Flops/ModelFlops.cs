using TorchSharp;
using TorchSharp.Modules;
using VidGen.Data;
using VidGen.Diffusion.Samplers;
using VidGen.Models;
using VidGen.Text;
using static TorchSharp.torch;

namespace VidGen.Bench.Flops;

/// <summary>
/// FLOPs of <see cref="VideoDiffusionModel"/>'s forward pass, counted on the real model: one forward on inputs of
/// the shape generation feeds it, under a <see cref="FlopCounter"/> (forward hooks on every conv and linear layer
/// of the U-Net, the attention products reported by the modules that compute them), so a change to the network
/// changes the count with it. Method (the usual one for MFU, as in PaLM's appendix B and Megatron's papers):
/// <list type="bullet">
/// <item>a convolution costs 2 * Cin * Cout * kernel volume per output position (a multiply and an add per
/// weight; bias, padding zeros counted like data);</item>
/// <item>a linear layer 2 * in * out per token;</item>
/// <item>softmax attention 2 * L_k * inner for QK^T plus the same for AV, per query token (inner = heads * dim_head);
/// linear attention 2 * dim_head * inner per pixel for k v^T plus the same for the output product;</item>
/// <item>norms, activations, softmax, residual adds, FiLM and the sampler's own arithmetic are NOT counted: they
/// cost O(1) per element against O(channels) for the layers counted, and are bound by memory traffic, not
/// arithmetic (the benchmark's profile shows what they cost in time).</item>
/// </list>
/// Per clip means per batch row: the forward runs on 1 row and on 2, and the second row's increment is the clip's
/// cost, so work done once per call whatever the rows (the coordinate convs, on their batch-1 grid) drops out.
/// The count runs with <see cref="KernelOptions.Plain"/>: the FLOPs of the model's maths, not of a kernel that also
/// computes masked blocks (packed temporal attention). A training step costs 3x the forward (backward = 2x:
/// gradients for activations and for weights); classifier-free guidance doubles the rows of every sampling forward.
/// </summary>
public sealed class ModelFlops
{
    /// <summary>The prompt of the counted forward (its words do not change the count: every prompt is padded to the tokenizer's length).</summary>
    const string Prompt = "a small red circle moving left";

    ModelFlops(int frames, IReadOnlyList<BlockFlops> blocks, double perCall)
    {
        Frames = frames;
        Blocks = blocks;
        UnetForward = blocks.Where(b => b.Kind != BlockKind.TextEncoder).Sum(b => b.Total);
        TextForward = blocks.Where(b => b.Kind == BlockKind.TextEncoder).Sum(b => b.Total);
        UnetPerCall = perCall;
    }

    /// <summary>Frames of the counted clip.</summary>
    public int Frames { get; }

    /// <summary>Every block of the model for one clip: the built-in text encoder (per prompt), then the U-Net's blocks in the order its forward runs them.</summary>
    public IReadOnlyList<BlockFlops> Blocks { get; }

    /// <summary>U-Net forward FLOPs for one clip (text encoder excluded).</summary>
    public double UnetForward { get; }

    /// <summary>Built-in text encoder forward FLOPs for one prompt (0 for a frozen pretrained encoder: not counted).</summary>
    public double TextForward { get; }

    /// <summary>U-Net FLOPs done once per forward call whatever its rows (the coordinate convs); not in <see cref="UnetForward"/>.</summary>
    public double UnetPerCall { get; }

    /// <summary>FLOPs of one training clip at <see cref="Frames"/> frames: 3 x (U-Net + text encoder forward).</summary>
    public double TrainingPerClip => 3 * (UnetForward + TextForward);

    /// <summary>
    /// FLOPs of generating a batch of clips: <paramref name="evaluations"/> denoiser calls, each a forward over
    /// 2 x batch rows with guidance (1 x without), plus encoding the prompt and the negative / null prompt once.
    /// </summary>
    public double Generation(int batch, int evaluations, bool guided)
    {
        int rows = guided ? 2 * batch : batch;
        return (double)evaluations * rows * UnetForward + 2.0 * batch * TextForward;
    }

    /// <summary>Denoiser calls a sampler makes for a step count: Heun's corrector adds one per step but the last.</summary>
    public static int Evaluations(SamplerKind sampler, int steps) => sampler == SamplerKind.Heun ? 2 * steps - 1 : steps;

    /// <summary>Counts an untrained model of <paramref name="config"/> (built-in text encoder over the shapes world's words): FLOPs do not depend on the weights.</summary>
    public static ModelFlops Count(ModelConfig config, int frames)
    {
        var tokenizer = WordTokenizer.FromCaptions(ShapesWorld.AllSpecs().Select(s => s.Caption), config.Text.MaxLength);
        // A latent model's U-Net counts the same without its autoencoder, fed latents of its input size.
        using var model = new VideoDiffusionModel(config with { Latent = null, Resolution = config.Unet.SampleSize }, tokenizer);
        return Count(model, frames);
    }

    /// <summary>Counts one forward of <paramref name="model"/> over clips of <paramref name="frames"/> frames at its resolution.</summary>
    public static ModelFlops Count(VideoDiffusionModel model, int frames)
    {
        var blocks = ModelBlocks.Of(model.Unet);
        var one = CountForward(model, frames, rows: 1).ToDictionary(m => m.Module);
        var two = CountForward(model, frames, rows: 2);

        // Per block, in forward order: the second row's increment of every module in it.
        var sums = new Dictionary<string, double[]>();
        var order = new List<string>();
        double perCall = 0;
        foreach (var m in two)
        {
            var once = one.GetValueOrDefault(m.Module) ?? new ModuleFlops(m.Module, 0, 0, 0);
            string block = ModelBlocks.BlockOf(m.Module, blocks);
            if (!sums.TryGetValue(block, out var s)) { sums[block] = s = new double[3]; order.Add(block); }
            s[0] += m.Conv - once.Conv; s[1] += m.Linear - once.Linear; s[2] += m.Attention - once.Attention;
            perCall += once.Total - (m.Total - once.Total);
        }
        order.AddRange(blocks.Select(b => b.Name).Where(b => !sums.ContainsKey(b)));   // blocks that did no counted work

        var parameters = new Dictionary<string, long>();
        foreach (var (name, p) in model.Unet.named_parameters())
        {
            string block = ModelBlocks.BlockOf(name, blocks);
            parameters[block] = parameters.GetValueOrDefault(block) + p.numel();
        }
        var kinds = blocks.ToDictionary(b => b.Name, b => b.Kind);
        var result = new List<BlockFlops>();
        if (TextEncoder(model) is { } text) result.Add(text);
        foreach (var name in order)
        {
            var s = sums.GetValueOrDefault(name) ?? new double[3];
            result.Add(new BlockFlops(name, kinds[name], s[0], s[1], s[2], parameters.GetValueOrDefault(name)));
        }
        return new ModelFlops(frames, result, perCall);
    }

    /// <summary>One forward of <paramref name="rows"/> rows under a counter; what each U-Net module did, in the order they ran.</summary>
    static IReadOnlyList<ModuleFlops> CountForward(VideoDiffusionModel model, int frames, int rows)
    {
        var cfg = model.Config;
        var weight = model.Unet.parameters().First();
        using var scope = NewDisposeScope();
        using var ng = no_grad();
        var x = zeros(new long[] { rows, cfg.Unet.Channels, frames, cfg.DiffusionResolution, cfg.DiffusionResolution }, dtype: weight.dtype, device: weight.device);
        var t = full(rows, 500f, device: weight.device);
        var text = model.EncodeText(Enumerable.Repeat(Prompt, rows).ToList());          // before counting: not the U-Net's
        var kernels = model.Kernels;
        model.Kernels = KernelOptions.Plain;
        try
        {
            using var counter = FlopCounter.Start(model.Unet);
            model.Forward(x, t, text);
            if (counter.Unseen.Count > 0)
                throw new InvalidOperationException($"FLOP count: {string.Join(", ", counter.Unseen)} did not run through call() in the counted forward, so their hooks never fired; invoke layers with call() (see Models/FlopCounter)");
            return counter.ByModule;
        }
        finally { model.Kernels = kernels; }
    }

    /// <summary>
    /// The built-in text encoder, from its module tree by the rule of a token-wise transformer: every linear
    /// layer maps each of the prompt's L tokens once (2 * in * out * L), every attention is self-attention over
    /// the L tokens (4 * L^2 * inner). Counted this way rather than by hooks because its transformer layers invoke
    /// their MLP through forward(), which runs no hooks. A frozen pretrained encoder is no module of the model: not counted.
    /// </summary>
    static BlockFlops? TextEncoder(VideoDiffusionModel model)
    {
        var encoder = model.named_children().FirstOrDefault(c => c.name == "text_encoder").module;
        if (encoder is null) return null;
        long l = model.Tokenizer.MaxLength;
        double linear = 0, attention = 0;
        foreach (var (_, m) in encoder.named_modules())
        {
            if (m is Linear layer) linear += 2.0 * layer.weight!.shape[0] * layer.weight.shape[1] * l;
            else if (m is MultiHeadAttention)
            {
                var toQ = (Linear)m.named_children().Single(c => c.name == "to_q").module;  // (inner, dim)
                attention += 4.0 * l * l * toQ.weight!.shape[0];
            }
        }
        return new BlockFlops("text_encoder", BlockKind.TextEncoder, 0, linear, attention, encoder.parameters().Sum(p => p.numel()));
    }
}
