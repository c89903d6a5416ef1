using TorchSharp;
using VidGen.Bench.Results;
using VidGen.Data;
using VidGen.Models;
using VidGen.Models.Autoencoders;
using VidGen.Pipelines;
using VidGen.Text;
using VidGen.Training;
using static TorchSharp.torch;

namespace VidGen.Bench;

/// <summary>
/// (h) Latent diffusion's costs at 64x64, 16 frames, on untrained networks (speed does not depend on the
/// weights): the autoencoder of <see cref="BenchOptions.AutoencoderDir"/> (or the default config), a latent model
/// of <see cref="BenchOptions.LatentPreset"/>'s size (the default preset's) over it, timed for decoding, encoding, training and generation; the model is
/// saved and `vidgen generate` runs on it as a child process for the whole command's time and peak memory.
/// </summary>
internal static class LatentStage
{
    public const int Resolution = 64, Frames = 16;

    /// <param name="ctx">the run</param>
    /// <param name="pixel">stage (b)'s training figures, which the latent model's are set beside</param>
    public static LatentResult Run(BenchContext ctx, TrainingResult pixel)
    {
        ctx.Cancel.ThrowIfCancellationRequested();
        var (o, device) = (ctx.Options, ctx.Device);
        var autoencoder = o.AutoencoderDir is string dir ? AutoencoderFolder.Load(dir) : new VideoAutoencoder(new AutoencoderConfig());
        autoencoder.to(device);
        var latent = new LatentConfig { Autoencoder = autoencoder.Config };
        var config = ModelPresets.Get(o.LatentPreset, Resolution, Frames).InLatentSpace(latent);
        var data = new ShapesTrainingClips(new ShapesWorld(Resolution, Frames));
        var codec = new LatentCodec(autoencoder, latent);
        int reps = ctx.Quick ? 1 : 5;

        // Decode one clip (what generation pays once), encode one training batch (what every latent step pays).
        using var clip = ClipTensors.ToTensor(new[] { data.Clip(0).Video }, device);
        using var z = codec.Encode(clip);
        double decode = Timing.Median(Timing.Repeat(() => { using var _ = codec.Decode(z); }, warmup: 1, reps, device));
        using var batch = ClipTensors.ToTensor(Enumerable.Range(0, o.TrainBatch).Select(i => data.Clip(i).Video).ToList(), device);
        double encode = Timing.Median(Timing.Repeat(() => { using var _ = codec.Encode(batch); }, warmup: 1, ctx.Quick ? 1 : 3, device));

        // Training: the trainer owns the codec from here on.
        var trainOptions = new TrainOptions { BatchSize = o.TrainBatch, Steps = 1_000_000, CheckpointEvery = 0 };
        double step, gflops;
        string modelDir = Path.Combine(ctx.TempDir, "latent-model");
        using (var trainer = new Trainer(config, data, trainOptions, Path.Combine(ctx.TempDir, "latent-train"), device, latents: codec))
        {
            trainer.Model.train();
            step = Timing.Median(Timing.Repeat(() => TrainingStage.Step(trainer), warmup: 1, ctx.Quick ? 1 : o.TrainSteps, device));
            var flops = Flops.ModelFlops.Count(trainer.Model, Frames);
            gflops = flops.TrainingPerClip * o.TrainBatch / step / 1e9;
            Checkpoint.Save(modelDir, trainer.EmaModel);
        }
        ctx.Log($"(h) latent {Resolution}x{Resolution}x{Frames} -> {config.DiffusionResolution}x{config.DiffusionResolution}x{latent.Autoencoder.LatentChannels}: decode {decode * 1000:F0} ms/clip, encode {encode * 1000:F0} ms per batch of {o.TrainBatch}; training {step:F2} s/step ({o.TrainBatch / step:F1} videos/s, MFU {ctx.Mfu(gflops):P1}, {ctx.MfuOfBestGemm(gflops):P1} of the best GEMM; pixel {ctx.MfuOfBestGemm(pixel.Gflops):P1}; encode {encode / step:P0} of the step)");

        // Generation in process (decode included), on the saved model as `vidgen generate` would load it.
        double generation, decodeShare;
        using (var model = Checkpoint.Load(modelDir, device))
        {
            var pipeline = new TextToVideoPipeline(model);
            var request = new GenerationRequest { Prompt = BenchRunner.Prompt, Seed = 1 };
            pipeline.Generate(request with { Steps = 2 });
            generation = Timing.Median(Timing.Repeat(() => pipeline.Generate(request), warmup: 0, ctx.Quick ? 1 : 3, device));
            decodeShare = decode / generation;
        }
        ctx.Log($"(h) latent generation dpm++2m x 20, {Frames} frames: {generation:F2} s in process (decode {decodeShare:P0} of it)");

        MemoryRun? command = null;
        if (o.Cli is not null && PeakMemory.Supported)
        {
            var args = new[] { "generate", BenchRunner.Prompt, "--model", modelDir, "--seed", "1", "--out", Path.Combine(ctx.TempDir, "latent.gif") };
            var run = PeakMemory.Run(o.Cli.FileName, o.Cli.Prefix.Concat(args).ToList(), TimeSpan.FromMinutes(5));
            command = new MemoryRun("vidgen generate (latent 64x64x16)", run.Command, run.ExitCode, run.PeakRssMiB, run.WallSeconds, run.Samples, run.ExitCode == 0 ? null : run.OutputTail);
            ctx.Log($"(h) {command.Label}: {run.WallSeconds:F1} s wall, peak RSS {run.PeakRssMiB:F0} MiB, exit {run.ExitCode}");
        }
        return new LatentResult(o.AutoencoderDir ?? "untrained default config", Names.Preset.Name(o.LatentPreset), Resolution, Frames, config.DiffusionResolution, latent.Autoencoder.LatentChannels,
            decode * 1000, encode * 1000, o.TrainBatch, step, o.TrainBatch / step, gflops, ctx.Mfu(gflops),
            ctx.MfuOfBestGemm(gflops), ctx.MfuOfBestGemm(pixel.Gflops), ctx.BestGemm, encode / step, generation, decodeShare, command);
    }
}
