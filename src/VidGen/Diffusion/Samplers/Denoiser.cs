using TorchSharp;
using static TorchSharp.torch;

namespace VidGen.Diffusion.Samplers;

/// <summary>The model as samplers see it: x_t (B, C, F, H, W) at fractional timestep t -> x0 estimate, same shape.</summary>
public delegate Tensor Denoiser(Tensor xt, double t);
