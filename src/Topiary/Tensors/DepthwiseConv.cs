// DepthwiseConv: direct kernels for a depthwise convolution plane (one [H, W] input plane, one KH×KW filter —
// MobileNet/EfficientNet's groups = C convolutions), where im2col + GEMM would degenerate to M = 1 products.
// Same contract and formulas as DepthwiseConvScalar (see its header); a Conv2dGeometry gives kernel, stride,
// dilation and padding (its Channels field is ignored).
// Tap-outer form: for every kernel tap (kh, kw) the outputs it reaches form a rectangle of output rows × columns
// (Im2Col.ValidRange), so the tap is one FMA sweep ("axpy") over each row segment:
//   forward          per output row: row = 0; for each valid tap, row[o0..o1) = fma(w, x[ih, o·SW + off], row); + b
//   input gradient   dx = 0; for each tap and output row, dx[ih, o·SW + off] = fma(w, dy[oh, o], dx[..])   (scatter)
//   weight gradient  per tap, the dot product of dy with the input the tap reads over the same rectangle.
// Each output element still receives its taps in (kh, kw) order, one FMA each, starting from 0 — the order of the
// scalar twin — so forward and input gradient equal DepthwiseConvScalar bit for bit on every path (with
// accumulate, the gradient is formed in scratch and added last, as the twin does). The sweeps have no dependency
// chains; at stride 1 they run on Vector512/256/128 (FMA) along the width, with a scalar remainder. The weight
// gradient's dot products use several accumulators (vector lanes at stride 1), so it agrees with the twin to
// rounding; it is deterministic for a given machine. Nothing here depends on the thread count.
using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Topiary.Tensors;

/// <summary>Depthwise-convolution kernels for one plane (oracle: <see cref="DepthwiseConvScalar"/>).</summary>
internal static class DepthwiseConv
{
    /// <summary>True when the stride-1 sweeps can use vectors on this machine.</summary>
    public static bool IsVectorHardware => Vector128.IsHardwareAccelerated;

    /// <summary>y [OH, OW] = b + Σ_taps w · x (see DepthwiseConvScalar).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> w, float bias, in Conv2dGeometry g, Span<float> y) =>
        Forward(x, w, bias, g, y, IsVectorHardware);

    /// <summary>dx [H, W] = (or += with <paramref name="accumulate"/>) the input gradient of dy [OH, OW].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void InputGradient(ReadOnlySpan<float> dy, ReadOnlySpan<float> w, in Conv2dGeometry g, Span<float> dx, bool accumulate) =>
        InputGradient(dy, w, g, dx, accumulate, IsVectorHardware);

    /// <summary>dw [KH, KW] += Σ over the output of dy times the input each tap reads.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void WeightGradient(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, in Conv2dGeometry g, Span<float> dw) =>
        WeightGradient(x, dy, g, dw, IsVectorHardware);

    /// <summary>Forward; <paramref name="vectorise"/> = false forces the scalar sweeps (the tests run both).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> w, float bias, in Conv2dGeometry g, Span<float> y, bool vectorise)
    {
        DepthwiseConvScalar.CheckSpans(x.Length, w.Length, y.Length, g);
        if (vectorise && g.StrideW == 1 && (Vector512.IsHardwareAccelerated || Vector256.IsHardwareAccelerated))
        {
            ForwardRegisterBlocked(x, w, bias, g, y);
            return;
        }
        int width = g.Width, oh = g.OutH, ow = g.OutW, kh = g.KernelH, kw = g.KernelW;
        int sh = g.StrideH, sw = g.StrideW, dh = g.DilationH, dw = g.DilationW, pt = g.PadTop, pl = g.PadLeft;
        ref float x0 = ref MemoryMarshal.GetReference(x);
        ref float w0 = ref MemoryMarshal.GetReference(w);
        Span<int> cols = kw <= 64 ? stackalloc int[2 * kw] : new int[2 * kw];
        for (int j = 0; j < kw; j++) Im2Col.ValidRange(j * dw - pl, sw, width, ow, out cols[2 * j], out cols[2 * j + 1]);
        // Stride 2, vectorised: each tap's inputs are gathered into a contiguous row first (Stride2), then one axpy.
        Span<float> gathered = sw == 2 && vectorise ? (ow <= 1024 ? stackalloc float[ow] : new float[ow]) : default;
        for (int oy = 0; oy < oh; oy++)
        {
            var yRow = y.Slice(oy * ow, ow);
            yRow.Clear();
            ref float y0 = ref MemoryMarshal.GetReference(yRow);
            for (int i = 0; i < kh; i++)
            {
                int ih = oy * sh - pt + i * dh;
                if ((uint)ih >= (uint)g.Height) continue;
                for (int j = 0; j < kw; j++)
                {
                    int o0 = cols[2 * j], o1 = cols[2 * j + 1];
                    if (o1 <= o0) continue;
                    float a = Unsafe.Add(ref w0, i * kw + j);
                    int src = ih * width + j * dw - pl; // input index of output column 0 (an index: it may lie before the row)
                    if (sw == 1) Axpy(a, ref Unsafe.Add(ref x0, src + o0), ref Unsafe.Add(ref y0, o0), o1 - o0, vectorise);
                    else if (!gathered.IsEmpty)
                    {
                        int n = o1 - o0;
                        Stride2.Gather(x.Slice(src + 2 * o0, 2 * n - 1), gathered[..n]);
                        Axpy(a, ref MemoryMarshal.GetReference(gathered), ref Unsafe.Add(ref y0, o0), n, vectorise);
                    }
                    else for (int o = o0; o < o1; o++) Unsafe.Add(ref y0, o) = MathF.FusedMultiplyAdd(a, Unsafe.Add(ref x0, src + o * sw), Unsafe.Add(ref y0, o));
                }
            }
            TensorPrimitives.Add(yRow, bias, yRow); // acc + b, as the twin (also for b = 0: −0 + 0 = +0)
        }
    }

    // Stride-1 forward with the output in registers: for a chunk of 16 (or 8) output columns every valid tap is one FMA
    // into the accumulator, which is stored once (+ b) — instead of one axpy sweep over the row per tap, whose loads,
    // stores and call overhead dominated. Columns where every tap lies inside the row ([max o0, min o1) over the taps)
    // run in vectors; the others per element with the invalid taps skipped. Each output still receives its taps in
    // (kh, kw) order from 0, one FMA each, then + b: the twin's bits.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardRegisterBlocked(ReadOnlySpan<float> x, ReadOnlySpan<float> w, float bias, in Conv2dGeometry g, Span<float> y)
    {
        int width = g.Width, oh = g.OutH, ow = g.OutW, kh = g.KernelH, kw = g.KernelW;
        int sh = g.StrideH, dh = g.DilationH, dw = g.DilationW, pt = g.PadTop, pl = g.PadLeft;
        ref float x0 = ref MemoryMarshal.GetReference(x);
        ref float w0 = ref MemoryMarshal.GetReference(w);
        Span<int> cols = kw <= 64 ? stackalloc int[2 * kw] : new int[2 * kw];
        int inner0 = 0, inner1 = ow;
        for (int j = 0; j < kw; j++)
        {
            Im2Col.ValidRange(j * dw - pl, 1, width, ow, out cols[2 * j], out cols[2 * j + 1]);
            inner0 = Math.Max(inner0, cols[2 * j]);
            inner1 = Math.Min(inner1, cols[2 * j + 1]);
        }
        if (inner1 < inner0) inner1 = inner0;
        Span<int> rowStart = kh <= 64 ? stackalloc int[kh] : new int[kh]; // input index of output column 0, per valid tap row
        Span<int> rowTap = kh <= 64 ? stackalloc int[kh] : new int[kh];
        for (int oy = 0; oy < oh; oy++)
        {
            int rows = 0;
            for (int i = 0; i < kh; i++)
            {
                int ih = oy * sh - pt + i * dh;
                if ((uint)ih >= (uint)g.Height) continue;
                rowStart[rows] = ih * width - pl;
                rowTap[rows++] = i;
            }
            ref float yRow = ref MemoryMarshal.GetReference(y.Slice(oy * ow, ow));
            // Vector chunks over [inner0, inner1); the last one is moved back to end at inner1 (it recomputes a few
            // outputs with the same bits), so only the edge columns are left to the scalar loop.
            int o = inner0, lanes = Vector512.IsHardwareAccelerated && inner1 - inner0 >= 16 ? 16 : inner1 - inner0 >= 8 ? 8 : 0;
            if (lanes > 0)
            {
                for (int next = inner0; ; next += lanes)
                {
                    int at = Math.Min(next, inner1 - lanes);
                    if (lanes == 16) Chunk<DepthwiseLanes512, Vector512<float>>(ref x0, ref w0, rowStart, rowTap, rows, kw, dw, at, bias, ref yRow);
                    else Chunk<DepthwiseLanes256, Vector256<float>>(ref x0, ref w0, rowStart, rowTap, rows, kw, dw, at, bias, ref yRow);
                    if (at + lanes >= inner1) break;
                }
                o = inner1;
            }
            for (int c = 0; c < ow; c++)
            {
                if (c == inner0) c = o;
                if (c >= ow) break;
                float acc = 0f;
                for (int r = 0; r < rows; r++)
                {
                    int tap = rowTap[r] * kw;
                    for (int j = 0; j < kw; j++)
                        if (c >= cols[2 * j] && c < cols[2 * j + 1])
                            acc = MathF.FusedMultiplyAdd(Unsafe.Add(ref w0, tap + j), Unsafe.Add(ref x0, rowStart[r] + c + j * dw), acc);
                }
                Unsafe.Add(ref yRow, c) = acc + bias;
            }
        }
    }

    // Outputs [at, at + TLanes.Count) of one row: every valid tap's FMA in (kh, kw) order from 0, then + b
    // (DepthwiseLanes512 or DepthwiseLanes256: the JIT specialises the method per width).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Chunk<TLanes, TV>(ref float x0, ref float w0, ReadOnlySpan<int> rowStart, ReadOnlySpan<int> rowTap, int rows, int kw, int dw,
        int at, float bias, ref float yRow) where TLanes : struct, IDepthwiseLanes<TV> where TV : struct
    {
        var acc = TLanes.Broadcast(0f);
        for (int r = 0; r < rows; r++)
        {
            ref float src = ref Unsafe.Add(ref x0, rowStart[r] + at);
            int tap = rowTap[r] * kw;
            for (int j = 0; j < kw; j++)
                acc = TLanes.Fma(TLanes.Broadcast(Unsafe.Add(ref w0, tap + j)), TLanes.Load(ref src, (nuint)(j * dw)), acc);
        }
        TLanes.Store(TLanes.Add(acc, TLanes.Broadcast(bias)), ref yRow, (nuint)at);
    }

    /// <summary>Input gradient; <paramref name="vectorise"/> = false forces the scalar sweeps (the tests run both).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void InputGradient(ReadOnlySpan<float> dy, ReadOnlySpan<float> w, in Conv2dGeometry g, Span<float> dx, bool accumulate, bool vectorise)
    {
        DepthwiseConvScalar.CheckSpans(dx.Length, w.Length, dy.Length, g);
        int width = g.Width, height = g.Height, oh = g.OutH, ow = g.OutW, kh = g.KernelH, kw = g.KernelW;
        int sh = g.StrideH, sw = g.StrideW, dh = g.DilationH, dw = g.DilationW, pt = g.PadTop, pl = g.PadLeft, plane = height * width;
        float[]? scratch = accumulate ? ArrayPool<float>.Shared.Rent(plane) : null;
        var target = scratch is null ? dx[..plane] : scratch.AsSpan(0, plane);
        target.Clear();
        ref float t0 = ref MemoryMarshal.GetReference(target);
        ref float dy0 = ref MemoryMarshal.GetReference(dy);
        ref float w0 = ref MemoryMarshal.GetReference(w);
        for (int i = 0; i < kh; i++)
        {
            Im2Col.ValidRange(i * dh - pt, sh, height, oh, out int oy0, out int oy1);
            for (int j = 0; j < kw; j++)
            {
                Im2Col.ValidRange(j * dw - pl, sw, width, ow, out int o0, out int o1);
                if (o1 <= o0) continue;
                float a = Unsafe.Add(ref w0, i * kw + j);
                for (int oy = oy0; oy < oy1; oy++)
                {
                    int dst = (oy * sh - pt + i * dh) * width + j * dw - pl; // dx index of output column 0
                    ref float src = ref Unsafe.Add(ref dy0, oy * ow);
                    if (sw == 1) Axpy(a, ref Unsafe.Add(ref src, o0), ref Unsafe.Add(ref t0, dst + o0), o1 - o0, vectorise);
                    else for (int o = o0; o < o1; o++) Unsafe.Add(ref t0, dst + o * sw) = MathF.FusedMultiplyAdd(a, Unsafe.Add(ref src, o), Unsafe.Add(ref t0, dst + o * sw));
                }
            }
        }
        if (scratch is not null)
        {
            TensorPrimitives.Add(dx[..plane], target, dx[..plane]);
            ArrayPool<float>.Shared.Return(scratch);
        }
    }

    /// <summary>Weight gradient; <paramref name="vectorise"/> = false forces scalar dot products (the tests run both).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void WeightGradient(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, in Conv2dGeometry g, Span<float> dwGrad, bool vectorise)
    {
        DepthwiseConvScalar.CheckSpans(x.Length, dwGrad.Length, dy.Length, g);
        int width = g.Width, height = g.Height, oh = g.OutH, ow = g.OutW, kh = g.KernelH, kw = g.KernelW;
        int sh = g.StrideH, sw = g.StrideW, dh = g.DilationH, dw = g.DilationW, pt = g.PadTop, pl = g.PadLeft;
        ref float x0 = ref MemoryMarshal.GetReference(x);
        ref float dy0 = ref MemoryMarshal.GetReference(dy);
        for (int i = 0; i < kh; i++)
        {
            Im2Col.ValidRange(i * dh - pt, sh, height, oh, out int oy0, out int oy1);
            for (int j = 0; j < kw; j++)
            {
                Im2Col.ValidRange(j * dw - pl, sw, width, ow, out int o0, out int o1);
                float sum = 0;
                for (int oy = oy0; oy < oy1 && o1 > o0; oy++)
                {
                    int src = (oy * sh - pt + i * dh) * width + j * dw - pl; // input index of output column 0
                    ref float dyRow = ref Unsafe.Add(ref dy0, oy * ow);
                    sum += sw == 1
                        ? Dot(ref Unsafe.Add(ref dyRow, o0), ref Unsafe.Add(ref x0, src + o0), o1 - o0, vectorise)
                        : DotStrided(ref Unsafe.Add(ref dyRow, o0), ref Unsafe.Add(ref x0, src + o0 * sw), sw, o1 - o0);
                }
                dwGrad[i * kw + j] += sum;
            }
        }
    }

    // y[i] = fma(a, x[i], y[i]) for i < n: the per-element rounding of the scalar twin, in vectors when allowed.
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Axpy(float a, ref float x, ref float y, int n, bool vectorise)
    {
        int i = 0;
        if (vectorise)
        {
            if (Vector512.IsHardwareAccelerated && n >= 16)
            {
                var va = Vector512.Create(a);
                for (; i + 16 <= n; i += 16)
                    Vector512.FusedMultiplyAdd(va, Vector512.LoadUnsafe(ref x, (nuint)i), Vector512.LoadUnsafe(ref y, (nuint)i)).StoreUnsafe(ref y, (nuint)i);
            }
            if (Vector256.IsHardwareAccelerated && i + 8 <= n)
            {
                var va = Vector256.Create(a);
                for (; i + 8 <= n; i += 8)
                    Vector256.FusedMultiplyAdd(va, Vector256.LoadUnsafe(ref x, (nuint)i), Vector256.LoadUnsafe(ref y, (nuint)i)).StoreUnsafe(ref y, (nuint)i);
            }
            if (Vector128.IsHardwareAccelerated && i + 4 <= n)
            {
                var va = Vector128.Create(a);
                for (; i + 4 <= n; i += 4)
                    Vector128.FusedMultiplyAdd(va, Vector128.LoadUnsafe(ref x, (nuint)i), Vector128.LoadUnsafe(ref y, (nuint)i)).StoreUnsafe(ref y, (nuint)i);
            }
        }
        for (; i < n; i++) Unsafe.Add(ref y, i) = MathF.FusedMultiplyAdd(a, Unsafe.Add(ref x, i), Unsafe.Add(ref y, i));
    }

    // Σ a[i]·b[i] for i < n with independent partial sums (vector lanes when allowed; four scalar sums otherwise).
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Dot(ref float a, ref float b, int n, bool vectorise)
    {
        int i = 0;
        float sum = 0;
        if (vectorise && Vector256.IsHardwareAccelerated && n >= 8)
        {
            Vector256<float> s0 = Vector256<float>.Zero, s1 = Vector256<float>.Zero;
            for (; i + 16 <= n; i += 16)
            {
                s0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref a, (nuint)i), Vector256.LoadUnsafe(ref b, (nuint)i), s0);
                s1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref a, (nuint)(i + 8)), Vector256.LoadUnsafe(ref b, (nuint)(i + 8)), s1);
            }
            if (i + 8 <= n)
            {
                s0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref a, (nuint)i), Vector256.LoadUnsafe(ref b, (nuint)i), s0);
                i += 8;
            }
            sum = Vector256.Sum(s0 + s1);
        }
        else if (vectorise && Vector128.IsHardwareAccelerated && n >= 4)
        {
            var s0 = Vector128<float>.Zero;
            for (; i + 4 <= n; i += 4)
                s0 = Vector128.FusedMultiplyAdd(Vector128.LoadUnsafe(ref a, (nuint)i), Vector128.LoadUnsafe(ref b, (nuint)i), s0);
            sum = Vector128.Sum(s0);
        }
        return sum + DotStrided(ref Unsafe.Add(ref a, i), ref Unsafe.Add(ref b, i), 1, n - i);
    }

    // Σ a[i]·b[i·stride] for i < n, four interleaved partial sums.
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static float DotStrided(ref float a, ref float b, int stride, int n)
    {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (; i + 4 <= n; i += 4)
        {
            s0 = MathF.FusedMultiplyAdd(Unsafe.Add(ref a, i), Unsafe.Add(ref b, i * stride), s0);
            s1 = MathF.FusedMultiplyAdd(Unsafe.Add(ref a, i + 1), Unsafe.Add(ref b, (i + 1) * stride), s1);
            s2 = MathF.FusedMultiplyAdd(Unsafe.Add(ref a, i + 2), Unsafe.Add(ref b, (i + 2) * stride), s2);
            s3 = MathF.FusedMultiplyAdd(Unsafe.Add(ref a, i + 3), Unsafe.Add(ref b, (i + 3) * stride), s3);
        }
        for (; i < n; i++) s0 = MathF.FusedMultiplyAdd(Unsafe.Add(ref a, i), Unsafe.Add(ref b, i * stride), s0);
        return (s0 + s1) + (s2 + s3);
    }
}
