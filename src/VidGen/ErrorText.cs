namespace VidGen;

/// <summary>
/// Error messages are one line (the CLI prints them as one red line, skip reports list one per file), but the
/// messages they quote (System.Text.Json's, a decoder's, ffmpeg's, a name read from the file) can span lines.
/// </summary>
internal static class ErrorText
{
    static readonly char[] LineBreaks = { '\r', '\n' };

    /// <summary>The text's lines, trimmed, joined with " / "; "unknown error" when nothing is left.</summary>
    internal static string OneLine(string text)
    {
        var parts = text.Split(LineBreaks, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return parts.Length == 0 ? "unknown error" : string.Join(" / ", parts);
    }
}
