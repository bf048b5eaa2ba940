// CsrWeight: compressed sparse row with int32 column indices (CsrArrays). Stores only entries != 0 (NaN kept).
//   StorageBytes = 4·nnz (values) + 4·nnz (column indices) + 4·(Rows + 1) (row pointers).
// Kernels: CsrKernels (software-gather SpMV, transposed-block SpMM, axpy columns). ToColumns gives the CSC copy of the
// batch-1 column dataflow (CscColumns), converted directly.
namespace Topiary.Runtime.Sparse;

/// <summary>A weight matrix in CSR form with 32-bit column indices.</summary>
public sealed class CsrWeight : SparseWeight
{
    private readonly CsrArrays<int> _csr;

    /// <summary>Builds the CSR form of <paramref name="dense"/> [rows, cols] (row-major), keeping entries != 0.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="dense"/> does not hold exactly rows·cols elements.</exception>
    public CsrWeight(ReadOnlySpan<float> dense, int rows, int cols) : base(rows, cols)
    {
        CheckDense(dense.Length, rows, cols);
        _csr = CsrArrays<int>.FromDense(dense, rows, cols);
    }

    /// <inheritdoc/>
    public override SparseFormat Format => SparseFormat.Csr;

    /// <inheritdoc/>
    public override long StoredValues => _csr.Values.Length;

    /// <inheritdoc/>
    public override long NonZeroCount => _csr.Values.Length;

    /// <inheritdoc/>
    public override long StorageBytes => 8L * _csr.Values.Length + 4L * (Rows + 1);

    /// <summary>The same matrix in compressed sparse column form, for the batch-1 column dataflow that skips zero inputs.</summary>
    internal CscColumns ToColumns() => new(_csr.Transpose());

    private protected override void MultiplyCore(ReadOnlySpan<float> x, int n, Span<float> y, ReadOnlySpan<float> bias, bool relu) =>
        CsrKernels.Multiply(_csr, x, n, y, bias, relu);

    private protected override void MultiplyColumnsCore(ReadOnlySpan<float> b, int ldb, int p, Span<float> c, int ldc, ReadOnlySpan<float> bias, bool relu) =>
        CsrKernels.MultiplyColumns(_csr, b, ldb, p, c, ldc, bias, relu);

    private protected override void ForEachStored(StoredEntryVisitor visit) => _csr.ForEach(visit);
}
