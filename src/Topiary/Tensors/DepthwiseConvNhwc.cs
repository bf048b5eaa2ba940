// DepthwiseConvNhwc: the inference forward of a depthwise convolution (channel multiplier 1) on channels-last
// tensors, for the NHWC path of depthwise-separable stacks:
//   y[n, oh, ow, c] = min(max(b[c] + Σ_{kh,kw} w[c, kh, kw] · x[n, oh·SH − PT + kh·DH, ow·SW − PL + kw·DW, c], lo), hi)
// with x [N, H, W, C], y [N, OH, OW, C], any kernel size, stride, padding and dilation (a Conv2dGeometry whose Channels
// is C), the weights packed tap-major ([KH·KW, C]: a tap's C weights contiguous, PackWeights), lo/hi the clamp (−∞/+∞
// when none; ReLU6 is [0, 6]).
// Vectorised across channels: a pixel's C channels are contiguous, so a block of L channels (L = 16, then 8, 4 and 1 for
// what is left, never wider than the lane tier allows) is one vector at every pixel, with no transposes and no lanes
// wasted on narrow planes. Each block runs over all the output rows of a sample in turn (its input rows are reused from
// L1 by the next rows); when C is a multiple of 16 (and at least 64) the 16-lane blocks start at the input's 64-byte
// boundaries, so their loads never straddle two cache lines. Per output row and block:
//   - the kernel rows inside the image are found once (they are contiguous); rows in the padding are skipped;
//   - 3-wide rows at stride 1 or 2 (MobileNet) run in tiles of 8 adjacent outputs (4 for the last few), one
//     accumulator each: a kernel row's inputs are loaded once into registers (stride 1: 10 loads for 24 FMAs), then
//     each tap is applied to all the accumulators in turn (DepthwiseConvNhwc.Tiles.cs); tiles reaching into the
//     padding or cut short by the row's end read the missing inputs as +0 and store only their outputs;
//   - other windows run border columns one pixel at a time (taps in the padding skipped) and interior columns in tiles
//     of 4;
//   - the store adds the bias and clamps (fused), writing each output once.
// Every output receives the taps inside the image in (kh, kw) order, one fused multiply-add each into an accumulator
// that starts at +0, then + b (0 when there is no bias), then max lo, min hi (IEEE: NaN propagates, −0 < +0):
// DepthwiseConvScalar's forward followed by MathF.Min(MathF.Max(v, lo), hi), bit for bit, at every lane width (the
// scalar lanes are the twin). A padding input read as +0 adds fma(w, +0, acc) = acc exactly when w is finite: w·0 is
// ±0, and acc is never −0 (it starts at +0, and a round-to-nearest sum is −0 only when both terms are). So zeros are used
// only when every weight is finite; otherwise edge tiles skip those inputs (DepthwiseConvNhwc.Edges.cs). Outputs are
// independent, so results never depend on the split across threads.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Topiary.Tensors;

/// <summary>Channels-last depthwise forward with a fused bias and clamp (oracle: <see cref="DepthwiseConvScalar"/>).</summary>
internal static partial class DepthwiseConvNhwc
{
    /// <summary>Widest lane tier a call may use; Best is the widest the hardware accelerates (tests force the others).</summary>
    internal enum Lanes { Best, V512, V256, V128, Scalar }

    /// <summary>
    /// Depthwise filters [C, KH·KW] (PyTorch's [C, 1, KH, KW], channel multiplier 1) as [KH·KW, C]: tap t's C weights
    /// contiguous.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="channels"/> or <paramref name="taps"/> is below 1.</exception>
    /// <exception cref="ArgumentException"><paramref name="w"/> holds fewer than channels·taps weights.</exception>
    internal static float[] PackWeights(ReadOnlySpan<float> w, int channels, int taps)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(taps, 1);
        if (w.Length < (long)channels * taps)
            throw new ArgumentException($"Depthwise weights need {(long)channels * taps} values ({channels} channels x {taps} taps), got {w.Length}.", nameof(w));
        var packed = new float[channels * taps];
        for (int c = 0; c < channels; c++)
            for (int t = 0; t < taps; t++)
                packed[t * channels + c] = w[c * taps + t];
        return packed;
    }

    /// <summary>
    /// y [batch, OH, OW, C] = clamp(b[c] + Σ_taps w·x, min, max) for x [batch, H, W, C] (channels last), packedW from
    /// <see cref="PackWeights"/>, bias [C] or null, geometry g (g.Channels = C; any kernel size, stride, padding,
    /// dilation; multiplier 1), split over at most <paramref name="threads"/> workers (1 = run on the caller's thread, no
    /// allocation).
    /// </summary>
    /// <exception cref="ArgumentNullException">x, packedW or y is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batch"/> is negative or <paramref name="threads"/> below 1.</exception>
    /// <exception cref="ArgumentException">An array is shorter than the geometry needs.</exception>
    internal static void Forward(float[] x, int batch, in Conv2dGeometry g, float[] packedW, float[]? bias, float min, float max, float[] y, int threads) =>
        Forward(x, batch, g, packedW, bias, min, max, y, threads, Lanes.Best);

    /// <summary>As the other overload with a forced widest lane tier (tests run them all).</summary>
    internal static void Forward(float[] x, int batch, in Conv2dGeometry g, float[] packedW, float[]? bias, float min, float max, float[] y,
        int threads, Lanes lanes)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(packedW);
        ArgumentNullException.ThrowIfNull(y);
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        int c = g.Channels;
        long inLength = (long)batch * g.Height * g.Width * c, outLength = (long)batch * g.OutH * g.OutW * c, wLength = (long)g.KernelH * g.KernelW * c;
        if (x.Length < inLength) throw new ArgumentException($"Input [{batch}, {g.Height}, {g.Width}, {c}] needs {inLength} values, got {x.Length}.", nameof(x));
        if (packedW.Length < wLength) throw new ArgumentException($"Packed weights [{g.KernelH * g.KernelW}, {c}] need {wLength} values, got {packedW.Length}.", nameof(packedW));
        if (bias is not null && bias.Length < c) throw new ArgumentException($"Bias needs {c} values, got {bias.Length}.", nameof(bias));
        if (y.Length < outLength) throw new ArgumentException($"Output [{batch}, {g.OutH}, {g.OutW}, {c}] needs {outLength} values, got {y.Length}.", nameof(y));
        if (outLength == 0) return;
        if (lanes == Lanes.Best)
            lanes = Vector512.IsHardwareAccelerated ? Lanes.V512 : Vector256.IsHardwareAccelerated ? Lanes.V256
                : Vector128.IsHardwareAccelerated ? Lanes.V128 : Lanes.Scalar;
        int width = lanes switch { Lanes.V512 => 16, Lanes.V256 => 8, Lanes.V128 => 4, _ => 1 };
        // Finite weights (a finite sum; an overflowing one only costs speed) let edge tiles read the padding as zeros.
        bool finite = float.IsFinite(TensorPrimitives.Sum(packedW.AsSpan(0, (int)wLength)));
        var job = new Job(x, g, packedW, bias, min, max, y, width, finite);
        if (threads == 1)
        {
            for (int n = 0; n < batch; n++) job.Run(n, 0, g.OutH, 0, c);
            return;
        }
        RunParallel(job, batch, g.OutH, c, threads);
    }

    // Items of (sample, range of 16-channel blocks, range of output rows): about four per thread, channels split before
    // rows (a block's rows run in order, each input row reused from L1 by the next output rows). A method of its own: the
    // closure is allocated only here, never on the one-thread path.
    private static void RunParallel(Job job, int batch, int outH, int c, int threads)
    {
        int wanted = 4 * threads, blocks = Math.Max(1, c / 16);
        int cParts = Math.Clamp((wanted + batch - 1) / batch, 1, blocks);
        int rParts = Math.Clamp((wanted + batch * cParts - 1) / (batch * cParts), 1, outH);
        Threading.For(0, batch * cParts * rParts, threads, item =>
        {
            int n = item / (cParts * rParts), cp = item / rParts % cParts, rp = item % rParts;
            int c0 = cp == 0 ? 0 : blocks * cp / cParts * 16, c1 = cp == cParts - 1 ? c : blocks * (cp + 1) / cParts * 16;
            job.Run(n, (int)((long)outH * rp / rParts), (int)((long)outH * (rp + 1) / rParts), c0, c1);
        });
    }

    /// <summary>The operands of one call and the loops over its rows and channel blocks.</summary>
    private readonly unsafe struct Job(float[] x, in Conv2dGeometry g, float[] w, float[]? bias, float min, float max, float[] y, int width,
        bool finiteWeights)
    {
        private readonly Conv2dGeometry _g = g;
        private readonly int _width = width;

        // The 16-lane blocks start at channels ≡ _head (mod 16): when C is a multiple of 16 every pixel of x has the same
        // alignment, and blocks starting at a 64-byte boundary load whole cache lines (a load split across two lines costs
        // about twice as much; the channels before the first boundary run in narrower blocks — too large a share of the
        // work below 64 channels, which keep their split loads).
        private readonly int _head = g.Channels % 16 != 0 || g.Channels < 64 ? 0
            : (int)((64 - ((nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(x)) & 63)) & 63) / sizeof(float);

        // Output columns whose taps are all inside the image: [_interiorStart, _interiorEnd) (general windows only).
        private readonly int _interiorStart = InteriorStart(g);
        private readonly int _interiorEnd = Math.Max(InteriorStart(g), InteriorEnd(g));

        // How the clamp runs: 0 none (−∞, +∞); 1 a ReLU-like [+0, hi] with hi > 0 — maxNative(+0, v) then minNative(hi, ·),
        // the IEEE results in two instructions: NaN is the second operand, so it passes, and v = acc + b is never −0 (an
        // accumulator that starts at +0 never becomes −0 in round-to-nearest, and a sum is −0 only when both terms are);
        // 2 anything else, through the IEEE max and min.
        private readonly int _clamp = float.IsNegativeInfinity(min) && float.IsPositiveInfinity(max) ? 0
            : BitConverter.SingleToInt32Bits(min) == 0 && max > 0 ? 1 : 2;

        /// <summary>
        /// Output rows [oh0, oh1) of sample n over channels [c0, c1): blocks as wide as the tier allows (16-lane blocks from
        /// the input's 64-byte boundaries), each block over all the rows in turn, so the input rows a block reads are reused
        /// from L1 by the next output rows (as NCHWc kernels run a plane).
        /// </summary>
        public void Run(int n, int oh0, int oh1, int c0, int c1)
        {
            var rows = (n, oh0, oh1);
            int c = c0;
            if (_width >= 16)
            {
                int aligned = Math.Min(c1, c0 + (_head - c0 % 16 + 16) % 16);
                c = Narrow(rows, c, aligned);
                c = Blocks<DepthwiseLanes512, Vector512<float>>(rows, c, c1);
            }
            Narrow(rows, c, c1);
        }

        // Channels [c, c1) in blocks of 8, 4 and 1 lanes (as far as the tier allows); returns c1.
        private int Narrow((int N, int Oh0, int Oh1) rows, int c, int c1)
        {
            if (_width >= 8) c = Blocks<DepthwiseLanes256, Vector256<float>>(rows, c, c1);
            if (_width >= 4) c = Blocks<DepthwiseLanes128, Vector128<float>>(rows, c, c1);
            return Blocks<DepthwiseLanesScalar, float>(rows, c, c1);
        }

        // The whole blocks of TL.Count channels from c before c1, each over the rows in turn; returns where they end.
        private int Blocks<TL, TV>((int N, int Oh0, int Oh1) rows, int c, int c1) where TL : struct, IDepthwiseLanes<TV> where TV : struct
        {
            int lanes = TL.Count;
            if (c + lanes > c1) return c;
            TV lo = TL.Broadcast(min), hi = TL.Broadcast(max);
            for (; c + lanes <= c1; c += lanes)
            {
                var e = new Epilogue<TV>(bias is null ? default : TL.Load(ref bias[0], (nuint)c), lo, hi, _clamp);
                for (int oh = rows.Oh0; oh < rows.Oh1; oh++) Row<TL, TV>(RowPlan.For(_g, rows.N, oh), c, e);
            }
            return c;
        }

        // One output row of channels [c, c + TL.Count). A 3-wide row at stride 1 or 2 runs in tiles of 8 outputs (4 for
        // the last few): interior tiles, and tiles reaching into the padding or cut short by the row's end — with zeros
        // for the missing inputs when every weight is finite, else skipping them (DepthwiseConvNhwc.Edges.cs). Other
        // windows: border columns one pixel at a time, interior columns in general tiles of 4.
        private void Row<TL, TV>(in RowPlan r, int c, in Epilogue<TV> e) where TL : struct, IDepthwiseLanes<TV> where TV : struct
        {
            var g = _g;
            nuint cs = (nuint)g.Channels;
            var t = new TileArgs(cs, (nuint)g.StrideW * cs, (nuint)g.DilationW * cs, (nuint)g.DilationH * (nuint)g.Width * cs, r.KernelRows,
                g.KernelW, g.Width);
            int sw = g.StrideW, ow = g.OutW;
            ref float xr = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(x), (nint)(r.Input + c));
            ref float wr = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(w), (nint)(r.Weights + c));
            ref float yr = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(y), (nint)(r.Output + c));
            if (g.KernelW != 3 || g.DilationW != 1 || sw > 2)
            {
                for (int p = 0; p < _interiorStart; p++) Pixel<TL, TV>(ref xr, ref wr, ref yr, r, p, e);
                int i = _interiorStart;
                for (; i + 4 <= _interiorEnd; i += 4)
                    Tile4<TL, TV>(ref Unsafe.Add(ref xr, (nint)(i * sw - g.PadLeft) * (nint)cs), ref wr, ref Unsafe.Add(ref yr, (nint)i * (nint)cs), t, e);
                for (; i < ow; i++) Pixel<TL, TV>(ref xr, ref wr, ref yr, r, i, e);
                return;
            }
            for (int o = 0; o < ow;)
            {
                int tile = ow - o > 4 ? 8 : 4, m = Math.Min(tile, ow - o), b = o * sw - g.PadLeft;
                ref float yo = ref Unsafe.Add(ref yr, (nint)o * (nint)cs);
                o += m;
                if (m == tile && b >= 0 && b + sw * (tile - 1) + 3 <= g.Width)
                {
                    if (sw == 1 && tile == 8) Tile8S1<TL, TV, Interior>(ref xr, b, ref wr, ref yo, t, e, m);
                    else if (sw == 1) Tile4S1<TL, TV, Interior>(ref xr, b, ref wr, ref yo, t, e, m);
                    else if (tile == 8) Tile8S2<TL, TV, Interior>(ref xr, b, ref wr, ref yo, t, e, m);
                    else Tile4S2<TL, TV, Interior>(ref xr, b, ref wr, ref yo, t, e, m);
                }
                else if (finiteWeights)
                {
                    if (sw == 1 && tile == 8) Tile8S1<TL, TV, ZeroPadded>(ref xr, b, ref wr, ref yo, t, e, m);
                    else if (sw == 1) Tile4S1<TL, TV, ZeroPadded>(ref xr, b, ref wr, ref yo, t, e, m);
                    else if (tile == 8) Tile8S2<TL, TV, ZeroPadded>(ref xr, b, ref wr, ref yo, t, e, m);
                    else Tile4S2<TL, TV, ZeroPadded>(ref xr, b, ref wr, ref yo, t, e, m);
                }
                else
                {
                    if (sw == 1 && tile == 8) Edge8S1<TL, TV>(ref xr, b, ref wr, ref yo, t, e, m);
                    else if (sw == 1) Edge4S1<TL, TV>(ref xr, b, ref wr, ref yo, t, e, m);
                    else if (tile == 8) Edge8S2<TL, TV>(ref xr, b, ref wr, ref yo, t, e, m);
                    else Edge4S2<TL, TV>(ref xr, b, ref wr, ref yo, t, e, m);
                }
            }
        }

        // One output pixel, taps in the left or right padding skipped. xr: column 0 of the first kernel row inside the image.
        private void Pixel<TL, TV>(ref float xr, ref float wr, ref float yr, in RowPlan r, int ox, in Epilogue<TV> e)
            where TL : struct, IDepthwiseLanes<TV> where TV : struct
        {
            var g = _g;
            nuint cs = (nuint)g.Channels, rowStep = (nuint)g.DilationH * (nuint)g.Width * cs;
            int iw0 = ox * g.StrideW - g.PadLeft;
            TV acc = default;
            for (int k = 0; k < r.KernelRows; k++)
            {
                for (int j = 0; j < g.KernelW; j++)
                {
                    int iw = iw0 + j * g.DilationW;
                    if ((uint)iw >= (uint)g.Width) continue;
                    acc = TL.Fma(TL.Load(ref wr, (nuint)(k * g.KernelW + j) * cs), TL.Load(ref xr, (nuint)k * rowStep + (nuint)iw * cs), acc);
                }
            }
            TL.Store(e.Finish<TL>(acc), ref yr, (nuint)ox * cs);
        }
    }

    private static int InteriorStart(in Conv2dGeometry g) => Math.Min(g.OutW, (g.PadLeft + g.StrideW - 1) / g.StrideW);

    // One past the last output column whose last tap (ox·SW − PL + (KW − 1)·DW) is inside the image.
    private static int InteriorEnd(in Conv2dGeometry g)
    {
        int last = g.Width - 1 - (g.KernelW - 1) * g.DilationW + g.PadLeft;
        return last < 0 ? 0 : Math.Min(g.OutW, last / g.StrideW + 1);
    }

    /// <summary>
    /// One output row's plan: the kernel rows inside the image (KernelRows of them, contiguous), the offsets of the first
    /// one's input row (column 0), of its packed weights and of the output row (all at channel 0).
    /// </summary>
    private readonly record struct RowPlan(int KernelRows, long Input, long Weights, long Output)
    {
        /// <summary>The plan of output row oh of sample n (no divisions without dilation: one per row is measurable on 7×7 planes).</summary>
        public static RowPlan For(in Conv2dGeometry g, int n, int oh)
        {
            int c = g.Channels, dh = g.DilationH;
            int top = oh * g.StrideH - g.PadTop; // input row of kernel row 0
            int k0, k1;
            if (dh == 1)
            {
                k0 = Math.Max(0, -top);
                k1 = Math.Min(g.KernelH, g.Height - top);
            }
            else
            {
                k0 = top >= 0 ? 0 : (-top + dh - 1) / dh;
                k1 = g.Height - 1 - top < 0 ? 0 : Math.Min(g.KernelH, (g.Height - 1 - top) / dh + 1);
            }
            int rows = Math.Max(0, k1 - k0);
            long input = rows == 0 ? 0 : ((long)n * g.Height + top + k0 * dh) * g.Width * c;
            return new RowPlan(rows, input, (long)k0 * g.KernelW * c, ((long)n * g.OutH + oh) * g.OutW * c);
        }
    }

    /// <summary>The bias and clamp of the store: clamp(acc + bias) as the file header fixes.</summary>
    private readonly struct Epilogue<TV>(TV bias, TV lo, TV hi, int clamp) where TV : struct
    {
        private readonly TV _bias = bias, _lo = lo, _hi = hi;
        private readonly int _clamp = clamp;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TV Finish<TL>(TV acc) where TL : struct, IDepthwiseLanes<TV>
        {
            var v = TL.Add(acc, _bias);
            if (_clamp == 1) return TL.MinNative(_hi, TL.MaxNative(_lo, v));
            if (_clamp == 2) return TL.Min(TL.Max(v, _lo), _hi);
            return v;
        }
    }
}
