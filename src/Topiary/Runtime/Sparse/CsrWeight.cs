// CsrWeight: compressed sparse row with int32 column indices, over the existing CsrMatrix (which the inference
// plan and SparseKernels keep using). Stores only entries != 0 (NaN kept).
//   StorageBytes = 4·nnz (values) + 4·nnz (column indices) + 4·(Rows + 1) (row pointers).
// Kernels: CsrKernels (AVX2 gather SpMV, transposed-block SpMM, axpy columns).
namespace Topiary.Runtime.Sparse;

/// <summary>A weight matrix in CSR form with 32-bit column indices.</summary>
public sealed class CsrWeight : SparseWeight
{
    /// <summary>Wraps <paramref name="matrix"/> (not copied; CsrMatrix is read-only by contract).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="matrix"/> is null.</exception>
    public CsrWeight(CsrMatrix matrix) : base(matrix?.Rows ?? 0, matrix?.Cols ?? 0)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        Matrix = matrix;
    }

    /// <summary>The underlying CSR matrix.</summary>
    public CsrMatrix Matrix { get; }

    /// <inheritdoc/>
    public override SparseFormat Format => SparseFormat.Csr;

    /// <inheritdoc/>
    public override long StoredValues => Matrix.NonZeroCount;

    /// <inheritdoc/>
    public override long NonZeroCount => Matrix.NonZeroCount;

    /// <inheritdoc/>
    public override long StorageBytes => 8L * Matrix.NonZeroCount + 4L * (Rows + 1);

    private protected override unsafe void MultiplyCore(ReadOnlySpan<float> x, int n, Span<float> y, ReadOnlySpan<float> bias, bool relu)
    {
        fixed (float* pv = Matrix.Values)
        fixed (int* pc = Matrix.ColumnIndices)
        fixed (int* pr = Matrix.RowPointers)
        fixed (float* px = x)
        fixed (float* py = y)
        fixed (float* pb = bias)
            CsrKernels.Multiply(pv, pc, pr, Rows, Cols, px, n, py, pb, relu);
    }

    private protected override void MultiplyColumnsCore(ReadOnlySpan<float> b, int ldb, int p, Span<float> c, int ldc, ReadOnlySpan<float> bias, bool relu) =>
        CsrKernels.MultiplyColumns(Matrix.Values, Matrix.ColumnIndices, Matrix.RowPointers, Rows, b, ldb, p, c, ldc, bias, relu);

    private protected override void ForEachStored(StoredEntryVisitor visit)
    {
        for (int r = 0; r < Rows; r++)
            for (int j = Matrix.RowPointers[r]; j < Matrix.RowPointers[r + 1]; j++)
                visit(r, Matrix.ColumnIndices[j], Matrix.Values[j]);
    }
}
