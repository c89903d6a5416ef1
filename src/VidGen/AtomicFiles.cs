using System.Runtime.InteropServices;

namespace VidGen;

/// <summary>
/// Files that must survive a crash (model and training checkpoints, job records, results): written to a temporary
/// name beside the target, flushed to disk, then renamed over it, so a reader sees the old file or the new one,
/// never half of one. A folder of files that belong together (a training state) is replaced the same way as a
/// whole: written as NAME.tmp, then swapped in through NAME.old; <see cref="RecoverDirectory"/> finishes a swap that
/// a kill interrupted.
/// </summary>
public static partial class AtomicFiles
{
    const string TempSuffix = ".tmp", OldSuffix = ".old";

    /// <summary>Writes <paramref name="path"/> through <paramref name="write"/>, which gets a temporary path to write to (for APIs that take a path).</summary>
    public static void Write(string path, Action<string> write)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        var tmp = $"{full}{TempSuffix}-{Environment.ProcessId}";
        try
        {
            write(tmp);
            FlushToDisk(tmp);
            File.Move(tmp, full, overwrite: true);
        }
        catch
        {
            TryDelete(tmp);
            throw;
        }
        FlushDirectory(dir);
    }

    public static void WriteAllText(string path, string text) => Write(path, tmp => File.WriteAllText(tmp, text));

    public static void WriteAllBytes(string path, byte[] bytes) => Write(path, tmp => File.WriteAllBytes(tmp, bytes));

    /// <summary>Writes through a stream (flushed to disk before the rename).</summary>
    public static void WriteStream(string path, Action<Stream> write) => Write(path, tmp =>
    {
        using var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None);
        write(fs);
        fs.Flush(flushToDisk: true);
    });

    /// <summary>
    /// Replaces the folder <paramref name="dir"/> by the files <paramref name="write"/> puts in the (empty) folder it
    /// is given: dir.tmp is filled and flushed, dir moves to dir.old, dir.tmp to dir, dir.old is deleted. A kill at any
    /// point leaves a complete folder under dir or dir.old (see <see cref="RecoverDirectory"/>).
    /// </summary>
    public static void ReplaceDirectory(string dir, Action<string> write)
    {
        var full = Path.GetFullPath(dir).TrimEnd(Path.DirectorySeparatorChar);
        string tmp = full + TempSuffix, old = full + OldSuffix;
        RecoverDirectory(full);
        if (Directory.Exists(tmp)) Directory.Delete(tmp, recursive: true);
        Directory.CreateDirectory(tmp);
        try { write(tmp); }
        catch
        {
            try { Directory.Delete(tmp, recursive: true); } catch (IOException) { }
            throw;
        }
        foreach (var f in Directory.EnumerateFiles(tmp, "*", SearchOption.AllDirectories)) FlushToDisk(f);
        FlushDirectory(tmp);
        if (Directory.Exists(full)) Directory.Move(full, old);
        Directory.Move(tmp, full);
        FlushDirectory(Path.GetDirectoryName(full)!);
        if (Directory.Exists(old)) Directory.Delete(old, recursive: true);
    }

    /// <summary>
    /// Finishes or undoes a <see cref="ReplaceDirectory"/> that a kill interrupted: with dir missing and dir.old present
    /// (killed between the two moves), dir.old is the last complete folder and goes back; a leftover dir.tmp is
    /// incomplete by definition and is deleted; with both dir and dir.old present, dir.old is stale. Returns whether dir exists.
    /// </summary>
    public static bool RecoverDirectory(string dir)
    {
        var full = Path.GetFullPath(dir).TrimEnd(Path.DirectorySeparatorChar);
        string tmp = full + TempSuffix, old = full + OldSuffix;
        if (!Directory.Exists(full) && Directory.Exists(old)) Directory.Move(old, full);
        if (Directory.Exists(old)) Directory.Delete(old, recursive: true);
        if (Directory.Exists(tmp)) Directory.Delete(tmp, recursive: true);
        return Directory.Exists(full);
    }

    /// <summary>
    /// Appends one line to a log (JSONL) and flushes it. Appends are not atomic: a kill can leave a torn last line,
    /// so a line is started afresh when the file does not end with a newline, and readers skip a torn line (one
    /// that does not end as a JSON object does).
    /// </summary>
    public static void AppendLine(string path, string line)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var fs = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        bool torn = false;
        if (fs.Length > 0)
        {
            fs.Seek(-1, SeekOrigin.End);
            torn = fs.ReadByte() != '\n';
        }
        fs.Seek(0, SeekOrigin.End);
        var bytes = System.Text.Encoding.UTF8.GetBytes((torn ? "\n" : "") + line + "\n");
        fs.Write(bytes);
        fs.Flush(flushToDisk: true);
    }

    static void FlushToDisk(string path)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
        fs.Flush(flushToDisk: true);
    }

    /// <summary>fsync on the folder so the rename itself is on disk (POSIX); a no-op elsewhere.</summary>
    static void FlushDirectory(string dir)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return;
        int fd = Open(dir, 0); // O_RDONLY
        if (fd < 0) return;
        try { _ = Fsync(fd); } finally { _ = Close(fd); }
    }

    static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync")]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
