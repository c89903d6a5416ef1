using TorchSharp;
using VidGen.Models.Autoencoders;
using VidGen.Models.TextEncoders;
using VidGen.Text;
using static TorchSharp.torch;

namespace VidGen.Models;

/// <summary>
/// A model folder: config.json, tokenizer.json and model.safetensors (the weights used for sampling, EMA when
/// trained here), and for a latent model autoencoder.safetensors (its autoencoder, described by config.json's latent section). Weights load by name; missing, unexpected or mis-shaped keys give one error listing them all.
/// A model with a frozen pretrained text encoder has no tokenizer.json and no encoder weights here: config.json's
/// text.pretrained_path points at the encoder's own folder.
/// </summary>
public static class Checkpoint
{
    public const string ConfigFile = "config.json", TokenizerFile = "tokenizer.json", WeightsFile = "model.safetensors";

    public static void Save(string dir, VideoDiffusionModel model, ScalarType? storeAs = null, IReadOnlyDictionary<string, string>? metadata = null)
    {
        Directory.CreateDirectory(dir);
        AtomicFiles.WriteAllText(Path.Combine(dir, ConfigFile), model.Config.ToJson());
        // A pretrained encoder's tokenizer lives in its own folder (text.pretrained_path), like its weights.
        if (model.Tokenizer is WordTokenizer words) AtomicFiles.WriteAllText(Path.Combine(dir, TokenizerFile), words.ToJson());
        SaveWeights(Path.Combine(dir, WeightsFile), model, storeAs, metadata);
        // A latent model's autoencoder travels with it; its config is config.json's latent.autoencoder.
        if (model.Latents is not null) SaveWeights(Path.Combine(dir, AutoencoderFolder.WeightsFile), model.Latents.Autoencoder, storeAs);
    }

    public static void SaveWeights(string path, nn.Module module, ScalarType? storeAs = null, IReadOnlyDictionary<string, string>? metadata = null) =>
        Safetensors.Save(path, module.state_dict().Select(kv => (kv.Key, kv.Value)), metadata, storeAs);

    /// <summary>True when the folder has config.json and model.safetensors (tokenizer.json too unless the text encoder is pretrained).</summary>
    public static bool Exists(string dir) =>
        File.Exists(Path.Combine(dir, ConfigFile)) && File.Exists(Path.Combine(dir, WeightsFile))
        && (File.Exists(Path.Combine(dir, TokenizerFile)) || UsesPretrainedText(Path.Combine(dir, ConfigFile)));

    static bool UsesPretrainedText(string configPath)
    {
        try { return ModelConfig.FromJson(File.ReadAllText(configPath), configPath).Text.Kind != TextEncoderKind.Builtin; }
        catch (InvalidDataException) { return false; }
    }

    /// <summary>A model folder's config.json, validated (what the model is, without loading its weights).</summary>
    public static ModelConfig ReadConfig(string dir)
    {
        var configPath = Path.Combine(dir, ConfigFile);
        return ModelConfig.FromJson(File.ReadAllText(configPath), configPath);
    }

    public static VideoDiffusionModel Load(string dir, Device? device = null)
    {
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"model folder not found: {dir}");
        foreach (var f in new[] { ConfigFile, WeightsFile })
            if (!File.Exists(Path.Combine(dir, f)))
                throw new FileNotFoundException($"{dir} is not a VidGen model folder: {f} is missing (train one with `vidgen train --out {dir}`)");
        var config = ReadConfig(dir);
        var latents = LoadLatents(dir, config);
        VideoDiffusionModel model;
        try
        {
            if (config.Text.Kind == TextEncoderKind.Builtin)
            {
                var tokenizerPath = Path.Combine(dir, TokenizerFile);
                if (!File.Exists(tokenizerPath))
                    throw new FileNotFoundException($"{dir} is not a VidGen model folder: {TokenizerFile} is missing (train one with `vidgen train --out {dir}`)");
                model = new VideoDiffusionModel(config, WordTokenizer.FromJson(File.ReadAllText(tokenizerPath), tokenizerPath), latents, ownsLatents: true);
            }
            else model = new VideoDiffusionModel(config, PretrainedTextEncoder.Load(config.Text, Path.Combine(dir, ConfigFile)), ownsEncoder: true, latents, ownsLatents: true);
        }
        catch
        {
            latents?.Dispose();
            throw;
        }
        try { LoadWeights(Path.Combine(dir, WeightsFile), model); }
        catch
        {
            model.Dispose();
            throw;
        }
        if (device is not null)
        {
            model.to(device);
            model.Latents?.Autoencoder.to(device); // not a child module: moved apart
        }
        model.eval();
        return model;
    }

    /// <summary>A latent model's autoencoder from autoencoder.safetensors in its folder; null for a pixel model.</summary>
    public static LatentCodec? LoadLatents(string dir, ModelConfig config)
    {
        if (config.Latent is null) return null;
        var path = Path.Combine(dir, AutoencoderFolder.WeightsFile);
        if (!File.Exists(path)) throw new FileNotFoundException($"{dir} is a latent model but {AutoencoderFolder.WeightsFile} is missing: copy it from the autoencoder folder the model was trained with");
        return new LatentCodec(AutoencoderFolder.LoadWeights(config.Latent.Autoencoder, path), config.Latent);
    }

    /// <summary>Copies every tensor of the file into the module's parameters and buffers of the same name.</summary>
    public static void LoadWeights(string path, nn.Module module)
    {
        var loaded = Safetensors.Load(path);
        try { CopyInto(module, loaded, path); }
        finally { foreach (var t in loaded.Values) t.Dispose(); }
    }

    /// <param name="module">the model (or any module) whose parameters and buffers receive the values</param>
    /// <param name="loaded">tensors by state-dict name</param>
    /// <param name="source">the file they came from, for the error message</param>
    /// <param name="allowMissing">
    /// Keep the model's own values for tensors the file lacks (fine-tuning a grown architecture whose new
    /// parameters start as identities); unexpected and mis-shaped tensors are still errors.
    /// </param>
    /// <returns>The names left at their initial values.</returns>
    public static IReadOnlyList<string> CopyInto(nn.Module module, IReadOnlyDictionary<string, Tensor> loaded, string source, bool allowMissing = false)
    {
        var state = module.state_dict();
        var missing = state.Keys.Where(k => !loaded.ContainsKey(k)).ToList();
        var kept = allowMissing ? missing : new List<string>();
        if (allowMissing) missing = new List<string>();
        var unexpected = loaded.Keys.Where(k => !state.ContainsKey(k)).ToList();
        var misshaped = state.Where(kv => loaded.TryGetValue(kv.Key, out var t) && !t.shape.SequenceEqual(kv.Value.shape))
            .Select(kv => $"{kv.Key} (model {Shape(kv.Value)}, file {Shape(loaded[kv.Key])})").ToList();
        if (missing.Count + unexpected.Count + misshaped.Count > 0)
        {
            var parts = new List<string>();
            if (missing.Count > 0) parts.Add($"missing keys: {string.Join(", ", missing.Take(20))}{More(missing)}");
            if (unexpected.Count > 0) parts.Add($"unexpected keys: {string.Join(", ", unexpected.Take(20))}{More(unexpected)}");
            if (misshaped.Count > 0) parts.Add($"shape mismatches: {string.Join(", ", misshaped.Take(20))}{More(misshaped)}");
            throw new InvalidDataException($"{source} does not match the model: {string.Join("; ", parts)}");
        }
        using (no_grad())
            foreach (var (name, target) in state)
                if (loaded.TryGetValue(name, out var value)) target.copy_(value);
        return kept;
    }

    static string Shape(Tensor t) => "[" + string.Join(",", t.shape) + "]";
    static string More<T>(List<T> l) => l.Count > 20 ? $" (+{l.Count - 20} more)" : "";
}
