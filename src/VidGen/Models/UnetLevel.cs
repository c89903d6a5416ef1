using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace VidGen.Models;

public enum Resample { None, Down, Up }

/// <summary>One U-Net level: two residual blocks, spatial / temporal / text attention, then optional resampling.</summary>
public sealed class UnetLevel : nn.Module
{
    private readonly ResnetBlock block1, block2;
    private readonly SpatialAttentionBlock? spatial_attn;
    private readonly TemporalAttention temporal_attn;
    private readonly TextCrossAttention? cross_attn;
    private readonly Module<Tensor, Tensor>? resample;
    private readonly Conv3d? coord_proj; // coordinates -> this level's input, zero at init

    public UnetLevel(string name, long dimIn, long dimOut, Unet3DConfig c, int resolution, Resample resample) : base(name)
    {
        if (c.CoordinateChannels) coord_proj = Coordinates.ZeroConv(dimIn, (1, 1, 1), (0, 0, 0));
        block1 = new ResnetBlock("block1", dimIn, dimOut, c.TimeEmbDim, c.Groups, c.TemporalConv);
        block2 = new ResnetBlock("block2", dimOut, dimOut, c.TimeEmbDim, c.Groups, c.TemporalConv);
        if (resolution <= c.SpatialAttentionMaxResolution)
            spatial_attn = new SpatialAttentionBlock("spatial_attn", dimOut, c.AttnHeads, c.AttnDimHead, full: resolution <= c.FullAttentionMaxResolution);
        temporal_attn = new TemporalAttention("temporal_attn", dimOut, c.AttnHeads, c.AttnDimHead, c.MaxFrames);
        if (resolution <= c.CrossAttentionMaxResolution)
            cross_attn = new TextCrossAttention("cross_attn", dimOut, c.ContextDim, c.AttnHeads, c.AttnDimHead);
        this.resample = resample switch
        {
            Models.Resample.Down => new Downsample("resample", dimOut),
            Models.Resample.Up => new Upsample("resample", dimOut),
            _ => null,
        };
        RegisterComponents();
    }

    public Tensor Forward(Tensor x, Tensor emb, Tensor tokens, Tensor keyBias, Tensor? focusPresent)
    {
        if (coord_proj is not null) x = x + coord_proj.call(Coordinates.Grid(x));
        var h = block1.call(x, emb);
        h = block2.call(h, emb);
        if (spatial_attn is not null) h = spatial_attn.call(h);
        h = temporal_attn.call(h, focusPresent);
        if (cross_attn is not null) h = cross_attn.call(h, tokens, keyBias);
        return h;
    }

    public Tensor Resample(Tensor x) => resample is null ? x : resample.call(x);
}
