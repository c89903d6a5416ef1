using static TorchSharp.torch;

namespace VidGen.Bench.Levers;

/// <summary>libtorch's intra-op threads: the same work with the process's thread count (one per core by default) and with one.</summary>
internal sealed class ThreadsLever(string name, int threads, Action work, string decision = "libtorch's default kept") : Lever
{
    public override string Name => name;
    public override string BaselineName => $"{threads} threads";
    public override string VariantName => "1 thread";

    public override void Baseline() { set_num_threads(threads); work(); }
    public override void Variant() { set_num_threads(1); work(); }
    public override string Decision(double baselineSeconds, double variantSeconds) => decision;
    public override void Cleanup() => set_num_threads(threads);
}
