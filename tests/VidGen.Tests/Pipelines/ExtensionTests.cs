using VidGen.Diffusion;
using VidGen.Diffusion.Samplers;
using VidGen.Media;
using VidGen.Models;
using VidGen.Models.Autoencoders;
using VidGen.Pipelines;
using static TorchSharp.torch;

namespace VidGen.Tests.Pipelines;

/// <summary>Longer clips in overlapping segments, init images and prompt schedules (issue #17), on tiny seeded models.</summary>
public class ExtensionTests
{
    static readonly NoiseSchedule Schedule = new(ScheduleKind.Cosine, 1000);

    [Fact]
    public void The_plan_covers_the_clip_in_segments_of_the_model_length_sharing_the_overlap()
    {
        var plan = SegmentPlan.Make(24, 8, 4);
        Assert.Equal((24, 8, 4, 5), (plan.Frames, plan.Length, plan.Overlap, plan.Segments));
        Assert.Equal(new[] { 0, 4, 8, 12, 16 }, Enumerable.Range(0, 5).Select(plan.Start));
        Assert.True(plan.Start(plan.Segments - 1) + plan.Length >= 24 && plan.Start(plan.Segments - 2) + plan.Length < 24);
        Assert.Equal(3, SegmentPlan.Make(21, 8, 1).Segments); // 8 + 7 + 7 = 22 >= 21
        Assert.Equal(1, SegmentPlan.Make(8, 8, 4).Segments);
        foreach (int bad in new[] { 0, 8, -1 })
            Assert.Equal($"overlap must be between 1 and 7 frames for this model's 8-frame segments (got {bad})", Assert.Throws<ArgumentException>(() => SegmentPlan.Make(20, 8, bad)).Message);
    }

    // A mock denoiser that mixes frames, so the known frames' error has a gradient at the unknown ones: x0_f = mean over frames of 0.5 z.
    static Tensor MeanOverFrames(Tensor z, double t) => (0.5 * z).mean(new long[] { 2 }, keepdim: true).expand_as(z).contiguous();

    [Fact]
    public void Both_conditional_denoisers_return_the_known_frames_exactly_and_guidance_moves_the_rest_by_the_analytic_gradient()
    {
        manual_seed(3);
        var z = randn(new long[] { 1, 2, 4, 3, 3 });
        var known = randn(new long[] { 1, 2, 4, 3, 3 });
        var mask = arange(4).lt(2).view(1, 1, 4, 1, 1); // frames 0 and 1 known
        double t = 500, w = 3;
        var rep = KnownFrames.Replacement(MeanOverFrames, known, mask, Schedule, new Generator(9))(z, t);
        var rg = KnownFrames.ReconstructionGuidance(MeanOverFrames, known, mask, Schedule, new Generator(9), w)(z, t);
        Assert.True(rep.narrow(2, 0, 2).allclose(known.narrow(2, 0, 2), 0, 0));
        Assert.True(rg.narrow(2, 0, 2).allclose(known.narrow(2, 0, 2), 0, 0));

        // By hand: the input with the known frames noised from the same generator, m = mean(0.5 z_in); the error
        // sum_{f known} (m - x_f)^2 has gradient 2 * 0.5 / F * sum_f (m - x_f) at every frame.
        double ab = Schedule.AlphaBar(t);
        var eps = randn(known.shape, generator: new Generator(9));
        var zin = where(mask, known * Math.Sqrt(ab) + eps * Math.Sqrt(1 - ab), z);
        var m = (0.5 * zin).mean(new long[] { 2 }, keepdim: true);
        var grad = ((m - known).masked_fill(mask.logical_not(), 0).sum(new long[] { 2 }, keepdim: true) * (2 * 0.5 / 4)).expand_as(z);
        var expected = where(mask, known, m.expand_as(z) - grad * (w * Math.Sqrt(ab) / 2));
        Assert.True(rep.narrow(2, 2, 2).allclose(m.expand(1, 2, 2, 3, 3), 1e-6, 1e-6));
        Assert.True(rg.allclose(expected, 1e-5, 1e-5), $"max |diff| {(rg - expected).abs().max().item<float>()}");
        // Weight 0 is replacement.
        var zero = KnownFrames.ReconstructionGuidance(MeanOverFrames, known, mask, Schedule, new Generator(9), 0)(z, t);
        Assert.True(zero.allclose(rep, 0, 0));
    }

    static Video Frame(float r, float g, float b, int size = 16)
    {
        var v = new Video(1, size, size);
        for (int y = 0; y < size; y++) for (int x = 0; x < size; x++) v.Set(0, y, x, r, g, b);
        return v;
    }

    [Theory]
    [InlineData(ExtendMethod.Reconstruction)]
    [InlineData(ExtendMethod.Replacement)]
    public void An_init_image_is_the_clips_first_frame_and_extension_keeps_every_frame_so_far(ExtendMethod method)
    {
        using var model = TinyModels.Create(4);
        var pipe = new TextToVideoPipeline(model);
        var image = Frame(0.8f, 0.2f, 0.1f, size: 40); // any size: fitted to the model's 16 px
        var request = new GenerationRequest { Prompt = TinyModels.Captions[0], Steps = 3, Seed = 5, Extend = method, InitImage = image, GuidanceScale = 2 };
        var start = pipe.Generate(request).Video;
        Assert.Equal((4, 16, 16), (start.Frames, start.Height, start.Width));
        // Frame 0 is the image as fitted (through 8-bit pixels, as decoding a file gives it), to float precision.
        var fitted = FrameImages.FitFirstFrame(image, 16).Pixels;
        Assert.Equal(0.8f, fitted[0], 1e-6);
        Assert.All(start.Frame(0).ToArray().Zip(fitted), p => Assert.True(Math.Abs(p.First - p.Second) < 1e-5, $"{p.First} vs {p.Second}"));

        // 10 frames of a 4-frame model, 2 shared: segments at 0, 2, 4, 6; the first segment is the clip above.
        var longer = pipe.Generate(request with { Frames = 10, Overlap = 2 }).Video;
        Assert.Equal(10, longer.Frames);
        Assert.Equal(start.Pixels, longer.Pixels.AsSpan(0, start.Pixels.Length).ToArray());
        Assert.Equal(pipe.Generate(request with { Frames = 10, Overlap = 2 }).Video.Pixels, longer.Pixels); // the seed fixes it
    }

    [Fact]
    public void A_latent_model_reproduces_its_known_latents_and_extends_to_full_size_frames()
    {
        manual_seed(0);
        var ae = new VideoAutoencoder(AutoencoderConfig.Tiny(16));
        using var clips = ClipTensors.ToTensor(Enumerable.Range(0, 4).Select(i => TinyModels.ShapesData().Clip(i).Video).ToList());
        var codec = new LatentCodec(ae, LatentCodec.Measure(ae, clips));
        manual_seed(1);
        using var model = new VideoDiffusionModel(ModelConfig.Tiny(16, 4).InLatentSpace(codec.Config), VidGen.Text.WordTokenizer.FromCaptions(TinyModels.Captions), codec, ownsLatents: true);
        var pipe = new TextToVideoPipeline(model);
        var image = Frame(0.1f, 0.6f, 0.9f);
        var video = pipe.Generate(new GenerationRequest { Prompt = TinyModels.Captions[1], Steps = 2, Seed = 1, Frames = 7, Overlap = 1, InitImage = image }).Video;
        Assert.Equal((7, 16, 16), (video.Frames, video.Height, video.Width));
        // The first frame is the init image through the autoencoder: the decode of its own latents.
        using var z = DiffusionSpace.FromClips(model, ClipTensors.ToTensor(new[] { image }));
        var decoded = ClipTensors.ToVideos(DiffusionSpace.ToClips(model, z), 8)[0];
        Assert.True(decoded.Pixels.Zip(video.Frame(0).ToArray()).All(p => Math.Abs(p.First - p.Second) < 1e-4));
    }

    [Fact]
    public void A_prompt_schedule_changes_the_later_segments_only()
    {
        using var model = TinyModels.Create(2);
        var pipe = new TextToVideoPipeline(model);
        var request = new GenerationRequest { Prompt = TinyModels.Captions[0], Steps = 2, Seed = 8, Frames = 6, Overlap = 2 };
        var plain = pipe.Generate(request);
        var scheduled = pipe.Generate(request with { Then = new[] { TinyModels.Captions[2] } });
        int firstSegment = 4 * 16 * 16 * 3;
        Assert.Equal(plain.Video.Pixels.AsSpan(0, firstSegment).ToArray(), scheduled.Video.Pixels.AsSpan(0, firstSegment).ToArray());
        Assert.NotEqual(plain.Video.Pixels.AsSpan(firstSegment).ToArray(), scheduled.Video.Pixels.AsSpan(firstSegment).ToArray());
    }

    [Fact]
    public void Bad_requests_are_one_line_errors()
    {
        using var model = TinyModels.Create(2);
        var pipe = new TextToVideoPipeline(model);
        var r = new GenerationRequest { Prompt = TinyModels.Captions[0], Steps = 1 };
        string Error(GenerationRequest req) => Assert.Throws<ArgumentException>(() => pipe.Generate(req)).Message;
        Assert.Equal("the prompt schedule has 2 prompts but 4 frames make 1 segment(s) (the model's 4 frames or fewer are one segment; ask for more frames)", Error(r with { Then = new[] { "a blue square moving right" } }));
        Assert.Equal("the prompt schedule has 4 prompts but 8 frames make 3 segment(s) of 4 frames overlapping by 2", Error(r with { Frames = 8, Then = new[] { "a", "b", "c" } }));
        Assert.Equal($"frames must be between 1 and {GenerationRequest.MaxFrames}, or 0 for the model's length (got 257)", Error(r with { Frames = 257 }));
        Assert.Equal("this model generates at most 32 frames in one pass (asked for 40); extend it in segments instead (--extend reconstruction)", Error(r with { Frames = 40, Extend = ExtendMethod.None }));
        Assert.Equal("overlap must be between 1 and 3 frames for this model's 4-frame segments (got 4)", Error(r with { Frames = 8, Overlap = 4 }));
        Assert.Equal("prompt 2 of the schedule is empty", Error(r with { Frames = 8, Then = new[] { " " } }));
        Assert.Equal("the reconstruction weight must be between 0 and 1000 (got -1)", Error(r with { ReconstructionWeight = -1 }));
    }
}
