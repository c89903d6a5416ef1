using System.Net;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using VidGen.Training;
using VidGen.Web.Jobs;
using VidGen.Models;

namespace VidGen.Web;

/// <summary>Starts the web UI: loads the model, reloads kept jobs, listens on 127.0.0.1 and starts the one worker.</summary>
public static class WebServer
{
    /// <summary>
    /// JSON as the API speaks it: camelCase names, enums as camelCase strings, one line (SSE data lines). Relaxed
    /// escaping keeps quotes and apostrophes readable in error messages; the JSON is never embedded in HTML.
    /// </summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static async Task<RunningWebServer> StartAsync(WebServerOptions options, CancellationToken cancel = default)
    {
        options.Validate();
        var store = new JobStore(options.DataDir);
        var model = Checkpoint.Load(options.ModelDir, options.Device);
        var hub = new EventHub();
        var queue = new JobQueue(model, store, hub, options); // owns the model from here on

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = Array.Empty<string>(), ContentRootPath = store.Root });
        builder.Logging.ClearProviders();
        if (options.ConsoleLogging) builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // Loopback only: the UI has no accounts, so it must not be reachable from the network.
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, options.Port);
            k.Limits.MaxRequestBodySize = 1 << 20; // jobs are a few hundred bytes of JSON
        });
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = Json.PropertyNamingPolicy;
            o.SerializerOptions.Encoder = Json.Encoder;
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        });
        builder.Services.AddSingleton(queue).AddSingleton(hub).AddSingleton(options);

        var app = builder.Build();
        Api.Map(app, queue, hub, options);

        try { await app.StartAsync(cancel); }
        catch (IOException e)
        {
            await app.DisposeAsync();
            queue.Dispose();
            throw new IOException($"cannot listen on 127.0.0.1:{options.Port} ({e.Message.TrimEnd('.')}); choose another port with --port", e);
        }
        catch
        {
            await app.DisposeAsync();
            queue.Dispose();
            throw;
        }
        return new RunningWebServer(app, queue, store);
    }
}

/// <summary>A started server. Dispose (or <see cref="StopAsync"/>) stops it: the running job goes back to the queue.</summary>
public sealed class RunningWebServer : IAsyncDisposable
{
    readonly WebApplication app;
    readonly JobQueue queue;
    readonly CancellationTokenSource stopping = new();
    readonly Thread worker;
    int stopped;

    internal RunningWebServer(WebApplication app, JobQueue queue, JobStore store)
    {
        this.app = app;
        this.queue = queue;
        DataDir = store.Root;
        Url = new Uri(app.Urls.First());
        // Ctrl+C / SIGTERM (the host's console lifetime) stop the worker too.
        app.Lifetime.ApplicationStopping.Register(stopping.Cancel);
        // A dedicated thread, not the thread pool: a generation blocks for seconds to minutes.
        worker = new Thread(() => queue.RunWorker(stopping.Token)) { IsBackground = true, Name = "vidgen-worker" };
        worker.Start();
    }

    /// <summary>http://127.0.0.1:PORT/ as actually bound (Port 0 picks a free port).</summary>
    public Uri Url { get; }
    public string DataDir { get; }
    /// <summary>Kept jobs that could not be read back (file and reason), for the CLI to report.</summary>
    public IReadOnlyList<string> LoadProblems => queue.LoadProblems;

    /// <summary>Completes when the host stops (Ctrl+C, SIGTERM or <see cref="StopAsync"/>).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancel = default) => app.WaitForShutdownAsync(cancel);

    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref stopped, 1) == 1) return;
        stopping.Cancel(); // the sampler stops between steps; the job is re-queued on disk
        await app.StopAsync();
        await Task.Run(() => worker.Join());
        await app.DisposeAsync();
        queue.Dispose();
        stopping.Dispose();
    }

    public ValueTask DisposeAsync() => new(StopAsync());
}
