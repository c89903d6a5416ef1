using static TorchSharp.torch;

namespace VidGen.Models.Autoencoders;

/// <summary>
/// An autoencoder's own folder, as `vidgen train-autoencoder` writes it: autoencoder.json (its config) and
/// autoencoder.safetensors (its weights, with the preview map). A latent diffusion model folder keeps the same
/// weights file beside its own, and the config inside its config.json (latent.autoencoder).
/// </summary>
public static class AutoencoderFolder
{
    public const string ConfigFile = "autoencoder.json", WeightsFile = "autoencoder.safetensors";

    public static bool Exists(string dir) => File.Exists(Path.Combine(dir, ConfigFile)) && File.Exists(Path.Combine(dir, WeightsFile));

    public static void Save(string dir, VideoAutoencoder autoencoder, IReadOnlyDictionary<string, string>? metadata = null, ScalarType? storeAs = null)
    {
        Directory.CreateDirectory(dir);
        AtomicFiles.WriteAllText(Path.Combine(dir, ConfigFile), autoencoder.Config.ToJson());
        Checkpoint.SaveWeights(Path.Combine(dir, WeightsFile), autoencoder, storeAs, metadata);
    }

    /// <summary>Loads an autoencoder folder; a missing folder or file, a bad config or weights that do not fit it is one error naming the file.</summary>
    public static VideoAutoencoder Load(string dir)
    {
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"autoencoder folder not found: {dir}");
        var configPath = Path.Combine(dir, ConfigFile);
        if (!File.Exists(configPath) && File.Exists(Path.Combine(dir, Checkpoint.ConfigFile)))
            throw new FileNotFoundException($"{dir} is a model folder, not an autoencoder folder: {ConfigFile} is missing (give the folder `vidgen train-autoencoder --out` wrote)");
        if (!File.Exists(configPath))
            throw new FileNotFoundException($"{dir} is not a VidGen autoencoder folder: {ConfigFile} is missing (train one with `vidgen train-autoencoder --out {dir}`)");
        var config = AutoencoderConfig.FromJson(File.ReadAllText(configPath), configPath);
        return LoadWeights(config, Path.Combine(dir, WeightsFile));
    }

    /// <summary>Builds the network for <paramref name="config"/> and fills it from <paramref name="weightsPath"/>.</summary>
    public static VideoAutoencoder LoadWeights(AutoencoderConfig config, string weightsPath)
    {
        if (!File.Exists(weightsPath)) throw new FileNotFoundException($"autoencoder weights not found: {weightsPath}");
        var autoencoder = new VideoAutoencoder(config);
        try
        {
            Checkpoint.LoadWeights(weightsPath, autoencoder);
        }
        catch
        {
            autoencoder.Dispose();
            throw;
        }
        autoencoder.eval();
        return autoencoder;
    }
}
