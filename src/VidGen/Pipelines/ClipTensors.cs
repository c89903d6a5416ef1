using VidGen.Media;
using static TorchSharp.torch;

namespace VidGen.Pipelines;

/// <summary>Moves clips between <see cref="Video"/> (F, H, W, 3) in [0, 1] and network tensors (B, 3, F, H, W) in [-1, 1].</summary>
public static class ClipTensors
{
    public static Tensor ToTensor(IReadOnlyList<Video> clips, Device? device = null)
    {
        if (clips.Count == 0) throw new ArgumentException("no clips to batch");
        var v0 = clips[0];
        foreach (var v in clips)
            if (v.Frames != v0.Frames || v.Height != v0.Height || v.Width != v0.Width)
                throw new ArgumentException($"clips in a batch must share a shape: {v.Frames}x{v.Height}x{v.Width} vs {v0.Frames}x{v0.Height}x{v0.Width}");
        long per = v0.Pixels.Length;
        var all = new float[per * clips.Count];
        // Scaled here, not with tensor * 2f - 1f: that line failed twice in libtorch's Scalar "toDouble" check,
        // most likely the implicit Scalar finalised by a GC (this large allocation) during the native call.
        for (int i = 0; i < clips.Count; i++)
        {
            var src = clips[i].Pixels;
            long o = per * i;
            for (long k = 0; k < per; k++) all[o + k] = src[k] * 2f - 1f;
        }
        using var t = tensor(all, new long[] { clips.Count, v0.Frames, v0.Height, v0.Width, 3 });
        using var perm = t.permute(0, 4, 1, 2, 3);
        return perm.contiguous().to(device ?? CPU);
    }

    public static Video[] ToVideos(Tensor batch, double fps)
    {
        using var scope = NewDisposeScope();
        long b = batch.shape[0], f = batch.shape[2], h = batch.shape[3], w = batch.shape[4];
        var pixels = ((batch.detach().cpu().to_type(ScalarType.Float32).permute(0, 2, 3, 4, 1) + 1f) / 2f).clamp(0f, 1f).contiguous();
        var data = pixels.data<float>().ToArray();
        long per = f * h * w * 3;
        return Enumerable.Range(0, (int)b)
            .Select(i => new Video((int)f, (int)h, (int)w, fps, data.AsSpan((int)(i * per), (int)per).ToArray()))
            .ToArray();
    }
}
