namespace VidGen.Bench.Results;

/// <summary>
/// (h) The latent path at 64x64x16: the autoencoder's decode of one clip and encode of a training batch, a
/// default-size latent model's training step (the encode included) next to the pixel model's, its in-process
/// generation (dpm++2m x 20, decode included), and the whole `vidgen generate` command on it. MFU against the
/// matmul ceiling like every other figure, and against the best GEMM of (a) (oneDNN's), for this model and the pixel one.
/// </summary>
public sealed record LatentResult(
    string Autoencoder, string Preset, int Resolution, int Frames, int LatentResolution, int LatentChannels,
    double DecodeMs, double EncodeBatchMs, int TrainBatch, double TrainSecondsPerStep, double VideosPerSecond, double Gflops, double Mfu,
    double MfuOfBestGemm, double PixelMfuOfBestGemm, double BestGemmGflops,
    double EncodeShareOfStep, double GenerationSeconds, double DecodeShareOfGeneration, MemoryRun? Command);
