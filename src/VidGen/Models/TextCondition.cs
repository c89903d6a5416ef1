using TorchSharp.Modules;
using static TorchSharp.torch;

namespace VidGen.Models;

/// <summary>Text conditioning the U-Net reads. Tokens (B, L, Dc), Mask (B, L) bool (true = real token), Pooled (B, Dc).</summary>
public sealed record TextCondition(Tensor Tokens, Tensor Mask, Tensor Pooled);
