using System.Diagnostics;
using System.Text.Json;
using TorchSharp;
using TorchSharp.Modules;
using VidGen.Data;
using VidGen.Media;
using VidGen.Models;
using VidGen.Models.Autoencoders;
using VidGen.Pipelines;
using static TorchSharp.torch;

namespace VidGen.Training;

/// <summary>
/// Trains a <see cref="VideoAutoencoder"/> on frames of an <see cref="ITrainingClips"/> source: AdamW, warmup +
/// cosine, reconstruction terms (L1, L2, edges) and an optional patch adversary, checkpoints with the preview map
/// refitted, exact resume, a JSONL log with the held-out PSNR at every checkpoint. Clips and frames are drawn
/// from (seed, step), so a resumed run continues where it stopped.
/// </summary>
public sealed class AutoencoderTrainer : IDisposable
{
    public const string StateDir = "training", OptimizerFile = "optimizer.bin", DiscriminatorFile = "discriminator.safetensors",
        DiscriminatorOptimizerFile = "discriminator_optimizer.bin", StateFile = "state.json", LogFile = "train_log.jsonl",
        AutoencoderWeights = "autoencoder.safetensors";
    public const string ReconstructionSheet = "reconstructions.png";
    const int PreviewFitClips = 8, SheetClips = 6, CropSalt = 0x43524F50;

    private readonly ITrainingClips data;
    private readonly AutoencoderTrainOptions options;
    private readonly string outDir;
    private readonly Device device;
    private readonly IReadOnlyList<Video> validation;
    private readonly OptimizerHelper optimizer;
    private readonly PatchDiscriminator? discriminator;
    private readonly OptimizerHelper? discriminatorOptimizer;
    private readonly IDisposable threadScope;

    public VideoAutoencoder Autoencoder { get; }
    /// <summary>The critic, when the adversarial term is on.</summary>
    public PatchDiscriminator? Discriminator => discriminator;
    public int Step { get; private set; }
    private int savedAt = -1;
    /// <summary>The held-out PSNR measured at the last checkpoint (null before the first, or without validation clips).</summary>
    public double? LastValidationPsnr { get; private set; }

    /// <param name="config">the network to build</param>
    /// <param name="data">training clips; their frames are what it learns to code</param>
    /// <param name="options">how to train</param>
    /// <param name="outDir">the autoencoder folder written at checkpoints</param>
    /// <param name="validation">held-out clips whose PSNR goes into the log at checkpoints</param>
    /// <param name="device">where to train (CPU by default)</param>
    public AutoencoderTrainer(AutoencoderConfig config, ITrainingClips data, AutoencoderTrainOptions options, string outDir,
        IReadOnlyList<Video>? validation = null, Device? device = null)
    {
        options.Validate();
        config.Validate();
        if (data.Resolution % config.Downsampling != 0)
            throw new ArgumentException($"clips of {data.Resolution}px do not divide by the autoencoder's downsampling {config.Downsampling}");
        if (options.CropSize > 0 && (options.CropSize > data.Resolution || options.CropSize % config.Downsampling != 0))
            throw new ArgumentException($"crop size {options.CropSize} must be at most the {data.Resolution}px frames and divide by the downsampling {config.Downsampling}");
        this.data = data; this.options = options; this.outDir = outDir;
        this.validation = validation ?? Array.Empty<Video>();
        this.device = device ?? CPU;
        threadScope = TorchThreads.Use(options.Threads);
        manual_seed(options.Seed);
        Autoencoder = new VideoAutoencoder(config with { Resolution = data.Resolution });
        Autoencoder.to(this.device);
        optimizer = optim.AdamW(Autoencoder.parameters(), lr: options.LearningRate, beta1: 0.9, beta2: 0.99, weight_decay: 0);
        if (options.AdversarialWeight > 0)
        {
            discriminator = new PatchDiscriminator(config.Channels);
            discriminator.to(this.device);
            // GAN-style moments (Esser et al.'s 0.5, 0.9) for the critic only.
            discriminatorOptimizer = optim.AdamW(discriminator.parameters(), lr: options.LearningRate, beta1: 0.5, beta2: 0.9, weight_decay: 0);
        }
    }

    public double LearningRateAt(int step) => LearningRates.WarmupCosine(options.LearningRate, options.WarmupSteps, options.MinLrFraction, options.Steps, step);

    /// <summary>Runs until <see cref="AutoencoderTrainOptions.Steps"/> or cancellation; saves a checkpoint either way.</summary>
    public void Train(Action<AutoencoderProgress>? progress = null, CancellationToken cancel = default)
    {
        Directory.CreateDirectory(outDir);
        using var log = new StreamWriter(Path.Combine(outDir, LogFile), append: true);
        var clock = Stopwatch.StartNew();
        int startStep = Step;
        using var quiet = new CollectionFreeRegion();
        while (Step < options.Steps && !cancel.IsCancellationRequested)
        {
            double lr = LearningRateAt(Step);
            foreach (var g in optimizer.ParamGroups) g.LearningRate = lr;
            if (discriminatorOptimizer is not null) foreach (var g in discriminatorOptimizer.ParamGroups) g.LearningRate = lr;
            var terms = quiet.Run(TrainStep, out _); // as the diffusion trainer's steps (see there)
            Step++;
            double? psnr = null;
            if ((options.CheckpointEvery > 0 && Step % options.CheckpointEvery == 0) || Step == options.Steps)
            {
                Save();
                psnr = LastValidationPsnr;
            }
            double elapsed = clock.Elapsed.TotalSeconds;
            double fps = (Step - startStep) * options.BatchClips * options.FramesPerClip / Math.Max(elapsed, 1e-9);
            var eta = TimeSpan.FromSeconds((options.Steps - Step) * elapsed / Math.Max(1, Step - startStep));
            log.WriteLine(JsonSerializer.Serialize(new
            {
                step = Step, loss = terms.Total, l1 = terms.L1, l2 = terms.L2, edge = terms.Edge, adversarial = terms.Adversarial, discriminator = terms.Discriminator,
                lr, frames_per_s = Math.Round(fps, 2), elapsed_s = Math.Round(elapsed, 2), validation_psnr = psnr,
            }));
            log.Flush();
            progress?.Invoke(new AutoencoderProgress(Step, options.Steps, terms.Total, lr, fps, clock.Elapsed, eta, psnr));
        }
        if (savedAt != Step) Save();
    }

    /// <summary>The terms of one step (as plain numbers; the adversarial ones are 0 before the discriminator starts).</summary>
    public sealed record StepTerms(double Total, double L1, double L2, double Edge, double Adversarial, double Discriminator);

    /// <summary>One optimizer step of the autoencoder (and one of the discriminator when it is on).</summary>
    public StepTerms TrainStep()
    {
        using var scope = NewDisposeScope();
        Autoencoder.train();
        var x = FrameBatch(Step);                                                           // (N, 3, H, W)
        optimizer.zero_grad();
        var rec = Autoencoder.DecodeFrames(Autoencoder.EncodeFrames(x));
        var diff = rec - x;
        var l1 = diff.abs().mean();
        var l2 = diff.square().mean();
        var edge = EdgeLoss(rec, x);
        var total = l1 * options.L1Weight + l2 * options.L2Weight + edge * options.EdgeWeight;
        bool adversarial = discriminator is not null && Step >= options.AdversarialStart;
        double advValue = 0, discValue = 0;
        if (adversarial)
        {
            foreach (var p in discriminator!.parameters()) p.requires_grad = false;
            var g = -discriminator.call(rec).mean();
            total = total + g * options.AdversarialWeight;
            advValue = g.item<float>();
            foreach (var p in discriminator.parameters()) p.requires_grad = true;
        }
        total.backward();
        if (options.GradClip > 0) nn.utils.clip_grad_norm_(Autoencoder.parameters(), options.GradClip);
        optimizer.step();
        if (adversarial)
        {
            // Hinge loss on real frames and the (detached) reconstructions.
            discriminatorOptimizer!.zero_grad();
            var real = discriminator!.call(x);
            var fake = discriminator.call(rec.detach());
            var d = nn.functional.relu(1 - real).mean() + nn.functional.relu(1 + fake).mean();
            d.backward();
            discriminatorOptimizer.step();
            discValue = d.item<float>();
        }
        return new StepTerms(total.item<float>(), l1.item<float>(), l2.item<float>(), edge.item<float>(), advValue, discValue);
    }

    /// <summary>L1 between the neighbour differences (horizontal and vertical) of output and target. (N, C, H, W).</summary>
    public static Tensor EdgeLoss(Tensor output, Tensor target)
    {
        using var scope = NewDisposeScope();
        long h = output.shape[2], w = output.shape[3];
        var dxo = output.narrow(3, 1, w - 1) - output.narrow(3, 0, w - 1);
        var dxt = target.narrow(3, 1, w - 1) - target.narrow(3, 0, w - 1);
        var dyo = output.narrow(2, 1, h - 1) - output.narrow(2, 0, h - 1);
        var dyt = target.narrow(2, 1, h - 1) - target.narrow(2, 0, h - 1);
        return ((dxo - dxt).abs().mean() + (dyo - dyt).abs().mean()).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The frames of a step: <see cref="AutoencoderTrainOptions.FramesPerClip"/> distinct frames of each of
    /// <see cref="AutoencoderTrainOptions.BatchClips"/> clips, each cropped at a random place when
    /// <see cref="AutoencoderTrainOptions.CropSize"/> is set, all from (seed, step). (N, 3, S, S) in [-1, 1].
    /// </summary>
    public Tensor FrameBatch(int step)
    {
        int n = options.BatchClips * options.FramesPerClip, size = data.Resolution;
        int crop = options.CropSize > 0 ? options.CropSize : size;
        long perCrop = (long)crop * crop * 3;
        var all = new float[n * perCrop];
        int k = 0;
        for (int c = 0; c < options.BatchClips; c++)
        {
            long index = (long)step * options.BatchClips + c;
            var (video, _) = data.Clip(index);
            // Salted: the clip sources draw their content from Mix(seed, index) too, and crops must not follow it.
            var rng = new Random(Seeds.Mix(options.Seed ^ CropSalt, index));
            var frames = Enumerable.Range(0, video.Frames).OrderBy(_ => rng.Next()).Take(options.FramesPerClip).ToList();
            while (frames.Count < options.FramesPerClip) frames.Add(rng.Next(video.Frames)); // clips shorter than FramesPerClip
            foreach (int f in frames)
            {
                int top = rng.Next(size - crop + 1), left = rng.Next(size - crop + 1);
                long o = k++ * perCrop;
                for (int y = 0; y < crop; y++)
                {
                    var row = video.Pixels.AsSpan(video.Index(f, top + y, left), crop * 3);
                    for (int i = 0; i < row.Length; i++) all[o + i] = row[i] * 2f - 1f; // scaled here: see ClipTensors
                    o += crop * 3;
                }
            }
        }
        using var t = tensor(all, new long[] { n, crop, crop, 3 });
        using var perm = t.permute(0, 3, 1, 2);
        return perm.contiguous().to(device);
    }

    /// <summary>Refits the preview map, measures the held-out PSNR, writes the autoencoder folder and the resume state.</summary>
    public void Save()
    {
        savedAt = Step;
        Autoencoder.eval();
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            var clips = ClipTensors.ToTensor(Enumerable.Range(0, PreviewFitClips).Select(i => data.Clip(i).Video).ToList(), device);
            Autoencoder.FitPreview(Autoencoder.Encode(clips), clips);
        }
        LastValidationPsnr = validation.Count > 0 ? Reconstruction.MeanPsnr(Autoencoder, validation) : null;
        WriteReconstructionSheet();
        var metadata = new Dictionary<string, string> { ["step"] = Step.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        if (LastValidationPsnr is double psnr) metadata["validation_psnr"] = psnr.ToString("F2", System.Globalization.CultureInfo.InvariantCulture);
        TrainingStateFolder.Save(Path.Combine(outDir, StateDir), StateFile, new ResumeState(Step, Settings(options)), state =>
        {
            Checkpoint.SaveWeights(Path.Combine(state, AutoencoderWeights), Autoencoder);
            optimizer.save_state_dict(Path.Combine(state, OptimizerFile));
            if (discriminator is not null)
            {
                Checkpoint.SaveWeights(Path.Combine(state, DiscriminatorFile), discriminator);
                discriminatorOptimizer!.save_state_dict(Path.Combine(state, DiscriminatorOptimizerFile));
            }
        });
        AutoencoderFolder.Save(outDir, Autoencoder, metadata);
        Autoencoder.train();
    }

    /// <summary>
    /// reconstructions.png beside the checkpoint: the first validation clips, each as a row of frames with its
    /// reconstruction below, to see what the PSNR misses.
    /// </summary>
    private void WriteReconstructionSheet()
    {
        if (validation.Count == 0) return;
        var originals = validation.Take(SheetClips).ToList();
        var back = Reconstruction.RoundTrip(Autoencoder, originals);
        var rows = originals.SelectMany((v, i) => new[] { v, back[i] }).ToList();
        ContactSheet.WriteGridPng(rows, Path.Combine(outDir, ReconstructionSheet), scale: 2);
    }

    /// <summary>Continues from a folder written by <see cref="Save"/>. Returns the settings that differ from the saved run's ("name: saved -> now").</summary>
    public IReadOnlyList<string> Resume()
    {
        var state = Path.Combine(outDir, StateDir);
        var s = TrainingStateFolder.Read<ResumeState>(outDir, state, StateFile);
        var configPath = Path.Combine(outDir, AutoencoderFolder.ConfigFile);
        var saved = AutoencoderConfig.FromJson(File.ReadAllText(configPath), configPath);
        if (saved.ToJson() != Autoencoder.Config.ToJson()) throw new ArgumentException($"{configPath} describes another network than this run's (change the run's options or --out)");
        // Runs saved before the state kept its own copy of the weights have them only in the autoencoder folder.
        var weights = Path.Combine(state, AutoencoderWeights);
        Checkpoint.LoadWeights(File.Exists(weights) ? weights : Path.Combine(outDir, AutoencoderFolder.WeightsFile), Autoencoder);
        optimizer.load_state_dict(Path.Combine(state, OptimizerFile));
        if (discriminator is not null && s.Step > options.AdversarialStart && !File.Exists(Path.Combine(state, DiscriminatorFile)))
            throw new FileNotFoundException($"the saved run trained no discriminator ({Path.Combine(state, DiscriminatorFile)} is missing) but this one has passed --adversarial-start: resume with the saved run's --adversarial");
        if (discriminator is not null && File.Exists(Path.Combine(state, DiscriminatorFile)))
        {
            Checkpoint.LoadWeights(Path.Combine(state, DiscriminatorFile), discriminator);
            discriminatorOptimizer!.load_state_dict(Path.Combine(state, DiscriminatorOptimizerFile));
        }
        Step = s.Step;
        var now = Settings(options);
        return s.Settings.Where(kv => !now.TryGetValue(kv.Key, out var v) || v != kv.Value)
            .Select(kv => $"{kv.Key}: {kv.Value} -> {(now.TryGetValue(kv.Key, out var v) ? v : "(none)")}").ToList();
    }

    /// <summary>The options that shape what a step computes (not where or how often it writes), kept to check a resume.</summary>
    static Dictionary<string, string> Settings(AutoencoderTrainOptions o) => new()
    {
        ["steps"] = $"{o.Steps}", ["batch_clips"] = $"{o.BatchClips}", ["frames_per_clip"] = $"{o.FramesPerClip}", ["crop"] = $"{o.CropSize}",
        ["learning_rate"] = $"{o.LearningRate}", ["warmup"] = $"{o.WarmupSteps}", ["min_lr_fraction"] = $"{o.MinLrFraction}", ["grad_clip"] = $"{o.GradClip}",
        ["l1"] = $"{o.L1Weight}", ["l2"] = $"{o.L2Weight}", ["edge"] = $"{o.EdgeWeight}", ["adversarial"] = $"{o.AdversarialWeight}",
        ["adversarial_start"] = $"{o.AdversarialStart}", ["seed"] = $"{o.Seed}",
    };

    private sealed record ResumeState(int Step, Dictionary<string, string> Settings);

    public void Dispose()
    {
        threadScope.Dispose();
        optimizer.Dispose();
        discriminatorOptimizer?.Dispose();
        discriminator?.Dispose();
        Autoencoder.Dispose();
    }
}
