namespace VidGen.Media;

/// <summary>
/// A media file that cannot be read: corrupt, truncated, empty, too large or not a video at all.
/// The message is one line that starts with the file's path, so a CLI can print it as is and a dataset
/// loader can list it in its skip report. An IOException because InvalidDataException is sealed; the CLI
/// prints IOExceptions as one red line.
/// </summary>
public sealed class MediaFormatException : IOException
{
    public string FilePath { get; }

    public MediaFormatException(string path, string problem, Exception? inner = null)
        : base($"{path}: {ErrorText.OneLine(problem)}", inner) => FilePath = path;
}

/// <summary>ffmpeg is needed (MP4 and other video containers) but is not installed: an environment problem, not a bad file.</summary>
public sealed class FfmpegNotFoundException : NotSupportedException
{
    public const string Text = "ffmpeg not found on PATH; install it (apt-get install ffmpeg) to read/write MP4";
    public FfmpegNotFoundException() : base(Text) { }
}
