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
// The schedule (steps, slot order) and its slot walks are SellLayout's, shared with CodebookWeight (codes instead of values).
// The batch-1 kernel (AVX-512, SellKernels) keeps both window registers live and does per step one byte→int widening
// load, one two-register permute (vpermt2ps: the 16 lanes' inputs at once) and one FMA into the slice's 16 row sums;
// bias and ReLU are applied on the sums. No gather, no horizontal sum. Padding lanes read a real input times 0, so
// when an input is NaN/∞ the kernel switches to a twin that zeroes padding lanes (a non-finite input never reaches a
// row that does not store its column). When every weight is finite, window positions whose 32 inputs are all zero are
// skipped (they add only zeros; image borders of MNIST digits are such). Without AVX-512 (and for conv products) a
// portable loop walks the same slots, skipping padding. Entries equal to 0 (±0) are not stored (NaN is).
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Topiary.Runtime.Sparse;

/// <summary>A weight matrix in 16-row-slice sliced ELLPACK with a sliding 32-column window and byte column offsets.</summary>
public sealed class SellWeight : SparseWeight
{
    /// <summary>Rows per slice (lanes of one AVX-512 register).</summary>
    public const int SliceRows = SellLayout.SliceRows;

    /// <summary>Columns per input register; the window spans two of them and slides by one.</summary>
    public const int RegisterCols = SellLayout.RegisterCols;

    /// <summary>Columns a step can reach (two input registers).</summary>
    public const int WindowCols = SellLayout.WindowCols;

    internal const byte PaddingOffset = SellLayout.PaddingOffset;

    private readonly AlignedArray<float> _values;
    private readonly AlignedArray<byte> _offsets;

    /// <summary>Builds the layout of <paramref name="dense"/> [rows, cols], keeping entries != 0.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="dense"/> has the wrong length.</exception>
    public SellWeight(ReadOnlySpan<float> dense, int rows, int cols) : base(rows, cols)
    {
        CheckDense(dense.Length, rows, cols);
        var csr = CsrArrays<int>.FromDense(dense, rows, cols);
        Layout = new SellLayout(rows, cols, csr.Pointers, csr.Columns, out var entryOfSlot, out var offsets);
        _values = new AlignedArray<float>([.. entryOfSlot.Select(e => e < 0 ? 0f : csr.Values[e])]);
        _offsets = new AlignedArray<byte>(offsets);
        FiniteWeights = csr.Values.All(float.IsFinite);
    }

    /// <inheritdoc/>
    public override SparseFormat Format => SparseFormat.Sell;

    /// <inheritdoc/>
    public override long StoredValues => _values.Length;

    /// <inheritdoc/>
    public override long NonZeroCount => Layout.NonZeros;

    /// <inheritdoc/>
    public override long StorageBytes => 5L * _values.Length + Layout.Steps.Length;

    /// <summary>Padding slots / all slots (0 when every step of every slice is full).</summary>
    public double PaddingFraction => _values.Length == 0 ? 0 : 1 - (double)Layout.NonZeros / _values.Length;

    /// <summary>The slot layout.</summary>
    internal SellLayout Layout { get; }

    /// <summary>True when every stored weight is finite (then all-zero input windows may be skipped).</summary>
    internal bool FiniteWeights { get; }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private protected override unsafe void MultiplyCore(ReadOnlySpan<float> x, int n, Span<float> y, ReadOnlySpan<float> bias, bool relu)
    {
        if (Avx512F.IsSupported && Cols > 0)
        {
            SellKernels.Multiply(Layout, new SellKernels.FloatKernel(_values.Pointer, _offsets.Pointer), FiniteWeights, x, n, y, bias, relu);
            GC.KeepAlive(this);
            return;
        }
        for (int i = 0; i < n; i++)
        {
            var yi = y.Slice(i * Rows, Rows);
            Layout.MultiplyPortable(new Slots(_values, _offsets), x.Slice(i * Cols, Cols), yi);
            Finish(yi, bias, relu);
        }
    }

    private protected override void MultiplyColumnsCore(ReadOnlySpan<float> b, int ldb, int p, Span<float> c, int ldc, ReadOnlySpan<float> bias, bool relu) =>
        Layout.MultiplyColumns(new Slots(_values, _offsets), b, ldb, p, c, ldc, bias, relu);

    private protected override void ForEachStored(StoredEntryVisitor visit) => Layout.ForEachStored(new Slots(_values, _offsets), visit);

    private readonly struct Slots(AlignedArray<float> values, AlignedArray<byte> offsets) : ISlotValues
    {
        public (float Weight, int Offset) At(int block, int step, int steps, int lane)
        {
            int slot = block + SliceRows * step + lane;
            return (values[slot], offsets[slot]);
        }
    }
}
