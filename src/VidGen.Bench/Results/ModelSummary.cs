namespace VidGen.Bench.Results;

/// <summary>Which model the figures are for. Speed figures do not depend on the weights; fidelity figures do.</summary>
public sealed record ModelSummary(string Source, bool Trained, string? TrainedSteps, long Parameters, int Frames, int Resolution, Models.Unet3DConfig Unet);
