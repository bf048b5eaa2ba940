// CscColumns: a CSR weight A [rows, cols] kept a second time in compressed sparse column form (Aᵀ in CSR, converted
// directly from the CSR arrays) for the batch-1 column dataflow (ColumnDataflow). Every row's sum starts at +0 and runs
// over its stored columns in ascending order, one rounded product and one rounded addition a term: bit for bit the CSR
// weight's scalar twin (MultiplyScalar) for finite inputs — a skipped zero input's term ±0 leaves a sum that is never −0
// unchanged.
//   Bytes = 8·nnz (row, value) + 4·(Cols + 1) (column pointers).
namespace Topiary.Runtime.Sparse;

/// <summary>A weight's CSC copy and its zero-skipping matrix-vector product.</summary>
internal sealed class CscColumns(CsrArrays<int> transposed) : ColumnDataflow(transposed.Cols, transposed.Rows)
{
    /// <inheritdoc/>
    public override long Bytes => 8L * transposed.Values.Length + 4L * (transposed.Rows + 1);

    private protected override unsafe void Walk(ReadOnlySpan<float> x, ReadOnlySpan<int> nonZero, Span<float> y)
    {
        fixed (float* values = transposed.Values)
        fixed (int* rows = transposed.Columns)
        fixed (int* pointers = transposed.Pointers)
        fixed (float* px = x)
        fixed (float* py = y)
            CsrKernels.MultiplySkippingZeroInputs(new FloatEntries(values), rows, pointers, Cols, px, nonZero, py);
    }
}
