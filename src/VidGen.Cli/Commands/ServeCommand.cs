using System.CommandLine;
using Spectre.Console;
using VidGen.Web;

namespace VidGen.Cli.Commands;

/// <summary>`vidgen serve`: the local web UI (prompt form, queue, live previews, gallery kept on disk).</summary>
public static class ServeCommand
{
    public static Command Create()
    {
        var port = new Option<int>("--port", "-p") { Description = "port on 127.0.0.1", DefaultValueFactory = _ => WebServerOptions.DefaultPort };
        var model = new Option<string?>("--model", "-m") { Description = "model folder (default: the bundled models/default)" };
        var data = new Option<string?>("--data") { Description = $"folder for jobs and videos (default: {WebServerOptions.DefaultDataDir()})" };
        var scale = new Option<int>("--scale") { Description = "pixel upscaling of downloaded videos", DefaultValueFactory = _ => WebServerOptions.DefaultDownloadScale };
        var device = new Option<string>("--device") { Description = "cpu or cuda", DefaultValueFactory = _ => "cpu" };

        var cmd = new Command("serve", "Open the web UI on http://127.0.0.1:PORT (Ctrl+C stops; queued jobs are kept)") { port, model, data, scale, device };
        cmd.SetAction(r => CliSupport.Run(() =>
        {
            string modelDir = CliSupport.FindModel(r.GetValue(model)) ?? QuickModel.EnsureTrained();
            var options = new WebServerOptions
            {
                Port = r.GetValue(port),
                ModelDir = modelDir,
                DataDir = r.GetValue(data) is { Length: > 0 } d ? d : WebServerOptions.DefaultDataDir(),
                DownloadScale = r.GetValue(scale),
                Device = CliSupport.ParseDevice(r.GetValue(device)!),
                ConsoleLogging = true,
            };
            var server = WebServer.StartAsync(options).GetAwaiter().GetResult();
            try
            {
                foreach (var problem in server.LoadProblems)
                    AnsiConsole.MarkupLineInterpolated($"[yellow]warning:[/] skipped a kept job: {problem}");
                AnsiConsole.MarkupLineInterpolated($"VidGen web UI on [green link]{server.Url}[/] (model {modelDir}, data {server.DataDir}); Ctrl+C stops");
                // The host's console lifetime turns Ctrl+C and SIGTERM into a clean stop.
                server.WaitForShutdownAsync().GetAwaiter().GetResult();
            }
            finally
            {
                server.StopAsync().GetAwaiter().GetResult();
            }
            return 0;
        }));
        return cmd;
    }
}
