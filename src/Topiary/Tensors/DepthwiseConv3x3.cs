// DepthwiseConv3x3: the inference forward of a 3×3 depthwise convolution (MobileNet's groups = C layers), stride 1
// or 2 on both axes, no dilation, any padding, with the layer's epilogue fused into the store:
//   y[p, oh, ow] = min(max(b + Σ_{kh,kw} w[kh, kw] · x[p/M, oh·S − PT + kh, ow·S − PL + kw]  (+ r[p, oh, ow]), lo), hi)
// over output planes p (sample n, channel o: p = n·OC + o, input plane p/M with M = OC/C output channels per input
// channel, or n·C + source[o] when a channel map is given: a channel shuffle read through), the residual r optional,
// lo/hi the clamp (−∞/+∞ when none; ReLU6 is [0, 6]).
// Algorithm, per plane:
//   1. Copy the input plane into a zero-padded scratch plane (thread-static, pinned, rows 64-byte aligned; its zero
//      borders are cleared only when the layout changes, the interior is overwritten per plane), so the kernel has no
//      edge cases:
//        stride 1  padded row r = input row r − PT, column c = input column c − PL; a row is ≥ max(OW, L) + 2 wide.
//        stride 2  each padded row is stored deinterleaved, even padded columns E then odd ones O (a two-vector
//                  permute per 2L inputs), so output column o's taps (2o, 2o + 1, 2o + 2) are E[o], O[o], E[o + 1].
//   2. Output rows in blocks of four rows × two chunks of L columns (L = lanes: 16, 8, 4 or 1; a leftover chunk alone,
//      leftover rows one at a time): every padded row the block reads is loaded once per chunk at its three column
//      offsets (stride 1 on AVX-512: two aligned loads and two lane shifts) and fed to every output row it reaches —
//      stride 1: six padded rows for four output rows, stride 2: nine — tap by tap across the eight accumulators.
//      A row's last chunk is moved back to end at OW (it recomputes a few outputs, same bits); rows narrower than L
//      store a whole vector that runs into the following rows (rewritten after), except where the store would pass
//      the last plane of the call: those go through a small buffer.
//   3. Store: acc + b (+ r), max lo, min hi — the operations Conv2d's epilogue applies to a stored output.
// Narrow stride-1 "same" planes (rows of at most one vector) skip the padded copy and run flat: DepthwiseConv3x3.Flat.cs.
// Every output receives its taps in (kh, kw) order, one FMA each from +0, then + b: DepthwiseConvScalar's sequence,
// except that taps in the padding multiply a stored 0 instead of being skipped. For finite weights that leaves the
// bits unchanged (fma(w, 0, a) = a), with one exception: a sum that underflowed to −0 becomes +0 — equal after + b
// unless b is −0 too. So results equal DepthwiseConvScalar + the epilogue bit for bit at every lane width (the scalar
// lanes are the twin), and no result depends on how planes are split across threads.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Topiary.Tensors;

/// <summary>3×3 depthwise forward (stride 1 or 2) with a fused bias, residual and clamp (oracle: <see cref="DepthwiseConvScalar"/>).</summary>
internal static partial class DepthwiseConv3x3
{
    /// <summary>Lane widths; Best is the widest the hardware accelerates (tests force the others).</summary>
    internal enum Lanes { Best, V512, V256, V128, Scalar }

    /// <summary>True for a 3×3 kernel, no dilation, stride 1 or 2 on both axes.</summary>
    public static bool Supports(in Conv2dGeometry g) =>
        g.KernelH == 3 && g.KernelW == 3 && g.DilationH == 1 && g.DilationW == 1 && g.StrideH == g.StrideW && g.StrideH is 1 or 2;

    /// <summary>
    /// Output planes [<paramref name="plane0"/>, <paramref name="plane1"/>) of y [N, OC, OH, OW] from x [N, C, H, W]
    /// (C = g.Channels, OC = C·<paramref name="multiplier"/>), weights [OC, 1, 3, 3], bias [OC] or null, residual as y
    /// or null, then clamped to [<paramref name="min"/>, <paramref name="max"/>] (see the file header). With
    /// <paramref name="source"/> (length OC, values below C), output channel o reads input channel source[o] in place of
    /// o / multiplier: a channel shuffle before the layer, read through.
    /// </summary>
    /// <exception cref="ArgumentException">The geometry is not supported, an array is too short or the map is not one.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(float[] x, float[] w, float[]? bias, int multiplier, in Conv2dGeometry g, float[] y, float[]? residual,
        float min, float max, int plane0, int plane1, int[]? source = null) =>
        Forward(x, w, bias, multiplier, g, y, residual, min, max, plane0, plane1, Lanes.Best, source: source);

    /// <summary>As the public overload with a forced lane width (tests run them all); <paramref name="flat"/> false sends
    /// even narrow planes through the padded plane (the benchmark's baseline).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Forward(float[] x, float[] w, float[]? bias, int multiplier, in Conv2dGeometry g, float[] y, float[]? residual,
        float min, float max, int plane0, int plane1, Lanes lanes, bool flat = true, int[]? source = null)
    {
        if (!Supports(g)) throw new ArgumentException($"DepthwiseConv3x3 needs a 3x3 kernel, no dilation, stride 1 or 2; got {g}.");
        ArgumentOutOfRangeException.ThrowIfLessThan(multiplier, 1);
        int c = g.Channels, oc = c * multiplier, inPlane = g.Height * g.Width, outPlane = g.OutH * g.OutW;
        if (source is not null && !IsChannelMap(source, oc, c))
            throw new ArgumentException($"DepthwiseConv3x3: the source channels must be {oc} values below {c}.", nameof(source));
        // The last input plane a range reads: its last sample's last channel with a map, else plane (plane1 − 1) / M.
        long inputEnd = source is null ? (long)(plane1 - 1) / multiplier * inPlane + inPlane : (long)((plane1 - 1) / oc + 1) * c * inPlane;
        if (plane0 < 0 || plane1 < plane0 || (long)plane1 * outPlane > y.Length || inputEnd > x.Length && plane1 > plane0
            || w.Length < oc * 9 || bias is not null && bias.Length < oc || residual is not null && residual.Length < (long)plane1 * outPlane)
            throw new ArgumentException($"DepthwiseConv3x3: planes [{plane0}, {plane1}) of {g} do not fit the arrays given.");
        if (plane1 == plane0) return;
        if (lanes == Lanes.Best)
            lanes = Vector512.IsHardwareAccelerated ? Lanes.V512 : Vector256.IsHardwareAccelerated ? Lanes.V256
                : Vector128.IsHardwareAccelerated ? Lanes.V128 : Lanes.Scalar;
        var job = new Job(x, w, bias, multiplier, oc, y, residual, min, max, source);
        switch (lanes)
        {
            case Lanes.V512: Dispatch<DepthwiseLanes512, Vector512<float>>(job, g, plane0, plane1, flat); break;
            case Lanes.V256: Dispatch<DepthwiseLanes256, Vector256<float>>(job, g, plane0, plane1, flat); break;
            case Lanes.V128: Dispatch<DepthwiseLanes128, Vector128<float>>(job, g, plane0, plane1, flat); break;
            default: Run<DepthwiseLanesScalar, float>(job, g, plane0, plane1); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool IsChannelMap(int[] source, int length, int channels)
    {
        if (source.Length != length) return false;
        foreach (int s in source)
            if ((uint)s >= (uint)channels) return false;
        return true;
    }

    // Narrow stride-1 "same" planes flat (DepthwiseConv3x3.Flat.cs), the rest through the padded plane.
    private static void Dispatch<TL, TV>(in Job job, in Conv2dGeometry g, int plane0, int plane1, bool flat)
        where TL : struct, IDepthwiseLanes<TV> where TV : struct
    {
        if (flat && Flat(g, TL.Count)) RunFlat<TL, TV>(job, g, plane0, plane1);
        else Run<TL, TV>(job, g, plane0, plane1);
    }

    private readonly record struct Job(float[] X, float[] W, float[]? Bias, int Multiplier, int OutChannels, float[] Y, float[]? Residual,
        float Min, float Max, int[]? Source)
    {
        // The input plane output plane p (sample p / OC, channel p % OC) reads.
        public int InputPlane(int p) => Source is null ? p / Multiplier : p / OutChannels * (OutChannels / Multiplier) + Source[p % OutChannels];
    }

    // Where the padded plane lives in the scratch: RowStride floats per padded row, Rows rows; a triple of loads for
    // output column a of padded row r reads r·RowStride + a, + Offset1, + Offset2 (stride 2: Half = the E/O split).
    private readonly record struct Layout(int Height, int Width, int PadTop, int PadLeft, int Stride, int OutH, int OutW, int Lanes,
        int RowStride, int Rows, int Offset1, int Offset2, int Half)
    {
        public static Layout Of(in Conv2dGeometry g, int lanes)
        {
            int s = g.StrideH, covered = Math.Max(g.OutW, lanes), rows = (g.OutH - 1) * s + 3;
            if (s == 1)
            {
                // A row copy writes whole vectors, zero past the row.
                int p = Math.Max(RoundUp(covered + 2, lanes), g.PadLeft + RoundUp(g.Width, lanes));
                return new(g.Height, g.Width, g.PadTop, g.PadLeft, s, g.OutH, g.OutW, lanes, p, rows, 1, 2, 0);
            }
            // E[0, q) then O[0, q) per row; the deinterleaved input (whole vectors) lands at most PL/2 + 1 further on.
            int q = Math.Max(RoundUp(covered + 1, lanes), RoundUp(g.PadLeft / 2 + 1 + RoundUp((g.Width + 1) / 2, lanes), lanes));
            return new(g.Height, g.Width, g.PadTop, g.PadLeft, s, g.OutH, g.OutW, lanes, 2 * q, rows, q, 1, q);
        }

        public long Length => (long)RowStride * Rows + 2 * Lanes; // Load3 may read a vector past the last row

        private static int RoundUp(int v, int m) => (v + m - 1) / m * m;
    }

    [ThreadStatic] private static float[]? t_padded;
    [ThreadStatic] private static int t_base;
    [ThreadStatic] private static Layout t_layout;

    /// <summary>Float offset of the padded plane in the scratch array: its rows start on 64-byte boundaries (when the
    /// row stride is a multiple of 16), so a chunk's first load never straddles two cache lines.</summary>
    private const int Alignment = 16;

    // The calling thread's padded plane for this layout (from index t_base of the pinned array), zero wherever the fill
    // does not write.
    private static float[] Scratch(in Layout layout)
    {
        long length = layout.Length;
        var buffer = t_padded;
        if (buffer is null || buffer.Length < length + Alignment)
        {
            if (length + Alignment > Array.MaxLength) throw new ArgumentException($"DepthwiseConv3x3: a padded plane of {length} values is too large.");
            buffer = t_padded = GC.AllocateArray<float>((int)(length + Alignment), pinned: true);
            unsafe
            {
                long address = (long)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(buffer));
                t_base = (int)((64 - address % 64) % 64 / sizeof(float));
            }
            t_layout = layout;
            return buffer;
        }
        if (t_layout != layout)
        {
            Array.Clear(buffer, t_base, (int)length);
            t_layout = layout;
        }
        return buffer;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Run<TL, TV>(in Job job, in Conv2dGeometry g, int plane0, int plane1)
        where TL : struct, IDepthwiseLanes<TV> where TV : struct
    {
        var layout = Layout.Of(g, TL.Count);
        float[] padded = Scratch(layout);
        int inPlane = g.Height * g.Width, outPlane = g.OutH * g.OutW;
        Span<float> spill = stackalloc float[16];
        for (int p = plane0; p < plane1; p++)
        {
            Fill<TL, TV>(job.X, job.InputPlane(p) * inPlane, layout, padded);
            // The next input plane is asked for while this one is computed: in a network it was written a layer ago
            // and has left L2; copying it in was bound by the wait for each line (a stride-2 layer ran at 1.8x its
            // warm time).
            if (p + 1 < plane1 && job.InputPlane(p + 1) != job.InputPlane(p)) PrefetchPlane(job.X, job.InputPlane(p + 1) * inPlane, inPlane);
            if (p + 1 < plane1) PrefetchPlane(job.Y, (p + 1) * outPlane, outPlane);
            int o = p % job.OutChannels;
            // Stores may run into the following planes of this range (written after), not past plane1.
            Plane<TL, TV>(padded, layout, job.W.AsSpan(o * 9, 9), job.Bias is null ? 0f : job.Bias[o], job, p * outPlane,
                (plane1 - p) * outPlane, spill);
        }
    }

    private static unsafe void PrefetchPlane(float[] x, int offset, int length)
    {
        fixed (float* p = &x[offset]) Prefetch.Run(p, length);
    }

    // The interior of the padded plane from the input plane at x[offset ..] (the zero borders are left as they are).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Fill<TL, TV>(float[] x, int offset, in Layout l, float[] padded)
        where TL : struct, IDepthwiseLanes<TV> where TV : struct
    {
        int h = l.Height, w = l.Width, lanes = TL.Count;
        ref float pad = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(padded), t_base);
        // Stride 2: padded column c = input column c − PL, E[k] = padded[2k], O[k] = padded[2k + 1]. The input's even
        // columns x[2j] and odd ones x[2j + 1] go to E and O from j + PL/2 (PL even) or to O from j + PL/2 and E from
        // j + PL/2 + 1 (PL odd).
        int m = l.PadLeft / 2, q = l.Half;
        bool odd = (l.PadLeft & 1) != 0;
        int toEven = odd ? q + m : m, toOdd = odd ? m + 1 : q + m;
        for (int r = 0; r < l.Rows; r++)
        {
            int ih = r - l.PadTop;
            if ((uint)ih >= (uint)h) continue;
            int from = offset + ih * w;
            ref float row = ref Unsafe.Add(ref pad, r * l.RowStride);
            if (l.Stride == 1)
            {
                CopyRow<TL, TV>(x, from, w, ref Unsafe.Add(ref row, l.PadLeft));
                continue;
            }
            ref float src = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(x), from);
            for (int j = 0; 2 * j < w; j += lanes)
            {
                int n = w - 2 * j; // inputs left in this block of 2·L
                TV lo, hi;
                if (n >= 2 * lanes)
                {
                    lo = TL.Load(ref src, (nuint)(2 * j));
                    hi = TL.Load(ref src, (nuint)(2 * j + lanes));
                }
                else if (from + 2 * j + 2 * lanes <= x.Length)
                {
                    lo = TL.KeepFirst(TL.Load(ref src, (nuint)(2 * j)), n);
                    hi = TL.KeepFirst(TL.Load(ref src, (nuint)(2 * j + lanes)), n - lanes);
                }
                else
                {
                    // At the end of x: element by element (the cells past the row stay 0).
                    for (int t = 0; t < n; t++)
                        Unsafe.Add(ref row, ((t & 1) == 0 ? toEven : toOdd) + j + t / 2) = Unsafe.Add(ref src, 2 * j + t);
                    break;
                }
                TL.Deinterleave(lo, hi, out TV even, out TV oddValues);
                TL.Store(even, ref row, (nuint)(toEven + j));
                TL.Store(oddValues, ref row, (nuint)(toOdd + j));
            }
        }
    }

    // dst[0, n) = x[from, from + n) in whole vectors; the last one's lanes past n are written as 0.
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static void CopyRow<TL, TV>(float[] x, int from, int n, ref float dst)
        where TL : struct, IDepthwiseLanes<TV> where TV : struct
    {
        int lanes = TL.Count, i = 0;
        ref float src = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(x), from);
        for (; i + lanes <= n; i += lanes) TL.Store(TL.Load(ref src, (nuint)i), ref dst, (nuint)i);
        if (i == n) return;
        if (from + i + lanes <= x.Length)
        {
            TL.Store(TL.KeepFirst(TL.Load(ref src, (nuint)i), n - i), ref dst, (nuint)i);
            return;
        }
        for (; i < n; i++) Unsafe.Add(ref dst, i) = Unsafe.Add(ref src, i); // at the end of x: the rest stays 0
    }

    // One output plane from the padded plane: bands of four rows, then single rows.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Plane<TL, TV>(float[] padded, in Layout l, ReadOnlySpan<float> w, float bias, in Job job, int yOffset, int room,
        Span<float> spill)
        where TL : struct, IDepthwiseLanes<TV> where TV : struct
    {
        ref float src = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(padded), t_base);
        var k = new Taps<TL, TV>(w, bias, job.Min, job.Max);
        var output = new Output(job.Y, yOffset, job.Residual, l.OutW, room, spill);
        int oh = l.OutH, lanes = TL.Count, covered = Math.Max(l.OutW, lanes), chunks = (covered + lanes - 1) / lanes, oy = 0;
        // Chunk i starts at min(i·L, covered − L): the last one is moved back to end at max(OW, L).
        if (l.Stride == 1)
        {
            for (; oy + 4 <= oh; oy += 4)
            {
                int i = 0;
                for (; i + 2 <= chunks; i += 2)
                    Block4x2Stride1<TL, TV>(ref src, l, k, output, oy, i * lanes, Math.Min((i + 1) * lanes, covered - lanes));
                if (i < chunks) Block4x1Stride1<TL, TV>(ref src, l, k, output, oy, covered - lanes);
            }
            for (; oy < oh; oy++)
                for (int i = 0; i < chunks; i++) Block1x1Stride1<TL, TV>(ref src, l, k, output, oy, Math.Min(i * lanes, covered - lanes));
        }
        else
        {
            for (; oy + 4 <= oh; oy += 4)
            {
                int i = 0;
                for (; i + 2 <= chunks; i += 2)
                    Block4x2Stride2<TL, TV>(ref src, l, k, output, oy, i * lanes, Math.Min((i + 1) * lanes, covered - lanes));
                if (i < chunks) Block4x1Stride2<TL, TV>(ref src, l, k, output, oy, covered - lanes);
            }
            for (; oy < oh; oy++)
                for (int i = 0; i < chunks; i++) Block1x1Stride2<TL, TV>(ref src, l, k, output, oy, Math.Min(i * lanes, covered - lanes));
        }
    }

    // The nine weights, bias and clamp as vectors.
    private readonly ref struct Taps<TL, TV> where TL : struct, IDepthwiseLanes<TV> where TV : struct
    {
        public readonly TV W00, W01, W02, W10, W11, W12, W20, W21, W22, Bias, Lo, Hi;
        public readonly float B, Min, Max;

        // How the clamp runs: 0 none (−∞, +∞); 1 a ReLU-like [+0, hi] with hi not 0 or NaN — maxNative(+0, v) + 0 then
        // minNative(hi, ·), the IEEE results in three instructions (NaN is the second operand, so it passes; + 0 turns
        // −0 into +0); 2 anything else, through the IEEE max and min.
        public readonly int Clamp;

        public Taps(ReadOnlySpan<float> w, float bias, float min, float max)
        {
            W00 = Broadcast(w[0]); W01 = Broadcast(w[1]); W02 = Broadcast(w[2]);
            W10 = Broadcast(w[3]); W11 = Broadcast(w[4]); W12 = Broadcast(w[5]);
            W20 = Broadcast(w[6]); W21 = Broadcast(w[7]); W22 = Broadcast(w[8]);
            Bias = Broadcast(bias); Lo = Broadcast(min); Hi = Broadcast(max);
            B = bias; Min = min; Max = max;
            Clamp = min == float.NegativeInfinity && max == float.PositiveInfinity ? 0
                : BitConverter.SingleToInt32Bits(min) == 0 && !float.IsNaN(max) && max != 0 ? 1 : 2;
        }

        private static TV Broadcast(float v) => TL.Broadcast(v);
    }

    // Where a plane's outputs go: y (and the residual) from Offset, rows of Width floats; Length floats from Offset may
    // be written (this plane and the following ones of the range).
    private readonly ref struct Output(float[] y, int offset, float[]? residual, int width, int length, Span<float> spill)
    {
        public readonly float[] Y = y;
        public readonly int Offset = offset, Width = width, Length = length;
        public readonly float[]? Residual = residual;
        public readonly Span<float> Spill = spill;
    }

    // The blocks below (generated: R output rows × C chunks of L columns, stride S) load every padded row they read once
    // per chunk at its three column offsets and feed it to every output row it reaches — padded row i of the block is
    // kernel row i − S·j of output row j — tap by tap across all R·C accumulators, so neighbouring FMAs are independent;
    // each accumulator still receives its taps in (kh, kw) order from +0.

    private static void Block4x1Stride1<TL, TV>(ref float src, in Layout l, in Taps<TL, TV> k, in Output output, int oy, int at0)
        where TL : struct, IDepthwiseLanes<TV> where TV : struct
    {
        int rs = l.RowStride;
        nuint o1 = (nuint)l.Offset1, o2 = (nuint)l.Offset2;
        TV w00 = k.W00, w01 = k.W01, w02 = k.W02, w10 = k.W10, w11 = k.W11, w12 = k.W12, w20 = k.W20, w21 = k.W21, w22 = k.W22;
        ref float r0 = ref Unsafe.Add(ref src, 1 * oy * rs + at0);
        TV acc00, acc10, acc20, acc30;
        TV a0, b0, c0;
        TL.Load3(ref r0, 0, out a0, out b0, out c0);
        acc00 = TL.Fma(w00, a0, default);
        acc00 = TL.Fma(w01, b0, acc00);
        acc00 = TL.Fma(w02, c0, acc00);
        r0 = ref Unsafe.Add(ref r0, rs);
        TL.Load3(ref r0, 0, out a0, out b0, out c0);
        acc00 = TL.Fma(w10, a0, acc00);
        acc10 = TL.Fma(w00, a0, default);
        acc00 = TL.Fma(w11, b0, acc00);
        acc10 = TL.Fma(w01, b0, acc10);
        acc00 = TL.Fma(w12, c0, acc00);
        acc10 = TL.Fma(w02, c0, acc10);
        r0 = ref Unsafe.Add(ref r0, rs);
        TL.Load3(ref r0, 0, out a0, out b0, out c0);
        acc00 = TL.Fma(w20, a0, acc00);
        acc10 = TL.Fma(w10, a0, acc10);
        acc20 = TL.Fma(w00, a0, default);
        acc00 = TL.Fma(w21, b0, acc00);
        acc10 = TL.Fma(w11, b0, acc10);
        acc20 = TL.Fma(w01, b0, acc20);
        acc00 = TL.Fma(w22, c0, acc00);
        acc10 = TL.Fma(w12, c0, acc10);
        acc20 = TL.Fma(w02, c0, acc20);
        r0 = ref Unsafe.Add(ref r0, rs);
        TL.Load3(ref r0, 0, out a0, out b0, out c0);
        acc10 = TL.Fma(w20, a0, acc10);
        acc20 = TL.Fma(w10, a0, acc20);
        acc30 = TL.Fma(w00, a0, default);
        acc10 = TL.Fma(w21, b0, acc10);
        acc20 = TL.Fma(w11, b0, acc20);
        acc30 = TL.Fma(w01, b0, acc30);
        acc10 = TL.Fma(w22, c0, acc10);
        acc20 = TL.Fma(w12, c0, acc20);
        acc30 = TL.Fma(w02, c0, acc30);
        r0 = ref Unsafe.Add(ref r0, rs);
        TL.Load3(ref r0, 0, out a0, out b0, out c0);
        acc20 = TL.Fma(w20, a0, acc20);
        acc30 = TL.Fma(w10, a0, acc30);
        acc20 = TL.Fma(w21, b0, acc20);
        acc30 = TL.Fma(w11, b0, acc30);
        acc20 = TL.Fma(w22, c0, acc20);
        acc30 = TL.Fma(w12, c0, acc30);
        r0 = ref Unsafe.Add(ref r0, rs);
        TL.Load3(ref r0, 0, out a0, out b0, out c0);
        acc30 = TL.Fma(w20, a0, acc30);
        acc30 = TL.Fma(w21, b0, acc30);
        acc30 = TL.Fma(w22, c0, acc30);
        Store<TL, TV>(acc00, k, output, oy + 0, at0);
        Store<TL, TV>(acc10, k, output, oy + 1, at0);
        Store<TL, TV>(acc20, k, output, oy + 2, at0);
        Store<TL, TV>(acc30, k, output, oy + 3, at0);
    }

    private static void Block4x2Stride1<TL, TV>(ref float src, in Layout l, in Taps<TL, TV> k, in Output output, int oy, int at0, int at1)
        where TL : struct, IDepthwiseLanes<TV> where TV : struct
    {
        int rs = l.RowStride;
        nuint o1 = (nuint)l.Offset1, o2 = (nuint)l.Offset2;
        TV w00 = k.W00, w01 = k.W01, w02 = k.W02, w10 = k.W10, w11 = k.W11, w12 = k.W12, w20 = k.W20, w21 = k.W21, w22 = k.W22;
        ref float r0 = ref Unsafe.Add(ref src, 1 * oy * rs + at0);
        ref float r1 = ref Unsafe.Add(ref src, 1 * oy * rs + at1);
        TV acc00, acc01, acc10, acc11, acc20, acc21, acc30, acc31;
        TV a0, b0, c0, a1, b1, c1;
        TL.Load3(ref r0, 0, out a0, out b0, out c0);
        TL.Load3(ref r1, 0, out a1, out b1, out c1);
        acc00 = TL.Fma(w00, a0, default);
        acc01 = TL.Fma(w00, a1, default);
        acc00 = TL.Fma(w01, b0, acc00);
        acc01 = TL.Fma(w01, b1, acc01);
        acc00 = TL.Fma(w02, c0, acc00);
        acc01 = TL.Fma(w02, c1, acc01);
        r0 = ref Unsafe.Add(ref r0, rs);
        r1 = ref Unsafe.Add(ref r1, rs);
        TL.Load3(ref r0, 0, out a0, out b0, out c0);
        TL.Load3(ref r1, 0, out a1, out b1, out c1);
        acc00 = TL.Fma(w10, a0, acc00);
        acc01 = TL.Fma(w10, a1, acc01);
        acc10 = TL.Fma(w00, a0, default);
        acc11 = TL.Fma(w00, a1, default);
        acc00 = TL.Fma(w11, b0, acc00);
        acc01 = TL.Fma(w11, b1, acc01);
        acc10 = TL.Fma(w01, b0, acc10);
        acc11 = TL.Fma(w01, b1, acc11);
        acc00 = TL.Fma(w12, c0, acc00);
        acc01 = TL.Fma(w12, c1, acc01);
        acc10 = TL.Fma(w02, c0, acc10);
        acc11 = TL.Fma(w02, c1, acc11);
        r0 = ref Unsafe.Add(ref r0, rs);
        r1 = ref Unsafe.Add(ref r1, rs);
        TL.Load3(ref r0, 0, out a0, out b0, out c0);
        TL.Load3(ref r1, 0, out a1, out b1, out c1);
        acc00 = TL.Fma(w20, a0, acc00);
        acc01 = TL.Fma(w20, a1, acc01);
        acc10 = TL.Fma(w10, a0, acc10);
        acc11 = TL.Fma(w10, a1, acc11);
        acc20 = TL.Fma(w00, a0, default);
        acc21 = TL.Fma(w00, a1, default);
        acc00 = TL.Fma(w21, b0, acc00);
        acc01 = TL.Fma(w21, b1, acc01);
        acc10 = TL.Fma(w11, b0, acc10);
        acc11 = TL.Fma(w11, b1, acc11);
        acc20 = TL.Fma(w01, b0, acc20);
        acc21 = TL.Fma(w01, b1, acc21);
        acc00 = TL.Fma(w22, c0, acc00);
        acc01 = TL.Fma(w22, c1, acc01);
        acc10 = TL.Fma(w12, c0, acc10);
        acc11 = TL.Fma(w12, c1, acc11);
        acc20 = TL.Fma(w02, c0, acc20);
        acc21 = TL.Fma(w02, c1, acc21);
        r0 = ref Unsafe.Add(ref r0, rs);
        r1 = ref Unsafe.Add(ref r1, rs);
        TL.Load3(ref r0, 0, out a0, out b0, out c0);
        TL.Load3(ref r1, 0, out a1, out b1, out c1);
        acc10 = TL.Fma(w20, a0, acc10);
        acc11 = TL.Fma(w20, a1, acc11);
        acc20 = TL.Fma(w10, a0, acc20);
        acc21 = TL.Fma(w10, a1, acc21);
        acc30 = TL.Fma(w00, a0, default);
        acc31 = TL.Fma(w00, a1, default);
        acc10 = TL.Fma(w21, b0, acc10);
        acc11 = TL.Fma(w21, b1, acc11);
        acc20 = TL.Fma(w11, b0, acc20);
        acc21 = TL.Fma(w11, b1, acc21);
        acc30 = TL.Fma(w01, b0, acc30);
        acc31 = TL.Fma(w01, b1, acc31);
        acc10 = TL.Fma(w22, c0, acc10);
        acc11 = TL.Fma(w22, c1, acc11);
        acc20 = TL.Fma(w12, c0, acc20);
        acc21 = TL.Fma(w12, c1, acc21);
        acc30 = TL.Fma(w02, c0, acc30);
        acc31 = TL.Fma(w02, c1, acc31);
        r0 = ref Unsafe.Add(ref r0, rs);
        r1 = ref Unsafe.Add(ref r1, rs);
        TL.Load3(ref r0, 0, out a0, out b0, out c0);
        TL.Load3(ref r1, 0, out a1, out b1, out c1);
        acc20 = TL.Fma(w20, a0, acc20);
        acc21 = TL.Fma(w20, a1, acc21);
        acc30 = TL.Fma(w10, a0, acc30);
        acc31 = TL.Fma(w10, a1, acc31);
        acc20 = TL.Fma(w21, b0, acc20);
        acc21 = TL.Fma(w21, b1, acc21);
        acc30 = TL.Fma(w11, b0, acc30);
        acc31 = TL.Fma(w11, b1, acc31);
        acc20 = TL.Fma(w22, c0, acc20);
        acc21 = TL.Fma(w22, c1, acc21);
        acc30 = TL.Fma(w12, c0, acc30);
        acc31 = TL.Fma(w12, c1, acc31);
        r0 = ref Unsafe.Add(ref r0, rs);
        r1 = ref Unsafe.Add(ref r1, rs);
        TL.Load3(ref r0, 0, out a0, out b0, out c0);
        TL.Load3(ref r1, 0, out a1, out b1, out c1);
        acc30 = TL.Fma(w20, a0, acc30);
        acc31 = TL.Fma(w20, a1, acc31);
        acc30 = TL.Fma(w21, b0, acc30);
        acc31 = TL.Fma(w21, b1, acc31);
        acc30 = TL.Fma(w22, c0, acc30);
        acc31 = TL.Fma(w22, c1, acc31);
        Store<TL, TV>(acc00, k, output, oy + 0, at0);
        Store<TL, TV>(acc01, k, output, oy + 0, at1);
        Store<TL, TV>(acc10, k, output, oy + 1, at0);
        Store<TL, TV>(acc11, k, output, oy + 1, at1);
        Store<TL, TV>(acc20, k, output, oy + 2, at0);
        Store<TL, TV>(acc21, k, output, oy + 2, at1);
        Store<TL, TV>(acc30, k, output, oy + 3, at0);
        Store<TL, TV>(acc31, k, output, oy + 3, at1);
    }

    private static void Block1x1Stride1<TL, TV>(ref float src, in Layout l, in Taps<TL, TV> k, in Output output, int oy, int at0)
        where TL : struct, IDepthwiseLanes<TV> where TV : struct
    {
        int rs = l.RowStride;
        nuint o1 = (nuint)l.Offset1, o2 = (nuint)l.Offset2;
        TV w00 = k.W00, w01 = k.W01, w02 = k.W02, w10 = k.W10, w11 = k.W11, w12 = k.W12, w20 = k.W20, w21 = k.W21, w22 = k.W22;
        ref float r0 = ref Unsafe.Add(ref src, 1 * oy * rs + at0);
        TV acc00;
        TV a0, b0, c0;
        TL.Load3(ref r0, 0, out a0, out b0, out c0);
        acc00 = TL.Fma(w00, a0, default);
        acc00 = TL.Fma(w01, b0, acc00);
        acc00 = TL.Fma(w02, c0, acc00);
        r0 = ref Unsafe.Add(ref r0, rs);
        TL.Load3(ref r0, 0, out a0, out b0, out c0);
        acc00 = TL.Fma(w10, a0, acc00);
        acc00 = TL.Fma(w11, b0, acc00);
        acc00 = TL.Fma(w12, c0, acc00);
        r0 = ref Unsafe.Add(ref r0, rs);
        TL.Load3(ref r0, 0, out a0, out b0, out c0);
        acc00 = TL.Fma(w20, a0, acc00);
        acc00 = TL.Fma(w21, b0, acc00);
        acc00 = TL.Fma(w22, c0, acc00);
        Store<TL, TV>(acc00, k, output, oy + 0, at0);
    }

    private static void Block4x1Stride2<TL, TV>(ref float src, in Layout l, in Taps<TL, TV> k, in Output output, int oy, int at0)
        where TL : struct, IDepthwiseLanes<TV> where TV : struct
    {
        int rs = l.RowStride;
        nuint o1 = (nuint)l.Offset1, o2 = (nuint)l.Offset2;
        TV w00 = k.W00, w01 = k.W01, w02 = k.W02, w10 = k.W10, w11 = k.W11, w12 = k.W12, w20 = k.W20, w21 = k.W21, w22 = k.W22;
        ref float r0 = ref Unsafe.Add(ref src, 2 * oy * rs + at0);
        TV acc00, acc10, acc20, acc30;
        TV a0, b0, c0;
        a0 = TL.Load(ref r0, 0); b0 = TL.Load(ref r0, o1); c0 = TL.Load(ref r0, o2);
        acc00 = TL.Fma(w00, a0, default);
        acc00 = TL.Fma(w01, b0, acc00);
        acc00 = TL.Fma(w02, c0, acc00);
        r0 = ref Unsafe.Add(ref r0, rs);
        a0 = TL.Load(ref r0, 0); b0 = TL.Load(ref r0, o1); c0 = TL.Load(ref r0, o2);
        acc00 = TL.Fma(w10, a0, acc00);
        acc00 = TL.Fma(w11, b0, acc00);
        acc00 = TL.Fma(w12, c0, acc00);
        r0 = ref Unsafe.Add(ref r0, rs);
        a0 = TL.Load(ref r0, 0); b0 = TL.Load(ref r0, o1); c0 = TL.Load(ref r0, o2);
        acc00 = TL.Fma(w20, a0, acc00);
        acc10 = TL.Fma(w00, a0, default);
        acc00 = TL.Fma(w21, b0, acc00);
        acc10 = TL.Fma(w01, b0, acc10);
        acc00 = TL.Fma(w22, c0, acc00);
        acc10 = TL.Fma(w02, c0, acc10);
        r0 = ref Unsafe.Add(ref r0, rs);
        a0 = TL.Load(ref r0, 0); b0 = TL.Load(ref r0, o1); c0 = TL.Load(ref r0, o2);
        acc10 = TL.Fma(w10, a0, acc10);
        acc10 = TL.Fma(w11, b0, acc10);
        acc10 = TL.Fma(w12, c0, acc10);
        r0 = ref Unsafe.Add(ref r0, rs);
        a0 = TL.Load(ref r0, 0); b0 = TL.Load(ref r0, o1); c0 = TL.Load(ref r0, o2);
        acc10 = TL.Fma(w20, a0, acc10);
        acc20 = TL.Fma(w00, a0, default);
        acc10 = TL.Fma(w21, b0, acc10);
        acc20 = TL.Fma(w01, b0, acc20);
        acc10 = TL.Fma(w22, c0, acc10);
        acc20 = TL.Fma(w02, c0, acc20);
        r0 = ref Unsafe.Add(ref r0, rs);
        a0 = TL.Load(ref r0, 0); b0 = TL.Load(ref r0, o1); c0 = TL.Load(ref r0, o2);
        acc20 = TL.Fma(w10, a0, acc20);
        acc20 = TL.Fma(w11, b0, acc20);
        acc20 = TL.Fma(w12, c0, acc20);
        r0 = ref Unsafe.Add(ref r0, rs);
        a0 = TL.Load(ref r0, 0); b0 = TL.Load(ref r0, o1); c0 = TL.Load(ref r0, o2);
        acc20 = TL.Fma(w20, a0, acc20);
        acc30 = TL.Fma(w00, a0, default);
        acc20 = TL.Fma(w21, b0, acc20);
        acc30 = TL.Fma(w01, b0, acc30);
        acc20 = TL.Fma(w22, c0, acc20);
        acc30 = TL.Fma(w02, c0, acc30);
        r0 = ref Unsafe.Add(ref r0, rs);
        a0 = TL.Load(ref r0, 0); b0 = TL.Load(ref r0, o1); c0 = TL.Load(ref r0, o2);
        acc30 = TL.Fma(w10, a0, acc30);
        acc30 = TL.Fma(w11, b0, acc30);
        acc30 = TL.Fma(w12, c0, acc30);
        r0 = ref Unsafe.Add(ref r0, rs);
        a0 = TL.Load(ref r0, 0); b0 = TL.Load(ref r0, o1); c0 = TL.Load(ref r0, o2);
        acc30 = TL.Fma(w20, a0, acc30);
        acc30 = TL.Fma(w21, b0, acc30);
        acc30 = TL.Fma(w22, c0, acc30);
        Store<TL, TV>(acc00, k, output, oy + 0, at0);
        Store<TL, TV>(acc10, k, output, oy + 1, at0);
        Store<TL, TV>(acc20, k, output, oy + 2, at0);
        Store<TL, TV>(acc30, k, output, oy + 3, at0);
    }

    private static void Block4x2Stride2<TL, TV>(ref float src, in Layout l, in Taps<TL, TV> k, in Output output, int oy, int at0, int at1)
        where TL : struct, IDepthwiseLanes<TV> where TV : struct
    {
        int rs = l.RowStride;
        nuint o1 = (nuint)l.Offset1, o2 = (nuint)l.Offset2;
        TV w00 = k.W00, w01 = k.W01, w02 = k.W02, w10 = k.W10, w11 = k.W11, w12 = k.W12, w20 = k.W20, w21 = k.W21, w22 = k.W22;
        ref float r0 = ref Unsafe.Add(ref src, 2 * oy * rs + at0);
        ref float r1 = ref Unsafe.Add(ref src, 2 * oy * rs + at1);
        TV acc00, acc01, acc10, acc11, acc20, acc21, acc30, acc31;
        TV a0, b0, c0, a1, b1, c1;
        a0 = TL.Load(ref r0, 0); b0 = TL.Load(ref r0, o1); c0 = TL.Load(ref r0, o2);
        a1 = TL.Load(ref r1, 0); b1 = TL.Load(ref r1, o1); c1 = TL.Load(ref r1, o2);
        acc00 = TL.Fma(w00, a0, default);
        acc01 = TL.Fma(w00, a1, default);
        acc00 = TL.Fma(w01, b0, acc00);
        acc01 = TL.Fma(w01, b1, acc01);
        acc00 = TL.Fma(w02, c0, acc00);
        acc01 = TL.Fma(w02, c1, acc01);
        r0 = ref Unsafe.Add(ref r0, rs);
        r1 = ref Unsafe.Add(ref r1, rs);
        a0 = TL.Load(ref r0, 0); b0 = TL.Load(ref r0, o1); c0 = TL.Load(ref r0, o2);
        a1 = TL.Load(ref r1, 0); b1 = TL.Load(ref r1, o1); c1 = TL.Load(ref r1, o2);
        acc00 = TL.Fma(w10, a0, acc00);
        acc01 = TL.Fma(w10, a1, acc01);
        acc00 = TL.Fma(w11, b0, acc00);
        acc01 = TL.Fma(w11, b1, acc01);
        acc00 = TL.Fma(w12, c0, acc00);
        acc01 = TL.Fma(w12, c1, acc01);
        r0 = ref Unsafe.Add(ref r0, rs);
        r1 = ref Unsafe.Add(ref r1, rs);
        a0 = TL.Load(ref r0, 0); b0 = TL.Load(ref r0, o1); c0 = TL.Load(ref r0, o2);
        a1 = TL.Load(ref r1, 0); b1 = TL.Load(ref r1, o1); c1 = TL.Load(ref r1, o2);
        acc00 = TL.Fma(w20, a0, acc00);
        acc01 = TL.Fma(w20, a1, acc01);
        acc10 = TL.Fma(w00, a0, default);
        acc11 = TL.Fma(w00, a1, default);
        acc00 = TL.Fma(w21, b0, acc00);
        acc01 = TL.Fma(w21, b1, acc01);
        acc10 = TL.Fma(w01, b0, acc10);
        acc11 = TL.Fma(w01, b1, acc11);
        acc00 = TL.Fma(w22, c0, acc00);
        acc01 = TL.Fma(w22, c1, acc01);
        acc10 = TL.Fma(w02, c0, acc10);
        acc11 = TL.Fma(w02, c1, acc11);
        r0 = ref Unsafe.Add(ref r0, rs);
        r1 = ref Unsafe.Add(ref r1, rs);
        a0 = TL.Load(ref r0, 0); b0 = TL.Load(ref r0, o1); c0 = TL.Load(ref r0, o2);
        a1 = TL.Load(ref r1, 0); b1 = TL.Load(ref r1, o1); c1 = TL.Load(ref r1, o2);
        acc10 = TL.Fma(w10, a0, acc10);
        acc11 = TL.Fma(w10, a1, acc11);
        acc10 = TL.Fma(w11, b0, acc10);
        acc11 = TL.Fma(w11, b1, acc11);
        acc10 = TL.Fma(w12, c0, acc10);
        acc11 = TL.Fma(w12, c1, acc11);
        r0 = ref Unsafe.Add(ref r0, rs);
        r1 = ref Unsafe.Add(ref r1, rs);
        a0 = TL.Load(ref r0, 0); b0 = TL.Load(ref r0, o1); c0 = TL.Load(ref r0, o2);
        a1 = TL.Load(ref r1, 0); b1 = TL.Load(ref r1, o1); c1 = TL.Load(ref r1, o2);
        acc10 = TL.Fma(w20, a0, acc10);
        acc11 = TL.Fma(w20, a1, acc11);
        acc20 = TL.Fma(w00, a0, default);
        acc21 = TL.Fma(w00, a1, default);
        acc10 = TL.Fma(w21, b0, acc10);
        acc11 = TL.Fma(w21, b1, acc11);
        acc20 = TL.Fma(w01, b0, acc20);
        acc21 = TL.Fma(w01, b1, acc21);
        acc10 = TL.Fma(w22, c0, acc10);
        acc11 = TL.Fma(w22, c1, acc11);
        acc20 = TL.Fma(w02, c0, acc20);
        acc21 = TL.Fma(w02, c1, acc21);
        r0 = ref Unsafe.Add(ref r0, rs);
        r1 = ref Unsafe.Add(ref r1, rs);
        a0 = TL.Load(ref r0, 0); b0 = TL.Load(ref r0, o1); c0 = TL.Load(ref r0, o2);
        a1 = TL.Load(ref r1, 0); b1 = TL.Load(ref r1, o1); c1 = TL.Load(ref r1, o2);
        acc20 = TL.Fma(w10, a0, acc20);
        acc21 = TL.Fma(w10, a1, acc21);
        acc20 = TL.Fma(w11, b0, acc20);
        acc21 = TL.Fma(w11, b1, acc21);
        acc20 = TL.Fma(w12, c0, acc20);
        acc21 = TL.Fma(w12, c1, acc21);
        r0 = ref Unsafe.Add(ref r0, rs);
        r1 = ref Unsafe.Add(ref r1, rs);
        a0 = TL.Load(ref r0, 0); b0 = TL.Load(ref r0, o1); c0 = TL.Load(ref r0, o2);
        a1 = TL.Load(ref r1, 0); b1 = TL.Load(ref r1, o1); c1 = TL.Load(ref r1, o2);
        acc20 = TL.Fma(w20, a0, acc20);
        acc21 = TL.Fma(w20, a1, acc21);
        acc30 = TL.Fma(w00, a0, default);
        acc31 = TL.Fma(w00, a1, default);
        acc20 = TL.Fma(w21, b0, acc20);
        acc21 = TL.Fma(w21, b1, acc21);
        acc30 = TL.Fma(w01, b0, acc30);
        acc31 = TL.Fma(w01, b1, acc31);
        acc20 = TL.Fma(w22, c0, acc20);
        acc21 = TL.Fma(w22, c1, acc21);
        acc30 = TL.Fma(w02, c0, acc30);
        acc31 = TL.Fma(w02, c1, acc31);
        r0 = ref Unsafe.Add(ref r0, rs);
        r1 = ref Unsafe.Add(ref r1, rs);
        a0 = TL.Load(ref r0, 0); b0 = TL.Load(ref r0, o1); c0 = TL.Load(ref r0, o2);
        a1 = TL.Load(ref r1, 0); b1 = TL.Load(ref r1, o1); c1 = TL.Load(ref r1, o2);
        acc30 = TL.Fma(w10, a0, acc30);
        acc31 = TL.Fma(w10, a1, acc31);
        acc30 = TL.Fma(w11, b0, acc30);
        acc31 = TL.Fma(w11, b1, acc31);
        acc30 = TL.Fma(w12, c0, acc30);
        acc31 = TL.Fma(w12, c1, acc31);
        r0 = ref Unsafe.Add(ref r0, rs);
        r1 = ref Unsafe.Add(ref r1, rs);
        a0 = TL.Load(ref r0, 0); b0 = TL.Load(ref r0, o1); c0 = TL.Load(ref r0, o2);
        a1 = TL.Load(ref r1, 0); b1 = TL.Load(ref r1, o1); c1 = TL.Load(ref r1, o2);
        acc30 = TL.Fma(w20, a0, acc30);
        acc31 = TL.Fma(w20, a1, acc31);
        acc30 = TL.Fma(w21, b0, acc30);
        acc31 = TL.Fma(w21, b1, acc31);
        acc30 = TL.Fma(w22, c0, acc30);
        acc31 = TL.Fma(w22, c1, acc31);
        Store<TL, TV>(acc00, k, output, oy + 0, at0);
        Store<TL, TV>(acc01, k, output, oy + 0, at1);
        Store<TL, TV>(acc10, k, output, oy + 1, at0);
        Store<TL, TV>(acc11, k, output, oy + 1, at1);
        Store<TL, TV>(acc20, k, output, oy + 2, at0);
        Store<TL, TV>(acc21, k, output, oy + 2, at1);
        Store<TL, TV>(acc30, k, output, oy + 3, at0);
        Store<TL, TV>(acc31, k, output, oy + 3, at1);
    }

    private static void Block1x1Stride2<TL, TV>(ref float src, in Layout l, in Taps<TL, TV> k, in Output output, int oy, int at0)
        where TL : struct, IDepthwiseLanes<TV> where TV : struct
    {
        int rs = l.RowStride;
        nuint o1 = (nuint)l.Offset1, o2 = (nuint)l.Offset2;
        TV w00 = k.W00, w01 = k.W01, w02 = k.W02, w10 = k.W10, w11 = k.W11, w12 = k.W12, w20 = k.W20, w21 = k.W21, w22 = k.W22;
        ref float r0 = ref Unsafe.Add(ref src, 2 * oy * rs + at0);
        TV acc00;
        TV a0, b0, c0;
        a0 = TL.Load(ref r0, 0); b0 = TL.Load(ref r0, o1); c0 = TL.Load(ref r0, o2);
        acc00 = TL.Fma(w00, a0, default);
        acc00 = TL.Fma(w01, b0, acc00);
        acc00 = TL.Fma(w02, c0, acc00);
        r0 = ref Unsafe.Add(ref r0, rs);
        a0 = TL.Load(ref r0, 0); b0 = TL.Load(ref r0, o1); c0 = TL.Load(ref r0, o2);
        acc00 = TL.Fma(w10, a0, acc00);
        acc00 = TL.Fma(w11, b0, acc00);
        acc00 = TL.Fma(w12, c0, acc00);
        r0 = ref Unsafe.Add(ref r0, rs);
        a0 = TL.Load(ref r0, 0); b0 = TL.Load(ref r0, o1); c0 = TL.Load(ref r0, o2);
        acc00 = TL.Fma(w20, a0, acc00);
        acc00 = TL.Fma(w21, b0, acc00);
        acc00 = TL.Fma(w22, c0, acc00);
        Store<TL, TV>(acc00, k, output, oy + 0, at0);
    }


    // acc + w0·a + w1·b + w2·c, one FMA each in that order.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Three<TL, TV>(TV acc, TV w0, TV w1, TV w2, TV a, TV b, TV c) where TL : struct, IDepthwiseLanes<TV> where TV : struct =>
        TL.Fma(w2, c, TL.Fma(w1, b, TL.Fma(w0, a, acc)));

    // Outputs (oy, at .. at + L): acc + b (+ r), max lo, min hi. A store that would pass the plane's end goes through the
    // spill buffer and writes only the row's valid outputs.
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Store<TL, TV>(TV acc, in Taps<TL, TV> k, in Output output, int oy, int at)
        where TL : struct, IDepthwiseLanes<TV> where TV : struct
    {
        int lanes = TL.Count, index = oy * output.Width + at;
        ref float y = ref MemoryMarshal.GetArrayDataReference(output.Y);
        nuint i = (nuint)(output.Offset + index);
        TV v = TL.Add(acc, k.Bias);
        if (index + lanes <= output.Length)
        {
            if (output.Residual is not null) v = TL.Add(v, TL.Load(ref MemoryMarshal.GetArrayDataReference(output.Residual), i));
            if (k.Clamp == 1) v = TL.MinNative(k.Hi, TL.Add(TL.MaxNative(k.Lo, v), default));
            else if (k.Clamp == 2) v = TL.Min(TL.Max(v, k.Lo), k.Hi);
            TL.Store(v, ref y, i);
            return;
        }
        ref float spill = ref MemoryMarshal.GetReference(output.Spill);
        TL.Store(v, ref spill, 0);
        int n = Math.Min(lanes, output.Width - at);
        for (int j = 0; j < n; j++)
        {
            float s = Unsafe.Add(ref spill, j);
            if (output.Residual is not null) s += output.Residual[(int)i + j];
            Unsafe.Add(ref y, i + (nuint)j) = MathF.Min(MathF.Max(s, k.Min), k.Max);
        }
    }
}
