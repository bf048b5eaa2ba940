// Csr16Weight: compressed sparse row with 16-bit (ushort) column indices — the same kernels as CsrWeight with
// half the index bytes. Only for Cols ≤ 65536 (every column then fits in 0..65535).
//   StorageBytes = 4·nnz (values) + 2·nnz (column indices) + 4·(Rows + 1) (row pointers).
namespace Topiary.Runtime.Sparse;

/// <summary>A weight matrix in CSR form with 16-bit column indices.</summary>
public sealed class Csr16Weight : SparseWeight
{
    /// <summary>The largest column count a 16-bit index can address.</summary>
    public const int MaxCols = 65536;

    private readonly float[] _values;
    private readonly ushort[] _columns;
    private readonly int[] _pointers;

    /// <summary>Builds the CSR16 form of <paramref name="dense"/> [rows, cols], keeping entries != 0.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="cols"/> exceeds 65536, or <paramref name="dense"/> has the wrong length.</exception>
    public Csr16Weight(ReadOnlySpan<float> dense, int rows, int cols) : base(rows, cols)
    {
        if (cols > MaxCols)
            throw new ArgumentException($"CSR16 stores 16-bit column indices, so it holds at most {MaxCols} columns; this matrix has {cols}. Use the csr format.", nameof(cols));
        if ((long)rows * cols != dense.Length)
            throw new ArgumentException($"Span 'dense' has {dense.Length} elements; [{rows}, {cols}] needs {(long)rows * cols}.", nameof(dense));
        int nnz = 0;
        foreach (float v in dense) if (v != 0) nnz++;
        _values = new float[nnz];
        _columns = new ushort[nnz];
        _pointers = new int[rows + 1];
        int k = 0;
        for (int r = 0; r < rows; r++)
        {
            var row = dense.Slice(r * cols, cols);
            for (int c = 0; c < cols; c++)
            {
                if (row[c] == 0) continue;
                _values[k] = row[c];
                _columns[k] = (ushort)c;
                k++;
            }
            _pointers[r + 1] = k;
        }
    }

    /// <inheritdoc/>
    public override SparseFormat Format => SparseFormat.Csr16;

    /// <inheritdoc/>
    public override long StoredValues => _values.Length;

    /// <inheritdoc/>
    public override long NonZeroCount => _values.Length;

    /// <inheritdoc/>
    public override long StorageBytes => 6L * _values.Length + 4L * (Rows + 1);

    private protected override unsafe void MultiplyCore(ReadOnlySpan<float> x, int n, Span<float> y, ReadOnlySpan<float> bias, bool relu)
    {
        fixed (float* pv = _values)
        fixed (ushort* pc = _columns)
        fixed (int* pr = _pointers)
        fixed (float* px = x)
        fixed (float* py = y)
        fixed (float* pb = bias)
            CsrKernels.Multiply(pv, pc, pr, Rows, Cols, px, n, py, pb, relu);
    }

    private protected override void MultiplyColumnsCore(ReadOnlySpan<float> b, int ldb, int p, Span<float> c, int ldc, ReadOnlySpan<float> bias, bool relu) =>
        CsrKernels.MultiplyColumns(_values, _columns, _pointers, Rows, b, ldb, p, c, ldc, bias, relu);

    private protected override void ForEachStored(StoredEntryVisitor visit)
    {
        for (int r = 0; r < Rows; r++)
            for (int j = _pointers[r]; j < _pointers[r + 1]; j++) visit(r, _columns[j], _values[j]);
    }
}
