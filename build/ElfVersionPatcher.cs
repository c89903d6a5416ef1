// Build-time fix for libLibTorchSharp.so on glibc/GCC 12 systems (Debian 12).
//
// TorchSharp 0.107's libLibTorchSharp.so lists GLIBCXX_3.4.32 as a required symbol version for exactly
// one symbol, _ZSt21ios_base_library_initv: a link-time marker that GCC 13's <iostream> emits and that
// nothing calls. GCC 12's libstdc++ stops at 3.4.30, so the dynamic loader refuses the library.
// Setting VER_FLG_WEAK (0x2) in that version's Vernaux entry turns the hard requirement into a weak one,
// which the loader accepts. Where the system libstdc++ already has 3.4.32 this task changes nothing.
//
// Compiled by MSBuild's RoslynCodeTaskFactory (see LibTorchSharpFix.targets) against netstandard2.0:
// plain C#, no dependencies, no newer APIs.
using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public class PatchLibTorchSharp : Task
{
    const uint ShtGnuVerneed = 0x6ffffffe;
    const ushort VerFlgWeak = 0x2;

    /// <summary>Folder searched recursively for libLibTorchSharp.so copies (the build output).</summary>
    [Required] public string SearchDirectory { get; set; } = "";

    /// <summary>The symbol version that GCC 12 lacks.</summary>
    public string Version { get; set; } = "GLIBCXX_3.4.32";

    public override bool Execute()
    {
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux) || !Directory.Exists(SearchDirectory)) return true;
        if (SystemLibStdCxxHas(Version))
        {
            Log.LogMessage(MessageImportance.Low, $"System libstdc++ provides {Version}; no patch needed.");
            return true;
        }
        foreach (var path in Directory.EnumerateFiles(SearchDirectory, "libLibTorchSharp.so", SearchOption.AllDirectories))
        {
            try
            {
                int changed = MarkVersionWeak(path, Version);
                if (changed > 0)
                    Log.LogMessage(MessageImportance.Normal, $"Marked {Version} weak in {path}");
            }
            catch (Exception e)
            {
                Log.LogWarning($"Could not patch {path}: {e.Message}. TorchSharp may fail to load on this system.");
            }
        }
        return true;
    }

    static bool SystemLibStdCxxHas(string version)
    {
        string[] candidates =
        {
            "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib/aarch64-linux-gnu/libstdc++.so.6",
            "/usr/lib64/libstdc++.so.6", "/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6",
        };
        var needle = Encoding.ASCII.GetBytes(version + "\0");
        foreach (var c in candidates)
        {
            if (!File.Exists(c)) continue;
            var bytes = File.ReadAllBytes(c);
            return IndexOf(bytes, needle) >= 0;
        }
        return false; // unknown system: patching is harmless
    }

    /// <summary>Sets VER_FLG_WEAK on every Vernaux entry named <paramref name="version"/>. Returns how many changed.</summary>
    public static int MarkVersionWeak(string path, string version)
    {
        var elf = File.ReadAllBytes(path);
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file");
        if (elf[4] != 2 || elf[5] != 1) throw new InvalidDataException("only 64-bit little-endian ELF is supported");

        ulong shoff = BitConverter.ToUInt64(elf, 0x28);
        int shentsize = BitConverter.ToUInt16(elf, 0x3A);
        int shnum = BitConverter.ToUInt16(elf, 0x3C);
        int changed = 0;
        for (int i = 0; i < shnum; i++)
        {
            int sh = checked((int)shoff + i * shentsize);
            if (BitConverter.ToUInt32(elf, sh + 4) != ShtGnuVerneed) continue;
            int offset = checked((int)BitConverter.ToUInt64(elf, sh + 0x18));
            int link = (int)BitConverter.ToUInt32(elf, sh + 0x28);   // index of the string table (.dynstr)
            int count = (int)BitConverter.ToUInt32(elf, sh + 0x2C);  // number of Verneed entries
            int strtab = checked((int)BitConverter.ToUInt64(elf, (int)shoff + link * shentsize + 0x18));

            int vn = offset;
            for (int n = 0; n < count; n++)
            {
                int auxCount = BitConverter.ToUInt16(elf, vn + 2);
                int aux = vn + (int)BitConverter.ToUInt32(elf, vn + 8);
                for (int a = 0; a < auxCount; a++)
                {
                    // Vernaux: hash u32, flags u16, other u16, name u32, next u32
                    int name = strtab + (int)BitConverter.ToUInt32(elf, aux + 8);
                    if (ReadCString(elf, name) == version)
                    {
                        ushort flags = BitConverter.ToUInt16(elf, aux + 4);
                        if ((flags & VerFlgWeak) == 0)
                        {
                            BitConverter.GetBytes((ushort)(flags | VerFlgWeak)).CopyTo(elf, aux + 4);
                            changed++;
                        }
                    }
                    aux += (int)BitConverter.ToUInt32(elf, aux + 12);
                }
                vn += (int)BitConverter.ToUInt32(elf, vn + 12);
            }
        }
        if (changed > 0)
        {
            // Write beside and rename, so a crash never leaves a half-written library.
            var tmp = path + ".patching";
            File.WriteAllBytes(tmp, elf);
            File.Delete(path);
            File.Move(tmp, path);
        }
        return changed;
    }

    static string ReadCString(byte[] b, int at)
    {
        int end = at;
        while (end < b.Length && b[end] != 0) end++;
        return Encoding.ASCII.GetString(b, at, end - at);
    }

    static int IndexOf(byte[] hay, byte[] needle)
    {
        for (int i = 0; i <= hay.Length - needle.Length; i++)
        {
            int j = 0;
            while (j < needle.Length && hay[i + j] == needle[j]) j++;
            if (j == needle.Length) return i;
        }
        return -1;
    }
}
