using VidGen.Models;

namespace VidGen.Training;

/// <summary>
/// A named way to train a model from scratch (`vidgen train --recipe NAME`): the data, the text encoder, the
/// autoencoder, the network and every training option. Options given on the command line override the recipe's.
/// </summary>
/// <param name="Name">what --recipe takes</param>
/// <param name="World">the world trained on (shapes or world2)</param>
/// <param name="TextEncoder">a --text-encoder spec</param>
/// <param name="Autoencoder">a bundled autoencoder's folder name under models/, or null for a pixel model</param>
/// <param name="Preset">the network's size</param>
/// <param name="Options">how to train</param>
public sealed record TrainingRecipe(string Name, string World, string TextEncoder, string? Autoencoder, ModelPreset Preset, TrainOptions Options);

/// <summary>The recipes; bench/README.md and README's bundled-model section have the measurements behind their settings.</summary>
public static class TrainingRecipes
{
    /// <summary>
    /// The bundled model v2: world2's 64x64x16 clips in the committed autoencoder's latent space, the frozen MiniLM
    /// encoder, the default network. Micro-batches of 4 clips summed 4 times per step (an effective batch of 16)
    /// measured fastest per clip on the 2-core machine; 15,000 steps is the 8-hour budget there.
    /// </summary>
    public static TrainingRecipe World2 { get; } = new("world2", "world2", "minilm", "autoencoder-world2", ModelPreset.Default,
        TrainOptions.Defaults with { Steps = 15000, BatchSize = 4, GradAccumulation = 4, CheckpointEvery = 100, SnapshotEvery = 1000 });

    public static IReadOnlyList<TrainingRecipe> All { get; } = new[] { World2 };

    public static string Choices => string.Join(", ", All.Select(r => r.Name));

    public static TrainingRecipe Parse(string name) =>
        All.FirstOrDefault(r => string.Equals(r.Name, name.Trim(), StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"unknown recipe '{name}'; choose one of: {Choices}");
}
