using System.CommandLine;
using VidGen.Cli.Commands;
using VidGen.Data;
using VidGen.Data.Shards;
using VidGen.Media;
using VidGen.Models;
using VidGen.Tests.Media;

namespace VidGen.Tests.Data;

/// <summary>`dataset pack` shards: the same training clips as the collection they were packed from, memory-mapped; read-ahead changes nothing.</summary>
public class ShardTests
{
    /// <summary>Six captioned GIFs of different lengths and rates, one too short for 4-frame clips, one broken.</summary>
    static TempDir MakeCollection()
    {
        var dir = new TempDir();
        for (int i = 0; i < 6; i++)
        {
            GifWriter.Write(TestClips.Shapes(resolution: 32, frames: i == 5 ? 2 : 5 + i, fps: 8 + i, index: i), dir.File($"clip{i}.gif"));
            File.WriteAllText(dir.File($"clip{i}.txt"), $"clip {i} moving {(i % 2 == 0 ? "left" : "right")}");
        }
        File.WriteAllText(dir.File("broken.gif"), "not a gif");
        File.WriteAllText(dir.File("broken.txt"), "a broken clip");
        return dir;
    }

    static CollectionOptions Options(bool flip = true, int seed = 3) => new()
    {
        Resolution = 16, Sampling = new FrameSampling { Frames = 4, ShortClips = ShortClipPolicy.Skip }, Flip = flip, Seed = seed,
    };

    static string Pack(TempDir data, CollectionOptions options, long shardBytes)
    {
        var collection = VideoCollection.Load(data.Path, options with { Preload = false, CacheBytes = 0 });
        var shards = TinyModels.TempDir("shards"); // outside the collection's folder, which is read recursively
        var sources = collection.Sources().ToList(); // decoding records the skips
        ClipShards.Write(shards, options.Resolution, sources.Select(s => (s.Source, s.Entry.Caption, s.Entry.Path)), collection.Skipped.Select(k => k.Detail), shardBytes);
        return shards;
    }

    [Fact]
    public void Sharded_clips_are_the_collections_clips_up_to_byte_rounding_across_epochs_and_shards()
    {
        using var data = MakeCollection();
        var options = Options();
        var shards = Pack(data, options, shardBytes: 4000); // a few clips a shard: several shard files
        var collection = VideoCollection.Load(data.Path, options);
        using var sharded = new ShardedClips(shards, options);

        Assert.Equal(collection.Count, sharded.Count);
        Assert.Equal(5, sharded.Count);
        Assert.True(sharded.Index.ShardCount >= 3, $"{sharded.Index.ShardCount} shards");
        Assert.Equal(2, sharded.Index.Skipped.Count); // the short clip and the broken one, named
        Assert.Contains(sharded.Index.Skipped, s => s.Contains("broken.gif", StringComparison.Ordinal));
        Assert.Equal(collection.VocabularyCaptions().Order(), sharded.VocabularyCaptions().Order());
        for (long i = 0; i < 3L * sharded.Count; i++) // three epochs, flips included
        {
            var (a, captionA) = collection.Clip(i);
            var (b, captionB) = sharded.Clip(i);
            Assert.Equal(captionA, captionB);
            Assert.Equal((a.Frames, a.Height, a.Width, a.Fps), (b.Frames, b.Height, b.Width, b.Fps));
            float worst = a.Pixels.Zip(b.Pixels, (x, y) => Math.Abs(x - y)).Max();
            Assert.True(worst <= 0.5f / 255 + 1e-6f, $"clip {i}: {worst * 255:F2} levels apart");
        }
    }

    [Fact]
    public void Reading_ahead_on_workers_returns_exactly_the_sources_clips_in_order_and_after_a_jump()
    {
        using var data = MakeCollection();
        var options = Options();
        using var sharded = new ShardedClips(Pack(data, options, 1 << 20), options);
        using var ahead = new PrefetchingClips(sharded, workers: 3, depth: 6);
        foreach (long i in Enumerable.Range(0, 20).Select(k => (long)k).Concat(new long[] { 7, 8, 9, 50, 51 }))
        {
            var (want, wantCaption) = sharded.Clip(i);
            var (got, gotCaption) = ahead.Clip(i);
            Assert.Equal(wantCaption, gotCaption);
            Assert.Equal(want.Pixels, got.Pixels);
        }
    }

    [Fact]
    public void A_damaged_shard_folder_is_one_line_naming_the_file()
    {
        using var data = MakeCollection();
        var options = Options();
        var shards = Pack(data, options, 4000);
        using (var f = new FileStream(ClipShards.ShardFile(shards, 1), FileMode.Open)) f.SetLength(f.Length / 2);
        var e = Assert.Throws<InvalidDataException>(() => new ShardedClips(shards, options));
        Assert.Equal($"{ClipShards.ShardFile(shards, 1)} is shorter than its index says; pack the collection again", e.Message);
        var other = Assert.Throws<ArgumentException>(() => new ShardedClips(Pack(data, options, 4000), options with { Resolution = 8 }));
        Assert.Contains("packed at 16x16, but the model trains at 8", other.Message);
        File.WriteAllText(Path.Combine(shards, ClipShards.IndexFile), "{\"format\": \"vidgen-clip-shards\", \"version\": 2}");
        Assert.Contains("is not a version 1 vidgen-clip-shards index", Assert.Throws<InvalidDataException>(() => ClipShards.ReadIndex(shards)).Message);
    }

    [Fact]
    public void Dataset_pack_then_train_from_the_shards_with_read_ahead_runs()
    {
        using var data = MakeCollection();
        var shards = Path.Combine(TinyModels.TempDir("packed"), "shards");
        int Invoke(params string[] args) => new RootCommand { DatasetCommand.Create(), TrainCommand.Create() }.Parse(args).Invoke();
        Assert.Equal(0, Invoke("dataset", "pack", "--data", data.Path, "--out", shards, "--resolution", "16", "--frames", "4", "--short-clips", "skip"));
        Assert.Equal(5, ClipShards.ReadIndex(shards).Clips.Count);
        var run = TinyModels.TempDir("shard-train");
        Assert.Equal(0, Invoke("train", "--data", shards, "--out", run, "--preset", "tiny", "--resolution", "16", "--frames", "4", "--batch", "2",
            "--steps", "2", "--warmup", "1", "--checkpoint-every", "0", "--loader-workers", "2"));
        Assert.True(Checkpoint.Exists(run));
    }
}
