using TorchSharp;

namespace VidGen.Web;

/// <summary>How `vidgen serve` runs: which model, where results live, which loopback port.</summary>
public sealed class WebServerOptions
{
    /// <summary>Defaults `vidgen serve` offers too (its --port and --scale read these).</summary>
    public const int DefaultPort = 7860, DefaultDownloadScale = 4;

    /// <summary>TCP port on 127.0.0.1; 0 picks a free one (tests), read the real one from <see cref="RunningWebServer.Url"/>.</summary>
    public int Port { get; init; } = DefaultPort;

    /// <summary>Model folder (config.json, tokenizer.json, model.safetensors).</summary>
    public required string ModelDir { get; init; }

    /// <summary>Where jobs, their settings and their videos are kept, so the queue and gallery survive a restart.</summary>
    public string DataDir { get; init; } = DefaultDataDir();

    public torch.Device? Device { get; init; }

    /// <summary>Pixel upscaling of the files offered for download (the models make 32x32 clips).</summary>
    public int DownloadScale { get; init; } = DefaultDownloadScale;

    /// <summary>Jobs waiting at most; one more is refused with 429 so a runaway script cannot fill the disk.</summary>
    public int MaxQueued { get; init; } = 100;

    /// <summary>Shortest gap between two preview images of the same job; the last step always sends one.</summary>
    public TimeSpan PreviewInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Write ASP.NET Core warnings and errors to the console (the CLI does; tests keep quiet).</summary>
    public bool ConsoleLogging { get; init; }

    /// <summary>$XDG_DATA_HOME/vidgen/web, else ~/.local/share/vidgen/web.</summary>
    public static string DefaultDataDir()
    {
        string root = Environment.GetEnvironmentVariable("XDG_DATA_HOME") is { Length: > 0 } x ? x
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
        return Path.Combine(root, "vidgen", "web");
    }

    internal void Validate()
    {
        if (Port < 0 || Port > 65535) throw new ArgumentException($"--port must be between 1 and 65535 (got {Port})");
        if (DownloadScale < 1 || DownloadScale > 16) throw new ArgumentException($"download scale must be between 1 and 16 (got {DownloadScale})");
        if (MaxQueued < 1) throw new ArgumentException($"the queue must hold at least one job (got {MaxQueued})");
    }
}
