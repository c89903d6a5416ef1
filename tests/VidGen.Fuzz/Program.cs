using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using SharpFuzz;

namespace VidGen.Fuzz;

/// <summary>
/// <c>VidGen.Fuzz TARGET</c>: the target under afl-fuzz (SharpFuzz's out-of-process fork server, input on stdin;
/// without afl-fuzz it runs stdin once). <c>VidGen.Fuzz TARGET --replay PATH...</c>: every file (or every file of
/// every folder) once, without afl-fuzz, for triage; exit code 1 when one crashed.
/// <c>VidGen.Fuzz --make-corpus DIR</c>: writes the seed corpora. <c>VidGen.Fuzz --list</c>: the targets.
/// </summary>
internal static class Program
{
    const string Usage = "usage: VidGen.Fuzz TARGET | VidGen.Fuzz TARGET --replay FILE-OR-FOLDER... | VidGen.Fuzz --make-corpus DIR | VidGen.Fuzz --list";

    /// <summary>afl-fuzz's coverage map size, which SharpFuzz's instrumentation indexes.</summary>
    const int MapSize = 1 << 16;

    static unsafe int Main(string[] args)
    {
        // Instrumented VidGen code writes its coverage to Trace.SharedMem, which is null until Fuzzer.Run points it at
        // afl-fuzz's map: anything run before that (static initializers, --replay, --make-corpus) would crash on it.
        // A private map until then; under afl-fuzz, Run replaces it.
        SharpFuzz.Common.Trace.SharedMem = (byte*)NativeMemory.AllocZeroed(MapSize);
        if (args.Length == 0) { Console.Error.WriteLine(Usage); return 2; }
        if (args[0] == "--list")
        {
            foreach (var name in FuzzTargets.All.Keys) Console.WriteLine($"{name,-22} allowed: {FuzzTargets.ExpectedDescription(name)}");
            return 0;
        }
        if (args[0] == "--make-corpus")
        {
            if (args.Length != 2) { Console.Error.WriteLine(Usage); return 2; }
            CorpusMaker.Write(args[1], Console.Out);
            return 0;
        }
        string target = args[0];
        if (!FuzzTargets.All.ContainsKey(target))
        {
            Console.Error.WriteLine($"unknown target '{target}'; targets: {string.Join(", ", FuzzTargets.All.Keys)}");
            return 2;
        }
        if (args.Length == 1)
        {
            Fuzzer.OutOfProcess.Run(stream => FuzzTargets.Run(target, ReadAll(stream)));
            return 0;
        }
        if (args[1] != "--replay" || args.Length < 3) { Console.Error.WriteLine(Usage); return 2; }
        return Replay(target, args.Skip(2));
    }

    static byte[] ReadAll(Stream stream)
    {
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    }

    static int Replay(string target, IEnumerable<string> paths)
    {
        var files = new List<string>();
        foreach (var p in paths)
        {
            if (Directory.Exists(p)) files.AddRange(Directory.EnumerateFiles(p, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal));
            else if (File.Exists(p)) files.Add(p);
            else { Console.Error.WriteLine($"{p}: no such file or folder"); return 2; }
        }
        int crashes = 0;
        foreach (var file in files)
        {
            var watch = Stopwatch.StartNew();
            string outcome;
            try
            {
                var refused = FuzzTargets.Run(target, File.ReadAllBytes(file));
                outcome = refused is null ? "accepted" : $"refused: {refused.GetType().Name}: {refused.Message}";
            }
#pragma warning disable CA1031 // triage reports every crash and goes on with the next file
            catch (Exception e)
#pragma warning restore CA1031
            {
                crashes++;
                outcome = $"CRASH: {e}";
            }
            Console.WriteLine($"{file} ({watch.Elapsed.TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture)} ms): {outcome}");
        }
        Console.WriteLine($"{files.Count} inputs, {crashes} crashes");
        return crashes == 0 ? 0 : 1;
    }
}
