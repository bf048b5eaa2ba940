// SparseFormatNames: the stable lower-case names of SparseFormat used on the command line and in JSON
// ("dense", "csr", "csr16", "simd-group", "block", "sell", "codebook"), both ways. All (and Parse) list the formats
// SparseWeight.Create builds from a float matrix; "codebook" needs a codebook and is only a name.
using System.Runtime.CompilerServices;

namespace Topiary.Runtime.Sparse;

/// <summary>Converts <see cref="SparseFormat"/> to and from its CLI/JSON name.</summary>
public static class SparseFormatNames
{
    /// <summary>Every format SparseWeight.Create builds from a float matrix, in declaration order (all but Codebook).</summary>
    public static IReadOnlyList<SparseFormat> All { get; } =
        [SparseFormat.Dense, SparseFormat.Csr, SparseFormat.Csr16, SparseFormat.SimdGroup, SparseFormat.Block, SparseFormat.Sell];

    /// <summary>The name of <paramref name="format"/>: "dense", "csr", "csr16", "simd-group" or "block".</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="format"/> is not a defined value.</exception>
    public static string ToName(this SparseFormat format) => format switch
    {
        SparseFormat.Dense => "dense",
        SparseFormat.Csr => "csr",
        SparseFormat.Csr16 => "csr16",
        SparseFormat.SimdGroup => "simd-group",
        SparseFormat.Block => "block",
        SparseFormat.Sell => "sell",
        SparseFormat.Codebook => "codebook",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown sparse format."),
    };

    /// <summary>Parses a name written by <see cref="ToName"/> (case-insensitive).</summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not one of the five names.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static SparseFormat Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (var f in All)
            if (string.Equals(f.ToName(), name.Trim(), StringComparison.OrdinalIgnoreCase)) return f;
        throw new ArgumentException($"Unknown sparse format '{name}'; expected one of {string.Join(", ", All.Select(f => f.ToName()))}.", nameof(name));
    }
}
