// OutputGuard: the one check, made by every command before it reads or writes anything, that no output file is one of
// the command's inputs and no two outputs are the same file. Paths are compared after Path.GetFullPath and after
// resolving symbolic links in every component (so `--out link.safetensors` pointing at the input is caught too),
// ignoring case on Windows and macOS. Hard links are not detected. A violation is an ArgumentException naming both
// options and the path, which the CLI reports as bad input (exit code 2) — nothing has been written at that point.
namespace Topiary.Cli;

/// <summary>Refuses outputs that would overwrite an input (or another output) of the same command.</summary>
public static class OutputGuard
{
    private static readonly StringComparison PathComparison =
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    /// <summary>
    /// Throws when an output of <paramref name="outputs"/> resolves to the same file as an input of
    /// <paramref name="inputs"/> or as another output. Entries whose path is null or empty (an option not given) are skipped.
    /// </summary>
    /// <param name="inputs">(option name, path) of each file the command reads, e.g. <c>("--model-file", path)</c>.</param>
    /// <param name="outputs">(option name, path) of each file the command writes, e.g. <c>("--out", path)</c>.</param>
    /// <exception cref="ArgumentException">An output is an input or another output; the message names both options and the path.</exception>
    public static void Check(IReadOnlyList<(string Option, string? Path)> inputs, IReadOnlyList<(string Option, string? Path)> outputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(outputs);
        var seen = inputs.Where(i => !string.IsNullOrEmpty(i.Path)).Select(i => (i.Option, i.Path!, Canonical(i.Path!), IsInput: true)).ToList();
        foreach (var (option, path) in outputs)
        {
            if (string.IsNullOrEmpty(path)) continue;
            string canonical = Canonical(path);
            foreach (var (otherOption, otherPath, otherCanonical, isInput) in seen)
            {
                if (!string.Equals(canonical, otherCanonical, PathComparison)) continue;
                throw new ArgumentException(isInput
                    ? $"{option} '{path}' is the same file as the input {otherOption} '{otherPath}'; refusing to overwrite an input."
                    : $"{option} '{path}' is the same file as {otherOption} '{otherPath}'; each output needs its own file.");
            }
            seen.Add((option, path, canonical, false));
        }
    }

    /// <summary>The absolute path with every symbolic link along it resolved (components that do not exist are kept).</summary>
    public static string Canonical(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        for (int depth = 0; depth < 32; depth++) // a link may point at a path that holds more links
        {
            string? resolved = ResolveFirstLink(full);
            if (resolved is null) return full;
            full = resolved;
        }
        return full;
    }

    // The path with its first symbolic-link component replaced by the link's final target, or null when there is none.
    private static string? ResolveFirstLink(string full)
    {
        string root = Path.GetPathRoot(full) ?? "";
        string[] parts = full[root.Length..].Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
        string current = root;
        for (int i = 0; i < parts.Length; i++)
        {
            current = Path.Combine(current, parts[i]);
            FileSystemInfo info = Directory.Exists(current) ? new DirectoryInfo(current) : new FileInfo(current);
            if (!info.Exists || info.LinkTarget is null) continue;
            var target = info.ResolveLinkTarget(returnFinalTarget: true);
            if (target is null) return null;
            return Path.GetFullPath(Path.Combine([target.FullName, .. parts[(i + 1)..]]));
        }
        return null;
    }
}
