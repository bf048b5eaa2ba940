// CodebookKernels: the products of CodebookWeight, whose sell slots are 16-bit words holding an 8-bit code (0 =
// padding, c = centroid c − 1) and an 8-bit column offset in the window (255 = padding), looked up in a codebook table
// (table[0] = 0, at most 256 entries). A pair block (two slices at one window position: the first's steps, then the
// second's, n in all; SellLayout.Walk) stores its steps two by two, each pair as one 64-byte chunk of 32 words laid out
// for the AVX-512 kernel — the two steps may belong to different slices (same window, each to its own row sums) — and
// an odd last step plainly. Two word layouts (SlotWords), chosen by the table's size:
//   CodeLow (tables of more than 32 entries, and every table on hosts without AVX-512):
//     pair chunk (steps 2c + h, h = 0/1, row 4q + m):  word 8q + 4h + m holds the code (low byte),
//                                                      word 8q + 2m + h holds the offset (high byte);
//     odd last step (row l):                           word l = code | offset << 8.
//   OffsetLow (tables of ≤ 32 entries on AVX-512): one word per slot, offset | code << 8 —
//     pair chunk: word 2l + h is row l of step h (dword l = the first step's word | the second's << 16);
//     odd last step: word l is row l.
// (Place gives both word indices; CodebookWeight fills them and its slot walks read them back.)
//   AVX-512: SellKernels' driver (padded input, zero-window skipping, NaN twin) with a codes kernel, one 64-byte load per
//   pair chunk. The lookup is the whole difference in cost from the float sell kernel (which per step widens 16 offset
//   bytes, permutes the inputs and FMAs): on Zen 4 a one-register permute is cheap and a two-register one is not.
//     ≤ 16 entries (OffsetLow): vpermps of the 16-float table by the chunk's dwords shifted by 8 and 24 (the code bytes;
//       vpermps reads the low 4 bits); the inputs are permuted by the dwords as loaded and shifted by 16 (vpermt2ps reads
//       the low 5 bits: the offset bytes). Within ~6 % of the float kernel (BENCHMARKS.md).
//     ≤ 32 entries (OffsetLow): the same with vpermt2ps over the 32-float table (two registers).
//     ≤ 64 entries (CodeLow): the codebook split into its low and high 16-bit halves (two registers each) is looked up
//       for all 32 codes by two word permutes (vpermt2w, 6-bit index: the code byte; the offset byte above it is
//       ignored), and two word unpacks (vpunpckl/hwd) rebuild the 32 floats exactly, the first step's 16 weights in row
//       order, then the second's; the inputs come from the same dwords shifted by 8 and 24.
//     Larger tables (CodeLow): each weight by a scalar load from the (L1-resident) table.
//     An odd last step widens its 16 words (vpmovzxwd) and looks them up the same way. Even and odd window positions
//     sum into separate accumulators, as the float kernel does.
//   AVX2: per step, the two 8-lane halves gather their inputs (column 16p + offset, padding lanes masked to 0) and their
//     centroids (vgatherdps from the table) and FMA them into the slice's row sums; no zero-window skipping.
//   Otherwise: SellLayout's portable slot walk. The scalar twin is SparseWeight.MultiplyScalar (ForEachStored).
// Summation order depends only on the layout and the hardware tier (deterministic).
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Topiary.Runtime.Sparse;

/// <summary>How the 16-bit words of a codebook weight hold each slot's code and offset (CodebookKernels' file header).</summary>
internal enum SlotWords
{
    /// <summary>Codes in the low byte of one word, offsets in the high byte of another (read by the 6-bit word lookup).</summary>
    CodeLow,

    /// <summary>One word per slot, offset | code &lt;&lt; 8 (tables of ≤ 32 entries on AVX-512 hosts).</summary>
    OffsetLow,
}

internal static class CodebookKernels
{
    private const int Lanes = SellLayout.SliceRows;

    /// <summary>The word layout for a table of <paramref name="entries"/> entries (padding included) on this host.</summary>
    public static SlotWords WordsFor(int entries) => Avx512F.IsSupported && entries <= 32 ? SlotWords.OffsetLow : SlotWords.CodeLow;

    /// <summary>
    /// The words holding the code and the offset of lane <paramref name="lane"/> of step <paramref name="step"/> of a
    /// pair block of <paramref name="steps"/> steps whose words start at <paramref name="block"/> (see the file header).
    /// </summary>
    public static (int Code, int Offset) Place(SlotWords words, int block, int step, int steps, int lane)
    {
        if (step >= steps - steps % 2) return (block + Lanes * step + lane, block + Lanes * step + lane); // the odd last step
        int chunk = block + 2 * Lanes * (step / 2), h = step % 2;
        if (words == SlotWords.OffsetLow) return (chunk + 2 * lane + h, chunk + 2 * lane + h);
        int q = lane / 4, m = lane % 4;
        return (chunk + 8 * q + 4 * h + m, chunk + 8 * q + 2 * m + h);
    }

    /// <summary>The bit position of the code byte in its word.</summary>
    public static int CodeShift(SlotWords words) => words == SlotWords.OffsetLow ? 8 : 0;

    /// <summary>The bit position of the offset byte in its word.</summary>
    public static int OffsetShift(SlotWords words) => words == SlotWords.OffsetLow ? 0 : 8;

    /// <summary>The first 64 table entries' 16-bit halves as the word lookups read them: [low halves of entries 0..63, high halves].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static ushort[] SplitHalves(ReadOnlySpan<float> table)
    {
        var halves = new ushort[128];
        for (int i = 0; i < 64 && i < table.Length; i++)
        {
            uint bits = BitConverter.SingleToUInt32Bits(table[i]);
            halves[i] = (ushort)bits;
            halves[64 + i] = (ushort)(bits >> 16);
        }
        return halves;
    }

    /// <summary>
    /// Y[i] = act(W·X[i] + bias) with the AVX-512 codes kernel over <paramref name="entries"/> table entries in use (the
    /// padding entry and the centroids; the words laid out by <see cref="WordsFor"/>(entries)); the table is padded with
    /// zeros to ≥ 64 entries and <paramref name="halves"/> is its SplitHalves when 32 &lt; entries ≤ 64.
    /// </summary>
    public static unsafe void MultiplyAvx512(SellLayout layout, ushort* words, float* table, int entries, ushort* halves, bool finiteWeights,
        ReadOnlySpan<float> x, int n, Span<float> y, ReadOnlySpan<float> bias, bool relu)
    {
        if (entries <= 16)
            SellKernels.Multiply(layout, new CodesKernel<Table16>(words, table, halves), finiteWeights, x, n, y, bias, relu);
        else if (entries <= 32)
            SellKernels.Multiply(layout, new CodesKernel<Table32>(words, table, halves), finiteWeights, x, n, y, bias, relu);
        else if (entries <= 64)
            SellKernels.Multiply(layout, new CodesKernel<Halves>(words, table, halves), finiteWeights, x, n, y, bias, relu);
        else
            SellKernels.Multiply(layout, new CodesKernel<CodesTable>(words, table, halves), finiteWeights, x, n, y, bias, relu);
    }

    /// <summary>Y[i] = act(W·X[i] + bias) with AVX2 gathers (the CodeLow layout); needs AVX2 and Cols ≥ 1.</summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void MultiplyAvx2(SellLayout layout, ushort* words, float* table, ReadOnlySpan<float> x, int n, Span<float> y,
        ReadOnlySpan<float> bias, bool relu)
    {
        // A step reads column 16p + min(offset, 32) ≤ 16·(Positions + 1): zeros past the input.
        int length = (layout.Positions + 1) * SellLayout.RegisterCols + 1;
        float[]? rented = length > SellKernels.StackFloats ? new float[length] : null;
        Span<float> padded = rented ?? stackalloc float[length];
        padded.Clear();
        for (int i = 0; i < n; i++)
        {
            x.Slice(i * layout.Cols, layout.Cols).CopyTo(padded);
            var yi = y.Slice(i * layout.Rows, layout.Rows);
            fixed (float* px = padded)
                RunAvx2(layout, words, table, px, yi);
            SparseWeight.Finish(yi, bias, relu);
        }
    }

    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void RunAvx2(SellLayout layout, ushort* words, float* table, float* x, Span<float> y)
    {
        int positions = layout.Positions, slices = layout.Slices;
        var window = Vector256.Create(SellLayout.WindowCols);
        var low = Vector256.Create(0xFF);
        float* sums = stackalloc float[2 * Lanes];
        for (int s0 = 0; s0 < slices; s0 += 2)
        {
            int pair = Math.Min(2, slices - s0);
            // Accumulators: slice a rows 0-7, 8-15, slice b rows 0-7, 8-15.
            var a0 = Vector256<float>.Zero;
            var a1 = Vector256<float>.Zero;
            var b0 = Vector256<float>.Zero;
            var b1 = Vector256<float>.Zero;
            for (int p = 0; p < positions; p++)
            {
                var start = Vector256.Create(SellLayout.RegisterCols * p);
                int firstSteps = layout.Steps[s0 * positions + p], steps = firstSteps + (pair > 1 ? layout.Steps[(s0 + 1) * positions + p] : 0);
                int k = 0;
                for (; k + 1 < steps; k += 2, words += 2 * Lanes)
                    for (int h = 0; h < 2; h++)
                    {
                        // Rows 8·half + j of step k + h: codes in words 16·half + 4h + (0..3) and 16·half + 8 + 4h + (0..3),
                        // offsets in the dwords of words 16·half .. 16·half + 15 at bit 8 (h = 0) or 24 (h = 1).
                        var codes0 = Vector128.Create(*(ulong*)(words + 4 * h), *(ulong*)(words + 8 + 4 * h)).AsUInt16();
                        var codes1 = Vector128.Create(*(ulong*)(words + 16 + 4 * h), *(ulong*)(words + 24 + 4 * h)).AsUInt16();
                        var d0 = Vector256.Load((int*)words);
                        var d1 = Vector256.Load((int*)(words + 16));
                        var r0 = Products(x, table, Avx2.ConvertToVector256Int32(codes0) & low, Vector256.ShiftRightLogical(d0, 8 + 16 * h) & low, start, window);
                        var r1 = Products(x, table, Avx2.ConvertToVector256Int32(codes1) & low, Vector256.ShiftRightLogical(d1, 8 + 16 * h) & low, start, window);
                        if (k + h < firstSteps) { a0 += r0; a1 += r1; }
                        else { b0 += r0; b1 += r1; }
                    }
                if (k < steps)
                {
                    var w0 = Avx2.ConvertToVector256Int32(words);
                    var w1 = Avx2.ConvertToVector256Int32(words + 8);
                    var r0 = Products(x, table, w0 & low, Vector256.ShiftRightLogical(w0, 8), start, window);
                    var r1 = Products(x, table, w1 & low, Vector256.ShiftRightLogical(w1, 8), start, window);
                    if (k < firstSteps) { a0 += r0; a1 += r1; }
                    else { b0 += r0; b1 += r1; }
                    words += Lanes;
                }
            }
            a0.Store(sums);
            a1.Store(sums + 8);
            b0.Store(sums + 16);
            b1.Store(sums + 24);
            int row0 = s0 * Lanes, count = Math.Min(pair * Lanes, layout.Rows - row0);
            new Span<float>(sums, count).CopyTo(y.Slice(row0, count));
        }
    }

    // The products of 8 slots: inputs gathered at 16p + offset (padding lanes, offset 255, read 0), weights from the table.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector256<float> Products(float* x, float* table, Vector256<int> codes, Vector256<int> offset, Vector256<int> start,
        Vector256<int> window)
    {
        var real = Vector256.LessThan(offset, window);
        var inputs = Avx2.GatherVector256(x, start + Vector256.Min(offset, window), 4) & real.AsSingle();
        return Avx2.GatherVector256(table, codes, 4) * inputs;
    }

    // The AVX-512 kernel over the slot words; TLookup turns codes into weights (built once per call from the table).
    private readonly unsafe struct CodesKernel<TLookup>(ushort* words, float* table, ushort* halves) : SellKernels.ISellKernel
        where TLookup : struct, ICodeLookup<TLookup>
    {
        [SkipLocalsInit]
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run<TPadding>(SellLayout w, float* px, bool* active, Span<float> y, ReadOnlySpan<float> bias, bool relu)
            where TPadding : struct, SellKernels.IPadding
        {
            int positions = w.Positions, rows = w.Rows, slices = w.Slices;
            var codes = TLookup.Create(table, halves);
            ushort* ps = words;
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
                    // Row sums of slice a and b: chunks' first and second steps, odd last steps.
                    // Even and odd window positions into separate sums (shorter FMA chains across positions).
                    Vector512<float> a0 = default, a1 = default, a2 = default, b0 = default, b1 = default, b2 = default;
                    Vector512<float> c0 = default, c1 = default, c2 = default, d0 = default, d1 = default, d2 = default;
                    var lo = Vector512.Load(px); // the window's first register; each position loads only its second
                    int p = 0;
                    for (; p + 1 < positions; p += 2)
                    {
                        var mid = Vector512.Load(px + SellLayout.RegisterCols * (p + 1));
                        int first = stepsA[p], steps = first + (pair ? stepsB[p] : 0);
                        if (active[p]) Block<TPadding>(codes, lo, mid, first, steps, ps, ref a0, ref a1, ref a2, ref b0, ref b1, ref b2);
                        ps += steps * Lanes;
                        lo = Vector512.Load(px + SellLayout.RegisterCols * (p + 2));
                        first = stepsA[p + 1];
                        steps = first + (pair ? stepsB[p + 1] : 0);
                        if (active[p + 1]) Block<TPadding>(codes, mid, lo, first, steps, ps, ref c0, ref c1, ref c2, ref d0, ref d1, ref d2);
                        ps += steps * Lanes;
                    }
                    if (p < positions)
                    {
                        var hi = Vector512.Load(px + SellLayout.RegisterCols * (p + 1));
                        int first = stepsA[p], steps = first + (pair ? stepsB[p] : 0);
                        if (active[p]) Block<TPadding>(codes, lo, hi, first, steps, ps, ref a0, ref a1, ref a2, ref b0, ref b1, ref b2);
                        ps += steps * Lanes;
                    }
                    SellKernels.Store(((a0 + a1) + a2) + ((c0 + c1) + c2), s * Lanes, rows, py, b, relu);
                    if (pair) SellKernels.Store(((b0 + b1) + b2) + ((d0 + d1) + d2), (s + 1) * Lanes, rows, py, b, relu);
                }
            }
        }

        // The `steps` steps of a pair block at window [lo, hi] (the first `first` of slice a, the rest of slice b): pair
        // chunks (one straddling the two slices when `first` is odd), then an odd last step.
        [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
        private static void Block<TPadding>(TLookup codes, Vector512<float> lo, Vector512<float> hi, int first, int steps, ushort* ps,
            ref Vector512<float> a0, ref Vector512<float> a1, ref Vector512<float> a2, ref Vector512<float> b0, ref Vector512<float> b1,
            ref Vector512<float> b2) where TPadding : struct, SellKernels.IPadding
        {
            int k = 0;
            for (; k + 1 < first; k += 2) Chunk<TPadding>(codes, lo, hi, ps + k * Lanes, ref a0, ref a1);
            if (k < first && k + 1 < steps)
            {
                Chunk<TPadding>(codes, lo, hi, ps + k * Lanes, ref a0, ref b0);
                k += 2;
            }
            for (; k + 1 < steps; k += 2) Chunk<TPadding>(codes, lo, hi, ps + k * Lanes, ref b0, ref b1);
            if (k < steps)
            {
                ushort* at = ps + k * Lanes;
                var word = Avx512F.ConvertToVector512Int32(Vector256.Load(at)); // lane l = word l
                var weights = codes.Single(at, word, out var offsets);
                var product = weights * TPadding.Inputs(lo, offsets, hi);
                if (k < first) a2 += product;
                else b2 += product;
            }
        }

        // One pair chunk: the first step's products into `accFirst`, the second's into `accSecond`.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Chunk<TPadding>(TLookup codes, Vector512<float> lo, Vector512<float> hi, ushort* at,
            ref Vector512<float> accFirst, ref Vector512<float> accSecond) where TPadding : struct, SellKernels.IPadding
        {
            var chunk = Vector512.Load(at);
            codes.Pair(at, chunk, out var first, out var second, out var firstOffsets, out var secondOffsets);
            accFirst = Avx512F.FusedMultiplyAdd(first, TPadding.Inputs(lo, firstOffsets, hi), accFirst);
            accSecond = Avx512F.FusedMultiplyAdd(second, TPadding.Inputs(lo, secondOffsets, hi), accSecond);
        }
    }

    /// <summary>Codes to weights and offsets: a pair chunk's two steps, or an odd last step.</summary>
    private interface ICodeLookup<TSelf> where TSelf : struct, ICodeLookup<TSelf>
    {
        /// <summary>The lookup of the table (≥ 64 entries) whose first 64 entries' halves are <paramref name="halves"/>.</summary>
        static abstract unsafe TSelf Create(float* table, ushort* halves);

        /// <summary>
        /// The weights of a pair chunk's first and second step, rows in order, and their offsets in the low 5 bits of each
        /// lane (<paramref name="chunk"/>: its 32 words at <paramref name="at"/>).
        /// </summary>
        unsafe void Pair(ushort* at, Vector512<ushort> chunk, out Vector512<float> first, out Vector512<float> second,
            out Vector512<int> firstOffsets, out Vector512<int> secondOffsets);

        /// <summary>The weights and offsets of an odd last step (<paramref name="word"/>: lane l = word l at <paramref name="at"/>).</summary>
        unsafe Vector512<float> Single(ushort* at, Vector512<int> word, out Vector512<int> offsets);
    }

    // Tables of ≤ 16 entries (OffsetLow): the table in one register, looked up by vpermps (the low 4 bits of a lane).
    private readonly struct Table16 : ICodeLookup<Table16>
    {
        private readonly Vector512<float> _table;

        private unsafe Table16(float* table) => _table = Vector512.Load(table);

        public static unsafe Table16 Create(float* table, ushort* halves) => new(table);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public unsafe void Pair(ushort* at, Vector512<ushort> chunk, out Vector512<float> first, out Vector512<float> second,
            out Vector512<int> firstOffsets, out Vector512<int> secondOffsets)
        {
            var d = chunk.AsInt32(); // lane l: offset, code of the first step's row l at bits 0, 8; the second's at 16, 24
            first = Avx512F.PermuteVar16x32(_table, d >>> 8);
            second = Avx512F.PermuteVar16x32(_table, d >>> 24);
            firstOffsets = d;
            secondOffsets = d >>> 16;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public unsafe Vector512<float> Single(ushort* at, Vector512<int> word, out Vector512<int> offsets)
        {
            offsets = word;
            return Avx512F.PermuteVar16x32(_table, word >>> 8);
        }
    }

    // Tables of ≤ 32 entries (OffsetLow): the table in two registers, looked up by vpermt2ps (the low 5 bits of a lane).
    private readonly struct Table32 : ICodeLookup<Table32>
    {
        private readonly Vector512<float> _low, _high;

        private unsafe Table32(float* table)
        {
            _low = Vector512.Load(table);
            _high = Vector512.Load(table + 16);
        }

        public static unsafe Table32 Create(float* table, ushort* halves) => new(table);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public unsafe void Pair(ushort* at, Vector512<ushort> chunk, out Vector512<float> first, out Vector512<float> second,
            out Vector512<int> firstOffsets, out Vector512<int> secondOffsets)
        {
            var d = chunk.AsInt32();
            first = Avx512F.PermuteVar16x32x2(_low, d >>> 8, _high);
            second = Avx512F.PermuteVar16x32x2(_low, d >>> 24, _high);
            firstOffsets = d;
            secondOffsets = d >>> 16;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public unsafe Vector512<float> Single(ushort* at, Vector512<int> word, out Vector512<int> offsets)
        {
            offsets = word;
            return Avx512F.PermuteVar16x32x2(_low, word >>> 8, _high);
        }
    }

    // Tables of ≤ 64 entries (CodeLow): the low and high 16-bit halves of the 64 floats, two registers each, looked up by word.
    private readonly struct Halves : ICodeLookup<Halves>
    {
        private readonly Vector512<ushort> _low0, _low1, _high0, _high1;

        private unsafe Halves(ushort* halves)
        {
            _low0 = Vector512.Load(halves);
            _low1 = Vector512.Load(halves + 32);
            _high0 = Vector512.Load(halves + 64);
            _high1 = Vector512.Load(halves + 96);
        }

        public static unsafe Halves Create(float* table, ushort* halves) => new(halves);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public unsafe void Pair(ushort* at, Vector512<ushort> chunk, out Vector512<float> first, out Vector512<float> second,
            out Vector512<int> firstOffsets, out Vector512<int> secondOffsets)
        {
            // Word 8q + 4h + m's low 6 bits are its code; unpacking words 8q..8q + 3 (low) and 8q + 4..8q + 7 (high) of each
            // 128-bit lane q puts row 4q + m of step h at lane 4q + m.
            var low = Avx512BW.PermuteVar32x16x2(_low0, chunk, _low1);
            var high = Avx512BW.PermuteVar32x16x2(_high0, chunk, _high1);
            first = Avx512BW.UnpackLow(low, high).AsSingle();
            second = Avx512BW.UnpackHigh(low, high).AsSingle();
            Offsets(chunk, out firstOffsets, out secondOffsets);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public unsafe Vector512<float> Single(ushort* at, Vector512<int> word, out Vector512<int> offsets)
        {
            offsets = word >>> 8;
            var index = word.AsUInt16(); // even words: the codes; odd words 0 (look up +0, unused)
            var low = Avx512BW.PermuteVar32x16x2(_low0, index, _low1).AsUInt32();
            var high = Avx512BW.PermuteVar32x16x2(_high0, index, _high1).AsUInt32();
            return Vector512.ConditionalSelect(Vector512.Create(0xFFFF0000u), high << 16, low).AsSingle();
        }
    }

    // CodeLow pair chunk: dword 4q + m holds the first step's offset at bit 8, the second's at bit 24.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Offsets(Vector512<ushort> chunk, out Vector512<int> first, out Vector512<int> second)
    {
        first = chunk.AsInt32() >>> 8;
        second = chunk.AsInt32() >>> 24;
    }

    // Larger tables (CodeLow): sixteen scalar loads from the table (in L1).
    private readonly unsafe struct CodesTable(float* table) : ICodeLookup<CodesTable>
    {
        public static CodesTable Create(float* table, ushort* halves) => new(table);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Pair(ushort* at, Vector512<ushort> chunk, out Vector512<float> first, out Vector512<float> second,
            out Vector512<int> firstOffsets, out Vector512<int> secondOffsets)
        {
            first = Lookup(at, 0);
            second = Lookup(at + 4, 0);
            Offsets(chunk, out firstOffsets, out secondOffsets);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector512<float> Single(ushort* at, Vector512<int> word, out Vector512<int> offsets)
        {
            offsets = word >>> 8;
            return Lookup(at, 1);
        }

        // Lane l = table[code of word 8·(l / 4) + l % 4] in a pair chunk (plain = 0), or of word l (plain = 1).
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private Vector512<float> Lookup(ushort* c, int plain)
        {
            int stride = 8 - 4 * plain;
            return Vector512.Create(
                W(c, 0), W(c, 1), W(c, 2), W(c, 3), W(c, stride), W(c, stride + 1), W(c, stride + 2), W(c, stride + 3),
                W(c, 2 * stride), W(c, 2 * stride + 1), W(c, 2 * stride + 2), W(c, 2 * stride + 3),
                W(c, 3 * stride), W(c, 3 * stride + 1), W(c, 3 * stride + 2), W(c, 3 * stride + 3));
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private float W(ushort* c, int word) => table[(byte)c[word]];
    }
}
