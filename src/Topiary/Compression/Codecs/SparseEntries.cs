// SparseEntries: the output of RelativeIndexCodec.Decode — ascending walk positions and weight codes of the
// real (non-filler) entries. Contract: positions strictly increasing and below the layer's length.
namespace Topiary.Compression.Codecs;

/// <summary>Decoded real entries of a sparse layer: ascending walk positions and their weight codes.</summary>
public sealed class SparseEntries
{
    internal SparseEntries(int[] positions, int[] codes)
    {
        Positions = positions;
        Codes = codes;
    }

    /// <summary>Walk indices of the non-zeros, strictly increasing, each below the layer's total length.</summary>
    public int[] Positions { get; }

    /// <summary>Weight code of each non-zero (never the filler code).</summary>
    public int[] Codes { get; }

    /// <summary>Number of non-zeros.</summary>
    public int Count => Positions.Length;
}
