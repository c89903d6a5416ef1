using System.Text;

namespace VidGen.Media;

/// <summary>Output names from prompts, safe on every filesystem (as the original saved GIFs named after the prompt).</summary>
public static class FileNames
{
    static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8", "com9",
        "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
    };

    /// <summary>"A red circle, moving left!" -> "a_red_circle_moving_left". ASCII letters/digits only, at most 80 chars.</summary>
    public static string FromPrompt(string prompt, int maxLength = 80)
    {
        var sb = new StringBuilder();
        // Accents are folded by table: with InvariantGlobalization, string.Normalize cannot decompose.
        foreach (var raw in prompt)
        {
            char ch = Text.AccentTable.Strip(raw);
            if (char.IsAsciiLetterOrDigit(ch)) sb.Append(char.ToLowerInvariant(ch));
            else if (char.IsWhiteSpace(ch) || ch is '_' or '-' or ',' or '.' or '/' or '\\' or ':')
            {
                if (sb.Length > 0 && sb[^1] != '_') sb.Append('_');
            }
        }
        var name = sb.ToString().Trim('_');
        if (name.Length > maxLength) name = name[..maxLength].TrimEnd('_');
        if (name.Length == 0) name = "video";
        if (Reserved.Contains(name)) name += "_video";
        return name;
    }
}
