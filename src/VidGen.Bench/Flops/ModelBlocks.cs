using TorchSharp;
using VidGen.Models;
using static TorchSharp.torch;

namespace VidGen.Bench.Flops;

/// <summary>One block of a real U-Net: its path in the module tree, its kind, and the module (null for a group of layers).</summary>
public sealed record ModelBlock(string Name, BlockKind Kind, nn.Module? Module);

/// <summary>
/// The blocks of a <see cref="Unet3D"/>, read from its module tree rather than from its config: every residual
/// block, attention block, resampler and the frame conditioning that is not inside another of them, by type;
/// each layer outside those on its own (init_conv, out_conv, the coordinate convs), except the time-embedding
/// MLP (time_in, time_out, text_to_emb), which is one block, "time". Names are the modules' paths under the U-Net
/// ("downs.0.block1"), the checkpoint keys without "unet.".
/// </summary>
public static class ModelBlocks
{
    public const string Time = "time";
    static readonly string[] TimeLayers = { "time_in", "time_out", "text_to_emb" };

    /// <summary>The blocks in module-tree order (<see cref="ModelFlops"/> lists them in the order the forward runs them).</summary>
    public static IReadOnlyList<ModelBlock> Of(Unet3D unet)
    {
        var modules = unet.named_modules().ToList();
        var blocks = modules.Where(m => KindOf(m.module) is not null).Select(m => m.name).ToList();
        // Outermost only: SpatialAttentionBlock holds a SpatialFullAttention, which is no block of its own.
        bool Inside(string name, IEnumerable<string> of) => of.Any(b => b != name && name.StartsWith(b + ".", StringComparison.Ordinal));
        var outer = blocks.Where(b => !Inside(b, blocks)).ToHashSet();
        var result = new List<ModelBlock>();
        bool time = false;
        foreach (var (name, module) in modules)
        {
            if (outer.Contains(name)) result.Add(new ModelBlock(name, KindOf(module)!.Value, module));
            else if (!module.named_children().Any() && !Inside(name, outer))
            {
                if (TimeLayers.Contains(name)) { if (!time) result.Add(new ModelBlock(Time, BlockKind.TimeEmbedding, null)); time = true; }
                else result.Add(new ModelBlock(name, LayerKind(name), module));
            }
        }
        return result;
    }

    /// <summary>
    /// The block a module or parameter path belongs to: the block it is or lies in. The U-Net's own parameters
    /// (the learned null text, which text_to_emb embeds when a row drops its prompt) belong to "time".
    /// </summary>
    public static string BlockOf(string path, IReadOnlyList<ModelBlock> blocks)
    {
        foreach (var layer in TimeLayers)
            if (path == layer || path.StartsWith(layer + ".", StringComparison.Ordinal)) return Time;
        var block = blocks.Where(b => b.Module is not null && (path == b.Name || path.StartsWith(b.Name + ".", StringComparison.Ordinal)))
            .MaxBy(b => b.Name.Length);
        return block?.Name ?? Time;
    }

    static BlockKind? KindOf(nn.Module module) => module switch
    {
        ResnetBlock => BlockKind.Resnet,
        TemporalAttention => BlockKind.TemporalAttention,
        SpatialAttentionBlock s => s.modules().OfType<SpatialFullAttention>().Any() ? BlockKind.SpatialFullAttention : BlockKind.SpatialLinearAttention,
        TextCrossAttention => BlockKind.CrossAttention,
        Downsample => BlockKind.Downsample,
        Upsample => BlockKind.Upsample,
        FrameConditioning => BlockKind.FrameConditioning,
        _ => null,
    };

    static BlockKind LayerKind(string name) => name switch
    {
        "init_conv" => BlockKind.InitConv,
        "out_conv" => BlockKind.OutConv,
        "coord_conv" => BlockKind.Coordinates,
        _ when name.EndsWith(".coord_proj", StringComparison.Ordinal) => BlockKind.Coordinates,
        _ => BlockKind.Other,
    };
}
