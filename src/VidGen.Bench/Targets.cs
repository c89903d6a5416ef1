using VidGen.Bench.Results;
using VidGen.Data.World2;
using VidGen.Models;
using VidGen.Models.TextEncoders;

namespace VidGen.Bench;

/// <summary>
/// The performance targets the benchmark reports against: training and generation MFU, 16-frame generation
/// time, the speed-up over DDPM x 1000 at equal or better fidelity, the peak memory of `vidgen generate`, the packaged
/// text encoder's encode time, and the second world's 10,000 training clips in under 2 minutes (issue #13).
/// </summary>
internal static class Targets
{
    public static IReadOnlyList<TargetResult> Of(TrainingResult training, IReadOnlyList<GenerationTiming> generation, RecipeComparison recipe, IReadOnlyList<MemoryRun> memory,
        MiniLm.Measurement? textEncoder, World2DataResult? world2Data, LatentResult? latent, ModelConfig cfg)
    {
        static string Pct(double? v) => Format.Pct(v);
        var list = new List<TargetResult>
        {
            new("training MFU", ">= 40%", Pct(training.Mfu), training.Mfu >= 0.4, $"batch {training.Batch}, {training.VideosPerSecond:F1} videos/s"),
        };
        var def = generation.FirstOrDefault(g => g.Sampler == "dpm++2m" && g.Steps == 20 && g.Frames == cfg.Frames);
        if (def is not null)
            list.Add(new("generation MFU (dpm++2m x 20, 1 clip)", ">= 40%", Pct(def.Mfu), def.Mfu >= 0.4, $"{def.Seconds:F2} s, {def.SecondsPerEvaluation * 1000:F1} ms per guided evaluation"));
        var sixteen = generation.FirstOrDefault(g => g.Sampler == "dpm++2m" && g.Steps == 20 && g.Frames == 16);
        if (sixteen is not null)
            list.Add(new("16-frame generation (dpm++2m x 20)", "< 5 s", $"{sixteen.Seconds:F2} s", sixteen.Seconds < 5, "in process, model loaded"));
        var (fast, ddpm) = (recipe.Fast.Overall, recipe.Ddpm.Overall);
        list.Add(new($"speed-up over DDPM x {recipe.Ddpm.Steps}", ">= 40x at equal or better fidelity", $"{recipe.Speedup:F1}x, all attributes {Pct(fast.All)} vs {Pct(ddpm.All)}",
            recipe.Speedup >= 40 && recipe.FastEqualOrBetter && recipe.Ddpm.Steps == 1000,
            $"{recipe.Ddpm.Clips} clips, batch {recipe.Ddpm.Batch}; fast vs DDPM: colour {Pct(fast.Colour)} vs {Pct(ddpm.Colour)}, shape {Pct(fast.Shape)} vs {Pct(ddpm.Shape)}, size {Pct(fast.Size)} vs {Pct(ddpm.Size)}, direction {Pct(fast.Direction)} vs {Pct(ddpm.Direction)}"));
        var gen = memory.FirstOrDefault(m => m.Label.StartsWith("vidgen generate (", StringComparison.Ordinal));
        if (gen is not null)
            list.Add(new("generate peak RSS", "<= 1.5 GiB", $"{gen.PeakRssMiB:F0} MiB", gen.ExitCode == 0 && gen.PeakRssMiB <= 1536, gen.Error ?? $"{gen.WallSeconds:F1} s wall for the whole command"));
        if (textEncoder is not null)
            list.Add(new($"MiniLM encode, {textEncoder.Prompts} prompts", "<= 50 ms", $"{textEncoder.MedianEncodeMs:F1} ms", textEncoder.MedianEncodeMs <= 50,
                $"median of the timed batches (best {textEncoder.MinEncodeMs:F1} ms); load {textEncoder.LoadSeconds:F2} s, +{textEncoder.RssAddedMiB} MiB resident"));
        if (world2Data is { } w)
            list.Add(new($"{GenerationSpeed.TargetClips:N0} world2 training clips ({w.Resolution}x{w.Resolution}, {w.Frames} frames)", $"< {GenerationSpeed.TargetSeconds:F0} s", $"{w.SecondsFor10000:F1} s",
                w.SecondsFor10000 < GenerationSpeed.TargetSeconds,
                $"{w.Clips} clips in {w.Seconds:F2} s on {w.Threads} threads{(w.Clips == GenerationSpeed.TargetClips ? "" : ", scaled to 10,000")}; data per training step {w.DataSecondsPerStep * 1000:F1} ms (batch {w.Batch}, one thread: {w.RenderSecondsPerStep * 1000:F1} ms drawing, the rest ClipTensors.ToTensor)"));
        if (latent is not null)
        {
            list.Add(new("latent decode, 16 frames of 64x64", "<= 100 ms", $"{latent.DecodeMs:F0} ms", latent.DecodeMs <= 100, latent.Autoencoder));
            list.Add(new("latent generation 64x64x16 (dpm++2m x 20)", "<= 2.5 s", $"{latent.GenerationSeconds:F2} s", latent.GenerationSeconds <= 2.5,
                $"in process, decode included ({latent.DecodeShareOfGeneration:P0} of it)"));
            if (latent.Command is { } c)
                list.Add(new("latent `vidgen generate` 64x64x16", "<= 4 s", $"{c.WallSeconds:F1} s", c.ExitCode == 0 && c.WallSeconds <= 4, c.Error ?? $"whole command, peak RSS {c.PeakRssMiB:F0} MiB"));
            list.Add(new("latent training: encoder's share of a step", "negligible (<= 10%)", Pct(latent.EncodeShareOfStep), latent.EncodeShareOfStep <= 0.1,
                $"{latent.EncodeBatchMs:F0} ms per batch of {latent.TrainBatch}; {latent.VideosPerSecond:F1} videos/s vs pixel {training.VideosPerSecond:F1} at {training.Frames} frames; MFU {Pct(latent.Mfu)} vs {Pct(training.Mfu)}, of the best GEMM ({latent.BestGemmGflops:F0} GFLOP/s) {Pct(latent.MfuOfBestGemm)} vs {Pct(latent.PixelMfuOfBestGemm)}"));
        }
        return list;
    }
}
