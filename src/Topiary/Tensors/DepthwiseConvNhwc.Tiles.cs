// DepthwiseConvNhwc's tiles: P adjacent outputs of one output row and one channel block, one accumulator each.
// row: column 0 of the first kernel row inside the image, at the block's first channel; b: the input column of the first
// output's first tap; w: that kernel row's packed weights; y: the first output; pixels C floats apart, kernel rows
// RowStep apart. The 3-wide tiles (stride 1 and 2, no horizontal dilation) load a kernel row's input pixels once into
// registers, then apply the taps in kw order, each tap to all P accumulators in turn (an accumulator's consecutive FMAs
// P apart), so each accumulator still receives its taps in (kh, kw) order.
// TP = Interior: every input inside the image. TP = ZeroPadded: inputs outside [0, W) read as +0 and only the first m
// outputs are stored — the same bits as skipping those taps when every weight is finite (see the main file).
using System.Runtime.CompilerServices;

namespace Topiary.Tensors;

internal static partial class DepthwiseConvNhwc
{
    /// <summary>Strides of a tile (in floats): Channels between pixels, PixelStep between outputs' windows (SW·C),
    /// TapStep between a row's taps (DW·C), RowStep between kernel rows (DH·W·C); KernelRows rows of KernelW taps; the
    /// image is Width pixels wide.</summary>
    private readonly record struct TileArgs(nuint Channels, nuint PixelStep, nuint TapStep, nuint RowStep, int KernelRows, int KernelW, int Width);

    /// <summary>Whether a tile reads inputs outside the image as zeros (and stores only its first m outputs).</summary>
    private interface IPadding
    {
        static abstract bool Zeroes { get; }
    }

    /// <summary>Every input inside the image, every output stored.</summary>
    private readonly struct Interior : IPadding
    {
        public static bool Zeroes => false;
    }

    /// <summary>Inputs outside the image read as +0, the first m outputs stored.</summary>
    private readonly struct ZeroPadded : IPadding
    {
        public static bool Zeroes => true;
    }

    /// <summary>8 outputs of a 3-wide kernel at stride 1: 10 input loads and 24 FMAs per kernel row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile8S1<TL, TV, TP>(ref float row, int b, ref float w, ref float y, in TileArgs t, in Epilogue<TV> e, int m)
        where TL : struct, IDepthwiseLanes<TV> where TV : struct where TP : struct, IPadding
    {
        nuint cs = t.Channels, rs = t.RowStep, start = (nuint)((nint)b * (nint)cs);
        uint width = (uint)t.Width;
        TV a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        for (int k = 0; k < t.KernelRows; k++)
        {
            TV w0 = TL.Load(ref w, 0), w1 = TL.Load(ref w, cs), w2 = TL.Load(ref w, 2 * cs);
            nuint o = start;
            TV x0 = TP.Zeroes && (uint)b >= width ? default : TL.Load(ref row, o); o += cs;
            TV x1 = TP.Zeroes && (uint)(b + 1) >= width ? default : TL.Load(ref row, o); o += cs;
            TV x2 = TP.Zeroes && (uint)(b + 2) >= width ? default : TL.Load(ref row, o); o += cs;
            TV x3 = TP.Zeroes && (uint)(b + 3) >= width ? default : TL.Load(ref row, o); o += cs;
            TV x4 = TP.Zeroes && (uint)(b + 4) >= width ? default : TL.Load(ref row, o); o += cs;
            TV x5 = TP.Zeroes && (uint)(b + 5) >= width ? default : TL.Load(ref row, o); o += cs;
            TV x6 = TP.Zeroes && (uint)(b + 6) >= width ? default : TL.Load(ref row, o); o += cs;
            TV x7 = TP.Zeroes && (uint)(b + 7) >= width ? default : TL.Load(ref row, o); o += cs;
            TV x8 = TP.Zeroes && (uint)(b + 8) >= width ? default : TL.Load(ref row, o); o += cs;
            TV x9 = TP.Zeroes && (uint)(b + 9) >= width ? default : TL.Load(ref row, o);
            a0 = TL.Fma(w0, x0, a0); a1 = TL.Fma(w0, x1, a1); a2 = TL.Fma(w0, x2, a2); a3 = TL.Fma(w0, x3, a3); a4 = TL.Fma(w0, x4, a4); a5 = TL.Fma(w0, x5, a5); a6 = TL.Fma(w0, x6, a6); a7 = TL.Fma(w0, x7, a7);
            a0 = TL.Fma(w1, x1, a0); a1 = TL.Fma(w1, x2, a1); a2 = TL.Fma(w1, x3, a2); a3 = TL.Fma(w1, x4, a3); a4 = TL.Fma(w1, x5, a4); a5 = TL.Fma(w1, x6, a5); a6 = TL.Fma(w1, x7, a6); a7 = TL.Fma(w1, x8, a7);
            a0 = TL.Fma(w2, x2, a0); a1 = TL.Fma(w2, x3, a1); a2 = TL.Fma(w2, x4, a2); a3 = TL.Fma(w2, x5, a3); a4 = TL.Fma(w2, x6, a4); a5 = TL.Fma(w2, x7, a5); a6 = TL.Fma(w2, x8, a6); a7 = TL.Fma(w2, x9, a7);
            row = ref Unsafe.Add(ref row, rs);
            w = ref Unsafe.Add(ref w, 3 * cs);
        }
        var ep = e; // a local copy: its fields stay in registers across the stores
        TL.Store(ep.Finish<TL>(a0), ref y, 0);
        if (!TP.Zeroes || m > 1) TL.Store(ep.Finish<TL>(a1), ref y, cs);
        if (!TP.Zeroes || m > 2) TL.Store(ep.Finish<TL>(a2), ref y, 2 * cs);
        if (!TP.Zeroes || m > 3) TL.Store(ep.Finish<TL>(a3), ref y, 3 * cs);
        if (!TP.Zeroes || m > 4) TL.Store(ep.Finish<TL>(a4), ref y, 4 * cs);
        if (!TP.Zeroes || m > 5) TL.Store(ep.Finish<TL>(a5), ref y, 5 * cs);
        if (!TP.Zeroes || m > 6) TL.Store(ep.Finish<TL>(a6), ref y, 6 * cs);
        if (!TP.Zeroes || m > 7) TL.Store(ep.Finish<TL>(a7), ref y, 7 * cs);
    }

    /// <summary>As <see cref="Tile8S1{TL, TV, TP}"/> for 16 vector registers (AVX2, SSE): the inputs taken one at a time,
    /// each multiplied into the (up to) three outputs whose windows hold it — x_i into a_i (tap 0), a_{i−1} (tap 1) and
    /// a_{i−2} (tap 2) — so each accumulator still receives its taps in kw order (the same bits) while 12 vectors are
    /// live, not 21: Tile8S1 spilled five inputs a kernel row there. 1.1–1.45x on a 32-channel 112 × 112 layer (Zen 3);
    /// AVX-512's 32 registers hold Tile8S1's order without spills. (The eight stores stay written out in each tile: a
    /// shared helper taking the eight accumulators measured 0.85–0.95x.)</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile8S1Streamed<TL, TV, TP>(ref float row, int b, ref float w, ref float y, in TileArgs t, in Epilogue<TV> e, int m)
        where TL : struct, IDepthwiseLanes<TV> where TV : struct where TP : struct, IPadding
    {
        nuint cs = t.Channels, rs = t.RowStep, start = (nuint)((nint)b * (nint)cs);
        uint width = (uint)t.Width;
        TV a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        for (int k = 0; k < t.KernelRows; k++)
        {
            TV w0 = TL.Load(ref w, 0), w1 = TL.Load(ref w, cs), w2 = TL.Load(ref w, 2 * cs);
            nuint o = start;
            TV x;
            x = TP.Zeroes && (uint)(b + 0) >= width ? default : TL.Load(ref row, o); o += cs;
            a0 = TL.Fma(w0, x, a0);
            x = TP.Zeroes && (uint)(b + 1) >= width ? default : TL.Load(ref row, o); o += cs;
            a1 = TL.Fma(w0, x, a1); a0 = TL.Fma(w1, x, a0);
            x = TP.Zeroes && (uint)(b + 2) >= width ? default : TL.Load(ref row, o); o += cs;
            a2 = TL.Fma(w0, x, a2); a1 = TL.Fma(w1, x, a1); a0 = TL.Fma(w2, x, a0);
            x = TP.Zeroes && (uint)(b + 3) >= width ? default : TL.Load(ref row, o); o += cs;
            a3 = TL.Fma(w0, x, a3); a2 = TL.Fma(w1, x, a2); a1 = TL.Fma(w2, x, a1);
            x = TP.Zeroes && (uint)(b + 4) >= width ? default : TL.Load(ref row, o); o += cs;
            a4 = TL.Fma(w0, x, a4); a3 = TL.Fma(w1, x, a3); a2 = TL.Fma(w2, x, a2);
            x = TP.Zeroes && (uint)(b + 5) >= width ? default : TL.Load(ref row, o); o += cs;
            a5 = TL.Fma(w0, x, a5); a4 = TL.Fma(w1, x, a4); a3 = TL.Fma(w2, x, a3);
            x = TP.Zeroes && (uint)(b + 6) >= width ? default : TL.Load(ref row, o); o += cs;
            a6 = TL.Fma(w0, x, a6); a5 = TL.Fma(w1, x, a5); a4 = TL.Fma(w2, x, a4);
            x = TP.Zeroes && (uint)(b + 7) >= width ? default : TL.Load(ref row, o); o += cs;
            a7 = TL.Fma(w0, x, a7); a6 = TL.Fma(w1, x, a6); a5 = TL.Fma(w2, x, a5);
            x = TP.Zeroes && (uint)(b + 8) >= width ? default : TL.Load(ref row, o); o += cs;
            a7 = TL.Fma(w1, x, a7); a6 = TL.Fma(w2, x, a6);
            x = TP.Zeroes && (uint)(b + 9) >= width ? default : TL.Load(ref row, o);
            a7 = TL.Fma(w2, x, a7);
            row = ref Unsafe.Add(ref row, rs);
            w = ref Unsafe.Add(ref w, 3 * cs);
        }
        var ep = e; // a local copy: its fields stay in registers across the stores
        TL.Store(ep.Finish<TL>(a0), ref y, 0);
        if (!TP.Zeroes || m > 1) TL.Store(ep.Finish<TL>(a1), ref y, cs);
        if (!TP.Zeroes || m > 2) TL.Store(ep.Finish<TL>(a2), ref y, 2 * cs);
        if (!TP.Zeroes || m > 3) TL.Store(ep.Finish<TL>(a3), ref y, 3 * cs);
        if (!TP.Zeroes || m > 4) TL.Store(ep.Finish<TL>(a4), ref y, 4 * cs);
        if (!TP.Zeroes || m > 5) TL.Store(ep.Finish<TL>(a5), ref y, 5 * cs);
        if (!TP.Zeroes || m > 6) TL.Store(ep.Finish<TL>(a6), ref y, 6 * cs);
        if (!TP.Zeroes || m > 7) TL.Store(ep.Finish<TL>(a7), ref y, 7 * cs);
    }

    /// <summary>4 outputs of a 3-wide kernel at stride 1: 6 input loads and 12 FMAs per kernel row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile4S1<TL, TV, TP>(ref float row, int b, ref float w, ref float y, in TileArgs t, in Epilogue<TV> e, int m)
        where TL : struct, IDepthwiseLanes<TV> where TV : struct where TP : struct, IPadding
    {
        nuint cs = t.Channels, rs = t.RowStep, start = (nuint)((nint)b * (nint)cs);
        uint width = (uint)t.Width;
        TV a0 = default, a1 = default, a2 = default, a3 = default;
        for (int k = 0; k < t.KernelRows; k++)
        {
            TV w0 = TL.Load(ref w, 0), w1 = TL.Load(ref w, cs), w2 = TL.Load(ref w, 2 * cs);
            nuint o = start;
            TV x0 = TP.Zeroes && (uint)b >= width ? default : TL.Load(ref row, o); o += cs;
            TV x1 = TP.Zeroes && (uint)(b + 1) >= width ? default : TL.Load(ref row, o); o += cs;
            TV x2 = TP.Zeroes && (uint)(b + 2) >= width ? default : TL.Load(ref row, o); o += cs;
            TV x3 = TP.Zeroes && (uint)(b + 3) >= width ? default : TL.Load(ref row, o); o += cs;
            TV x4 = TP.Zeroes && (uint)(b + 4) >= width ? default : TL.Load(ref row, o); o += cs;
            TV x5 = TP.Zeroes && (uint)(b + 5) >= width ? default : TL.Load(ref row, o);
            a0 = TL.Fma(w0, x0, a0); a1 = TL.Fma(w0, x1, a1); a2 = TL.Fma(w0, x2, a2); a3 = TL.Fma(w0, x3, a3);
            a0 = TL.Fma(w1, x1, a0); a1 = TL.Fma(w1, x2, a1); a2 = TL.Fma(w1, x3, a2); a3 = TL.Fma(w1, x4, a3);
            a0 = TL.Fma(w2, x2, a0); a1 = TL.Fma(w2, x3, a1); a2 = TL.Fma(w2, x4, a2); a3 = TL.Fma(w2, x5, a3);
            row = ref Unsafe.Add(ref row, rs);
            w = ref Unsafe.Add(ref w, 3 * cs);
        }
        var ep = e; // a local copy: its fields stay in registers across the stores
        TL.Store(ep.Finish<TL>(a0), ref y, 0);
        if (!TP.Zeroes || m > 1) TL.Store(ep.Finish<TL>(a1), ref y, cs);
        if (!TP.Zeroes || m > 2) TL.Store(ep.Finish<TL>(a2), ref y, 2 * cs);
        if (!TP.Zeroes || m > 3) TL.Store(ep.Finish<TL>(a3), ref y, 3 * cs);
    }

    /// <summary>8 outputs of a 3-wide kernel at stride 2: 17 input loads and 24 FMAs per kernel row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile8S2<TL, TV, TP>(ref float row, int b, ref float w, ref float y, in TileArgs t, in Epilogue<TV> e, int m)
        where TL : struct, IDepthwiseLanes<TV> where TV : struct where TP : struct, IPadding
    {
        nuint cs = t.Channels, rs = t.RowStep, start = (nuint)((nint)b * (nint)cs);
        uint width = (uint)t.Width;
        TV a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        for (int k = 0; k < t.KernelRows; k++)
        {
            TV w0 = TL.Load(ref w, 0), w1 = TL.Load(ref w, cs), w2 = TL.Load(ref w, 2 * cs);
            nuint o = start;
            TV x0 = TP.Zeroes && (uint)b >= width ? default : TL.Load(ref row, o); o += cs;
            TV x1 = TP.Zeroes && (uint)(b + 1) >= width ? default : TL.Load(ref row, o); o += cs;
            TV x2 = TP.Zeroes && (uint)(b + 2) >= width ? default : TL.Load(ref row, o); o += cs;
            TV x3 = TP.Zeroes && (uint)(b + 3) >= width ? default : TL.Load(ref row, o); o += cs;
            TV x4 = TP.Zeroes && (uint)(b + 4) >= width ? default : TL.Load(ref row, o); o += cs;
            TV x5 = TP.Zeroes && (uint)(b + 5) >= width ? default : TL.Load(ref row, o); o += cs;
            TV x6 = TP.Zeroes && (uint)(b + 6) >= width ? default : TL.Load(ref row, o); o += cs;
            TV x7 = TP.Zeroes && (uint)(b + 7) >= width ? default : TL.Load(ref row, o); o += cs;
            TV x8 = TP.Zeroes && (uint)(b + 8) >= width ? default : TL.Load(ref row, o); o += cs;
            TV x9 = TP.Zeroes && (uint)(b + 9) >= width ? default : TL.Load(ref row, o); o += cs;
            TV x10 = TP.Zeroes && (uint)(b + 10) >= width ? default : TL.Load(ref row, o); o += cs;
            TV x11 = TP.Zeroes && (uint)(b + 11) >= width ? default : TL.Load(ref row, o); o += cs;
            TV x12 = TP.Zeroes && (uint)(b + 12) >= width ? default : TL.Load(ref row, o); o += cs;
            TV x13 = TP.Zeroes && (uint)(b + 13) >= width ? default : TL.Load(ref row, o); o += cs;
            TV x14 = TP.Zeroes && (uint)(b + 14) >= width ? default : TL.Load(ref row, o); o += cs;
            TV x15 = TP.Zeroes && (uint)(b + 15) >= width ? default : TL.Load(ref row, o); o += cs;
            TV x16 = TP.Zeroes && (uint)(b + 16) >= width ? default : TL.Load(ref row, o);
            a0 = TL.Fma(w0, x0, a0); a1 = TL.Fma(w0, x2, a1); a2 = TL.Fma(w0, x4, a2); a3 = TL.Fma(w0, x6, a3); a4 = TL.Fma(w0, x8, a4); a5 = TL.Fma(w0, x10, a5); a6 = TL.Fma(w0, x12, a6); a7 = TL.Fma(w0, x14, a7);
            a0 = TL.Fma(w1, x1, a0); a1 = TL.Fma(w1, x3, a1); a2 = TL.Fma(w1, x5, a2); a3 = TL.Fma(w1, x7, a3); a4 = TL.Fma(w1, x9, a4); a5 = TL.Fma(w1, x11, a5); a6 = TL.Fma(w1, x13, a6); a7 = TL.Fma(w1, x15, a7);
            a0 = TL.Fma(w2, x2, a0); a1 = TL.Fma(w2, x4, a1); a2 = TL.Fma(w2, x6, a2); a3 = TL.Fma(w2, x8, a3); a4 = TL.Fma(w2, x10, a4); a5 = TL.Fma(w2, x12, a5); a6 = TL.Fma(w2, x14, a6); a7 = TL.Fma(w2, x16, a7);
            row = ref Unsafe.Add(ref row, rs);
            w = ref Unsafe.Add(ref w, 3 * cs);
        }
        var ep = e; // a local copy: its fields stay in registers across the stores
        TL.Store(ep.Finish<TL>(a0), ref y, 0);
        if (!TP.Zeroes || m > 1) TL.Store(ep.Finish<TL>(a1), ref y, cs);
        if (!TP.Zeroes || m > 2) TL.Store(ep.Finish<TL>(a2), ref y, 2 * cs);
        if (!TP.Zeroes || m > 3) TL.Store(ep.Finish<TL>(a3), ref y, 3 * cs);
        if (!TP.Zeroes || m > 4) TL.Store(ep.Finish<TL>(a4), ref y, 4 * cs);
        if (!TP.Zeroes || m > 5) TL.Store(ep.Finish<TL>(a5), ref y, 5 * cs);
        if (!TP.Zeroes || m > 6) TL.Store(ep.Finish<TL>(a6), ref y, 6 * cs);
        if (!TP.Zeroes || m > 7) TL.Store(ep.Finish<TL>(a7), ref y, 7 * cs);
    }

    /// <summary>4 outputs of a 3-wide kernel at stride 2: 9 input loads and 12 FMAs per kernel row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile4S2<TL, TV, TP>(ref float row, int b, ref float w, ref float y, in TileArgs t, in Epilogue<TV> e, int m)
        where TL : struct, IDepthwiseLanes<TV> where TV : struct where TP : struct, IPadding
    {
        nuint cs = t.Channels, rs = t.RowStep, start = (nuint)((nint)b * (nint)cs);
        uint width = (uint)t.Width;
        TV a0 = default, a1 = default, a2 = default, a3 = default;
        for (int k = 0; k < t.KernelRows; k++)
        {
            TV w0 = TL.Load(ref w, 0), w1 = TL.Load(ref w, cs), w2 = TL.Load(ref w, 2 * cs);
            nuint o = start;
            TV x0 = TP.Zeroes && (uint)b >= width ? default : TL.Load(ref row, o); o += cs;
            TV x1 = TP.Zeroes && (uint)(b + 1) >= width ? default : TL.Load(ref row, o); o += cs;
            TV x2 = TP.Zeroes && (uint)(b + 2) >= width ? default : TL.Load(ref row, o); o += cs;
            TV x3 = TP.Zeroes && (uint)(b + 3) >= width ? default : TL.Load(ref row, o); o += cs;
            TV x4 = TP.Zeroes && (uint)(b + 4) >= width ? default : TL.Load(ref row, o); o += cs;
            TV x5 = TP.Zeroes && (uint)(b + 5) >= width ? default : TL.Load(ref row, o); o += cs;
            TV x6 = TP.Zeroes && (uint)(b + 6) >= width ? default : TL.Load(ref row, o); o += cs;
            TV x7 = TP.Zeroes && (uint)(b + 7) >= width ? default : TL.Load(ref row, o); o += cs;
            TV x8 = TP.Zeroes && (uint)(b + 8) >= width ? default : TL.Load(ref row, o);
            a0 = TL.Fma(w0, x0, a0); a1 = TL.Fma(w0, x2, a1); a2 = TL.Fma(w0, x4, a2); a3 = TL.Fma(w0, x6, a3);
            a0 = TL.Fma(w1, x1, a0); a1 = TL.Fma(w1, x3, a1); a2 = TL.Fma(w1, x5, a2); a3 = TL.Fma(w1, x7, a3);
            a0 = TL.Fma(w2, x2, a0); a1 = TL.Fma(w2, x4, a1); a2 = TL.Fma(w2, x6, a2); a3 = TL.Fma(w2, x8, a3);
            row = ref Unsafe.Add(ref row, rs);
            w = ref Unsafe.Add(ref w, 3 * cs);
        }
        var ep = e; // a local copy: its fields stay in registers across the stores
        TL.Store(ep.Finish<TL>(a0), ref y, 0);
        if (!TP.Zeroes || m > 1) TL.Store(ep.Finish<TL>(a1), ref y, cs);
        if (!TP.Zeroes || m > 2) TL.Store(ep.Finish<TL>(a2), ref y, 2 * cs);
        if (!TP.Zeroes || m > 3) TL.Store(ep.Finish<TL>(a3), ref y, 3 * cs);
    }

    /// <summary>Four outputs of any kernel, stride and dilation (every tap inside the image): per tap one weight load and
    /// four input loads. x: the first output's first tap.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile4<TL, TV>(ref float x, ref float w, ref float y, in TileArgs t, in Epilogue<TV> e)
        where TL : struct, IDepthwiseLanes<TV> where TV : struct
    {
        nuint cs = t.Channels, ps = t.PixelStep, ts = t.TapStep, rs = t.RowStep;
        TV a0 = default, a1 = default, a2 = default, a3 = default;
        for (int k = 0; k < t.KernelRows; k++)
        {
            ref float p = ref x;
            for (int j = 0; j < t.KernelW; j++)
            {
                TV wv = TL.Load(ref w, 0);
                a0 = TL.Fma(wv, TL.Load(ref p, 0), a0);
                a1 = TL.Fma(wv, TL.Load(ref p, ps), a1);
                a2 = TL.Fma(wv, TL.Load(ref p, 2 * ps), a2);
                a3 = TL.Fma(wv, TL.Load(ref p, 3 * ps), a3);
                p = ref Unsafe.Add(ref p, ts);
                w = ref Unsafe.Add(ref w, cs);
            }
            x = ref Unsafe.Add(ref x, rs);
        }
        TL.Store(e.Finish<TL>(a0), ref y, 0);
        TL.Store(e.Finish<TL>(a1), ref y, cs);
        TL.Store(e.Finish<TL>(a2), ref y, 2 * cs);
        TL.Store(e.Finish<TL>(a3), ref y, 3 * cs);
    }
}
