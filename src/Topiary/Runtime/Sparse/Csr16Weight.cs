// Csr16Weight: compressed sparse row with 16-bit (ushort) column indices — the same kernels as CsrWeight with
// half the index bytes. Only for Cols ≤ 65536 (every column then fits in 0..65535).
//   StorageBytes = 4·nnz (values) + 2·nnz (column indices) + 4·(Rows + 1) (row pointers).
namespace Topiary.Runtime.Sparse;

/// <summary>A weight matrix in CSR form with 16-bit column indices.</summary>
public sealed class Csr16Weight : SparseWeight
{
    /// <summary>The largest column count a 16-bit index can address.</summary>
    public const int MaxCols = 65536;

    private readonly CsrArrays<ushort> _csr;

    /// <summary>Builds the CSR16 form of <paramref name="dense"/> [rows, cols], keeping entries != 0.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="cols"/> exceeds 65536, or <paramref name="dense"/> has the wrong length.</exception>
    public Csr16Weight(ReadOnlySpan<float> dense, int rows, int cols) : base(rows, cols)
    {
        if (cols > MaxCols)
            throw new ArgumentException($"CSR16 stores 16-bit column indices, so it holds at most {MaxCols} columns; this matrix has {cols}. Use the csr format.", nameof(cols));
        CheckDense(dense.Length, rows, cols);
        _csr = CsrArrays<ushort>.FromDense(dense, rows, cols);
    }

    /// <inheritdoc/>
    public override SparseFormat Format => SparseFormat.Csr16;

    /// <inheritdoc/>
    public override long StoredValues => _csr.Values.Length;

    /// <inheritdoc/>
    public override long NonZeroCount => _csr.Values.Length;

    /// <inheritdoc/>
    public override long StorageBytes => 6L * _csr.Values.Length + 4L * (Rows + 1);

    private protected override void MultiplyCore(ReadOnlySpan<float> x, int n, Span<float> y, ReadOnlySpan<float> bias, bool relu) =>
        CsrKernels.Multiply(_csr, x, n, y, bias, relu);

    private protected override void MultiplyColumnsCore(ReadOnlySpan<float> b, int ldb, int p, Span<float> c, int ldc, ReadOnlySpan<float> bias, bool relu) =>
        CsrKernels.MultiplyColumns(_csr, b, ldb, p, c, ldc, bias, relu);

    private protected override void ForEachStored(StoredEntryVisitor visit) => _csr.ForEach(visit);
}
