// Csr16Weight: compressed sparse row with 16-bit (ushort) column indices (CompressedRowWeight<ushort>) — the same
// kernels as CsrWeight with half the index bytes. Only for Cols ≤ 65536 (every column then fits in 0..65535).
//   StorageBytes = 4·nnz (values) + 2·nnz (column indices) + 4·(Rows + 1) (row pointers).
namespace Topiary.Runtime.Sparse;

/// <summary>A weight matrix in CSR form with 16-bit column indices.</summary>
/// <param name="dense">The matrix [rows, cols], row-major; entries != 0 are stored.</param>
/// <param name="rows">Rows.</param>
/// <param name="cols">Columns, at most <see cref="MaxCols"/>.</param>
/// <remarks>Creating it throws <see cref="ArgumentException"/> when <paramref name="cols"/> exceeds 65536 or
/// <paramref name="dense"/> has the wrong length, and <see cref="ArgumentOutOfRangeException"/> for a negative dimension.</remarks>
public sealed class Csr16Weight(ReadOnlySpan<float> dense, int rows, int cols)
    : CompressedRowWeight<ushort>(dense, rows, Addressable(cols))
{
    /// <summary>The largest column count a 16-bit index can address.</summary>
    public const int MaxCols = 65536;

    /// <inheritdoc/>
    public override SparseFormat Format => SparseFormat.Csr16;

    private static int Addressable(int cols) => cols <= MaxCols ? cols
        : throw new ArgumentException($"CSR16 stores 16-bit column indices, so it holds at most {MaxCols} columns; this matrix has {cols}. Use the csr format.", nameof(cols));
}
