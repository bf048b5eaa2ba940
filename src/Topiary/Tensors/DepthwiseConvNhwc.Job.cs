// DepthwiseConvNhwc's loops (the algorithm and bit contract are in DepthwiseConvNhwc.cs): a call's operands, the channel
// blocks of each lane tier, each block over its output rows, each row in tiles; the row plans and the fused store.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Topiary.Tensors;

internal static partial class DepthwiseConvNhwc
{
    /// <summary>The operands of one call and the loops over its rows and channel blocks.</summary>
    private readonly unsafe struct Job(float[] x, in Conv2dGeometry g, float[] w, float[]? bias, float min, float max, float[] y, int width,
        bool finiteWeights, long outputBase = 0)
    {
        private readonly Conv2dGeometry _g = g;
        private readonly int _width = width;

        // The 16-lane blocks start at channels ≡ _head (mod 16): when C is a multiple of 16 every pixel of x has the same
        // alignment, and blocks starting at a 64-byte boundary load whole cache lines (a load split across two lines costs
        // about twice as much; the channels before the first boundary run in narrower blocks — too large a share of the
        // work below 64 channels, which keep their split loads). Only speed depends on it: the GC may move x meanwhile.
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
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Row<TL, TV>(in RowPlan r, int c, in Epilogue<TV> e) where TL : struct, IDepthwiseLanes<TV> where TV : struct
        {
            var g = _g;
            nuint cs = (nuint)g.Channels;
            var t = new TileArgs(cs, (nuint)g.StrideW * cs, (nuint)g.DilationW * cs, (nuint)g.DilationH * (nuint)g.Width * cs, r.KernelRows,
                g.KernelW, g.Width);
            int sw = g.StrideW, ow = g.OutW;
            ref float xr = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(x), (nint)(r.Input + c));
            ref float wr = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(w), (nint)(r.Weights + c));
            ref float yr = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(y), (nint)(r.Output - outputBase + c));
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
                    if (sw == 1 && tile == 8 && TL.Count < 16) Tile8S1Streamed<TL, TV, Interior>(ref xr, b, ref wr, ref yo, t, e, m);
                    else if (sw == 1 && tile == 8) Tile8S1<TL, TV, Interior>(ref xr, b, ref wr, ref yo, t, e, m);
                    else if (sw == 1) Tile4S1<TL, TV, Interior>(ref xr, b, ref wr, ref yo, t, e, m);
                    else if (tile == 8) Tile8S2<TL, TV, Interior>(ref xr, b, ref wr, ref yo, t, e, m);
                    else Tile4S2<TL, TV, Interior>(ref xr, b, ref wr, ref yo, t, e, m);
                }
                else if (finiteWeights)
                {
                    if (sw == 1 && tile == 8 && TL.Count < 16) Tile8S1Streamed<TL, TV, ZeroPadded>(ref xr, b, ref wr, ref yo, t, e, m);
                    else if (sw == 1 && tile == 8) Tile8S1<TL, TV, ZeroPadded>(ref xr, b, ref wr, ref yo, t, e, m);
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
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
