// SellWeight: element-wise sparsity in a sliced-ELLPACK layout built for SIMD permutes instead of gathers.
// Rows are cut into slices of 16 (one AVX-512 lane per row) and columns into registers of 16. A slice is swept by a
// window of two registers that slides one register at a time: at position p the window holds columns [16p, 16p + 32),
// and the slice runs steps(s, p) steps there; step k holds, for each of the 16 lanes, one entry of that row (value,
// column − 16p as one byte) or a padding slot (0, offset 255) when the row has nothing left to place. The schedule is
// greedy: steps(s, p) = the most entries any row still has in register p (they leave the window after p), and a row
// with fewer fills its spare steps early with its next entries from register p + 1. Against fixed 32-column windows
// this needs ~20% fewer slots at LeNet-300-100's densities (random 8% patterns: ~1.7 slots per non-zero instead of 2.2).
// steps(s, p) ≤ 16 (a register has 16 columns). Slices are stored in pairs (the kernel runs two side by side):
//   steps [S·P] byte, slice-major | values [16·Σ steps] float32 | offsets [16·Σ steps] byte (64-byte aligned), the
//   last two in the order: pair of slices, position, slice of the pair, step.
//   StorageBytes = 5·slots + S·P, slots = 16·Σ steps (non-zeros + padding); StoredValues = slots.
// The batch-1 kernel (AVX-512, SellKernels) keeps both window registers live and does per step one byte→int widening
// load, one two-register permute (vpermt2ps: the 16 lanes' inputs at once) and one FMA into the slice's 16 row sums;
// bias and ReLU are applied on the sums. No gather, no horizontal sum. Padding lanes read a real input times 0, so
// when an input is NaN/∞ the kernel switches to a twin that zeroes padding lanes (a non-finite input never reaches a
// row that does not store its column). When every weight is finite, window positions whose 32 inputs are all zero are
// skipped (they add only zeros; image borders of MNIST digits are such). Without AVX-512 (and for conv products) a
// portable loop walks the same slots, skipping padding. Entries equal to 0 (±0) are not stored (NaN is).
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace Topiary.Runtime.Sparse;

/// <summary>A weight matrix in 16-row-slice sliced ELLPACK with a sliding 32-column window and byte column offsets.</summary>
public sealed class SellWeight : SparseWeight
{
    /// <summary>Rows per slice (lanes of one AVX-512 register).</summary>
    public const int SliceRows = 16;

    /// <summary>Columns per input register; the window spans two of them and slides by one.</summary>
    public const int RegisterCols = 16;

    /// <summary>Columns a step can reach (two input registers).</summary>
    public const int WindowCols = 2 * RegisterCols;

    internal const byte PaddingOffset = 255;

    private readonly byte[] _steps; // steps of (slice, position), slice-major
    private readonly AlignedArray<float> _values;
    private readonly AlignedArray<byte> _offsets;
    private readonly long _nonZeros;

    /// <summary>Builds the layout of <paramref name="dense"/> [rows, cols], keeping entries != 0.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="dense"/> has the wrong length.</exception>
    public SellWeight(ReadOnlySpan<float> dense, int rows, int cols) : base(rows, cols)
    {
        CheckDense(dense.Length, rows, cols);
        Slices = (rows + SliceRows - 1) / SliceRows;
        Positions = (cols + RegisterCols - 1) / RegisterCols;
        _steps = new byte[Slices * Positions];
        var columns = new List<int>[SliceRows];
        for (int l = 0; l < SliceRows; l++) columns[l] = [];
        Span<int> head = stackalloc int[SliceRows];
        // Per slice: the (position, step, lane) slots; interleaved by pair of slices below.
        var sliceValues = new List<float>[Slices];
        var sliceOffsets = new List<byte>[Slices];
        bool finite = true;
        for (int s = 0; s < Slices; s++)
        {
            var sv = sliceValues[s] = [];
            var so = sliceOffsets[s] = [];
            for (int l = 0; l < SliceRows; l++)
            {
                columns[l].Clear();
                int r = s * SliceRows + l;
                if (r >= rows) continue;
                var row = dense.Slice(r * cols, cols);
                for (int c = 0; c < cols; c++)
                {
                    if (row[c] == 0) continue;
                    columns[l].Add(c);
                    finite &= float.IsFinite(row[c]);
                }
            }
            head.Clear();
            for (int p = 0; p < Positions; p++)
            {
                // Entries of register p must be placed now (the window leaves it); spare steps take register p + 1's.
                int count = 0;
                for (int l = 0; l < SliceRows; l++)
                {
                    int due = 0;
                    for (int h = head[l]; h < columns[l].Count && columns[l][h] < RegisterCols * (p + 1); h++) due++;
                    count = Math.Max(count, due);
                }
                int slot0 = sv.Count;
                for (int i = 0; i < count * SliceRows; i++)
                {
                    sv.Add(0);
                    so.Add(PaddingOffset);
                }
                for (int l = 0; l < SliceRows; l++)
                {
                    var list = columns[l];
                    for (int k = 0; k < count && head[l] < list.Count && list[head[l]] < RegisterCols * p + WindowCols; k++)
                    {
                        int c = list[head[l]++];
                        sv[slot0 + k * SliceRows + l] = dense[(s * SliceRows + l) * cols + c];
                        so[slot0 + k * SliceRows + l] = (byte)(c - RegisterCols * p);
                        _nonZeros++;
                    }
                }
                _steps[s * Positions + p] = (byte)count;
            }
        }
        var allValues = new List<float>();
        var allOffsets = new List<byte>();
        var taken = new int[Slices];
        ForEachBlock((s, p, count) =>
        {
            allValues.AddRange(sliceValues[s].GetRange(taken[s], count * SliceRows));
            allOffsets.AddRange(sliceOffsets[s].GetRange(taken[s], count * SliceRows));
            taken[s] += count * SliceRows;
        });
        _values = new AlignedArray<float>(CollectionsMarshal.AsSpan(allValues));
        _offsets = new AlignedArray<byte>(CollectionsMarshal.AsSpan(allOffsets));
        FiniteWeights = finite;
    }

    /// <inheritdoc/>
    public override SparseFormat Format => SparseFormat.Sell;

    /// <inheritdoc/>
    public override long StoredValues => _values.Length;

    /// <inheritdoc/>
    public override long NonZeroCount => _nonZeros;

    /// <inheritdoc/>
    public override long StorageBytes => 5L * _values.Length + _steps.Length;

    /// <summary>Padding slots / all slots (0 when every step of every slice is full).</summary>
    public double PaddingFraction => _values.Length == 0 ? 0 : 1 - (double)_nonZeros / _values.Length;

    /// <summary>Number of 16-row slices.</summary>
    internal int Slices { get; }

    /// <summary>Window positions per slice (= 16-column input registers).</summary>
    internal int Positions { get; }

    /// <summary>True when every stored weight is finite (then all-zero input windows may be skipped).</summary>
    internal bool FiniteWeights { get; }

    /// <summary>Steps per (slice, position), slice-major.</summary>
    internal byte[] Steps => _steps;

    internal AlignedArray<float> Values => _values;

    internal AlignedArray<byte> Offsets => _offsets;

    private protected override void MultiplyCore(ReadOnlySpan<float> x, int n, Span<float> y, ReadOnlySpan<float> bias, bool relu)
    {
        if (Avx512F.IsSupported && Cols > 0)
        {
            SellKernels.Multiply(this, x, n, y, bias, relu);
            return;
        }
        for (int i = 0; i < n; i++)
        {
            var yi = y.Slice(i * Rows, Rows);
            MultiplyPortable(x.Slice(i * Cols, Cols), yi);
            Finish(yi, bias, relu);
        }
    }

    // Walks the slots in storage order, skipping padding: the fallback without AVX-512.
    private void MultiplyPortable(ReadOnlySpan<float> x, Span<float> y)
    {
        Span<float> sums = stackalloc float[2 * SliceRows]; // the pair's two slices
        var values = _values.Span;
        var offsets = _offsets.Span;
        int slot = 0;
        for (int s0 = 0; s0 < Slices; s0 += 2)
        {
            sums.Clear();
            int pair = Math.Min(2, Slices - s0);
            for (int p = 0; p < Positions; p++)
                for (int s = s0; s < s0 + pair; s++)
                {
                    var slice = sums.Slice((s - s0) * SliceRows, SliceRows);
                    for (int end = slot + _steps[s * Positions + p] * SliceRows; slot < end; slot++)
                        if (offsets[slot] != PaddingOffset) slice[slot % SliceRows] += values[slot] * x[RegisterCols * p + offsets[slot]];
                }
            int r0 = s0 * SliceRows, count = Math.Min(pair * SliceRows, Rows - r0);
            sums[..count].CopyTo(y.Slice(r0, count));
        }
    }

    private protected override void MultiplyColumnsCore(ReadOnlySpan<float> b, int ldb, int p, Span<float> c, int ldc, ReadOnlySpan<float> bias, bool relu)
    {
        for (int r = 0; r < Rows; r++) c.Slice(r * ldc, p).Clear();
        var values = _values.Span;
        var offsets = _offsets.Span;
        int slot = 0;
        for (int s0 = 0; s0 < Slices; s0 += 2)
            for (int q = 0; q < Positions; q++)
                for (int s = s0; s < Math.Min(Slices, s0 + 2); s++)
                    for (int end = slot + _steps[s * Positions + q] * SliceRows; slot < end; slot++)
                    {
                        if (offsets[slot] == PaddingOffset) continue;
                        var dst = c.Slice((s * SliceRows + slot % SliceRows) * ldc, p);
                        TensorPrimitives.MultiplyAdd(b.Slice((RegisterCols * q + offsets[slot]) * ldb, p), values[slot], dst, dst);
                    }
        for (int r = 0; r < Rows; r++) Finish(c.Slice(r * ldc, p), bias.IsEmpty ? default : bias.Slice(r, 1), relu);
    }

    private protected override void ForEachStored(StoredEntryVisitor visit)
    {
        int slot = 0;
        ForEachBlock((s, p, count) =>
        {
            for (int end = slot + count * SliceRows; slot < end; slot++)
                if (_offsets[slot] != PaddingOffset) visit(s * SliceRows + slot % SliceRows, RegisterCols * p + _offsets[slot], _values[slot]);
        });
    }

    // Calls visit(slice, position, steps) for every (slice, position) in storage order: pair of slices, position, slice.
    private void ForEachBlock(Action<int, int, int> visit)
    {
        for (int s0 = 0; s0 < Slices; s0 += 2)
            for (int p = 0; p < Positions; p++)
                for (int s = s0; s < Math.Min(Slices, s0 + 2); s++) visit(s, p, _steps[s * Positions + p]);
    }
}
