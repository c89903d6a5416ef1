using System.Diagnostics;
using System.Text.Json;
using VidGen.Models;
using VidGen.Training;

namespace VidGen.Tests.Training;

/// <summary>
/// Crash safety of training: a `vidgen train` process SIGKILLed at random moments (loading, stepping, mid-checkpoint
/// with a checkpoint every step), many times. After every kill the run folder holds an intact state no older than the
/// last one, and the sampling folder loads; resumed each time, the run ends with the weights of a run never killed.
/// </summary>
public class KilledTrainingTests
{
    const int Steps = 60;

    static string[] Args(string outDir, bool resume) => new[]
    {
        ChildProcesses.CliDll, "train", "--out", outDir, "--preset", "tiny", "--resolution", "16", "--frames", "4", "--batch", "2", "--warmup", "1",
        "--steps", $"{Steps}", "--checkpoint-every", "1", "--threads", "1", "--seed", "3",
    }.Concat(resume ? new[] { "--resume" } : Array.Empty<string>()).ToArray();

    static Process Start(string outDir, bool resume)
    {
        var psi = new ProcessStartInfo(ChildProcesses.DotnetHost, Args(outDir, resume)) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment["NO_COLOR"] = "1";
        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    /// <summary>The step of the run's resume state after finishing an interrupted save, or null when there is none yet.</summary>
    static int? SavedStep(string outDir)
    {
        var state = Path.Combine(outDir, Trainer.StateDir);
        if (!AtomicFiles.RecoverDirectory(state)) return null;
        var s = TrainingStateFolder.Read<Dictionary<string, JsonElement>>(outDir, state, Trainer.StateFile);
        foreach (var f in new[] { Trainer.RawWeights, Trainer.EmaWeights, Trainer.OptimizerFile })
            Assert.True(File.Exists(Path.Combine(state, f)), $"{f} missing from a state that has state.json");
        return s["Step"].GetInt32();
    }

    [Fact]
    public void Training_killed_at_random_moments_resumes_from_intact_checkpoints_and_ends_as_an_unkilled_run()
    {
        // The reference run also measures this machine: how long loading takes (until the first checkpoint appears) and
        // how long the steps take after it, so that the kill moments scale with the machine's speed and the number of
        // kills does not depend on it.
        var reference = TinyModels.TempDir("unkilled");
        var clock = Stopwatch.StartNew();
        double loadMs, stepsMs;
        using (var p = Start(reference, resume: false))
        {
            while (!Directory.Exists(Path.Combine(reference, Trainer.StateDir)) && !p.HasExited && clock.Elapsed < TimeSpan.FromMinutes(3)) Thread.Sleep(10);
            loadMs = clock.Elapsed.TotalMilliseconds;
            Assert.True(p.WaitForExit(TimeSpan.FromMinutes(3)), "the reference run did not finish");
            Assert.Equal(0, p.ExitCode);
            stepsMs = clock.Elapsed.TotalMilliseconds - loadMs;
        }

        var run = TinyModels.TempDir("killed");
        var rng = new Random(20261202);
        int kills = 0, last = 0, midSave = 0;
        const int MaxKills = 16;
        while (true)
        {
            int? before = SavedStep(run);
            using var p = Start(run, resume: before is not null);
            if (kills == MaxKills)
            {
                // Enough kills: the last resume runs to the end unkilled.
                Assert.True(p.WaitForExit(TimeSpan.FromMinutes(3)), "the last resume did not finish");
                Assert.Equal(0, p.ExitCode);
                break;
            }
            // A moment from the middle of loading to a fifteenth of the steps past it: some kills land while loading,
            // the rest while stepping or writing a checkpoint (every step writes one). Each attempt advances a few
            // steps at most, so MaxKills come before the end on a machine of any speed.
            int wait = (int)(loadMs * 0.4 + rng.NextDouble() * (loadMs * 0.6 + stepsMs / 15));
            if (p.WaitForExit(wait))
            {
                Assert.Equal(0, p.ExitCode);
                break;
            }
            p.Kill(); // SIGKILL: no handler runs, no checkpoint is saved on the way out
            p.WaitForExit();
            kills++;
            var state = Path.Combine(run, Trainer.StateDir);
            if (Directory.Exists(state + ".tmp") || Directory.Exists(state + ".old")) midSave++; // killed while a checkpoint was being written
            int? after = SavedStep(run);
            if (after is int step)
            {
                Assert.True(step >= last, $"the state went back from step {last} to {step}");
                last = step;
            }
            if (Checkpoint.Exists(run)) using (Checkpoint.Load(run)) { } // whatever is under the sampling names is complete
        }
        Assert.True(kills >= 8, $"only {kills} kills: the run finished too early to test anything");
        Console.WriteLine($"killed {kills} times ({midSave} while a checkpoint was being written); the state reached step {last} before the last run finished; loading {loadMs:F0} ms, {Steps} steps {stepsMs:F0} ms");
        Assert.True(last > 0, "no kill landed after a checkpoint: nothing was resumed");
        Assert.Equal(Steps, SavedStep(run));

        var expected = Safetensors.Load(Path.Combine(reference, Checkpoint.WeightsFile));
        var got = Safetensors.Load(Path.Combine(run, Checkpoint.WeightsFile));
        try
        {
            Assert.Equal(expected.Keys.Order(), got.Keys.Order());
            foreach (var (name, t) in expected)
                Assert.True(t.allclose(got[name], 0, 0), $"{name} differs from the unkilled run's after {kills} kills");
        }
        finally { foreach (var t in expected.Values.Concat(got.Values)) t.Dispose(); }
    }
}

/// <summary>
/// A full disk (a small tmpfs, mounted for the test: root only, so outside CI a machine that cannot mount skips it
/// with the reason) stops training with one line, and the checkpoint saved before it stays intact and resumable.
/// </summary>
public class FullDiskTrainingTests
{
    static (int Code, string Output) Train(string outDir, int steps, bool resume)
    {
        var args = new[] { ChildProcesses.CliDll, "train", "--out", outDir, "--preset", "tiny", "--resolution", "16", "--frames", "4", "--batch", "2", "--warmup", "1",
            "--steps", $"{steps}", "--checkpoint-every", "1", "--threads", "1", "--seed", "3" }.Concat(resume ? new[] { "--resume" } : Array.Empty<string>());
        var psi = new ProcessStartInfo(ChildProcesses.DotnetHost, args)
        { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment["NO_COLOR"] = "1";
        psi.Environment["COLUMNS"] = "400";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(TimeSpan.FromMinutes(3)), "train did not finish");
        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    static bool Sh(string command)
    {
        using var p = Process.Start(new ProcessStartInfo("/bin/sh", new[] { "-c", command }) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        p.WaitForExit();
        return p.ExitCode == 0;
    }

    [SkippableFact]
    public void A_full_disk_stops_training_with_one_line_and_keeps_the_last_checkpoint()
    {
        // How much one saved run takes, to size a disk that holds one checkpoint but not the next beside it.
        var probe = TinyModels.TempDir("disk-probe");
        Assert.Equal(0, Train(probe, 1, resume: false).Code);
        long size = Directory.EnumerateFiles(probe, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);

        var mount = TinyModels.TempDir("full-disk");
        long kib = size * 3 / 2 / 1024 + 64;
        if (!Sh($"mount -t tmpfs -o size={kib}k tmpfs '{mount}'"))
        {
            const string why = "mounting a tmpfs needs root (CAP_SYS_ADMIN)";
            Assert.False(string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase), why + "; CI must run this test");
            Skip.If(true, why);
        }
        try
        {
            var run = Path.Combine(mount, "run");
            var (code, output) = Train(run, 20, resume: false);
            Assert.Equal(1, code);
            // One error (Spectre wraps it at the console's width when output is redirected).
            Assert.Single(output.Split('\n'), l => l.StartsWith("error:", StringComparison.Ordinal));
            Assert.Matches(@"error: the checkpoint of step \d+ was not saved \(No space left on device", System.Text.RegularExpressions.Regex.Replace(output, @"\s+", " "));
            Assert.DoesNotContain("   at ", output); // no stack trace

            // The last saved state is whole: copied off the full disk, it resumes and finishes.
            var state = Path.Combine(run, Trainer.StateDir);
            int saved = TrainingStateFolder.Read<Dictionary<string, JsonElement>>(run, state, Trainer.StateFile)["Step"].GetInt32();
            Assert.InRange(saved, 1, 19);
            Assert.False(Directory.Exists(state + ".tmp"), "the half-written state was left behind");
            var copy = TinyModels.TempDir("after-full-disk");
            Assert.True(Sh($"cp -a '{run}/.' '{copy}/'"));
            using (Checkpoint.Load(copy)) { }
            var (again, log) = Train(copy, saved + 2, resume: true);
            Assert.True(again == 0, log);
            Assert.Contains($"resuming at step {saved}", log);
        }
        finally { Sh($"umount '{mount}'"); }
    }
}
