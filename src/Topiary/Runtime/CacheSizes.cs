// CacheSizes: the data/unified cache sizes one core sees, read from Linux sysfs
// (<dir>/index*/{level,type,size}, e.g. level "1", type "Data", size "48K"). Instruction caches are skipped.
// Missing directories or files and unparsable sizes give 0 for that level (and a note), never an exception:
// containers and non-Linux hosts often hide this information. Host (read once) serves the runtime's kernel selection
// (whether a network's weights stay in the caches between passes: InferenceGraph, FormatChooser) and HostProfile.
using System.Globalization;

namespace Topiary.Runtime;

/// <summary>Cache sizes in bytes (0 = none or unknown) and notes about anything that could not be read.</summary>
/// <param name="L1dBytes">Level-1 data cache.</param>
/// <param name="L2Bytes">Level-2 (unified) cache.</param>
/// <param name="L3Bytes">Level-3 (unified) cache.</param>
/// <param name="Notes">What was missing or unparsable (empty when everything was read).</param>
public sealed record CacheSizes(long L1dBytes, long L2Bytes, long L3Bytes, IReadOnlyList<string> Notes)
{
    /// <summary>The Linux sysfs directory describing cpu0's caches.</summary>
    public const string LinuxSysfsDirectory = "/sys/devices/system/cpu/cpu0/cache";

    private static readonly Lazy<CacheSizes> s_host = new(() => Read());

    /// <summary>This machine's caches (<see cref="Read"/> of <see cref="LinuxSysfsDirectory"/>, read once).</summary>
    public static CacheSizes Host => s_host.Value;

    /// <summary>The largest cache level that was read (L3, else L2, else L1d; 0 when none was).</summary>
    public long LastLevelBytes => L3Bytes > 0 ? L3Bytes : L2Bytes > 0 ? L2Bytes : L1dBytes;

    /// <summary>
    /// Reads <paramref name="directory"/>/index*/ entries. For each level the first Data or Unified entry wins;
    /// Instruction entries are ignored. Never throws for missing or malformed files.
    /// </summary>
    public static CacheSizes Read(string directory = LinuxSysfsDirectory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var notes = new List<string>();
        long l1 = 0, l2 = 0, l3 = 0;
        string[] entries;
        try
        {
            entries = Directory.Exists(directory) ? Directory.GetDirectories(directory, "index*") : [];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            entries = [];
        }
        if (entries.Length == 0) notes.Add($"No cache information under '{directory}'; cache sizes reported as 0 (unknown).");
        Array.Sort(entries, StringComparer.Ordinal);
        foreach (string entry in entries)
        {
            string? level = ReadText(Path.Combine(entry, "level"));
            string? type = ReadText(Path.Combine(entry, "type"));
            string? size = ReadText(Path.Combine(entry, "size"));
            if (level is null || type is null || size is null)
            {
                notes.Add($"Incomplete cache entry '{entry}' (needs level, type and size); skipped.");
                continue;
            }
            if (type.Equals("Instruction", StringComparison.OrdinalIgnoreCase)) continue;
            if (!TryParseSize(size, out long bytes))
            {
                notes.Add($"Unparsable cache size '{size}' in '{entry}'; treated as 0.");
                continue;
            }
            switch (level)
            {
                case "1" when l1 == 0: l1 = bytes; break;
                case "2" when l2 == 0: l2 = bytes; break;
                case "3" when l3 == 0: l3 = bytes; break;
            }
        }
        return new CacheSizes(l1, l2, l3, notes);
    }

    /// <summary>
    /// Parses a sysfs cache size: a non-negative decimal integer optionally followed by K, M or G
    /// (binary multiples, case-insensitive, optional "B"/"iB"), e.g. "48K" → 49152, "1M" → 1048576, "32768" → 32768.
    /// Surrounding whitespace is ignored.
    /// </summary>
    /// <exception cref="FormatException">The text is not such a size (the message quotes it).</exception>
    public static long ParseSize(string text) =>
        TryParseSize(text, out long bytes) ? bytes : throw new FormatException($"Invalid cache size '{text}': expected digits with an optional K, M or G suffix (e.g. 48K).");

    /// <summary>Like <see cref="ParseSize"/> but returns false (and 0) instead of throwing.</summary>
    public static bool TryParseSize(string? text, out long bytes)
    {
        bytes = 0;
        if (text is null) return false;
        var s = text.Trim().AsSpan();
        if (s.EndsWith("iB", StringComparison.OrdinalIgnoreCase)) s = s[..^2];
        else if (s.Length > 1 && (s[^1] == 'B' || s[^1] == 'b') && char.IsLetter(s[^2])) s = s[..^1];
        long multiplier = 1;
        if (s.Length > 0)
        {
            switch (char.ToUpperInvariant(s[^1]))
            {
                case 'K': multiplier = 1L << 10; s = s[..^1]; break;
                case 'M': multiplier = 1L << 20; s = s[..^1]; break;
                case 'G': multiplier = 1L << 30; s = s[..^1]; break;
            }
        }
        if (s.Length == 0 || !long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out long value)) return false;
        if (value > long.MaxValue / multiplier) return false;
        bytes = value * multiplier;
        return true;
    }

    private static string? ReadText(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllText(path).Trim() : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
