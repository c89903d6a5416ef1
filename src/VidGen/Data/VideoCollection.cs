using System.Text;
using System.Text.RegularExpressions;
using VidGen.Media;

namespace VidGen.Data;

/// <summary>How a <see cref="VideoCollection"/> turns files into training clips.</summary>
public sealed record CollectionOptions
{
    /// <summary>Square frame size: every frame is resized (shorter side) and centre-cropped to it.</summary>
    public int Resolution { get; init; } = 32;
    public FrameSampling Sampling { get; init; } = new();
    /// <summary>Mirror whole clips left-right with probability 1/2 (and swap "left"/"right" in the caption).</summary>
    public bool Flip { get; init; }
    public int Seed { get; init; }
    /// <summary>The playback rate of training clips when no <see cref="FrameSampling.TargetFps"/> is set (the model's).</summary>
    public double Fps { get; init; } = 8;
    /// <summary>Decode every clip when loading (reports bad files up front, fills the cache); else decode on first use.</summary>
    public bool Preload { get; init; } = true;
    /// <summary>Decoded clips (already at <see cref="Resolution"/>) kept in memory, in bytes. Beyond it clips are decoded again on use.</summary>
    public long CacheBytes { get; init; } = 512L << 20;
    /// <summary>Source frames kept per clip (the first ones); longer clips are cut, not rejected.</summary>
    public int MaxSourceFrames { get; init; } = 256;
    /// <summary>Where the GIFs of a TSV list live (default: the list's folder).</summary>
    public string? MediaDir { get; init; }
    /// <summary>File limits; <see cref="ReadOptions.FitSquare"/> and <see cref="ReadOptions.MaxFrames"/> are set from the options above.</summary>
    public ReadOptions Read { get; init; } = ReadOptions.Default;

    public double ClipFps => Sampling.TargetFps ?? Fps;

    public void Validate()
    {
        Sampling.Validate();
        if (Resolution < 1 || Resolution > 4096) throw new ArgumentException($"resolution must be 1..4096 pixels (got {Resolution})");
        if (Fps <= 0) throw new ArgumentException($"fps must be positive (got {Fps})");
        if (MaxSourceFrames < 1) throw new ArgumentException($"MaxSourceFrames must be at least 1 (got {MaxSourceFrames})");
    }
}

/// <summary>
/// A user's captioned collection (TSV list, folder with .txt captions, or JSONL manifest) as training clips.
/// Clip i is deterministic: the collection is shuffled once per epoch from (seed, epoch), the window start
/// and the flip come from (seed, i). Frames are fitted to the square resolution while decoding, the same
/// crop for every frame. A file that cannot be used is skipped and counted, never fatal: with
/// <see cref="CollectionOptions.Preload"/> all are found while loading, otherwise when first met (a clip
/// that falls on a bad file takes the next good one in the epoch's order, so results stay deterministic).
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "a collection of videos is what it is, and the name is public API")]
public sealed partial class VideoCollection : ITrainingClips
{
    private readonly CollectionOptions options;
    private readonly ReadOptions read;
    private readonly Ffmpeg? ffmpeg;
    private readonly List<ClipEntry> clips;
    private readonly List<SkippedClip> skipped;
    private readonly int listedCount;
    private readonly Dictionary<string, Video> cache = new();
    private readonly HashSet<string> bad = new();
    private readonly object gate = new();
    private long cachedBytes;
    private readonly ClipSchedule schedule;

    public string Source { get; }
    public int Resolution => options.Resolution;
    public int Frames => options.Sampling.Frames;
    public double Fps => options.ClipFps;

    /// <summary>Clips still in use (bad ones found lazily drop out of this count).</summary>
    public int Count { get { lock (gate) return clips.Count - bad.Count; } }

    /// <summary>Everything left out so far: manifest lines, missing files, unreadable or too-short clips.</summary>
    public IReadOnlyList<SkippedClip> Skipped { get { lock (gate) return skipped.ToList(); } }

    private VideoCollection(string source, ManifestResult manifest, CollectionOptions options, Ffmpeg? ffmpeg)
    {
        Source = source;
        this.options = options;
        this.ffmpeg = ffmpeg;
        read = options.Read with { FitSquare = options.Resolution, MaxFrames = options.MaxSourceFrames };
        schedule = new ClipSchedule(options.Seed);
        clips = manifest.Entries.ToList();
        skipped = manifest.Skipped.ToList();
        listedCount = manifest.Entries.Count + manifest.Skipped.Count;
    }

    /// <summary>
    /// Reads the manifest at <paramref name="dataPath"/> and, with Preload, decodes every clip.
    /// Fails only when nothing usable is left, or when the collection has videos that need a missing ffmpeg.
    /// </summary>
    public static VideoCollection Load(string dataPath, CollectionOptions options, IProgress<(int Done, int Total)>? progress = null, Ffmpeg? ffmpeg = null)
    {
        options.Validate();
        var manifest = ClipManifests.Load(dataPath, options.MediaDir);
        int needFfmpeg = manifest.Entries.Count(e => VideoReader.NeedsFfmpeg(e.Path));
        if (needFfmpeg > 0 && (ffmpeg ?? Ffmpeg.Default) is null)
            throw new FfmpegNotFoundException(); // an environment problem: skipping every video would hide it
        var c = new VideoCollection(dataPath, manifest, options, ffmpeg);
        if (options.Preload)
        {
            for (int i = 0; i < c.clips.Count; i++)
            {
                c.Decode(c.clips[i]);
                progress?.Report((i + 1, c.clips.Count));
            }
            c.clips.RemoveAll(e => c.bad.Contains(e.Path));
            c.bad.Clear();
        }
        if (c.Count == 0) throw new InvalidDataException($"{dataPath}: no usable clips ({c.Summary()})");
        return c;
    }

    public IEnumerable<string> VocabularyCaptions()
    {
        lock (gate) return clips.Where(e => !bad.Contains(e.Path)).Select(e => e.Caption).ToList();
    }

    public (Video Video, string Caption) Clip(long index)
    {
        if (index < 0) throw new ArgumentOutOfRangeException(nameof(index), index, "clip index must not be negative");
        lock (gate)
        {
            int n = clips.Count;
            long epoch = index / n;
            int pos = (int)(index % n);
            var perm = schedule.Order(epoch, n);
            for (int tries = 0; tries < n; tries++)
            {
                var entry = clips[perm[(pos + tries) % n]];
                if (bad.Contains(entry.Path)) continue;
                var source = Decode(entry);
                if (source is null) continue;
                var clip = schedule.Take(index, source, options.Sampling, options.Flip, Fps, out bool flipped);
                return (clip, flipped ? MirrorCaption(entry.Caption) : entry.Caption);
            }
            throw new InvalidDataException($"{Source}: every clip turned out unusable ({Summary()})");
        }
    }

    /// <summary>
    /// Every usable clip once, decoded and fitted, in list order (what `dataset pack` stores); bad ones are skipped
    /// and recorded in <see cref="Skipped"/> as they are met.
    /// </summary>
    public IEnumerable<(ClipEntry Entry, Video Source)> Sources(IProgress<(int Done, int Total)>? progress = null)
    {
        List<ClipEntry> all;
        lock (gate) all = clips.ToList();
        for (int i = 0; i < all.Count; i++)
        {
            Video? v;
            lock (gate) v = Decode(all[i]);
            progress?.Report((i + 1, all.Count));
            if (v is not null) yield return (all[i], v);
        }
    }

    /// <summary>The decoded, square-fitted clip, from cache or file; null (and recorded as skipped) when unusable.</summary>
    Video? Decode(ClipEntry e)
    {
        if (cache.TryGetValue(e.Path, out var hit)) return hit;
        if (bad.Contains(e.Path)) return null;
        Video v;
        try { v = VideoReader.Read(e.Path, read, ffmpeg); }
        catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            // MediaFormatException and FileNotFoundException both name the file already.
            Skip(e, SkipReason.Unreadable, ErrorText.OneLine(ex.Message));
            return null;
        }
        if (options.Sampling.WindowStarts(v.Frames, v.Fps) == 0)
        {
            Skip(e, SkipReason.TooShort, $"{e.Path}: too short ({v.Frames} frames, needs {options.Sampling.Span(v.Fps)} with --short-clips skip)");
            return null;
        }
        long bytes = (long)v.Pixels.Length * sizeof(float);
        if (cachedBytes + bytes <= options.CacheBytes) { cache[e.Path] = v; cachedBytes += bytes; }
        return v;
    }

    void Skip(ClipEntry e, SkipReason reason, string detail)
    {
        bad.Add(e.Path);
        skipped.Add(new SkippedClip(e.Path, reason, detail));
    }

    /// <summary>"3 unreadable, 1 missing, 2 bad lines" for the skipped items; "nothing skipped" when clean.</summary>
    public string Summary()
    {
        lock (gate)
        {
            if (skipped.Count == 0) return "nothing skipped";
            var parts = skipped.GroupBy(s => s.Reason).OrderBy(g => g.Key).Select(g => $"{g.Count()} {Describe(g.Key, g.Count())}");
            return $"{skipped.Count} skipped: {string.Join(", ", parts)}";
        }
    }

    /// <summary>
    /// A short report for the start (or end) of a run: how many clips are in use, how many were skipped and why,
    /// and the first few skipped items, each on its own line.
    /// </summary>
    public string Report(int examples = 5)
    {
        lock (gate)
        {
            var sb = new StringBuilder();
            sb.Append($"{Source}: {clips.Count - bad.Count} clips in use of {listedCount} listed; {Summary()}");
            foreach (var s in skipped.Take(examples)) sb.Append('\n').Append("  skipped ").Append(s);
            if (examples > 0 && skipped.Count > examples) sb.Append('\n').Append($"  ... and {skipped.Count - examples} more");
            return sb.ToString();
        }
    }

    static string Describe(SkipReason r, int n) => r switch
    {
        SkipReason.BadLine => n == 1 ? "bad manifest line" : "bad manifest lines",
        SkipReason.Missing => "missing",
        SkipReason.NoCaption => "without caption",
        SkipReason.Unreadable => "unreadable",
        _ => "too short",
    };

    [GeneratedRegex(@"\b(left|right)(wards?)?\b", RegexOptions.IgnoreCase)]
    private static partial Regex SideWords();

    /// <summary>"moving left" becomes "moving right" (and back): a mirrored clip must not contradict its caption.</summary>
    public static string MirrorCaption(string caption) => SideWords().Replace(caption, m =>
    {
        string side = m.Groups[1].Value, other = side.Equals("left", StringComparison.OrdinalIgnoreCase) ? "right" : "left";
        if (char.IsUpper(side[0])) other = side.All(char.IsUpper) ? other.ToUpperInvariant() : char.ToUpperInvariant(other[0]) + other[1..];
        return other + m.Groups[2].Value;
    });
}

/// <summary>Stable seed mixing (SplitMix64 finaliser): neighbouring indices get unrelated streams, the same on every run.</summary>
internal static class Seeds
{
    public static int Mix(int seed, long index)
    {
        ulong z = (ulong)(uint)seed * 0x9E3779B97F4A7C15UL ^ (ulong)index;
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return (int)((z ^ (z >> 31)) & 0x7FFFFFFF);
    }
}
