using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using TorchSharp;
using TorchSharp.Modules;
using VidGen.Data;
using VidGen.Diffusion;
using VidGen.Media;
using VidGen.Models;
using VidGen.Models.Autoencoders;
using VidGen.Models.TextEncoders;
using VidGen.Text;
using static TorchSharp.torch;
using VidGen.Pipelines;

namespace VidGen.Training;

/// <summary>
/// Trains a <see cref="VideoDiffusionModel"/> on an <see cref="ITrainingClips"/> source: AdamW, warmup + cosine,
/// gradient clipping and accumulation, EMA, caption dropout, checkpoints, exact resume, JSONL loss log.
/// Clip indices and noise are derived from (seed, step), so a resumed run continues exactly where it stopped.
/// </summary>
public sealed class Trainer : IDisposable
{
    /// <summary>libtorch errors inside a step recovered from the last checkpoint, in a row (no new checkpoint saved
    /// between them), before the run gives up: a run that keeps getting past checkpoints keeps going.</summary>
    public const int MaxRecoveriesInARow = 5;
    public const string StateDir = "training", RawWeights = "raw.safetensors", EmaWeights = "ema.safetensors", OptimizerFile = "optimizer.bin", StateFile = "state.json", LogFile = "train_log.jsonl",
        SnapshotDir = "snapshots", SnapshotIndex = "index.jsonl";

    private readonly ITrainingClips data;
    private readonly TrainOptions options;
    private readonly string outDir;
    private readonly Device device;
    private readonly DiffusionLoss loss;
    private readonly OptimizerHelper optimizer;
    private readonly PretrainedTextEncoder? frozenText;
    private readonly LatentCodec? latents;

    public VideoDiffusionModel Model { get; }
    public VideoDiffusionModel EmaModel { get; }
    public int Step { get; private set; }
    /// <summary>Seconds spent in <see cref="Train"/> over the whole run, resumed sessions included (kept in state.json).</summary>
    public double TrainingSeconds => savedSeconds + (session?.Elapsed.TotalSeconds ?? 0);
    private double savedSeconds;
    private Stopwatch? session;
    private int recoveries, recoveriesInARow;
    /// <summary>Times this trainer went back to a checkpoint after a libtorch error (see <see cref="MaxRecoveriesInARow"/>).</summary>
    public int Recoveries => recoveries;
    private readonly IDisposable threadScope;

    /// <param name="config">the model to build (and, with config.latent, the latent space it trains in)</param>
    /// <param name="data">the training clips, at the config's frame size and length</param>
    /// <param name="options">how to train</param>
    /// <param name="outDir">the model folder written at checkpoints</param>
    /// <param name="device">where to train (CPU by default)</param>
    /// <param name="tokenizer">the built-in encoder's vocabulary (default: every word of the data's captions)</param>
    /// <param name="latents">a latent model's frozen autoencoder (required exactly when config.latent is set); the trainer disposes it</param>
    public Trainer(ModelConfig config, ITrainingClips data, TrainOptions options, string outDir, Device? device = null, WordTokenizer? tokenizer = null, LatentCodec? latents = null)
    {
        if (data.Resolution != config.Resolution || data.Frames != config.Frames)
            throw new ArgumentException($"data clips are {data.Frames}x{data.Resolution}px but the model expects {config.Frames}x{config.Resolution}px");
        this.data = data; this.options = options; this.outDir = outDir;
        this.device = device ?? CPU;
        this.latents = latents;
        threadScope = TorchThreads.Use(options.Threads); // given back on Dispose
        // Model, EMA copy and optimizer live outside any dispose scope: parameters made in a scope die with it.
        if (config.Text.Kind == TextEncoderKind.Builtin)
        {
            tokenizer ??= WordTokenizer.FromCaptions(data.VocabularyCaptions(), config.Text.MaxLength);
            manual_seed(options.Seed);
            Model = new VideoDiffusionModel(config, tokenizer, latents);
            EmaModel = new VideoDiffusionModel(config, tokenizer, latents);
        }
        else
        {
            // A frozen pretrained encoder is loaded once and shared by the model and its EMA copy.
            frozenText = PretrainedTextEncoder.Load(config.Text);
            manual_seed(options.Seed);
            Model = new VideoDiffusionModel(config, frozenText, latents: latents);
            EmaModel = new VideoDiffusionModel(config, frozenText, latents: latents);
        }
        Model.to(this.device); EmaModel.to(this.device);
        latents?.Autoencoder.to(this.device);
        Ema.CopyWeights(EmaModel, Model);
        EmaModel.eval();
        foreach (var p in EmaModel.parameters()) p.requires_grad = false;
        optimizer = optim.AdamW(Model.parameters(), lr: options.LearningRate, weight_decay: options.WeightDecay);
        loss = new DiffusionLoss(new NoiseSchedule(config.Schedule, config.TrainTimesteps), options.Loss with { Prediction = config.Prediction });
    }

    /// <summary>Learning rate at a step: linear warmup, then cosine decay to MinLrFraction.</summary>
    public static double LearningRateAt(TrainOptions o, int step) =>
        LearningRates.WarmupCosine(o.LearningRate, o.WarmupSteps, o.MinLrFraction, o.Steps, step);

    /// <summary>Runs until <see cref="TrainOptions.Steps"/> or cancellation; saves a checkpoint either way.</summary>
    public void Train(Action<TrainProgress>? progress = null, CancellationToken cancel = default)
    {
        Directory.CreateDirectory(outDir);
        using var log = new StreamWriter(Path.Combine(outDir, LogFile), append: true);
        var clock = Stopwatch.StartNew();
        session = Stopwatch.StartNew(); // apart from the clock: a recovery restarts it
        int startStep = Step;
        Model.train();
        using var quiet = new CollectionFreeRegion();
        while (Step < options.Steps && !cancel.IsCancellationRequested)
        {
            double lr = LearningRateAt(options, Step);
            foreach (var g in optimizer.ParamGroups) g.LearningRate = lr;
            double stepLoss;
            int collections;
            try
            {
                stepLoss = quiet.Run(() =>
                {
                    double l = TrainStep();
                    Ema.Update(EmaModel, Model, Ema.DecayAt(options.EmaDecay, Step));
                    return l;
                }, out collections);
            }
            catch (ExternalException e) when (recoveriesInARow < MaxRecoveriesInARow && File.Exists(Path.Combine(outDir, StateDir, StateFile)))
            {
                // A libtorch error inside a step may leave the weights half-updated: go back to the last checkpoint, which
                // continues exactly, instead of losing the run. Seen every few hundred world2 steps before steps ran in a
                // CollectionFreeRegion ("Unknown scalar type", "Expected false to be true": a freed TorchSharp Scalar).
                recoveries++;
                recoveriesInARow++;
                int failedAt = Step;
                Resume();
                Model.train();
                log.WriteLine(JsonSerializer.Serialize(new { recovered = e.Message.Split('\n')[0].TrimEnd(), failed_at = failedAt, resumed_at = Step }));
                log.Flush();
                continue;
            }
            Step++;

            double elapsed = clock.Elapsed.TotalSeconds;
            double vps = (Step - startStep) * options.BatchSize * options.GradAccumulation / Math.Max(elapsed, 1e-9);
            var eta = TimeSpan.FromSeconds((options.Steps - Step) * elapsed / Math.Max(1, Step - startStep));
            log.WriteLine(JsonSerializer.Serialize(new { step = Step, loss = stepLoss, lr, videos_per_s = Math.Round(vps, 3), elapsed_s = Math.Round(elapsed, 2), collections }));
            log.Flush(); // the log is read while training runs (and survives a kill)
            progress?.Invoke(new TrainProgress(Step, options.Steps, stepLoss, lr, vps, clock.Elapsed, eta, recoveries));
            if (options.CheckpointEvery > 0 && Step % options.CheckpointEvery == 0 && Step < options.Steps) { log.Flush(); Save(); recoveriesInARow = 0; }
            if (options.SampleEvery > 0 && Step % options.SampleEvery == 0) WriteSampleGrid();
            if (options.SnapshotEvery > 0 && Step % options.SnapshotEvery == 0) WriteSnapshot();
        }
        log.Flush();
        Save();
        savedSeconds = TrainingSeconds;
        session = null;
    }

    /// <summary>One optimizer step over GradAccumulation micro-batches. Returns the mean loss.</summary>
    public double TrainStep()
    {
        optimizer.zero_grad();
        double total = 0;
        for (int micro = 0; micro < options.GradAccumulation; micro++)
        {
            using var scope = NewDisposeScope();
            long first = ((long)Step * options.GradAccumulation + micro) * options.BatchSize;
            var clips = new List<Video>(options.BatchSize);
            var captions = new List<string>(options.BatchSize);
            for (int i = 0; i < options.BatchSize; i++)
            {
                var (v, c) = data.Clip(first + i);
                clips.Add(v); captions.Add(c);
            }
            var gen = new Generator((ulong)Seeds.Mix(options.Seed, (long)Step * options.GradAccumulation + micro), CPU);
            var x0 = DiffusionSpace.FromClips(Model, ClipTensors.ToTensor(clips, device)); // latents for a latent model
            var text = Model.EncodeText(captions);
            var drop = (rand(new long[] { options.BatchSize }, generator: gen) < options.CaptionDropout).to(device);
            Tensor? focus = options.ImageFraction > 0 ? (rand(new long[] { options.BatchSize }, generator: gen) < options.ImageFraction).to(device) : null;
            var l = loss.Compute((xt, t) => Model.Forward(xt, t, text, drop, focus), x0, gen);
            (l / options.GradAccumulation).backward();
            total += l.item<float>();
        }
        if (options.GradClip > 0) nn.utils.clip_grad_norm_(Model.parameters(), options.GradClip);
        optimizer.step();
        return total / options.GradAccumulation;
    }

    /// <summary>
    /// Writes the resume state under training/ (raw and EMA weights, optimizer, state.json: one folder replaced whole,
    /// see <see cref="TrainingStateFolder"/>), then the sampling checkpoint (EMA weights) beside it, file by file atomically.
    /// </summary>
    public void Save()
    {
        try { SaveState(); }
        catch (IOException e) // a full disk: the state folder is replaced whole or not at all
        {
            throw new IOException($"the checkpoint of step {Step} was not saved ({e.Message}); the last one saved in {outDir} is intact", e);
        }
    }

    private void SaveState()
    {
        TrainingStateFolder.Save(Path.Combine(outDir, StateDir), StateFile,
            new ResumeState(Step, options.Seed, RunSettings.Of(options), Math.Round(TrainingSeconds, 3)), state =>
            {
                Checkpoint.SaveWeights(Path.Combine(state, RawWeights), Model);
                Checkpoint.SaveWeights(Path.Combine(state, EmaWeights), EmaModel);
                optimizer.save_state_dict(Path.Combine(state, OptimizerFile));
            });
        Checkpoint.Save(outDir, EmaModel, metadata: new Dictionary<string, string> { ["step"] = Step.ToString(), ["weights"] = "ema" });
    }

    /// <summary>The folder of the snapshot taken at <paramref name="step"/> under a run's <paramref name="outDir"/>.</summary>
    public static string SnapshotPath(string outDir, int step) => Path.Combine(outDir, SnapshotDir, $"step-{step:D6}");

    /// <summary>The EMA model as a loadable model folder of its own (a checkpoint is overwritten; snapshots are kept).</summary>
    private void WriteSnapshot()
    {
        var dir = SnapshotPath(outDir, Step);
        double seconds = Math.Round(TrainingSeconds, 3);
        AtomicFiles.ReplaceDirectory(dir, tmp => Checkpoint.Save(tmp, EmaModel, metadata: new Dictionary<string, string> { ["step"] = Step.ToString(), ["weights"] = "ema", ["training_seconds"] = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture) }));
        // A resumed run that redoes steps after its last checkpoint writes the same snapshot again: readers keep the last row per step.
        AtomicFiles.AppendLine(Path.Combine(outDir, SnapshotDir, SnapshotIndex), JsonSerializer.Serialize(new { step = Step, training_s = seconds, folder = Path.GetFileName(dir) }));
    }

    /// <summary>
    /// Starts from another model folder's sampling weights with a fresh optimizer and schedule (fine-tuning, or
    /// growing an architecture: parameters the folder lacks keep their initial values). Returns those names.
    /// </summary>
    public IReadOnlyList<string> InitFrom(string modelDir)
    {
        var vocabFile = Path.Combine(modelDir, Checkpoint.TokenizerFile);
        if (Model.Tokenizer is WordTokenizer mine && File.Exists(vocabFile)
            && !WordTokenizer.FromJson(File.ReadAllText(vocabFile)).Vocabulary.SequenceEqual(mine.Vocabulary))
            throw new ArgumentException($"{vocabFile}: its vocabulary differs from this run's captions, so its text weights would mean other words");
        var path = Path.Combine(modelDir, Checkpoint.WeightsFile);
        var loaded = Safetensors.Load(path);
        try
        {
            var kept = Checkpoint.CopyInto(Model, loaded, path, allowMissing: true);
            Ema.CopyWeights(EmaModel, Model);
            return kept;
        }
        finally { foreach (var t in loaded.Values) t.Dispose(); }
    }

    /// <summary>
    /// Continues from a folder written by <see cref="Save"/>: raw and EMA weights, optimizer moments, step.
    /// Returns the settings that differ from the saved run's ("name: saved -> now"): resuming continues exactly
    /// only when there are none (a longer --steps is the usual, deliberate exception).
    /// </summary>
    public IReadOnlyList<string> Resume()
    {
        var state = Path.Combine(outDir, StateDir);
        var s = TrainingStateFolder.Read<ResumeState>(outDir, state, StateFile);
        Checkpoint.LoadWeights(Path.Combine(state, RawWeights), Model);
        // Runs saved before the state kept its own EMA copy have it only in the sampling folder.
        var ema = Path.Combine(state, EmaWeights);
        Checkpoint.LoadWeights(File.Exists(ema) ? ema : Path.Combine(outDir, Checkpoint.WeightsFile), EmaModel);
        optimizer.load_state_dict(Path.Combine(state, OptimizerFile));
        Step = s.Step;
        savedSeconds = s.TrainingSeconds;
        if (session is not null) session.Restart(); // recovering inside Train: the time since the checkpoint is redone, not counted twice
        return s.Settings is null ? Array.Empty<string>() : s.Settings.Differences(RunSettings.Of(options));
    }

    private void WriteSampleGrid()
    {
        // Kept light: one 10-step sample (the default sampler) for each of a few fixed prompts, written next to the checkpoint.
        var pipe = new Pipelines.TextToVideoPipeline(EmaModel);
        var prompts = data.VocabularyCaptions().Take(4).ToList();
        var videos = prompts.Select((p, i) => pipe.Generate(new Pipelines.GenerationRequest { Prompt = p, Seed = i, Steps = 10 }).Video).ToList();
        ContactSheet.WriteGif(videos, Path.Combine(outDir, "samples", $"step_{Step:D6}.gif"));
    }

    public void Dispose()
    {
        threadScope.Dispose();
        optimizer.Dispose();
        Model.Dispose();
        EmaModel.Dispose();
        frozenText?.Dispose();
        latents?.Dispose();
    }

    private sealed record ResumeState(int Step, int Seed, RunSettings? Settings = null, double TrainingSeconds = 0);

    /// <summary>The options that shape what a step computes (not where or how often it writes), kept to check a resume.</summary>
    private sealed record RunSettings(int Steps, int BatchSize, int GradAccumulation, double LearningRate, int WarmupSteps,
        double MinLrFraction, double WeightDecay, double GradClip, double EmaDecay, double CaptionDropout, double ImageFraction,
        int Seed, string Prediction, string LossKind, double MinSnrGamma, double TimestepShift)
    {
        public static RunSettings Of(TrainOptions o) => new(o.Steps, o.BatchSize, o.GradAccumulation, o.LearningRate, o.WarmupSteps,
            o.MinLrFraction, o.WeightDecay, o.GradClip, o.EmaDecay, o.CaptionDropout, o.ImageFraction, o.Seed,
            o.Loss.Prediction.ToString(), o.Loss.Kind.ToString(), o.Loss.MinSnrGamma, o.Loss.TimestepShift);

        public List<string> Differences(RunSettings now) =>
            typeof(RunSettings).GetProperties()
                .Where(p => p.Name != "EqualityContract" && !Equals(p.GetValue(this), p.GetValue(now)))
                .Select(p => $"{p.Name}: {p.GetValue(this)} -> {p.GetValue(now)}")
                .ToList();
    }
}
