using System.Text.Json;

namespace VidGen.Training;

/// <summary>
/// A run's resume state (weights, optimizer moments, state.json) as one folder that is replaced whole at every
/// checkpoint (<see cref="AtomicFiles.ReplaceDirectory"/>): a process killed at any moment, mid-save included,
/// leaves the previous complete state, never a mix of two steps. Both trainers keep theirs this way.
/// </summary>
public static class TrainingStateFolder
{
    /// <summary>Writes the state: <paramref name="write"/> fills the fresh folder it is given, and state.json goes in last.</summary>
    public static void Save<T>(string dir, string stateFile, T state, Action<string> write) =>
        AtomicFiles.ReplaceDirectory(dir, tmp =>
        {
            write(tmp);
            File.WriteAllText(Path.Combine(tmp, stateFile), JsonSerializer.Serialize(state));
        });

    /// <summary>
    /// Reads state.json after finishing a save that a kill interrupted; a missing folder, or a state.json that does
    /// not parse, is one line naming the file.
    /// </summary>
    public static T Read<T>(string runDir, string dir, string stateFile) where T : class
    {
        AtomicFiles.RecoverDirectory(dir);
        var path = Path.Combine(dir, stateFile);
        if (!File.Exists(path)) throw new FileNotFoundException($"nothing to resume in {runDir}: {path} is missing", path);
        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllText(path)) ?? throw new InvalidDataException($"{path} is empty");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is damaged ({e.Message.Split('\n')[0]}); the run cannot resume from it");
        }
    }
}
