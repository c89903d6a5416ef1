using VidGen.Text;

namespace VidGen.Models;

/// <summary>Named model sizes (`vidgen train --preset`); their names are in the names table (Names.Preset).</summary>
public enum ModelPreset { Tiny, Small, Default }

/// <summary>
/// The configurations behind the presets. In the library, not the CLI, so every front end builds the same network
/// for a name: `train --preset`, and the small placeholder model `generate` and `serve` train when no model folder exists.
/// </summary>
public static class ModelPresets
{
    public static ModelConfig Get(ModelPreset preset, int resolution, int frames) => preset switch
    {
        ModelPreset.Tiny => ModelConfig.Tiny(resolution, frames),
        ModelPreset.Small => new ModelConfig
        {
            Unet = new Unet3DConfig { Dim = 16, DimMults = new[] { 1, 2, 4 }, AttnHeads = 2, AttnDimHead = 16, SampleSize = resolution, ContextDim = 32 },
            Text = new TextEncoderConfig { Dim = 32, Layers = 1, Heads = 2 },
            Resolution = resolution, Frames = frames,
        },
        ModelPreset.Default => new ModelConfig
        {
            Unet = new Unet3DConfig { SampleSize = resolution },
            Resolution = resolution, Frames = frames,
        },
        _ => throw new ArgumentOutOfRangeException(nameof(preset), preset, null),
    };
}
