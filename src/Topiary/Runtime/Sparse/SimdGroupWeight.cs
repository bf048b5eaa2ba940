// SimdGroupWeight: Scalpel's SIMD-aware CSR (Yu et al., ISCA 2017). Each row is cut into aligned groups of Width
// consecutive columns (group g covers [g·Width, g·Width + Width)); a group is stored when any of its entries is
// non-zero, as all Width values (zeros inside kept groups stored; the last group of a row whose Cols is not a
// multiple of Width is zero-padded to Width). ONE index per stored group: the group's first column (absolute,
// a multiple of Width), 16-bit when Cols ≤ 65536, else 32-bit. Row pointers count groups (int32, Rows + 1).
//   StorageBytes = 4·StoredValues + indexBytes·GroupCount + 4·(Rows + 1).
// Kernels: GroupKernels (one contiguous load of x per group, no gather).
namespace Topiary.Runtime.Sparse;

/// <summary>A weight matrix in SIMD-group CSR form (Scalpel).</summary>
public sealed class SimdGroupWeight : SparseWeight
{
    private readonly float[] _values;
    private readonly ushort[]? _index16;
    private readonly int[]? _index32;
    private readonly int[] _pointers;
    private readonly long _nonZeros;

    /// <summary>Builds the SIMD-group form of <paramref name="dense"/> [rows, cols] with groups of <paramref name="width"/> columns.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is negative or <paramref name="width"/> is not 2, 4, 8 or 16.</exception>
    /// <exception cref="ArgumentException"><paramref name="dense"/> does not hold exactly rows·cols elements.</exception>
    public SimdGroupWeight(ReadOnlySpan<float> dense, int rows, int cols, int width) : base(rows, cols)
    {
        if (width is not (2 or 4 or 8 or 16))
            throw new ArgumentOutOfRangeException(nameof(width), width, "SIMD-group width must be 2, 4, 8 or 16.");
        if ((long)rows * cols != dense.Length)
            throw new ArgumentException($"Span 'dense' has {dense.Length} elements; [{rows}, {cols}] needs {(long)rows * cols}.", nameof(dense));
        Width = width;
        int groupsPerRow = (cols + width - 1) / width;
        var kept = new List<int>();           // first column of each kept group, row by row
        _pointers = new int[rows + 1];
        for (int r = 0; r < rows; r++)
        {
            var row = dense.Slice(r * cols, cols);
            for (int g = 0; g < groupsPerRow; g++)
            {
                int c0 = g * width, len = Math.Min(width, cols - c0);
                int nz = 0;
                foreach (float v in row.Slice(c0, len)) if (v != 0) nz++;
                if (nz == 0) continue;
                _nonZeros += nz;
                kept.Add(c0);
            }
            _pointers[r + 1] = kept.Count;
        }
        _values = new float[(long)kept.Count * width];
        if (cols <= 65536) _index16 = new ushort[kept.Count];
        else _index32 = new int[kept.Count];
        for (int r = 0, k = 0; r < rows; r++)
            for (; k < _pointers[r + 1]; k++)
            {
                int c0 = kept[k], len = Math.Min(width, cols - c0);
                dense.Slice(r * cols + c0, len).CopyTo(_values.AsSpan(k * width, len));
                if (_index16 is not null) _index16[k] = (ushort)c0;
                else _index32![k] = c0;
            }
    }

    /// <summary>Columns per group (2, 4, 8 or 16).</summary>
    public int Width { get; }

    /// <summary>Number of stored groups.</summary>
    public int GroupCount => _pointers[^1];

    /// <summary>Bytes per group index: 2 when Cols ≤ 65536, else 4.</summary>
    public int IndexBytes => _index16 is not null ? 2 : 4;

    /// <inheritdoc/>
    public override SparseFormat Format => SparseFormat.SimdGroup;

    /// <inheritdoc/>
    public override long StoredValues => _values.Length;

    /// <inheritdoc/>
    public override long NonZeroCount => _nonZeros;

    /// <inheritdoc/>
    public override long StorageBytes => 4L * _values.Length + (long)IndexBytes * GroupCount + 4L * _pointers.Length;

    private protected override unsafe void MultiplyCore(ReadOnlySpan<float> x, int n, Span<float> y, ReadOnlySpan<float> bias, bool relu)
    {
        fixed (float* pv = _values)
        fixed (int* pp = _pointers)
        fixed (ushort* p16 = _index16)
        fixed (int* p32 = _index32)
        fixed (float* px = x)
        fixed (float* py = y)
        fixed (float* pb = bias)
        {
            if (_index16 is not null)
                GroupKernels.Multiply(new GroupLayout<ushort>(pv, p16, pp, Rows, Cols, Width, 1), px, n, py, pb, relu);
            else
                GroupKernels.Multiply(new GroupLayout<int>(pv, p32, pp, Rows, Cols, Width, 1), px, n, py, pb, relu);
        }
    }

    private protected override unsafe void MultiplyColumnsCore(ReadOnlySpan<float> b, int ldb, int p, Span<float> c, int ldc, ReadOnlySpan<float> bias, bool relu)
    {
        fixed (float* pv = _values)
        fixed (int* pp = _pointers)
        fixed (ushort* p16 = _index16)
        fixed (int* p32 = _index32)
        {
            if (_index16 is not null)
                GroupKernels.MultiplyColumns(new GroupLayout<ushort>(pv, p16, pp, Rows, Cols, Width, 1), b, ldb, p, c, ldc, bias, relu);
            else
                GroupKernels.MultiplyColumns(new GroupLayout<int>(pv, p32, pp, Rows, Cols, Width, 1), b, ldb, p, c, ldc, bias, relu);
        }
    }

    private protected override void ForEachStored(StoredEntryVisitor visit)
    {
        for (int r = 0; r < Rows; r++)
            for (int g = _pointers[r]; g < _pointers[r + 1]; g++)
            {
                int c0 = _index16 is not null ? _index16[g] : _index32![g];
                for (int k = 0; k < Width && c0 + k < Cols; k++) visit(r, c0 + k, _values[g * Width + k]);
            }
    }
}
