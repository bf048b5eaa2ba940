// CodebookKernels: the products of CodebookWeight, whose sell slots are 16-bit words: code (low byte; 0 = padding,
// c = centroid c − 1) | column offset in the window << 8 (255 = padding), looked up in a codebook table (table[0] = 0,
// at most 256 entries):
//   AVX-512: SellKernels' driver (padded input, zero-window skipping, NaN twin) with a codes kernel. Per slice, a
//     position's steps go two at a time: one 64-byte load holds both steps' 32 words, read as 16 dwords — the even words
//     (lanes 0, 2, .., 14 of both steps) and the odd words (lanes 1, 3, .., 15) — so the input offsets come out by a shift
//     (d >> 8, d >> 24; the permute reads only the low 5 bits) and the codes need no widening. An odd last step widens
//     its 16 words (vpmovzxwd). Even words, odd words and single steps sum into three accumulators, folded into the
//     slice's 16 rows once at the end. The weights come from registers:
//       ≤ 32 entries: one two-register permute per 16 codes (vpermt2ps; codes in the low 5 bits).
//       ≤ 64 entries (Deep Compression's 6-bit LeNet-300-100): the table split into its low and high 16-bit halves,
//         two registers each; one word permute per half looks up all 32 codes of the two steps (vpermt2w, 6-bit index),
//         and a shift and a bit-select put each float back together (exact: the same 32 bits).
//       larger: sixteen scalar loads from the (L1-resident) table.
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

    /// <summary>Y[i] = act(W·X[i] + bias) with the AVX-512 codes kernel; the table is padded with zeros to ≥ 64 entries.</summary>
    public static unsafe void MultiplyAvx512(SellLayout layout, ushort* slots, float* table, int tableSize, bool finiteWeights,
        ReadOnlySpan<float> x, int n, Span<float> y, ReadOnlySpan<float> bias, bool relu)
    {
        if (tableSize <= 32)
            SellKernels.Multiply(layout, new CodesKernel<Codes32>(slots, new Codes32(table)), finiteWeights, x, n, y, bias, relu);
        else if (tableSize <= 64)
            SellKernels.Multiply(layout, new CodesKernel<Codes64>(slots, new Codes64(table)), finiteWeights, x, n, y, bias, relu);
        else
            SellKernels.Multiply(layout, new CodesKernel<CodesTable>(slots, new CodesTable(table)), finiteWeights, x, n, y, bias, relu);
    }

    /// <summary>Y[i] = act(W·X[i] + bias) with AVX2 gathers; needs AVX2 and Cols ≥ 1.</summary>
    [SkipLocalsInit]
    public static unsafe void MultiplyAvx2(SellLayout layout, ushort* slots, float* table, ReadOnlySpan<float> x, int n, Span<float> y,
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
                RunAvx2(layout, slots, table, px, yi);
            SparseWeight.Finish(yi, bias, relu);
        }
    }

    [SkipLocalsInit]
    private static unsafe void RunAvx2(SellLayout layout, ushort* slots, float* table, float* x, Span<float> y)
    {
        int positions = layout.Positions, slices = layout.Slices;
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
                        var lo = Step(x, table, slots, start, window);
                        var hi = Step(x, table, slots + 8, start, window);
                        if (first) { a0 += lo; a1 += hi; }
                        else { b0 += lo; b1 += hi; }
                        slots += Lanes;
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
    private static unsafe Vector256<float> Step(float* x, float* table, ushort* slots, Vector256<int> start, Vector256<int> window)
    {
        var words = Avx2.ConvertToVector256Int32(slots);
        var offset = Vector256.ShiftRightLogical(words, 8);
        var real = Vector256.LessThan(offset, window);
        var inputs = Avx2.GatherVector256(x, start + Vector256.Min(offset, window), 4) & real.AsSingle();
        return Avx2.GatherVector256(table, words & Vector256.Create(0xFF), 4) * inputs;
    }

    // The AVX-512 kernel over the slot words; TLookup turns codes into weights.
    private readonly unsafe struct CodesKernel<TLookup>(ushort* slots, TLookup lookup) : SellKernels.ISellKernel
        where TLookup : struct, ICodeLookup
    {
        [SkipLocalsInit]
        public void Run<TPadding>(SellLayout w, float* px, bool* active, Span<float> y, ReadOnlySpan<float> bias, bool relu)
            where TPadding : struct, SellKernels.IPadding
        {
            int positions = w.Positions, rows = w.Rows, slices = w.Slices;
            var codes = lookup;
            ushort* ps = slots;
            fixed (byte* pSteps = w.Steps)
            fixed (float* py = y)
            fixed (float* pb = bias)
            {
                float* b = bias.IsEmpty ? null : pb;
                for (int s = 0; s < slices; s += 2)
                {
                    // Two slices side by side share each window load (the second absent for an odd last slice).
                    bool pair = s + 1 < slices;
                    byte* stepsA = pSteps + s * positions, stepsB = stepsA + positions;
                    var aEven = Vector512<float>.Zero;
                    var aOdd = Vector512<float>.Zero;
                    var aOne = Vector512<float>.Zero;
                    var bEven = Vector512<float>.Zero;
                    var bOdd = Vector512<float>.Zero;
                    var bOne = Vector512<float>.Zero;
                    var lo = Vector512.Load(px); // the window's first register; each position loads only its second
                    for (int p = 0; p < positions; p++)
                    {
                        var hi = Vector512.Load(px + SellLayout.RegisterCols * (p + 1));
                        int countA = stepsA[p], countB = pair ? stepsB[p] : 0;
                        if (active[p])
                        {
                            Steps<TPadding>(codes, lo, hi, countA, ps, ref aEven, ref aOdd, ref aOne);
                            Steps<TPadding>(codes, lo, hi, countB, ps + countA * Lanes, ref bEven, ref bOdd, ref bOne);
                        }
                        ps += (countA + countB) * Lanes;
                        lo = hi;
                    }
                    SellKernels.Store(Fold(aEven, aOdd, aOne), s * Lanes, rows, py, b, relu);
                    if (pair) SellKernels.Store(Fold(bEven, bOdd, bOne), (s + 1) * Lanes, rows, py, b, relu);
                }
            }
        }

        // The `count` steps of one slice at one window position [lo, hi]: pairs of steps, then an odd last one.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Steps<TPadding>(TLookup codes, Vector512<float> lo, Vector512<float> hi, int count, ushort* ps,
            ref Vector512<float> even, ref Vector512<float> odd, ref Vector512<float> one) where TPadding : struct, SellKernels.IPadding
        {
            int k = 0;
            for (; k + 1 < count; k += 2)
            {
                ushort* at = ps + k * Lanes;
                var words = Vector512.Load((int*)at); // dword j = word 2j | word 2j + 1 << 16
                codes.Pair(at, words, out var wEven, out var wOdd);
                even = Avx512F.FusedMultiplyAdd(wEven, TPadding.Inputs(lo, words >>> 8, hi), even);
                odd = Avx512F.FusedMultiplyAdd(wOdd, TPadding.Inputs(lo, words >>> 24, hi), odd);
            }
            if (k < count)
            {
                ushort* at = ps + k * Lanes;
                var word = Avx512F.ConvertToVector512Int32(Vector256.Load(at)); // lane i = word i
                one = Avx512F.FusedMultiplyAdd(codes.Single(at, word), TPadding.Inputs(lo, word >>> 8, hi), one);
            }
        }
    }

    // Row sums of a slice: lane l of `one`, plus even lanes j, j + 8 (row 2j) and odd lanes j, j + 8 (row 2j + 1).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Fold(Vector512<float> even, Vector512<float> odd, Vector512<float> one)
    {
        var low = Vector512.Create(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
        var high = Vector512.Create(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
        return one + (Avx512F.PermuteVar16x32x2(even, low, odd) + Avx512F.PermuteVar16x32x2(even, high, odd));
    }

    /// <summary>Codes to weights, 32 (two steps) or 16 (one step) at a time.</summary>
    private interface ICodeLookup
    {
        /// <summary>The weights of the even and odd words of two steps (<paramref name="words"/> = their 16 dwords at <paramref name="at"/>).</summary>
        unsafe void Pair(ushort* at, Vector512<int> words, out Vector512<float> even, out Vector512<float> odd);

        /// <summary>The weights of one step (<paramref name="word"/>: lane i = word i at <paramref name="at"/>).</summary>
        unsafe Vector512<float> Single(ushort* at, Vector512<int> word);
    }

    // Tables of ≤ 32 entries: one two-register permute per 16 codes.
    private readonly struct Codes32 : ICodeLookup
    {
        private readonly Vector512<float> _t0, _t1;

        public unsafe Codes32(float* table)
        {
            _t0 = Vector512.Load(table);
            _t1 = Vector512.Load(table + 16);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public unsafe void Pair(ushort* at, Vector512<int> words, out Vector512<float> even, out Vector512<float> odd)
        {
            even = Avx512F.PermuteVar16x32x2(_t0, words, _t1);
            odd = Avx512F.PermuteVar16x32x2(_t0, words >>> 16, _t1);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public unsafe Vector512<float> Single(ushort* at, Vector512<int> word) => Avx512F.PermuteVar16x32x2(_t0, word, _t1);
    }

    // Tables of ≤ 64 entries: the low and high 16-bit halves of the 64 floats, two registers each, looked up by word.
    private readonly struct Codes64 : ICodeLookup
    {
        private readonly Vector512<ushort> _low0, _low1, _high0, _high1;

        public unsafe Codes64(float* table)
        {
            var low = stackalloc ushort[64];
            var high = stackalloc ushort[64];
            for (int i = 0; i < 64; i++)
            {
                uint bits = BitConverter.SingleToUInt32Bits(table[i]);
                low[i] = (ushort)bits;
                high[i] = (ushort)(bits >> 16);
            }
            _low0 = Vector512.Load(low);
            _low1 = Vector512.Load(low + 32);
            _high0 = Vector512.Load(high);
            _high1 = Vector512.Load(high + 32);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public unsafe void Pair(ushort* at, Vector512<int> words, out Vector512<float> even, out Vector512<float> odd)
        {
            var index = words.AsUInt16(); // each word's low 6 bits: its code
            var low = Avx512BW.PermuteVar32x16x2(_low0, index, _low1).AsUInt32();
            var high = Avx512BW.PermuteVar32x16x2(_high0, index, _high1).AsUInt32();
            var top = Vector512.Create(0xFFFF0000u);
            even = Vector512.ConditionalSelect(top, high << 16, low).AsSingle();
            odd = Vector512.ConditionalSelect(top, high, low >>> 16).AsSingle();
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public unsafe Vector512<float> Single(ushort* at, Vector512<int> word)
        {
            // The odd words are 0 (code 0 looks up +0); the even words' weights are the answer.
            Pair(at, word, out var even, out _);
            return even;
        }
    }

    // Larger tables: sixteen scalar loads from the table (in L1).
    private readonly unsafe struct CodesTable(float* table) : ICodeLookup
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Pair(ushort* at, Vector512<int> words, out Vector512<float> even, out Vector512<float> odd)
        {
            even = Gather(at, 2);
            odd = Gather(at + 1, 2);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector512<float> Single(ushort* at, Vector512<int> word) => Gather(at, 1);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private Vector512<float> Gather(ushort* c, int stride) => Vector512.Create(
            W(c, 0, stride), W(c, 1, stride), W(c, 2, stride), W(c, 3, stride), W(c, 4, stride), W(c, 5, stride), W(c, 6, stride), W(c, 7, stride),
            W(c, 8, stride), W(c, 9, stride), W(c, 10, stride), W(c, 11, stride), W(c, 12, stride), W(c, 13, stride), W(c, 14, stride), W(c, 15, stride));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private float W(ushort* c, int lane, int stride) => table[(byte)c[lane * stride]];
    }
}
