// GroupSparseWeight: the storage shared by the group-structured formats. The matrix is cut into bands of BandRows
// rows and each band into aligned tiles of GroupCols columns; a tile is stored when any of its entries is non-zero,
// as all BandRows·GroupCols values row-major (zeros inside kept tiles stored; tiles crossing the last row or column
// are zero-padded). ONE index per tile: its first column (a multiple of GroupCols), 16-bit when Cols ≤ 65536, else
// 32-bit. Band pointers (int32, ⌈Rows/BandRows⌉ + 1) count tiles per band.
//   StorageBytes = 4·StoredValues + indexBytes·TileCount + 4·(bands + 1).
// SimdGroupWeight is the one-row case (Scalpel's SIMD groups), BlockSparseWeight the general one (BSR); both run
// GroupKernels over the same GroupLayout.
using System.Runtime.CompilerServices;

namespace Topiary.Runtime.Sparse;

/// <summary>Common storage and kernels of <see cref="SimdGroupWeight"/> and <see cref="BlockSparseWeight"/>.</summary>
public abstract class GroupSparseWeight : SparseWeight
{
    private readonly float[] _values;
    private readonly ushort[]? _index16;
    private readonly int[]? _index32;
    private readonly int[] _pointers;
    private readonly long _nonZeros;
    private readonly int _bandRows, _groupCols;

    private protected GroupSparseWeight(ReadOnlySpan<float> dense, int rows, int cols, int bandRows, int groupCols) : base(rows, cols)
    {
        CheckDense(dense.Length, rows, cols);
        _bandRows = bandRows;
        _groupCols = groupCols;
        int bands = (rows + bandRows - 1) / bandRows, tilesPerBand = (cols + groupCols - 1) / groupCols;
        var kept = new List<int>(); // first column of each kept tile, band by band
        _pointers = new int[bands + 1];
        for (int band = 0; band < bands; band++)
        {
            int r0 = band * bandRows, h = Math.Min(bandRows, rows - r0);
            for (int t = 0; t < tilesPerBand; t++)
            {
                int c0 = t * groupCols, len = Math.Min(groupCols, cols - c0);
                int nz = 0;
                for (int i = 0; i < h; i++)
                    foreach (float v in dense.Slice((r0 + i) * cols + c0, len)) if (v != 0) nz++;
                if (nz == 0) continue;
                _nonZeros += nz;
                kept.Add(c0);
            }
            _pointers[band + 1] = kept.Count;
        }
        int tileSize = bandRows * groupCols;
        _values = new float[(long)kept.Count * tileSize];
        if (cols <= 65536) _index16 = new ushort[kept.Count];
        else _index32 = new int[kept.Count];
        for (int band = 0, k = 0; band < bands; band++)
            for (; k < _pointers[band + 1]; k++)
            {
                int c0 = kept[k], len = Math.Min(groupCols, cols - c0), r0 = band * bandRows;
                for (int i = 0; i < bandRows && r0 + i < rows; i++)
                    dense.Slice((r0 + i) * cols + c0, len).CopyTo(_values.AsSpan(k * tileSize + i * groupCols, len));
                if (_index16 is not null) _index16[k] = (ushort)c0;
                else _index32![k] = c0;
            }
    }

    /// <summary>Bytes per tile index: 2 when Cols ≤ 65536, else 4.</summary>
    public int IndexBytes => _index16 is not null ? 2 : 4;

    /// <summary>Number of stored tiles (groups or blocks).</summary>
    private protected int TileCount => _pointers[^1];

    /// <inheritdoc/>
    public override long StoredValues => _values.Length;

    /// <inheritdoc/>
    public override long NonZeroCount => _nonZeros;

    /// <inheritdoc/>
    public override long StorageBytes => 4L * _values.Length + (long)IndexBytes * TileCount + 4L * _pointers.Length;

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
                GroupKernels.Multiply(new GroupLayout<ushort>(pv, p16, pp, Rows, Cols, _groupCols, _bandRows), px, n, py, pb, relu);
            else
                GroupKernels.Multiply(new GroupLayout<int>(pv, p32, pp, Rows, Cols, _groupCols, _bandRows), px, n, py, pb, relu);
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
                GroupKernels.MultiplyColumns(new GroupLayout<ushort>(pv, p16, pp, Rows, Cols, _groupCols, _bandRows), b, ldb, p, c, ldc, bias, relu);
            else
                GroupKernels.MultiplyColumns(new GroupLayout<int>(pv, p32, pp, Rows, Cols, _groupCols, _bandRows), b, ldb, p, c, ldc, bias, relu);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private protected override void ForEachStored(StoredEntryVisitor visit)
    {
        int tileSize = _bandRows * _groupCols;
        for (int band = 0; band + 1 < _pointers.Length; band++)
            for (int k = _pointers[band]; k < _pointers[band + 1]; k++)
            {
                int c0 = _index16 is not null ? _index16[k] : _index32![k];
                for (int i = 0; i < _bandRows && band * _bandRows + i < Rows; i++)
                    for (int j = 0; j < _groupCols && c0 + j < Cols; j++)
                        visit(band * _bandRows + i, c0 + j, _values[k * tileSize + i * _groupCols + j]);
            }
    }
}
