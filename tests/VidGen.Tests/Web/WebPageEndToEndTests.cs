using System.Diagnostics;
using System.Text.Json;
using SixLabors.ImageSharp;

namespace VidGen.Tests.Web;

/// <summary>
/// The page in a real browser: tests/e2e/page.mjs drives Debian's headless Chromium (playwright-core from npm, no
/// browser download) against a server with a tiny model: progress, cancel, queue across a reload, the video in the
/// gallery, reuse settings, a validation message, and screenshots in tests/e2e/out/.
/// Needs `npm ci` in tests/e2e and /usr/bin/chromium; .ci/run installs both. Outside CI a missing piece skips the
/// test with the reason; with CI=true it fails instead, so CI can never pass without running the browser.
/// </summary>
public class WebPageEndToEndTests(TinyModelFixture model) : IClassFixture<TinyModelFixture>
{
    [SkippableFact]
    public async Task PageShowsProgressCancelsQueuesAcrossReloadAndShowsTheVideo()
    {
        string e2e = Path.Combine(RepoRoot(), "tests", "e2e");
        string chromium = Environment.GetEnvironmentVariable("CHROMIUM_PATH") is { Length: > 0 } c ? c : "/usr/bin/chromium";
        var missing = new List<string>();
        string playwright = Path.Combine(e2e, "node_modules", "playwright-core", "package.json");
        // README's test command alone should run this test where npm exists: install the pinned packages once.
        if (!File.Exists(playwright) && FindOnPath("npm") is not null)
        {
            using var npm = Process.Start(new ProcessStartInfo("npm", new[] { "ci", "--no-audit", "--no-fund", "--loglevel=error" }) { WorkingDirectory = e2e })!;
            await npm.WaitForExitAsync();
        }
        if (!File.Exists(playwright)) missing.Add($"playwright-core (run `npm ci` in {e2e})");
        if (!File.Exists(chromium)) missing.Add($"{chromium} (apt-get install chromium)");
        if (FindOnPath("node") is null) missing.Add("node on PATH");
        if (missing.Count > 0)
        {
            string why = "browser test needs " + string.Join(", ", missing);
            Assert.False(Environment.GetEnvironmentVariable("CI") == "true", why + "; CI must run it");
            Skip.If(true, why);
        }

        await using var t = await TestServer.StartAsync(model.ModelDir);
        string outDir = Path.Combine(e2e, "out");
        Directory.CreateDirectory(outDir);
        foreach (var f in new[] { "page.png", "progress.png", "failure.png" }) File.Delete(Path.Combine(outDir, f));

        var psi = new ProcessStartInfo("node", new[] { "page.mjs", t.Server.Url.ToString(), outDir })
        {
            WorkingDirectory = e2e, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        psi.Environment["CHROMIUM_PATH"] = chromium;
        using var node = Process.Start(psi)!;
        var stdout = node.StandardOutput.ReadToEndAsync();
        var stderr = node.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        try { await node.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException)
        {
            node.Kill(entireProcessTree: true);
            Assert.Fail($"the browser script ran past 120 s\n{await stderr}");
        }
        string output = await stdout, log = await stderr;
        Assert.True(node.ExitCode == 0, $"page.mjs exited {node.ExitCode}\nstdout: {output}\nstderr: {log}");

        var seen = JsonDocument.Parse(output.Trim().Split('\n')[^1]).RootElement;
        Assert.True(seen.GetProperty("ok").GetBoolean());
        Assert.Equal("a red circle moving left", seen.GetProperty("runningAfterReload").GetString());
        Assert.Matches(@"^step \d+ / 1000$", seen.GetProperty("progressText").GetString());
        Assert.Equal(16 * 16, seen.GetProperty("previewWidth").GetInt32()); // the slow job's 16 frames of 16 px side by side
        Assert.Equal(32, seen.GetProperty("videoSize")[0].GetInt32()); // the GIF at download scale 2

        // The server agrees with what the page showed: one cancelled job, one done with the typed settings.
        var jobs = JsonDocument.Parse(await t.Http.GetStringAsync("/api/jobs")).RootElement.EnumerateArray().ToList();
        Assert.Equal(new[] { "cancelled", "done" }, jobs.Select(j => j.GetProperty("state").GetString()).ToArray());
        var done = jobs[1].GetProperty("settings");
        Assert.Equal("a blue square moving up", done.GetProperty("prompt").GetString());
        Assert.Equal(42, done.GetProperty("seed").GetInt64());
        Assert.Equal(8, done.GetProperty("steps").GetInt32());

        using var shot = Image.Load(Path.Combine(outDir, "page.png"));
        Assert.Equal(1280, shot.Width);
        Assert.True(File.Exists(Path.Combine(outDir, "progress.png")));
    }

    static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "VidGen.slnx"))) return dir.FullName;
        throw new DirectoryNotFoundException($"VidGen.slnx not found above {AppContext.BaseDirectory}");
    }

    static string? FindOnPath(string exe) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(d => Path.Combine(d, exe)).FirstOrDefault(File.Exists);
}
