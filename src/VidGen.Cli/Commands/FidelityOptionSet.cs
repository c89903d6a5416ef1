using System.CommandLine;
using VidGen.Evaluation;

namespace VidGen.Cli.Commands;

/// <summary>The `eval` options that fill <see cref="FidelityOptions"/>, defaulting to <see cref="FidelityOptions.Defaults"/>.</summary>
public sealed class FidelityOptionSet
{
    static FidelityOptions Defaults => FidelityOptions.Defaults;

    public Option<int> Clips { get; } = new("--clips") { Description = "clips to generate and score", DefaultValueFactory = _ => Defaults.Clips };
    public Option<int> Batch { get; } = new("--batch") { Description = "clips per prompt, generated as one batch from one seed", DefaultValueFactory = _ => Defaults.ClipsPerPrompt };
    public Option<long> Seed { get; } = new("--seed", "-s") { Description = "first seed; prompt group g uses seed + g", DefaultValueFactory = _ => Defaults.Seed };
    public Option<double> HeldOut { get; } = new("--held-out") { Description = "share of prompts on held-out combinations", DefaultValueFactory = _ => Defaults.HeldOutFraction };

    public IEnumerable<Option> All => new Option[] { Clips, Batch, Seed, HeldOut };

    public FidelityOptions Options(ParseResult r) => Defaults with
    {
        Clips = r.GetValue(Clips), ClipsPerPrompt = r.GetValue(Batch), HeldOutFraction = r.GetValue(HeldOut), Seed = r.GetValue(Seed),
    };
}
