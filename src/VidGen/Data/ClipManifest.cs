using System.Text.Json;
using VidGen.Media;

namespace VidGen.Data;

/// <summary>One captioned clip of a collection; <see cref="Origin"/> says where it was listed (for messages).</summary>
public sealed record ClipEntry(string Path, string Caption, string Origin);

public enum SkipReason { BadLine, Missing, NoCaption, Unreadable, TooShort }

/// <summary>A clip (or manifest line) left out of a collection, and why, in one line.</summary>
public sealed record SkippedClip(string Item, SkipReason Reason, string Detail)
{
    public override string ToString() => Detail.StartsWith(Item, StringComparison.Ordinal) ? Detail : $"{Item}: {Detail}";
}

/// <summary>The clips a manifest lists, and the lines or files it had to leave out.</summary>
public sealed record ManifestResult(string Source, IReadOnlyList<ClipEntry> Entries, IReadOnlyList<SkippedClip> Skipped);

/// <summary>
/// Reads the captioned collections the original trained on:
/// TGIF-style <c>url&lt;TAB&gt;caption</c> lists whose GIFs sit in a local folder (matched by file name),
/// folders of clips with a same-named <c>.txt</c> caption beside each, and JSONL manifests of
/// <c>{"path": ..., "caption": ...}</c> (relative paths are relative to the manifest).
/// Nothing is decoded here; missing files and bad lines are skipped and reported, never fatal.
/// </summary>
public static class ClipManifests
{
    /// <summary>The manifest file name <c>vidgen dataset</c> writes; a folder holding one is read through it.</summary>
    public const string DefaultJsonl = "captions.jsonl";

    public static ManifestResult Load(string path, string? mediaDir = null)
    {
        if (Directory.Exists(path))
        {
            var jsonl = System.IO.Path.Combine(path, DefaultJsonl);
            return File.Exists(jsonl) ? ReadJsonl(jsonl) : ReadFolder(path);
        }
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such file or folder; --data takes a .tsv list, a .jsonl manifest or a folder of clips", path);
        return System.IO.Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".tsv" or ".txt" => ReadTsv(path, mediaDir),
            ".jsonl" or ".json" => ReadJsonl(path),
            _ => throw new ArgumentException($"{path}: unknown collection format; use a .tsv list (url<TAB>caption), a .jsonl manifest or a folder of clips with .txt captions"),
        };
    }

    /// <summary>
    /// TGIF-style list: each line is <c>url&lt;TAB&gt;caption</c>. The clip is the file named like the URL's
    /// last path segment inside <paramref name="mediaDir"/> (default: the list's own folder).
    /// </summary>
    public static ManifestResult ReadTsv(string path, string? mediaDir = null)
    {
        string dir = mediaDir ?? System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"{dir}: media folder not found (set it with --media-dir)");
        var entries = new List<ClipEntry>();
        var skipped = new List<SkippedClip>();
        int n = 0;
        foreach (var raw in File.ReadLines(path))
        {
            n++;
            string origin = $"{path}:{n}";
            var line = raw.TrimEnd('\r');
            if (line.Trim().Length == 0 || line.StartsWith('#')) continue;
            int tab = line.IndexOf('\t');
            if (tab < 0) { skipped.Add(new SkippedClip(origin, SkipReason.BadLine, "no TAB between url and caption")); continue; }
            string url = line[..tab].Trim(), caption = OneLine(line[(tab + 1)..]);
            string name = FileNameOf(url);
            if (name.Length == 0) { skipped.Add(new SkippedClip(origin, SkipReason.BadLine, $"no file name in '{url}'")); continue; }
            if (caption.Length == 0) { skipped.Add(new SkippedClip(origin, SkipReason.NoCaption, "empty caption")); continue; }
            string file = System.IO.Path.Combine(dir, name);
            if (!File.Exists(file)) { skipped.Add(new SkippedClip(file, SkipReason.Missing, $"{file}: listed at {origin} but not in the media folder (set it with --media-dir)")); continue; }
            entries.Add(new ClipEntry(file, caption, origin));
        }
        return new ManifestResult(path, entries, skipped);
    }

    /// <summary>"https://host/a/tumblr_x_500.gif?x=1#y" -> "tumblr_x_500.gif"; a bare file name stays as it is.</summary>
    static readonly System.Buffers.SearchValues<char> QueryOrFragment = System.Buffers.SearchValues.Create("?#");

    public static string FileNameOf(string url)
    {
        string s = url;
        int cut = s.AsSpan().IndexOfAny(QueryOrFragment);
        if (cut >= 0) s = s[..cut];
        s = s.TrimEnd('/');
        int slash = Math.Max(s.LastIndexOf('/'), s.LastIndexOf('\\'));
        s = slash >= 0 ? s[(slash + 1)..] : s;
        try { s = Uri.UnescapeDataString(s); } catch (UriFormatException) { }
        // Never let a listed name climb out of the media folder.
        // Control characters (an escaped newline, NUL) name no real clip and would break one-line reports.
        return s is "." or ".." || s.IndexOfAny(System.IO.Path.GetInvalidFileNameChars()) >= 0 || s.Any(char.IsControl) ? "" : s;
    }

    /// <summary>JSONL manifest: one <c>{"path": "...", "caption": "..."}</c> object per line; other fields are ignored.</summary>
    public static ManifestResult ReadJsonl(string path)
    {
        string dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        var entries = new List<ClipEntry>();
        var skipped = new List<SkippedClip>();
        int n = 0;
        foreach (var line in File.ReadLines(path))
        {
            n++;
            string origin = $"{path}:{n}";
            if (line.Trim().Length == 0) continue;
            string? clip, caption;
            try
            {
                using var doc = JsonDocument.Parse(line);
                if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new JsonException("not a JSON object");
                clip = Str(doc.RootElement, "path");
                caption = Str(doc.RootElement, "caption");
            }
            catch (JsonException e)
            {
                skipped.Add(new SkippedClip(origin, SkipReason.BadLine, $"not a JSON object with \"path\" and \"caption\" ({ErrorText.OneLine(e.Message)})"));
                continue;
            }
            if (string.IsNullOrWhiteSpace(clip)) { skipped.Add(new SkippedClip(origin, SkipReason.BadLine, "no \"path\" string")); continue; }
            if (clip.Any(char.IsControl)) { skipped.Add(new SkippedClip(origin, SkipReason.BadLine, "\"path\" holds a control character (a newline, NUL, ...)")); continue; }
            caption = OneLine(caption ?? "");
            if (caption.Length == 0) { skipped.Add(new SkippedClip(origin, SkipReason.NoCaption, "no \"caption\" string")); continue; }
            string full = System.IO.Path.GetFullPath(System.IO.Path.Combine(dir, clip));
            if (!File.Exists(full) && !Directory.Exists(full)) { skipped.Add(new SkippedClip(full, SkipReason.Missing, $"{full}: listed at {origin} but not found")); continue; }
            entries.Add(new ClipEntry(full, caption, origin));
        }
        return new ManifestResult(path, entries, skipped);
    }

    static string? Str(JsonElement o, string key) => o.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    /// <summary>
    /// Folder of clips: every clip file (GIF, WebP, PNG, MP4, ...) or folder of PNG frames with a same-named
    /// <c>.txt</c> beside it (<c>cat.gif</c> + <c>cat.txt</c>). The caption is the file's first non-empty line.
    /// Sub-folders that are not frame folders are searched too. Order is by path, so it is the same everywhere.
    /// </summary>
    public static ManifestResult ReadFolder(string root)
    {
        var entries = new List<ClipEntry>();
        var skipped = new List<SkippedClip>();
        Walk(root);
        return new ManifestResult(root, entries, skipped);

        void Walk(string dir)
        {
            foreach (var file in Directory.EnumerateFiles(dir).Order(StringComparer.Ordinal))
            {
                var name = System.IO.Path.GetFileName(file);
                if (name.StartsWith('.') || !VideoReader.ClipExtensions.Contains(System.IO.Path.GetExtension(file).ToLowerInvariant())) continue;
                Add(file);
            }
            foreach (var sub in Directory.EnumerateDirectories(dir).Order(StringComparer.Ordinal))
            {
                if (System.IO.Path.GetFileName(sub).StartsWith('.')) continue;
                if (IsFrameFolder(sub)) Add(sub);
                else Walk(sub);
            }
        }

        void Add(string clip)
        {
            string txt = System.IO.Path.ChangeExtension(clip, null) + ".txt";
            if (Directory.Exists(clip)) txt = clip.TrimEnd('/', '\\') + ".txt";
            string caption = File.Exists(txt) ? FirstLine(txt) : "";
            if (caption.Length == 0)
            {
                skipped.Add(new SkippedClip(clip, SkipReason.NoCaption, $"{clip}: no caption ({System.IO.Path.GetFileName(txt)} {(File.Exists(txt) ? "is empty" : "is missing")})"));
                return;
            }
            entries.Add(new ClipEntry(clip, caption, txt));
        }
    }

    /// <summary>A folder holding PNG files and nothing else (no sub-folders) is one clip of frames.</summary>
    static bool IsFrameFolder(string dir) =>
        !Directory.EnumerateDirectories(dir).Any()
        && Directory.EnumerateFiles(dir).Where(f => !System.IO.Path.GetFileName(f).StartsWith('.')) is var files
        && files.Any() && files.All(f => f.EndsWith(".png", StringComparison.OrdinalIgnoreCase));

    static string FirstLine(string txt) => OneLine(File.ReadLines(txt).FirstOrDefault(l => l.Trim().Length > 0) ?? "");

    static string OneLine(string s) => string.Join(' ', s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
