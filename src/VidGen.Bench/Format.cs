using System.Globalization;

namespace VidGen.Bench;

internal static class Format
{
    /// <summary>A fraction as a percentage with one decimal, "-" when there is none (an evaluator figure with no clips).</summary>
    public static string Pct(double? v) => v is { } x ? (x * 100).ToString("F1", CultureInfo.InvariantCulture) + "%" : "-";
}
