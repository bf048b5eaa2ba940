// SellKernels: the AVX-512 Multiply of the sell layout, one example at a time. The driver (steps 1 and 3) is shared;
// the slot loop (step 2) is a type parameter (ISellKernel, a struct the JIT specialises): FloatKernel here for
// SellWeight's float values and byte offsets, CodebookKernels' codes kernel for CodebookWeight.
//   1. x is copied into a stack buffer (a per-thread one for very wide layers) padded with zeros to whole registers (+ one zero register, so the window
//      at the last position reads only zeros past the end); the same pass notes which 16-column registers are all zero
//      and whether every input is finite.
//   2. Per pair of slices (sharing the window loads), per window position p (those whose two registers are not both zero when every weight is finite; all
//      positions otherwise): load the two registers once, then (FloatKernel) per step widen 16 byte offsets, permute
//      the 16 lanes' inputs out of the two registers (vpermt2ps) and FMA them with the 16 stored values into the row
//      sums (two accumulators). Padding lanes multiply a real input by 0: fine for finite inputs; with a NaN/∞ input
//      the ZeroPadding twin of the step zeroes them instead (offset 255 ≥ 32; only an offset's low byte is read).
//   3. Bias and ReLU (max(v, 0), NaN kept) on the 16 sums, stored straight into y (a partial last slice masked).
// Results equal the portable loop's up to rounding (summation order differs) and the sign of zero sums.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Topiary.Runtime.Sparse;

internal static class SellKernels
{
    private const int Lanes = SellLayout.SliceRows;

    /// <summary>Inputs up to this many floats are padded on the stack; longer ones in a per-thread pinned buffer.</summary>
    internal const int StackFloats = 4096;

    [ThreadStatic]
    private static float[]? t_padded; // pinned; used from its first 64-byte boundary

    [ThreadStatic]
    private static bool[]? t_active;

    /// <summary>
    /// Y[i] = act(W·X[i] + bias) for n examples; needs AVX-512 and Cols ≥ 1; arguments validated by the caller.
    /// <paramref name="kernel"/> runs the slots (pinned, alive for the call); <paramref name="finiteWeights"/> allows
    /// skipping all-zero input windows.
    /// </summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Multiply<TKernel>(SellLayout w, TKernel kernel, bool finiteWeights, ReadOnlySpan<float> x, int n,
        Span<float> y, ReadOnlySpan<float> bias, bool relu) where TKernel : struct, ISellKernel
    {
        int length = (w.Positions + 1) * SellLayout.RegisterCols;
        if (length > StackFloats)
        {
            MultiplyLong(w, kernel, finiteWeights, x, n, y, bias, relu);
            return;
        }
        float* raw = stackalloc float[length + Lanes];
        bool* active = stackalloc bool[w.Positions];
        Multiply(w, kernel, finiteWeights, x, n, y, bias, relu, Align(raw), active);
    }

    // A layer too wide for the stack: the same with per-thread buffers (kept out of Multiply, whose prologue would
    // otherwise set up the allocator's P/Invoke frame on every call).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static unsafe void MultiplyLong<TKernel>(SellLayout w, TKernel kernel, bool finiteWeights, ReadOnlySpan<float> x, int n,
        Span<float> y, ReadOnlySpan<float> bias, bool relu) where TKernel : struct, ISellKernel
    {
        int length = (w.Positions + 1) * SellLayout.RegisterCols;
        var buffer = t_padded;
        if (buffer is null || buffer.Length < length + Lanes) t_padded = buffer = GC.AllocateArray<float>(length + Lanes, pinned: true);
        var active = t_active;
        if (active is null || active.Length < w.Positions) t_active = active = new bool[w.Positions];
        fixed (bool* pActive = active)
            Multiply(w, kernel, finiteWeights, x, n, y, bias, relu, Align((float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(buffer))), pActive);
    }

    private static unsafe float* Align(float* p) => p + (Lanes - (int)(((nint)p & 63) / sizeof(float))) % Lanes;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Multiply<TKernel>(SellLayout w, TKernel kernel, bool finiteWeights, ReadOnlySpan<float> x, int n,
        Span<float> y, ReadOnlySpan<float> bias, bool relu, float* padded, bool* active) where TKernel : struct, ISellKernel
    {
        int cols = w.Cols, rows = w.Rows;
        fixed (float* px = x)
        {
            for (int i = 0; i < n; i++)
            {
                bool finite = CopyAndScan(px + (nint)i * cols, cols, padded, w.Positions, finiteWeights, active);
                var yi = y.Slice(i * rows, rows);
                if (finite) kernel.Run<FiniteInputs>(w, padded, active, yi, bias, relu);
                else kernel.Run<ZeroPadding>(w, padded, active, yi, bias, relu);
            }
        }
    }

    // Copies x [cols] into the padded buffer (zeros after it up to positions + 1 registers) and marks the window
    // positions to run (all, or those touching a non-zero input when `skipZero`); returns whether every input is finite
    // (v·0 is 0 for finite v, NaN otherwise).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe bool CopyAndScan(float* x, int cols, float* padded, int positions, bool skipZero, bool* active)
    {
        var probe = Vector512<float>.Zero;
        bool previous = false;
        for (int q = 0; q <= positions; q++)
        {
            int left = cols - SellLayout.RegisterCols * q;
            float* at = x + SellLayout.RegisterCols * q;
            var v = left >= SellLayout.RegisterCols ? Vector512.Load(at)
                : left > 0 ? Avx512F.MaskLoad(at, Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(left)).AsSingle(), Vector512<float>.Zero)
                : Vector512<float>.Zero;
            v.Store(padded + SellLayout.RegisterCols * q);
            probe += v * Vector512<float>.Zero;
            bool nonZero = v != Vector512<float>.Zero;
            if (q > 0) active[q - 1] = !skipZero || previous || nonZero;
            previous = nonZero;
        }
        return probe == Vector512<float>.Zero;
    }

    /// <summary>The float kernel (SellWeight): 16 float32 values per step, then the 16 byte offsets.</summary>
    internal readonly unsafe struct FloatKernel(float* values, byte* offsets) : ISellKernel
    {
        [SkipLocalsInit]
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run<TPadding>(SellLayout w, float* px, bool* active, Span<float> y, ReadOnlySpan<float> bias, bool relu)
            where TPadding : struct, IPadding
        {
            int positions = w.Positions, rows = w.Rows, slices = w.Slices;
            float* pv = values;
            byte* po = offsets;
            fixed (byte* pSteps = w.Steps)
            fixed (float* py = y)
            fixed (float* pb = bias)
            {
                float* b = bias.IsEmpty ? null : pb;
                int s = 0;
                for (; s + 1 < slices; s += 2)
                {
                    // Two slices side by side share each window load. Four accumulators per slice (two per position,
                    // positions alternating) keep the FMA latency chains short.
                    byte* stepsA = pSteps + s * positions, stepsB = stepsA + positions;
                    var a0 = Vector512<float>.Zero;
                    var a1 = Vector512<float>.Zero;
                    var a2 = Vector512<float>.Zero;
                    var a3 = Vector512<float>.Zero;
                    var b0 = Vector512<float>.Zero;
                    var b1 = Vector512<float>.Zero;
                    var b2 = Vector512<float>.Zero;
                    var b3 = Vector512<float>.Zero;
                    int p = 0;
                    var lo = Vector512.Load(px); // the window's first register; each position loads only its second
                    for (; p + 1 < positions; p += 2)
                    {
                        var mid = Vector512.Load(px + SellLayout.RegisterCols * (p + 1));
                        Position<TPadding>(lo, mid, stepsA[p], active[p], ref pv, ref po, ref a0, ref a1);
                        Position<TPadding>(lo, mid, stepsB[p], active[p], ref pv, ref po, ref b0, ref b1);
                        lo = Vector512.Load(px + SellLayout.RegisterCols * (p + 2));
                        Position<TPadding>(mid, lo, stepsA[p + 1], active[p + 1], ref pv, ref po, ref a2, ref a3);
                        Position<TPadding>(mid, lo, stepsB[p + 1], active[p + 1], ref pv, ref po, ref b2, ref b3);
                    }
                    if (p < positions)
                    {
                        var hi = Vector512.Load(px + SellLayout.RegisterCols * (p + 1));
                        Position<TPadding>(lo, hi, stepsA[p], active[p], ref pv, ref po, ref a0, ref a1);
                        Position<TPadding>(lo, hi, stepsB[p], active[p], ref pv, ref po, ref b0, ref b1);
                    }
                    Store((a0 + a1) + (a2 + a3), s * Lanes, rows, py, b, relu);
                    Store((b0 + b1) + (b2 + b3), (s + 1) * Lanes, rows, py, b, relu);
                }
                if (s < slices)
                {
                    byte* steps = pSteps + s * positions;
                    var a0 = Vector512<float>.Zero;
                    var a1 = Vector512<float>.Zero;
                    var a2 = Vector512<float>.Zero;
                    var a3 = Vector512<float>.Zero;
                    int p = 0;
                    var lo = Vector512.Load(px);
                    for (; p + 1 < positions; p += 2)
                    {
                        var mid = Vector512.Load(px + SellLayout.RegisterCols * (p + 1));
                        Position<TPadding>(lo, mid, steps[p], active[p], ref pv, ref po, ref a0, ref a1);
                        lo = Vector512.Load(px + SellLayout.RegisterCols * (p + 2));
                        Position<TPadding>(mid, lo, steps[p + 1], active[p + 1], ref pv, ref po, ref a2, ref a3);
                    }
                    if (p < positions)
                        Position<TPadding>(lo, Vector512.Load(px + SellLayout.RegisterCols * (p + 1)), steps[p], active[p], ref pv, ref po, ref a0, ref a1);
                    Store((a0 + a1) + (a2 + a3), s * Lanes, rows, py, b, relu);
                }
            }
        }

        // The `count` steps of one window position (columns [16p, 16p + 32)), or just skipping them when inactive.
        [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
        private static void Position<TPadding>(Vector512<float> lo, Vector512<float> hi, int count, bool active, ref float* pv, ref byte* po,
            ref Vector512<float> acc0, ref Vector512<float> acc1) where TPadding : struct, IPadding
        {
            if (!active)
            {
                pv += count * Lanes;
                po += count * Lanes;
                return;
            }
            float* v = pv;
            byte* o = po;
            int k = 0;
            for (; k + 1 < count; k += 2)
            {
                var i0 = Avx512F.ConvertToVector512Int32(Vector128.Load(o));
                var i1 = Avx512F.ConvertToVector512Int32(Vector128.Load(o + Lanes));
                acc0 = Avx512F.FusedMultiplyAdd(Vector512.Load(v), TPadding.Inputs(lo, i0, hi), acc0);
                acc1 = Avx512F.FusedMultiplyAdd(Vector512.Load(v + Lanes), TPadding.Inputs(lo, i1, hi), acc1);
                v += 2 * Lanes;
                o += 2 * Lanes;
            }
            if (k < count)
            {
                var i0 = Avx512F.ConvertToVector512Int32(Vector128.Load(o));
                acc0 = Avx512F.FusedMultiplyAdd(Vector512.Load(v), TPadding.Inputs(lo, i0, hi), acc0);
            }
            pv += count * Lanes;
            po += count * Lanes;
        }
    }

    // Rows [r0, r0 + 16) ∩ [0, rows) ← act(sum + bias) (bias null = none); a partial last slice masked (lanes past the
    // end are neither read nor written).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static unsafe void Store(Vector512<float> sum, int r0, int rows, float* y, float* bias, bool relu)
    {
        if (r0 + Lanes <= rows)
        {
            if (bias != null) sum += Vector512.Load(bias + r0);
            if (relu) sum = Relu(sum);
            sum.Store(y + r0);
            return;
        }
        var mask = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(rows - r0)).AsSingle();
        if (bias != null) sum += Avx512F.MaskLoad(bias + r0, mask, Vector512<float>.Zero);
        if (relu) sum = Relu(sum);
        Avx512F.MaskStore(y + r0, mask, sum);
    }

    // max(v, 0) with NaN kept and −0 → +0, like Math.Max(v, 0f).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Relu(Vector512<float> v) =>
        Vector512.ConditionalSelect(Vector512.LessThanOrEqual(v, Vector512<float>.Zero), Vector512<float>.Zero, v);

    /// <summary>Runs the slots of one example against the padded input (a struct the JIT specialises).</summary>
    internal interface ISellKernel
    {
        /// <summary>y = act(W·x + bias) for the padded x (<paramref name="px"/>), skipping inactive window positions.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        unsafe void Run<TPadding>(SellLayout w, float* px, bool* active, Span<float> y, ReadOnlySpan<float> bias, bool relu)
            where TPadding : struct, IPadding;
    }

    /// <summary>The 16 lanes' inputs of one step, picked out of the window [lo, hi] by offset.</summary>
    internal interface IPadding
    {
        /// <summary>The inputs at the 16 offsets (their low byte: bits above are ignored).</summary>
        static abstract Vector512<float> Inputs(Vector512<float> lo, Vector512<int> offsets, Vector512<float> hi);
    }

    // Every input finite: a padding lane (offset 255 → column 31 of the window) reads a finite input times weight 0.
    internal readonly struct FiniteInputs : IPadding
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Inputs(Vector512<float> lo, Vector512<int> offsets, Vector512<float> hi) =>
            Avx512F.PermuteVar16x32x2(lo, offsets, hi);
    }

    // Some input NaN/∞: padding lanes (offset ≥ 32) read 0, so 0·NaN never reaches a row that does not store the column.
    internal readonly struct ZeroPadding : IPadding
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Inputs(Vector512<float> lo, Vector512<int> offsets, Vector512<float> hi) =>
            Vector512.ConditionalSelect(Vector512.LessThan(offsets & Vector512.Create(0xFF), Vector512.Create(SellLayout.WindowCols)).AsSingle(),
                Avx512F.PermuteVar16x32x2(lo, offsets, hi), Vector512<float>.Zero);
    }
}
