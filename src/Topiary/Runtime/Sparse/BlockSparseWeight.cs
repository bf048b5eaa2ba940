// BlockSparseWeight: block-sparse rows (BSR). The matrix is tiled into BlockRows×BlockCols blocks aligned at
// multiples of the block size; a block is stored when any of its entries is non-zero, as all BlockRows·BlockCols
// values row-major (zeros inside kept blocks stored; blocks crossing the last row or column are zero-padded).
// ONE index per block: its first column (a multiple of BlockCols), 16-bit when Cols ≤ 65536, else 32-bit.
// Band pointers (int32, ⌈Rows/BlockRows⌉ + 1) count blocks per band of BlockRows rows.
//   StorageBytes = 4·StoredValues + indexBytes·BlockCount + 4·(bands + 1).
// Kernels: GroupKernels — each block row of a block is a SIMD group of BlockCols values (stride BlockRows·BlockCols).
namespace Topiary.Runtime.Sparse;

/// <summary>A weight matrix in block-sparse row (BSR) form.</summary>
public sealed class BlockSparseWeight : SparseWeight
{
    private readonly float[] _values;
    private readonly ushort[]? _index16;
    private readonly int[]? _index32;
    private readonly int[] _pointers;
    private readonly long _nonZeros;

    /// <summary>Builds the BSR form of <paramref name="dense"/> [rows, cols] with <paramref name="blockRows"/>×<paramref name="blockCols"/> blocks.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is negative, blockRows is outside 1..16, or blockCols is not 2, 4, 8 or 16.</exception>
    /// <exception cref="ArgumentException"><paramref name="dense"/> does not hold exactly rows·cols elements.</exception>
    public BlockSparseWeight(ReadOnlySpan<float> dense, int rows, int cols, int blockRows, int blockCols) : base(rows, cols)
    {
        if (blockRows is < 1 or > 16)
            throw new ArgumentOutOfRangeException(nameof(blockRows), blockRows, "Block rows must be in 1..16.");
        if (blockCols is not (2 or 4 or 8 or 16))
            throw new ArgumentOutOfRangeException(nameof(blockCols), blockCols, "Block columns must be 2, 4, 8 or 16.");
        if ((long)rows * cols != dense.Length)
            throw new ArgumentException($"Span 'dense' has {dense.Length} elements; [{rows}, {cols}] needs {(long)rows * cols}.", nameof(dense));
        BlockRows = blockRows;
        BlockCols = blockCols;
        int bands = (rows + blockRows - 1) / blockRows, blocksPerBand = (cols + blockCols - 1) / blockCols;
        var kept = new List<int>();
        _pointers = new int[bands + 1];
        for (int band = 0; band < bands; band++)
        {
            int r0 = band * blockRows, h = Math.Min(blockRows, rows - r0);
            for (int bc = 0; bc < blocksPerBand; bc++)
            {
                int c0 = bc * blockCols, len = Math.Min(blockCols, cols - c0);
                int nz = 0;
                for (int i = 0; i < h; i++)
                    foreach (float v in dense.Slice((r0 + i) * cols + c0, len)) if (v != 0) nz++;
                if (nz == 0) continue;
                _nonZeros += nz;
                kept.Add(c0);
            }
            _pointers[band + 1] = kept.Count;
        }
        int blockSize = blockRows * blockCols;
        _values = new float[(long)kept.Count * blockSize];
        if (cols <= 65536) _index16 = new ushort[kept.Count];
        else _index32 = new int[kept.Count];
        for (int band = 0, k = 0; band < bands; band++)
            for (; k < _pointers[band + 1]; k++)
            {
                int c0 = kept[k], len = Math.Min(blockCols, cols - c0), r0 = band * blockRows;
                for (int i = 0; i < blockRows && r0 + i < rows; i++)
                    dense.Slice((r0 + i) * cols + c0, len).CopyTo(_values.AsSpan(k * blockSize + i * blockCols, len));
                if (_index16 is not null) _index16[k] = (ushort)c0;
                else _index32![k] = c0;
            }
    }

    /// <summary>Rows per block.</summary>
    public int BlockRows { get; }

    /// <summary>Columns per block.</summary>
    public int BlockCols { get; }

    /// <summary>Number of stored blocks.</summary>
    public int BlockCount => _pointers[^1];

    /// <summary>Bytes per block index: 2 when Cols ≤ 65536, else 4.</summary>
    public int IndexBytes => _index16 is not null ? 2 : 4;

    /// <inheritdoc/>
    public override SparseFormat Format => SparseFormat.Block;

    /// <inheritdoc/>
    public override long StoredValues => _values.Length;

    /// <inheritdoc/>
    public override long NonZeroCount => _nonZeros;

    /// <inheritdoc/>
    public override long StorageBytes => 4L * _values.Length + (long)IndexBytes * BlockCount + 4L * _pointers.Length;

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
                GroupKernels.Multiply(new GroupLayout<ushort>(pv, p16, pp, Rows, Cols, BlockCols, BlockRows), px, n, py, pb, relu);
            else
                GroupKernels.Multiply(new GroupLayout<int>(pv, p32, pp, Rows, Cols, BlockCols, BlockRows), px, n, py, pb, relu);
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
                GroupKernels.MultiplyColumns(new GroupLayout<ushort>(pv, p16, pp, Rows, Cols, BlockCols, BlockRows), b, ldb, p, c, ldc, bias, relu);
            else
                GroupKernels.MultiplyColumns(new GroupLayout<int>(pv, p32, pp, Rows, Cols, BlockCols, BlockRows), b, ldb, p, c, ldc, bias, relu);
        }
    }

    private protected override void ForEachStored(StoredEntryVisitor visit)
    {
        int blockSize = BlockRows * BlockCols;
        for (int band = 0; band + 1 < _pointers.Length; band++)
            for (int k = _pointers[band]; k < _pointers[band + 1]; k++)
            {
                int c0 = _index16 is not null ? _index16[k] : _index32![k];
                for (int i = 0; i < BlockRows && band * BlockRows + i < Rows; i++)
                    for (int j = 0; j < BlockCols && c0 + j < Cols; j++)
                        visit(band * BlockRows + i, c0 + j, _values[k * blockSize + i * BlockCols + j]);
            }
    }
}
