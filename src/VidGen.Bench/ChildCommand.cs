namespace VidGen.Bench;

/// <summary>How to start the `vidgen` command line in a child process (for peak memory): a program and the arguments before the command name.</summary>
public sealed record ChildCommand(string FileName, IReadOnlyList<string> Prefix);
