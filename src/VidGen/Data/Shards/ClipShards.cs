using System.IO.MemoryMappedFiles;
using System.Text.Json;
using System.Text.Json.Serialization;
using VidGen.Media;

namespace VidGen.Data.Shards;

/// <summary>One stored clip: where its frames lie and what it shows.</summary>
/// <param name="Shard">shard file number (shard-NNNNN.bin)</param>
/// <param name="Offset">byte offset of its first frame in that file</param>
/// <param name="Frames">frames stored (each Resolution x Resolution x 3 bytes, RGB, row-major)</param>
/// <param name="Fps">the source clip's frame rate</param>
/// <param name="Caption">its caption</param>
/// <param name="Source">the file it was decoded from</param>
public sealed record ShardClip(int Shard, long Offset, int Frames, double Fps, string Caption, string Source);

/// <summary>index.json of a shard folder: the format, the frame size and every clip in pack order.</summary>
public sealed record ShardIndex
{
    public const string FormatName = "vidgen-clip-shards";
    public string Format { get; init; } = FormatName;
    public int Version { get; init; } = 1;
    public int Resolution { get; init; }
    /// <summary>Bytes after which a shard file is closed and the next begun (a clip is never split).</summary>
    public long ShardBytes { get; init; }
    public int ShardCount { get; init; }
    public List<ShardClip> Clips { get; init; } = new();
    /// <summary>The files left out while packing, one line each ("path: why").</summary>
    public List<string> Skipped { get; init; } = new();
}

/// <summary>
/// A collection decoded once into fixed-size shard files: uint8 RGB frames at training size, back to back, and
/// index.json with each clip's place, caption and frame rate. Shards are read through memory maps, so a reader
/// costs no decode and no copy of the collection; `vidgen dataset pack` writes them, `train --data DIR` reads them.
/// </summary>
public static class ClipShards
{
    public const string IndexFile = "index.json";
    public const long DefaultShardBytes = 256L << 20;

    static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = false,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static string ShardFile(string dir, int shard) => Path.Combine(dir, $"shard-{shard:D5}.bin");

    /// <summary>True when <paramref name="dir"/> is a shard folder (it has index.json in this format).</summary>
    public static bool IsShardFolder(string dir) =>
        Directory.Exists(dir) && File.Exists(Path.Combine(dir, IndexFile))
        && File.ReadAllText(Path.Combine(dir, IndexFile)).Contains(ShardIndex.FormatName, StringComparison.Ordinal);

    /// <summary>Writes <paramref name="clips"/> (already at the square <paramref name="resolution"/>) into shards under <paramref name="dir"/>; index.json is written last, atomically.</summary>
    public static ShardIndex Write(string dir, int resolution, IEnumerable<(Video Video, string Caption, string Source)> clips,
        IEnumerable<string>? skipped = null, long shardBytes = DefaultShardBytes)
    {
        if (resolution < 1) throw new ArgumentException($"resolution must be positive (got {resolution})");
        if (shardBytes < 1) throw new ArgumentException($"shard size must be positive (got {shardBytes})");
        Directory.CreateDirectory(dir);
        var index = new List<ShardClip>();
        int shard = 0;
        long offset = 0;
        FileStream? file = null;
        try
        {
            byte[] buffer = Array.Empty<byte>();
            foreach (var (video, caption, source) in clips)
            {
                if (video.Height != resolution || video.Width != resolution)
                    throw new ArgumentException($"{source}: {video.Width}x{video.Height} frames, but the shards hold {resolution}x{resolution}");
                if (file is not null && offset > 0 && offset + video.Pixels.Length > shardBytes) { Close(file); file = null; shard++; offset = 0; }
                file ??= new FileStream(ShardFile(dir, shard), FileMode.Create, FileAccess.Write, FileShare.None);
                if (buffer.Length < video.Pixels.Length) buffer = new byte[video.Pixels.Length];
                Quantize(video.Pixels, buffer);
                file.Write(buffer, 0, video.Pixels.Length);
                index.Add(new ShardClip(shard, offset, video.Frames, video.Fps, caption, source));
                offset += video.Pixels.Length;
            }
        }
        finally { if (file is not null) Close(file); }
        var result = new ShardIndex
        {
            Resolution = resolution, ShardBytes = shardBytes, ShardCount = index.Count == 0 ? 0 : shard + 1, Clips = index,
            Skipped = (skipped ?? Array.Empty<string>()).ToList(),
        };
        AtomicFiles.WriteAllText(Path.Combine(dir, IndexFile), JsonSerializer.Serialize(result, Json));
        return result;

        static void Close(FileStream f)
        {
            f.Flush(flushToDisk: true);
            f.Dispose();
        }
    }

    /// <summary>[0, 1] floats to bytes, rounded: what a GIF or PNG held comes back exactly.</summary>
    static void Quantize(float[] pixels, byte[] into)
    {
        for (int i = 0; i < pixels.Length; i++) into[i] = (byte)Math.Clamp(MathF.Round(pixels[i] * 255f), 0f, 255f);
    }

    /// <summary>Reads index.json and checks every clip against the shard files' sizes; damage is one InvalidDataException naming the file.</summary>
    public static ShardIndex ReadIndex(string dir)
    {
        var path = Path.Combine(dir, IndexFile);
        if (!File.Exists(path)) throw new FileNotFoundException($"{dir}: not a shard folder ({IndexFile} is missing; make one with `vidgen dataset pack`)", path);
        ShardIndex? index;
        try { index = JsonSerializer.Deserialize<ShardIndex>(File.ReadAllText(path), Json); }
        catch (JsonException e) { throw new InvalidDataException($"{path} is not a shard index ({e.Message.Split('\n')[0]})", e); }
        if (index is null || index.Format != ShardIndex.FormatName || index.Version != 1 || index.Clips is null)
            throw new InvalidDataException($"{path} is not a version 1 {ShardIndex.FormatName} index");
        if (index.Resolution is < 1 or > 4096) throw new InvalidDataException($"{path}: resolution {index.Resolution} is out of range");
        long frameBytes = 3L * index.Resolution * index.Resolution;
        var sizes = new Dictionary<int, long>();
        foreach (var c in index.Clips)
        {
            if (c is null || c.Shard < 0 || c.Shard >= index.ShardCount || c.Offset < 0 || c.Frames < 1 || !(c.Fps > 0) || c.Caption is null)
                throw new InvalidDataException($"{path}: a clip entry is incomplete or out of range");
            if (!sizes.TryGetValue(c.Shard, out var size))
            {
                var file = ShardFile(dir, c.Shard);
                if (!File.Exists(file)) throw new InvalidDataException($"{file} is missing; pack the collection again");
                sizes[c.Shard] = size = new FileInfo(file).Length;
            }
            if (c.Offset + c.Frames * frameBytes > size) throw new InvalidDataException($"{ShardFile(dir, c.Shard)} is shorter than its index says; pack the collection again");
        }
        return index;
    }
}

/// <summary>The shard files of a folder, memory-mapped, read as clips. Reads may come from several threads at once.</summary>
public sealed class ShardReader : IDisposable
{
    private readonly MemoryMappedFile[] files;
    private readonly MemoryMappedViewAccessor[] views;
    public ShardIndex Index { get; }

    public ShardReader(string dir)
    {
        Index = ClipShards.ReadIndex(dir);
        files = new MemoryMappedFile[Index.ShardCount];
        views = new MemoryMappedViewAccessor[Index.ShardCount];
        try
        {
            for (int i = 0; i < Index.ShardCount; i++)
            {
                files[i] = MemoryMappedFile.CreateFromFile(ClipShards.ShardFile(dir, i), FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
                views[i] = files[i].CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Stored clip <paramref name="i"/> (pack order) as floats in [0, 1].</summary>
    public Video Read(int i)
    {
        var c = Index.Clips[i];
        int r = Index.Resolution;
        var video = new Video(c.Frames, r, r, c.Fps);
        var bytes = new byte[video.Pixels.Length];
        views[c.Shard].ReadArray(c.Offset, bytes, 0, bytes.Length);
        for (int k = 0; k < bytes.Length; k++) video.Pixels[k] = bytes[k] / 255f;
        return video;
    }

    public void Dispose()
    {
        foreach (var v in views) v?.Dispose();
        foreach (var f in files) f?.Dispose();
    }
}

/// <summary>
/// A shard folder as training clips, scheduled exactly as <see cref="VideoCollection"/> schedules the collection it
/// was packed from (<see cref="ClipSchedule"/>: same seed, same clips, windows and flips; frames equal up to uint8
/// rounding of what the decoder fitted). Thread-safe.
/// </summary>
public sealed class ShardedClips : ITrainingClips, IDisposable
{
    private readonly ShardReader reader;
    private readonly CollectionOptions options;
    private readonly ClipSchedule schedule;
    private readonly object gate = new();

    public ShardedClips(string dir, CollectionOptions options)
    {
        options.Validate();
        reader = new ShardReader(dir);
        try
        {
            if (reader.Index.Resolution != options.Resolution)
                throw new ArgumentException($"{dir}: packed at {reader.Index.Resolution}x{reader.Index.Resolution}, but the model trains at {options.Resolution}; pack again with --resolution {options.Resolution}");
            if (reader.Index.Clips.Count == 0) throw new InvalidDataException($"{dir}: the shards hold no clips");
        }
        catch
        {
            reader.Dispose();
            throw;
        }
        this.options = options;
        schedule = new ClipSchedule(options.Seed);
    }

    public ShardIndex Index => reader.Index;
    public int Count => reader.Index.Clips.Count;
    public int Resolution => options.Resolution;
    public int Frames => options.Sampling.Frames;
    public double Fps => options.ClipFps;

    public IEnumerable<string> VocabularyCaptions() => reader.Index.Clips.Select(c => c.Caption);

    public (Video Video, string Caption) Clip(long index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        int n = Count, pick;
        lock (gate) pick = schedule.Order(index / n, n)[(int)(index % n)];
        var source = reader.Read(pick);
        if (options.Sampling.WindowStarts(source.Frames, source.Fps) == 0)
            throw new InvalidDataException($"{reader.Index.Clips[pick].Source}: too short for this run's frames ({source.Frames} stored); pack with --frames {Frames} or use --short-clips loop");
        var clip = schedule.Take(index, source, options.Sampling, options.Flip, Fps, out bool flipped);
        var caption = reader.Index.Clips[pick].Caption;
        return (clip, flipped ? VideoCollection.MirrorCaption(caption) : caption);
    }

    public void Dispose() => reader.Dispose();
}
