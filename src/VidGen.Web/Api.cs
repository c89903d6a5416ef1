using VidGen.Data;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.Hosting;
using VidGen.Pipelines;
using VidGen.Media;
using VidGen.Text;
using VidGen.Web.Jobs;

namespace VidGen.Web;

/// <summary>
/// The HTTP API (documented in README.md) and the page. Every error is JSON {"error": "..."} with a message a person
/// can act on; validation mistakes are 400.
/// </summary>
internal static class Api
{
    static readonly FileExtensionContentTypeProvider ContentTypes = new();
    static readonly TimeSpan CancelWait = TimeSpan.FromSeconds(10);
    static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);

    public static void Map(WebApplication app, JobQueue queue, EventHub hub, WebServerOptions options)
    {
        app.Use(Guard);
        MapPage(app);
        var stopping = app.Lifetime.ApplicationStopping;
        var presenter = new JobPresenter();
        var api = app.MapGroup("/api");

        api.MapGet("/info", () =>
        {
            var cfg = queue.ModelConfig;
            var defaults = GenerationRequest.Defaults;
            return Results.Json(new
            {
                model = new
                {
                    name = Path.GetFileName(Path.GetFullPath(options.ModelDir).TrimEnd(Path.DirectorySeparatorChar)),
                    resolution = cfg.Resolution, frames = cfg.Frames, maxFrames = cfg.Unet.MaxFrames, fps = cfg.Fps,
                    vocabulary = (queue.Tokenizer as WordTokenizer)?.Vocabulary.Where(w => !w.StartsWith('[')).ToList() ?? new List<string>(), // pretrained tokenizers have no closed word list
                    world = cfg.World is { } w ? Names.World.Name(w) : null,
                    // What the model knows, as prompts to start from: its world's examples per category (none for a model of a collection).
                    examples = cfg.World is { } known ? WorldExamples.For(known, perCategory: 2).Select(g => new { category = g.Category, prompts = g.Prompts }).ToList() : null,
                },
                samplers = Names.Sampler.All,
                extendMethods = Names.Extend.All,
                formats = ResultFiles.Formats,
                // A job without the field gets the library's default (JobSettings.Parse), so that is what the page shows.
                defaults = new { steps = defaults.Steps, guidance = defaults.GuidanceScale, sampler = Names.Sampler.Name(defaults.Sampler), frames = cfg.Frames, fps = cfg.Fps, extend = Names.Extend.Name(defaults.Extend) },
                limits = new
                {
                    steps = new[] { 1, GenerationRequest.MaxSteps }, guidance = new[] { 0, GenerationRequest.MaxGuidance }, frames = new[] { 1, JobSettings.MaxFrames(cfg, defaults.Extend) }, oneShotFrames = cfg.Unet.MaxFrames, schedule = GenerationRequest.MaxSchedule,
                    fps = new[] { 1, JobSettings.MaxFps }, seed = new[] { 0, JobSettings.MaxSeed }, promptLength = JobSettings.MaxPromptLength,
                },
            }, WebServer.Json);
        });

        api.MapGet("/jobs", () => Results.Json(queue.Snapshots().Select(presenter.View).ToList(), WebServer.Json));

        api.MapPost("/jobs", async (HttpContext ctx) =>
        {
            if (!ctx.Request.HasJsonContentType())
                return Error(415, "send the job as JSON with the header Content-Type: application/json");
            JobSettings settings;
            try
            {
                using var doc = await JsonDocument.ParseAsync(ctx.Request.Body, cancellationToken: ctx.RequestAborted);
                settings = JobSettings.Parse(doc.RootElement, queue.ModelConfig, () => Random.Shared.NextInt64(0, int.MaxValue));
            }
            catch (JsonException e) { return Error(400, $"the request body is not valid JSON: {e.Message}"); }
            catch (ArgumentException e) { return Error(400, e.Message); }
            try
            {
                var job = queue.Submit(settings);
                return Results.Json(queue.Snapshot(job.Id) is { } s ? presenter.View(s) : null, WebServer.Json, statusCode: 202)
                    .WithLocation(JobPresenter.JobUrl(job.Id));
            }
            catch (QueueFullException e) { return Error(429, e.Message); }
            catch (JobStorageException e) { return Error(507, e.Message); }
        });

        api.MapGet("/jobs/{id}", (string id) =>
            queue.Snapshot(id) is { } job ? Results.Json(presenter.View(job), WebServer.Json) : NoSuchJob(id));

        api.MapPost("/jobs/{id}/cancel", async (string id) =>
        {
            var (outcome, job) = await queue.CancelAsync(id, CancelWait);
            return outcome switch
            {
                CancelOutcome.NotFound => NoSuchJob(id),
                CancelOutcome.AlreadyFinished => Error(409, $"job {id} has already finished ({Name(job!.State)}); nothing to cancel"),
                _ => Results.Json(job is null ? null : presenter.View(job), WebServer.Json),
            };
        });

        api.MapDelete("/jobs/{id}", (string id) => queue.Delete(id) switch
        {
            DeleteOutcome.NotFound => NoSuchJob(id),
            DeleteOutcome.Running => Error(409, $"job {id} is running; cancel it first (POST /api/jobs/{id}/cancel)"),
            _ => Results.NoContent(),
        });

        api.MapGet("/jobs/{id}/video.{format}", async (string id, string format, HttpContext ctx) =>
        {
            var job = JobStore.IsValidId(id) ? queue.Record(id) : null;
            if (job is null) return NoSuchJob(id);
            format = format.ToLowerInvariant();
            if (!ResultFiles.Formats.Contains(format))
                return Error(404, $"no '{format}' download; this server writes {string.Join(", ", ResultFiles.Formats)}");
            if (job.State != JobState.Done)
                return Error(409, $"job {id} is {Name(job.State)}; its video exists once it is done");
            string path;
            try
            {
                path = await ResultFiles.GetOrCreateAsync(Path.Combine(options.DataDir, "jobs", id), format,
                    job.Settings.Frames, job.Settings.Fps, options.DownloadScale, ctx.RequestAborted);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return Error(500, $"could not write the {format} file: {e.Message}");
            }
            bool download = ctx.Request.Query.ContainsKey("download");
            return Results.File(path, ContentType(path),
                fileDownloadName: download ? $"{FileNames.FromPrompt(job.Settings.Prompt)}_{job.Settings.Seed}.{format}" : null);
        });

        // Progress of one job: its current state first, then every change, closing once it has finished.
        api.MapGet("/jobs/{id}/events", async (string id, HttpContext ctx) =>
        {
            using var sub = hub.Subscribe(); // before the snapshot, so nothing between the two is lost
            var job = queue.Snapshot(id);
            if (job is null) { await NoSuchJob(id).ExecuteAsync(ctx); return; }
            var first = new List<JobEvent> { new JobChanged(job) };
            if (job.Progress is { Step: > 0 } p) first.Add(new JobStepped(id, p.Step, p.TotalSteps, p.ElapsedSeconds, p.EtaSeconds ?? 0, p.Preview));
            await Stream(ctx, sub, presenter, first, e => e.JobId == id, IsLast, stopping);
        });

        // Every job's changes, for the page. It re-reads /api/jobs on (re)connect, so it needs no snapshot here.
        api.MapGet("/events", async (HttpContext ctx) =>
        {
            using var sub = hub.Subscribe();
            await Stream(ctx, sub, presenter, Array.Empty<JobEvent>(), _ => true, _ => false, stopping);
        });

        api.MapFallback((HttpContext ctx) => Error(404, $"no API endpoint {ctx.Request.Method} {ctx.Request.Path}; see README.md, \"Web UI\""));
    }

    static bool IsLast(JobEvent e) => e is JobDeleted or JobChanged { Job.State: JobState.Done or JobState.Failed or JobState.Cancelled };

    /// <summary>
    /// Server-sent events: "event: NAME" and one "data: JSON" line per event. A comment line every 15 s keeps proxies
    /// and the browser from timing out an idle stream; the stream ends when the client leaves or the server stops
    /// (otherwise an open page would hold shutdown up for the host's whole timeout).
    /// </summary>
    static async Task Stream(HttpContext ctx, EventHub.Subscription sub, JobPresenter presenter, IEnumerable<JobEvent> first,
        Func<JobEvent, bool> wanted, Func<JobEvent, bool> last, CancellationToken stopping)
    {
        using var both = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, stopping);
        var cancel = both.Token;
        ctx.Response.ContentType = "text/event-stream";
        ctx.Response.Headers.CacheControl = "no-cache";
        ctx.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        try
        {
            await ctx.Response.WriteAsync("retry: 1000\n\n", cancel);
            foreach (var e in first)
            {
                await Write(ctx, presenter, e, cancel);
                if (last(e)) return;
            }
            await ctx.Response.Body.FlushAsync(cancel);
            while (true)
            {
                using (var tick = CancellationTokenSource.CreateLinkedTokenSource(cancel))
                {
                    tick.CancelAfter(Heartbeat);
                    try
                    {
                        if (!await sub.Reader.WaitToReadAsync(tick.Token)) return;
                    }
                    catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
                    {
                        await ctx.Response.WriteAsync(": ping\n\n", cancel);
                        await ctx.Response.Body.FlushAsync(cancel);
                        continue;
                    }
                }
                while (sub.Reader.TryRead(out var e))
                {
                    if (!wanted(e)) continue;
                    await Write(ctx, presenter, e, cancel);
                    if (last(e)) { await ctx.Response.Body.FlushAsync(cancel); return; }
                }
                await ctx.Response.Body.FlushAsync(cancel);
            }
        }
        catch (OperationCanceledException) { } // the client left or the server is stopping
    }

    static Task Write(HttpContext ctx, JobPresenter presenter, JobEvent e, CancellationToken cancel)
    {
        var (name, data) = presenter.Event(e);
        return ctx.Response.WriteAsync($"event: {name}\ndata: {JsonSerializer.Serialize(data, data.GetType(), WebServer.Json)}\n\n", cancel);
    }

    /// <summary>
    /// Two checks that matter for a server on 127.0.0.1 without accounts. Host: a hostile site whose name resolves to
    /// 127.0.0.1 (DNS rebinding) sends its own name, not ours. Origin: browsers send it on cross-site POST/DELETE; only
    /// pages served from here may change jobs. Tools like curl send neither header and are not affected.
    /// </summary>
    static async Task Guard(HttpContext ctx, RequestDelegate next)
    {
        string host = ctx.Request.Host.Host;
        if (host is not ("127.0.0.1" or "localhost" or "[::1]"))
        {
            await Error(403, $"this server answers only on 127.0.0.1 or localhost, not '{host}'").ExecuteAsync(ctx);
            return;
        }
        string origin = ctx.Request.Headers.Origin.ToString();
        if (!HttpMethods.IsGet(ctx.Request.Method) && !HttpMethods.IsHead(ctx.Request.Method) && origin.Length > 0
            && !string.Equals(origin, $"{ctx.Request.Scheme}://{ctx.Request.Host}", StringComparison.OrdinalIgnoreCase))
        {
            await Error(403, $"requests from {origin} may not change jobs here").ExecuteAsync(ctx);
            return;
        }
        try { await next(ctx); }
        catch (BadHttpRequestException e) when (!ctx.Response.HasStarted)
        {
            await Error(e.StatusCode, e.Message).ExecuteAsync(ctx);
        }
    }

    /// <summary>The page: files under wwwroot/ embedded in this assembly, so `vidgen serve` needs no folder beside it.</summary>
    static void MapPage(WebApplication app)
    {
        var asm = typeof(Api).Assembly;
        foreach (var resource in asm.GetManifestResourceNames().Where(n => n.StartsWith("wwwroot/", StringComparison.Ordinal)))
        {
            string name = resource["wwwroot/".Length..];
            byte[] bytes = ReadResource(asm, resource);
            string type = ContentType(name);
            IResult Serve(HttpContext ctx)
            {
                ctx.Response.Headers.CacheControl = "no-cache"; // a new build's page shows without a forced reload
                return Results.Bytes(bytes, type);
            }
            app.MapGet("/" + name, Serve);
            if (name == "index.html") app.MapGet("/", Serve);
        }
    }

    static byte[] ReadResource(Assembly asm, string name)
    {
        using var s = asm.GetManifestResourceStream(name)!;
        using var ms = new MemoryStream();
        s.CopyTo(ms);
        return ms.ToArray();
    }

    static string ContentType(string path)
    {
        if (!ContentTypes.TryGetContentType(path, out var type)) type = "application/octet-stream";
        return type.StartsWith("text/", StringComparison.Ordinal) || type.EndsWith("javascript", StringComparison.Ordinal) ? type + "; charset=utf-8" : type;
    }

    static string Name(JobState s) => JsonNamingPolicy.CamelCase.ConvertName(s.ToString());

    static IResult NoSuchJob(string id) => Error(404, $"no job '{id}' (list them with GET /api/jobs)");

    static IResult Error(int status, string message) => Results.Json(new { error = message }, WebServer.Json, statusCode: status);

    static Located WithLocation(this IResult result, string location) => new(result, location);

    sealed class Located(IResult inner, string location) : IResult
    {
        public Task ExecuteAsync(HttpContext ctx)
        {
            ctx.Response.Headers.Location = location;
            return inner.ExecuteAsync(ctx);
        }
    }
}
