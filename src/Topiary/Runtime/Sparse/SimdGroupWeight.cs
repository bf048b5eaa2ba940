// SimdGroupWeight: Scalpel's SIMD-aware CSR (Yu et al., ISCA 2017). Each row is cut into aligned groups of Width
// consecutive columns (group g covers [g·Width, g·Width + Width)); a group is stored when any of its entries is
// non-zero, as all Width values (zeros inside kept groups stored; the last group of a row whose Cols is not a
// multiple of Width is zero-padded to Width). ONE index per stored group: the group's first column (absolute,
// a multiple of Width), 16-bit when Cols ≤ 65536, else 32-bit. Row pointers count groups (int32, Rows + 1).
//   StorageBytes = 4·StoredValues + indexBytes·GroupCount + 4·(Rows + 1).
// Storage and kernels: GroupSparseWeight with one-row bands (one contiguous load of x per group, no gather).
namespace Topiary.Runtime.Sparse;

/// <summary>A weight matrix in SIMD-group CSR form (Scalpel).</summary>
public sealed class SimdGroupWeight : GroupSparseWeight
{
    /// <summary>Builds the SIMD-group form of <paramref name="dense"/> [rows, cols] with groups of <paramref name="width"/> columns.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is negative or <paramref name="width"/> is not 2, 4, 8 or 16.</exception>
    /// <exception cref="ArgumentException"><paramref name="dense"/> does not hold exactly rows·cols elements.</exception>
    public SimdGroupWeight(ReadOnlySpan<float> dense, int rows, int cols, int width) : base(dense, rows, cols, 1, CheckWidth(width)) => Width = width;

    /// <summary>Columns per group (2, 4, 8 or 16).</summary>
    public int Width { get; }

    /// <summary>Number of stored groups.</summary>
    public int GroupCount => TileCount;

    /// <inheritdoc/>
    public override SparseFormat Format => SparseFormat.SimdGroup;

    private static int CheckWidth(int width) => width is 2 or 4 or 8 or 16
        ? width
        : throw new ArgumentOutOfRangeException(nameof(width), width, "SIMD-group width must be 2, 4, 8 or 16.");
}
