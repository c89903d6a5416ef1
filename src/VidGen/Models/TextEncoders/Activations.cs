using static TorchSharp.torch;

namespace VidGen.Models.TextEncoders;

/// <summary>The hidden_act values of HuggingFace configs that BERT and CLIP checkpoints use.</summary>
public static class Activations
{
    public static Func<Tensor, Tensor> Get(string name, string source) => name switch
    {
        "gelu" => x => nn.functional.gelu(x),                                   // exact, erf-based
        "gelu_new" or "gelu_pytorch_tanh" or "gelu_fast" => TanhGelu,           // GPT-2's tanh approximation
        "quick_gelu" => x => { using var s = (x * 1.702f).sigmoid(); return x * s; }, // CLIP: x * sigmoid(1.702 x)
        "relu" => x => nn.functional.relu(x),
        "silu" or "swish" => x => nn.functional.silu(x),
        _ => throw new NotSupportedException($"{source}: hidden_act \"{name}\" is not supported; use gelu, gelu_new, quick_gelu, relu or silu"),
    };

    // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
    static Tensor TanhGelu(Tensor x)
    {
        using var scope = NewDisposeScope();
        var inner = (x + x.pow(3) * 0.044715f) * (float)Math.Sqrt(2 / Math.PI);
        return (x * 0.5f * (inner.tanh() + 1f)).MoveToOuterDisposeScope();
    }
}
