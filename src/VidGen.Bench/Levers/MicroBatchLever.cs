using VidGen.Data;
using VidGen.Training;
using static TorchSharp.torch;

namespace VidGen.Bench.Levers;

/// <summary>
/// Gradient accumulation: one optimizer step over the same clips as <paramref name="micro"/>-clip micro-batches
/// (TrainOptions.GradAccumulation) against one batch; smaller activations may stay in cache. A latent model's
/// trainer gets its own copy of the autoencoder from <paramref name="latents"/> (a trainer disposes its codec).
/// </summary>
internal sealed class MicroBatchLever(Trainer trainer, ITrainingClips data, TrainOptions options, int micro, string outDir, Device device,
    Func<VidGen.Models.Autoencoders.LatentCodec?> latents) : Lever
{
    readonly int batch = options.BatchSize;
    Trainer? accum;

    int Count => batch / micro;
    public override string Name => $"training micro-batches: {batch} clips per step as {Count} x {micro}";
    public override string BaselineName => $"1 x {batch}";
    public override string VariantName => $"{Count} x {micro} (--grad-accum)";

    public override void Setup()
    {
        accum = new Trainer(trainer.Model.Config, data, options with { BatchSize = micro, GradAccumulation = Count }, outDir, device, latents: latents());
        accum.Model.train();
    }

    public override void Baseline() => TrainingStage.Step(trainer);
    public override void Variant() => TrainingStage.Step(accum!);

    public override string Decision(double baselineSeconds, double variantSeconds) =>
        variantSeconds < baselineSeconds ? $"faster: train with --batch {micro} --grad-accum {Count}" : "slower: one batch kept";

    public override void Cleanup() { accum?.Dispose(); accum = null; }
}
