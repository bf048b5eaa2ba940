// CodebookKernels: the products of CodebookWeight, whose sell slots hold byte codes into a codebook table
// (table[0] = 0 for padding, table[c] = centroid c − 1, at most 256 entries):
//   AVX-512: SellKernels' kernel with the slots' weights looked up in registers — a table of ≤ 32 entries is one
//     two-register permute of the 16 widened codes (vpermt2ps, Codes32); ≤ 64 is two permutes and a select on code
//     bit 5 (Codes64, Deep Compression's 6-bit LeNet-300-100); larger tables assemble the 16 centroids with scalar loads
//     from the (L1-resident) table (CodesTable).
//   AVX2: per step, the two 8-lane halves gather their inputs (column 16p + offset, padding lanes masked to 0) and their
//     centroids (vgatherdps from the table) and FMA them into the slice's row sums; no zero-window skipping.
//   Otherwise: SellLayout's portable slot walk. The scalar twin is SparseWeight.MultiplyScalar (ForEachStored).
// Summation order depends only on the layout and the hardware tier (deterministic).
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Topiary.Runtime.Sparse;

internal static class CodebookKernels
{
    private const int Lanes = SellLayout.SliceRows;
    private const int StackFloats = 4096;

    /// <summary>Y[i] = act(W·X[i] + bias) with the AVX-512 sell kernel; the table is padded with zeros to ≥ 64 entries.</summary>
    public static unsafe void MultiplyAvx512(SellLayout layout, byte* codes, float* table, int tableSize, bool finiteWeights,
        ReadOnlySpan<float> x, int n, Span<float> y, ReadOnlySpan<float> bias, bool relu)
    {
        if (tableSize <= 32)
            SellKernels.Multiply(layout, new Codes32(table), codes, finiteWeights, x, n, y, bias, relu);
        else if (tableSize <= 64)
            SellKernels.Multiply(layout, new Codes64(table), codes, finiteWeights, x, n, y, bias, relu);
        else
            SellKernels.Multiply(layout, new CodesTable(table), codes, finiteWeights, x, n, y, bias, relu);
    }

    /// <summary>Y[i] = act(W·X[i] + bias) with AVX2 gathers; needs AVX2 and Cols ≥ 1.</summary>
    [SkipLocalsInit]
    public static unsafe void MultiplyAvx2(SellLayout layout, byte* codes, float* table, ReadOnlySpan<float> x, int n, Span<float> y,
        ReadOnlySpan<float> bias, bool relu)
    {
        // A step reads column 16p + min(offset, 32) ≤ 16·(Positions + 1): zeros past the input.
        int length = (layout.Positions + 1) * SellLayout.RegisterCols + 1;
        float[]? rented = length > StackFloats ? new float[length] : null;
        Span<float> padded = rented ?? stackalloc float[length];
        padded.Clear();
        for (int i = 0; i < n; i++)
        {
            x.Slice(i * layout.Cols, layout.Cols).CopyTo(padded);
            var yi = y.Slice(i * layout.Rows, layout.Rows);
            fixed (float* px = padded)
                RunAvx2(layout, codes, table, px, yi);
            SparseWeight.Finish(yi, bias, relu);
        }
    }

    [SkipLocalsInit]
    private static unsafe void RunAvx2(SellLayout layout, byte* codes, float* table, float* x, Span<float> y)
    {
        int positions = layout.Positions, slices = layout.Slices;
        byte* o = layout.Offsets.Pointer;
        var window = Vector256.Create(SellLayout.WindowCols);
        float* sums = stackalloc float[2 * Lanes];
        for (int s0 = 0; s0 < slices; s0 += 2)
        {
            int pair = Math.Min(2, slices - s0);
            // Accumulators: slice a lanes 0-7, 8-15, slice b lanes 0-7, 8-15.
            var a0 = Vector256<float>.Zero;
            var a1 = Vector256<float>.Zero;
            var b0 = Vector256<float>.Zero;
            var b1 = Vector256<float>.Zero;
            for (int p = 0; p < positions; p++)
            {
                var start = Vector256.Create(SellLayout.RegisterCols * p);
                for (int s = s0; s < s0 + pair; s++)
                {
                    bool first = s == s0;
                    for (int k = layout.Steps[s * positions + p]; k > 0; k--)
                    {
                        var lo = Step(x, table, o, codes, start, window);
                        var hi = Step(x, table, o + 8, codes + 8, start, window);
                        if (first) { a0 += lo; a1 += hi; }
                        else { b0 += lo; b1 += hi; }
                        o += Lanes;
                        codes += Lanes;
                    }
                }
            }
            a0.Store(sums);
            a1.Store(sums + 8);
            b0.Store(sums + 16);
            b1.Store(sums + 24);
            int r0 = s0 * Lanes, count = Math.Min(pair * Lanes, layout.Rows - r0);
            new Span<float>(sums, count).CopyTo(y.Slice(r0, count));
        }
    }

    // The products of 8 slots: inputs gathered at 16p + offset (padding lanes, offset 255, read 0), weights from the table.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector256<float> Step(float* x, float* table, byte* offsets, byte* codes, Vector256<int> start, Vector256<int> window)
    {
        var offset = Avx2.ConvertToVector256Int32(offsets);
        var real = Vector256.LessThan(offset, window);
        var inputs = Avx2.GatherVector256(x, start + Vector256.Min(offset, window), 4) & real.AsSingle();
        return Avx2.GatherVector256(table, Avx2.ConvertToVector256Int32(codes), 4) * inputs;
    }

    private static Vector512<float> Widen(Vector128<byte> codes) => Avx512F.ConvertToVector512Int32(codes).AsSingle();

    // Tables of ≤ 32 entries: one two-register permute.
    private readonly struct Codes32 : SellKernels.ISellVectors
    {
        private readonly Vector512<float> _t0, _t1;

        public unsafe Codes32(float* table)
        {
            _t0 = Vector512.Load(table);
            _t1 = Vector512.Load(table + 16);
        }

        public static int SlotBytes => 1;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public unsafe Vector512<float> Load(byte* slots) => Avx512F.PermuteVar16x32x2(_t0, Widen(Vector128.Load(slots)).AsInt32(), _t1);
    }

    // Tables of ≤ 64 entries: two permutes (codes mod 32) and a select on code bit 5.
    private readonly struct Codes64 : SellKernels.ISellVectors
    {
        private readonly Vector512<float> _t0, _t1, _t2, _t3;

        public unsafe Codes64(float* table)
        {
            _t0 = Vector512.Load(table);
            _t1 = Vector512.Load(table + 16);
            _t2 = Vector512.Load(table + 32);
            _t3 = Vector512.Load(table + 48);
        }

        public static int SlotBytes => 1;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public unsafe Vector512<float> Load(byte* slots)
        {
            var codes = Widen(Vector128.Load(slots)).AsInt32();
            var low = Avx512F.PermuteVar16x32x2(_t0, codes, _t1);
            var high = Avx512F.PermuteVar16x32x2(_t2, codes, _t3);
            return Vector512.ConditionalSelect(Vector512.GreaterThan(codes, Vector512.Create(31)).AsSingle(), high, low);
        }
    }

    // Larger tables: sixteen scalar loads from the table (in L1).
    private readonly unsafe struct CodesTable(float* table) : SellKernels.ISellVectors
    {
        public static int SlotBytes => 1;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector512<float> Load(byte* c) => Vector512.Create(
            table[c[0]], table[c[1]], table[c[2]], table[c[3]], table[c[4]], table[c[5]], table[c[6]], table[c[7]],
            table[c[8]], table[c[9]], table[c[10]], table[c[11]], table[c[12]], table[c[13]], table[c[14]], table[c[15]]);
    }
}
