// CsrWeight: compressed sparse row with int32 column indices (CompressedRowWeight<int>). Stores only entries != 0
// (NaN kept).  StorageBytes = 4·nnz (values) + 4·nnz (column indices) + 4·(Rows + 1) (row pointers).
// Kernels: CsrKernels (software-gather SpMV, transposed-block SpMM, axpy columns). ToColumns gives the CSC copy of the
// batch-1 column dataflow (CscColumns), converted directly.
namespace Topiary.Runtime.Sparse;

/// <summary>A weight matrix in CSR form with 32-bit column indices.</summary>
/// <param name="dense">The matrix [rows, cols], row-major; entries != 0 are stored.</param>
/// <param name="rows">Rows.</param>
/// <param name="cols">Columns.</param>
/// <remarks>Creating it throws <see cref="ArgumentOutOfRangeException"/> for a negative dimension and
/// <see cref="ArgumentException"/> when <paramref name="dense"/> does not hold exactly rows·cols elements.</remarks>
public sealed class CsrWeight(ReadOnlySpan<float> dense, int rows, int cols) : CompressedRowWeight<int>(dense, rows, cols)
{
    /// <inheritdoc/>
    public override SparseFormat Format => SparseFormat.Csr;

    /// <summary>The same matrix in compressed sparse column form, for the batch-1 column dataflow that skips zero inputs.</summary>
    internal CscColumns ToColumns() => new(Csr.Transpose());
}
