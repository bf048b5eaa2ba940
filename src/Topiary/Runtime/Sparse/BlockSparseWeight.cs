// BlockSparseWeight: block-sparse rows (BSR). The matrix is tiled into BlockRows×BlockCols blocks aligned at
// multiples of the block size; a block is stored when any of its entries is non-zero, as all BlockRows·BlockCols
// values row-major (zeros inside kept blocks stored; blocks crossing the last row or column are zero-padded).
// ONE index per block: its first column (a multiple of BlockCols), 16-bit when Cols ≤ 65536, else 32-bit.
// Band pointers (int32, ⌈Rows/BlockRows⌉ + 1) count blocks per band of BlockRows rows.
//   StorageBytes = 4·StoredValues + indexBytes·BlockCount + 4·(bands + 1).
// Storage and kernels: GroupSparseWeight — each block row of a block is a SIMD group of BlockCols values
// (stride BlockRows·BlockCols).
namespace Topiary.Runtime.Sparse;

/// <summary>A weight matrix in block-sparse row (BSR) form.</summary>
public sealed class BlockSparseWeight : GroupSparseWeight
{
    /// <summary>Builds the BSR form of <paramref name="dense"/> [rows, cols] with <paramref name="blockRows"/>×<paramref name="blockCols"/> blocks.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is negative, blockRows is outside 1..16, or blockCols is not 2, 4, 8 or 16.</exception>
    /// <exception cref="ArgumentException"><paramref name="dense"/> does not hold exactly rows·cols elements.</exception>
    public BlockSparseWeight(ReadOnlySpan<float> dense, int rows, int cols, int blockRows, int blockCols)
        : base(dense, rows, cols, CheckRows(blockRows), CheckCols(blockCols))
    {
        BlockRows = blockRows;
        BlockCols = blockCols;
    }

    /// <summary>Rows per block.</summary>
    public int BlockRows { get; }

    /// <summary>Columns per block.</summary>
    public int BlockCols { get; }

    /// <summary>Number of stored blocks.</summary>
    public int BlockCount => TileCount;

    /// <inheritdoc/>
    public override SparseFormat Format => SparseFormat.Block;

    private static int CheckRows(int blockRows) => blockRows is >= 1 and <= 16
        ? blockRows
        : throw new ArgumentOutOfRangeException(nameof(blockRows), blockRows, "Block rows must be in 1..16.");

    private static int CheckCols(int blockCols) => blockCols is 2 or 4 or 8 or 16
        ? blockCols
        : throw new ArgumentOutOfRangeException(nameof(blockCols), blockCols, "Block columns must be 2, 4, 8 or 16.");
}
