// SellWeight: element-wise sparsity in a sliced-ELLPACK layout built for SIMD permutes instead of gathers.
// Rows are cut into slices of 16 (one AVX-512 lane per row) and columns into windows of 32. For slice s and
// window w, every row's non-zeros with a column in [32w, 32w + 32) are listed in column order; the slice stores
// steps(s, w) = the longest such list, and step k holds, for each of the 16 lanes, the k-th entry of that row
// (value, column − 32w as one byte) or a padding slot (0, offset 255) when the row has fewer. Layout, slice after slice:
//   steps [S·W] int32 | values [Σ steps·16] float32 | offsets [Σ steps·16] byte
//   StorageBytes = 5·slots + 4·S·W, slots = 16·Σ steps (non-zeros + padding); StoredValues = slots.
// Batch-1 kernel (AVX-512): x is copied into a zero-padded buffer once; per slice, per window the 32 inputs sit
// in two registers, and each step is one byte→int widening load, one two-register permute (vpermt2ps: the 16
// lanes' inputs at once) with padding lanes zeroed (offset 255 ≥ 32: so a NaN/∞ input never reaches a row that
// does not store its column), one value load and one FMA into the slice's 16 row sums — no gather, no horizontal
// sum. The padded copy of x lives in a per-thread scratch buffer, so Multiply allocates nothing after warm-up. On the 300×784 fc1 shape it beats our dense GEMV from ~40% sparsity (BENCHMARKS.md, crossover). Without
// AVX-512 (and for conv products) a portable loop walks the same slots; padding slots are skipped there.
// Entries equal to 0 (±0) are not stored (NaN is).
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Topiary.Runtime.Sparse;

/// <summary>A weight matrix in 16-row-slice, 32-column-window sliced ELLPACK with byte column offsets.</summary>
public sealed class SellWeight : SparseWeight
{
    /// <summary>Rows per slice (lanes of one AVX-512 register).</summary>
    public const int SliceRows = 16;

    /// <summary>Columns per window (two AVX-512 registers of inputs).</summary>
    public const int WindowCols = 32;

    private readonly int _slices, _windows;
    private readonly int[] _steps;
    private readonly int[] _sliceStart; // first slot of each slice, length slices + 1
    private readonly float[] _values;
    private readonly byte[] _offsets;
    private readonly long _nonZeros;
    private const byte PaddingOffset = 255;

    [ThreadStatic]
    private static float[]? t_padded;

    /// <summary>Builds the layout of <paramref name="dense"/> [rows, cols], keeping entries != 0.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="dense"/> has the wrong length.</exception>
    public SellWeight(ReadOnlySpan<float> dense, int rows, int cols) : base(rows, cols)
    {
        if ((long)rows * cols != dense.Length)
            throw new ArgumentException($"Span 'dense' has {dense.Length} elements; [{rows}, {cols}] needs {(long)rows * cols}.", nameof(dense));
        _slices = (rows + SliceRows - 1) / SliceRows;
        _windows = (cols + WindowCols - 1) / WindowCols;
        _steps = new int[_slices * _windows];
        _sliceStart = new int[_slices + 1];
        long slots = 0;
        for (int s = 0; s < _slices; s++)
        {
            for (int w = 0; w < _windows; w++)
            {
                int max = 0;
                for (int r = s * SliceRows; r < Math.Min(rows, (s + 1) * SliceRows); r++)
                    max = Math.Max(max, CountInWindow(dense.Slice(r * cols, cols), w));
                _steps[s * _windows + w] = max;
                slots += (long)max * SliceRows;
            }
            _sliceStart[s + 1] = checked((int)slots);
        }
        _values = new float[slots];
        _offsets = new byte[slots];
        _offsets.AsSpan().Fill(PaddingOffset);
        int slot = 0;
        Span<int> next = stackalloc int[SliceRows];
        for (int s = 0; s < _slices; s++)
        {
            for (int w = 0; w < _windows; w++)
            {
                // Fill step-major: step k of lane l at slot + k·16 + l.
                int steps = _steps[s * _windows + w];
                next.Clear();
                for (int l = 0; l < SliceRows; l++)
                {
                    int r = s * SliceRows + l;
                    if (r >= rows) continue;
                    var row = dense.Slice(r * cols, cols);
                    for (int c = w * WindowCols; c < Math.Min(cols, (w + 1) * WindowCols); c++)
                    {
                        if (row[c] == 0) continue;
                        int at = slot + next[l]++ * SliceRows + l;
                        _values[at] = row[c];
                        _offsets[at] = (byte)(c - w * WindowCols);
                        _nonZeros++;
                    }
                }
                slot += steps * SliceRows;
            }
        }
    }

    /// <inheritdoc/>
    public override SparseFormat Format => SparseFormat.Sell;

    /// <inheritdoc/>
    public override long StoredValues => _values.Length;

    /// <inheritdoc/>
    public override long NonZeroCount => _nonZeros;

    /// <inheritdoc/>
    public override long StorageBytes => 5L * _values.Length + 4L * _steps.Length;

    /// <summary>Padding slots / all slots (0 when every row of a slice has as many entries per window as the longest).</summary>
    public double PaddingFraction => _values.Length == 0 ? 0 : 1 - (double)_nonZeros / _values.Length;

    private static int CountInWindow(ReadOnlySpan<float> row, int w)
    {
        int count = 0;
        for (int c = w * WindowCols; c < Math.Min(row.Length, (w + 1) * WindowCols); c++) if (row[c] != 0) count++;
        return count;
    }

    private protected override void MultiplyCore(ReadOnlySpan<float> x, int n, Span<float> y, ReadOnlySpan<float> bias, bool relu)
    {
        int length = _windows * WindowCols;
        if (t_padded is null || t_padded.Length < length) t_padded = new float[length];
        var padded = t_padded;
        padded.AsSpan(Cols, length - Cols).Clear();
        for (int i = 0; i < n; i++)
        {
            var yi = y.Slice(i * Rows, Rows);
            x.Slice(i * Cols, Cols).CopyTo(padded);
            if (Avx512F.IsSupported) MultiplyAvx512(padded, yi);
            else MultiplyPortable(padded, yi);
            Finish(yi, bias, relu);
        }
    }

    private unsafe void MultiplyAvx512(float[] padded, Span<float> y)
    {
        Span<float> sums = stackalloc float[SliceRows];
        var windowEnd = Vector512.Create(WindowCols);
        fixed (float* pv0 = _values)
        fixed (byte* po0 = _offsets)
        fixed (float* px = padded)
        fixed (int* ps = _steps)
        fixed (float* pSums = sums)
        {
            float* pv = pv0;
            byte* po = po0;
            for (int s = 0; s < _slices; s++)
            {
                var acc0 = Vector512<float>.Zero;
                var acc1 = Vector512<float>.Zero;
                for (int w = 0; w < _windows; w++)
                {
                    var lo = Vector512.Load(px + w * WindowCols);
                    var hi = Vector512.Load(px + w * WindowCols + 16);
                    int steps = ps[s * _windows + w], k = 0;
                    for (; k + 1 < steps; k += 2)
                    {
                        var i0 = Avx512F.ConvertToVector512Int32(Vector128.Load(po));
                        var i1 = Avx512F.ConvertToVector512Int32(Vector128.Load(po + SliceRows));
                        acc0 = Avx512F.FusedMultiplyAdd(Vector512.Load(pv), Gather(lo, hi, i0, windowEnd), acc0);
                        acc1 = Avx512F.FusedMultiplyAdd(Vector512.Load(pv + SliceRows), Gather(lo, hi, i1, windowEnd), acc1);
                        pv += 2 * SliceRows;
                        po += 2 * SliceRows;
                    }
                    if (k < steps)
                    {
                        var i0 = Avx512F.ConvertToVector512Int32(Vector128.Load(po));
                        acc0 = Avx512F.FusedMultiplyAdd(Vector512.Load(pv), Gather(lo, hi, i0, windowEnd), acc0);
                        pv += SliceRows;
                        po += SliceRows;
                    }
                }
                int r0 = s * SliceRows, count = Math.Min(SliceRows, Rows - r0);
                (acc0 + acc1).Store(pSums);
                sums[..count].CopyTo(y.Slice(r0, count));
            }
        }
    }

    // The 16 lanes' inputs from the 32-value window [lo, hi]; padding lanes (offset ≥ 32) read 0.
    private static Vector512<float> Gather(Vector512<float> lo, Vector512<float> hi, Vector512<int> offsets, Vector512<int> windowEnd) =>
        Vector512.ConditionalSelect(Vector512.LessThan(offsets, windowEnd).AsSingle(), Avx512F.PermuteVar16x32x2(lo, offsets, hi), Vector512<float>.Zero);

    private void MultiplyPortable(float[] padded, Span<float> y)
    {
        Span<float> sums = stackalloc float[SliceRows];
        int slot = 0;
        for (int s = 0; s < _slices; s++)
        {
            sums.Clear();
            for (int w = 0; w < _windows; w++)
            {
                var window = padded.AsSpan(w * WindowCols, WindowCols);
                int end = slot + _steps[s * _windows + w] * SliceRows;
                for (; slot < end; slot += SliceRows)
                    for (int l = 0; l < SliceRows; l++)
                        if (_offsets[slot + l] != PaddingOffset) sums[l] += _values[slot + l] * window[_offsets[slot + l]];
            }
            int r0 = s * SliceRows, count = Math.Min(SliceRows, Rows - r0);
            sums[..count].CopyTo(y.Slice(r0, count));
        }
    }

    private protected override void MultiplyColumnsCore(ReadOnlySpan<float> b, int ldb, int p, Span<float> c, int ldc, ReadOnlySpan<float> bias, bool relu)
    {
        for (int r = 0; r < Rows; r++) c.Slice(r * ldc, p).Clear();
        int slot = 0;
        for (int s = 0; s < _slices; s++)
            for (int w = 0; w < _windows; w++)
                for (int end = slot + _steps[s * _windows + w] * SliceRows; slot < end; slot++)
                {
                    float v = _values[slot];
                    if (_offsets[slot] == PaddingOffset) continue;
                    int r = s * SliceRows + slot % SliceRows;
                    var dst = c.Slice(r * ldc, p);
                    TensorPrimitives.MultiplyAdd(b.Slice((w * WindowCols + _offsets[slot]) * ldb, p), v, dst, dst);
                }
        for (int r = 0; r < Rows; r++) Finish(c.Slice(r * ldc, p), bias.IsEmpty ? default : bias.Slice(r, 1), relu);
    }

    private protected override void ForEachStored(StoredEntryVisitor visit)
    {
        int slot = 0;
        for (int s = 0; s < _slices; s++)
            for (int w = 0; w < _windows; w++)
                for (int end = slot + _steps[s * _windows + w] * SliceRows; slot < end; slot++)
                    if (_offsets[slot] != PaddingOffset) visit(s * SliceRows + slot % SliceRows, w * WindowCols + _offsets[slot], _values[slot]);
    }
}
