// CompressedRowWeight: what CsrWeight (int32 column indices) and Csr16Weight (ushort column indices) share, generic
// over the index type — the CsrArrays built from the dense matrix (entries != 0, NaN kept), the counts, the storage
//   StorageBytes = 4·nnz (values) + sizeof(TIndex)·nnz (column indices) + 4·(Rows + 1) (row pointers),
// and the CsrKernels products. A subclass names its format and checks what its index type can address.
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Topiary.Runtime.Sparse;

/// <summary>A weight matrix in CSR form with <typeparamref name="TIndex"/> column indices.</summary>
/// <typeparam name="TIndex">The column index type (int for <see cref="CsrWeight"/>, ushort for <see cref="Csr16Weight"/>).</typeparam>
public abstract class CompressedRowWeight<TIndex> : SparseWeight
    where TIndex : unmanaged, IBinaryInteger<TIndex>
{
    /// <summary>Builds the CSR form of <paramref name="dense"/> [rows, cols] (row-major), keeping entries != 0.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="dense"/> does not hold exactly rows·cols elements.</exception>
    private protected CompressedRowWeight(ReadOnlySpan<float> dense, int rows, int cols) : base(rows, cols)
    {
        CheckDense(dense.Length, rows, cols);
        Csr = CsrArrays<TIndex>.FromDense(dense, rows, cols);
    }

    /// <summary>The CSR arrays.</summary>
    private protected CsrArrays<TIndex> Csr { get; }

    /// <inheritdoc/>
    public override long StoredValues => Csr.Values.Length;

    /// <inheritdoc/>
    public override long NonZeroCount => Csr.Values.Length;

    /// <inheritdoc/>
    public override long StorageBytes => (4L + Unsafe.SizeOf<TIndex>()) * Csr.Values.Length + 4L * (Rows + 1);

    private protected override void MultiplyCore(ReadOnlySpan<float> x, int n, Span<float> y, ReadOnlySpan<float> bias, bool relu) =>
        CsrKernels.Multiply(Csr, x, n, y, bias, relu);

    private protected override void MultiplyColumnsCore(ReadOnlySpan<float> b, int ldb, int p, Span<float> c, int ldc, ReadOnlySpan<float> bias, bool relu) =>
        CsrKernels.MultiplyColumns(Csr, b, ldb, p, c, ldc, bias, relu);

    private protected override void ForEachStored(StoredEntryVisitor visit) => Csr.ForEach(visit);
}
