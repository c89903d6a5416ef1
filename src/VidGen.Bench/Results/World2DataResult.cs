namespace VidGen.Bench.Results;

/// <summary>
/// (g) The second world as training data (issue #13: it is made inside the training loop). The data part of one
/// training step: <see cref="Batch"/> clips drawn from World2TrainingClips on one thread, as the trainer draws them,
/// and batched by ClipTensors.ToTensor (median of <see cref="Steps"/>); and <see cref="Clips"/> training clips
/// rendered in parallel on <see cref="Threads"/> threads, with the time that rate gives for 10,000.
/// </summary>
/// <param name="Batch">clips per training step</param>
/// <param name="Resolution">frame side in pixels</param>
/// <param name="Frames">frames per clip</param>
/// <param name="Steps">timed steps (after one warm-up)</param>
/// <param name="DataSecondsPerStep">median data time of a step (drawing the clips and making the tensor)</param>
/// <param name="RenderSecondsPerStep">median time of drawing the step's clips alone</param>
/// <param name="Clips">clips rendered in parallel (10,000, or fewer in a quick run)</param>
/// <param name="Threads">threads they were rendered on</param>
/// <param name="Seconds">wall time for them</param>
/// <param name="SecondsFor10000">the time for 10,000 clips at that rate (the measured time when <see cref="Clips"/> is 10,000)</param>
public sealed record World2DataResult(int Batch, int Resolution, int Frames, int Steps, double DataSecondsPerStep, double RenderSecondsPerStep, int Clips, int Threads, double Seconds, double SecondsFor10000);
