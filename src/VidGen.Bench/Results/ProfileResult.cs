using VidGen.Bench.Flops;

namespace VidGen.Bench.Results;

/// <summary>
/// Where a forward (2 rows, one guided clip) and a training pass (forward + backward over the training batch)
/// spend their time: the whole pass, every block of the real model timed alone (<see cref="BlockTiming"/>),
/// summed per kind (<see cref="KindTime"/>), and the forward's time against its rows (<see cref="RowScaling"/>)
/// with a least-squares line time = <see cref="FixedSecondsPerForward"/> + <see cref="SecondsPerRow"/> x rows.
/// </summary>
public sealed record ProfileResult(
    int Frames, int InferenceRows, double InferenceWholeSeconds, double InferenceBlocksSeconds, IReadOnlyList<KindTime> Inference,
    int TrainingRows, double TrainingWholeSeconds, double TrainingBlocksSeconds, IReadOnlyList<KindTime> Training,
    IReadOnlyList<RowScaling> Rows, double FixedSecondsPerForward, double SecondsPerRow,
    IReadOnlyList<BlockTiming> InferenceBlocks, IReadOnlyList<BlockTiming> TrainingBlocks);

/// <summary>One block timed on its own: seconds per call, its counted FLOPs, the rate they imply, and its GroupNorm + SiLU part.</summary>
public sealed record BlockTiming(string Name, BlockKind Kind, double Seconds, double Flops, double NormSiluSeconds)
{
    public double Gflops => Flops / Seconds / 1e9;
}

/// <summary>Block time summed per kind, its share of the summed blocks, and the GroupNorm + SiLU part of it.</summary>
public sealed record KindTime(string Kind, int Blocks, double Seconds, double Share, double Flops, double Gflops, double NormSiluSeconds);

/// <summary>A forward over <see cref="Rows"/> batch rows (guided sampling doubles rows): time, rate, MFU.</summary>
public sealed record RowScaling(int Rows, double Seconds, double Gflops, double Mfu);
