// DepthwiseConvNhwc's edge tiles for weights that are not all finite (an infinite or NaN weight times a padding zero
// would not be a skipped tap): the 3-wide tiles (DepthwiseConvNhwc.Tiles.cs) for tiles that reach into the left or
// right padding or are cut short by the end of the row, walking each kernel row's inputs in order. row: column 0 of the
// first kernel row inside the image (channel c); b: the input column of the tile's first tap, possibly negative; inputs
// outside [0, W) are skipped (their taps are in the padding), so each accumulator receives the remaining taps in kw
// order; only the first m outputs are stored.
using System.Runtime.CompilerServices;

namespace Topiary.Tensors;

internal static partial class DepthwiseConvNhwc
{
    /// <summary>Up to eight outputs of a 3-wide kernel at stride 1, inputs outside the image skipped.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Edge8S1<TL, TV>(ref float row, int b, ref float w, ref float y, in TileArgs t, in Epilogue<TV> e, int m)
        where TL : struct, IDepthwiseLanes<TV> where TV : struct
    {
        nuint cs = t.Channels, rs = t.RowStep;
        uint width = (uint)t.Width;
        TV a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        for (int k = 0; k < t.KernelRows; k++)
        {
            TV w0 = TL.Load(ref w, 0), w1 = TL.Load(ref w, cs), w2 = TL.Load(ref w, 2 * cs), v;
            if ((uint)(b) < width) { v = TL.Load(ref row, (nuint)(b) * cs); a0 = TL.Fma(w0, v, a0); }
            if ((uint)(b + 1) < width) { v = TL.Load(ref row, (nuint)(b + 1) * cs); a0 = TL.Fma(w1, v, a0); a1 = TL.Fma(w0, v, a1); }
            if ((uint)(b + 2) < width) { v = TL.Load(ref row, (nuint)(b + 2) * cs); a0 = TL.Fma(w2, v, a0); a1 = TL.Fma(w1, v, a1); a2 = TL.Fma(w0, v, a2); }
            if ((uint)(b + 3) < width) { v = TL.Load(ref row, (nuint)(b + 3) * cs); a1 = TL.Fma(w2, v, a1); a2 = TL.Fma(w1, v, a2); a3 = TL.Fma(w0, v, a3); }
            if ((uint)(b + 4) < width) { v = TL.Load(ref row, (nuint)(b + 4) * cs); a2 = TL.Fma(w2, v, a2); a3 = TL.Fma(w1, v, a3); a4 = TL.Fma(w0, v, a4); }
            if ((uint)(b + 5) < width) { v = TL.Load(ref row, (nuint)(b + 5) * cs); a3 = TL.Fma(w2, v, a3); a4 = TL.Fma(w1, v, a4); a5 = TL.Fma(w0, v, a5); }
            if ((uint)(b + 6) < width) { v = TL.Load(ref row, (nuint)(b + 6) * cs); a4 = TL.Fma(w2, v, a4); a5 = TL.Fma(w1, v, a5); a6 = TL.Fma(w0, v, a6); }
            if ((uint)(b + 7) < width) { v = TL.Load(ref row, (nuint)(b + 7) * cs); a5 = TL.Fma(w2, v, a5); a6 = TL.Fma(w1, v, a6); a7 = TL.Fma(w0, v, a7); }
            if ((uint)(b + 8) < width) { v = TL.Load(ref row, (nuint)(b + 8) * cs); a6 = TL.Fma(w2, v, a6); a7 = TL.Fma(w1, v, a7); }
            if ((uint)(b + 9) < width) { v = TL.Load(ref row, (nuint)(b + 9) * cs); a7 = TL.Fma(w2, v, a7); }
            row = ref Unsafe.Add(ref row, rs);
            w = ref Unsafe.Add(ref w, 3 * cs);
        }
        var ep = e; // a local copy: its fields stay in registers across the stores
        TL.Store(ep.Finish<TL>(a0), ref y, 0);
        if (m > 1) TL.Store(ep.Finish<TL>(a1), ref y, cs);
        if (m > 2) TL.Store(ep.Finish<TL>(a2), ref y, 2 * cs);
        if (m > 3) TL.Store(ep.Finish<TL>(a3), ref y, 3 * cs);
        if (m > 4) TL.Store(ep.Finish<TL>(a4), ref y, 4 * cs);
        if (m > 5) TL.Store(ep.Finish<TL>(a5), ref y, 5 * cs);
        if (m > 6) TL.Store(ep.Finish<TL>(a6), ref y, 6 * cs);
        if (m > 7) TL.Store(ep.Finish<TL>(a7), ref y, 7 * cs);
    }

    /// <summary>Up to four outputs of a 3-wide kernel at stride 1, inputs outside the image skipped.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Edge4S1<TL, TV>(ref float row, int b, ref float w, ref float y, in TileArgs t, in Epilogue<TV> e, int m)
        where TL : struct, IDepthwiseLanes<TV> where TV : struct
    {
        nuint cs = t.Channels, rs = t.RowStep;
        uint width = (uint)t.Width;
        TV a0 = default, a1 = default, a2 = default, a3 = default;
        for (int k = 0; k < t.KernelRows; k++)
        {
            TV w0 = TL.Load(ref w, 0), w1 = TL.Load(ref w, cs), w2 = TL.Load(ref w, 2 * cs), v;
            if ((uint)(b) < width) { v = TL.Load(ref row, (nuint)(b) * cs); a0 = TL.Fma(w0, v, a0); }
            if ((uint)(b + 1) < width) { v = TL.Load(ref row, (nuint)(b + 1) * cs); a0 = TL.Fma(w1, v, a0); a1 = TL.Fma(w0, v, a1); }
            if ((uint)(b + 2) < width) { v = TL.Load(ref row, (nuint)(b + 2) * cs); a0 = TL.Fma(w2, v, a0); a1 = TL.Fma(w1, v, a1); a2 = TL.Fma(w0, v, a2); }
            if ((uint)(b + 3) < width) { v = TL.Load(ref row, (nuint)(b + 3) * cs); a1 = TL.Fma(w2, v, a1); a2 = TL.Fma(w1, v, a2); a3 = TL.Fma(w0, v, a3); }
            if ((uint)(b + 4) < width) { v = TL.Load(ref row, (nuint)(b + 4) * cs); a2 = TL.Fma(w2, v, a2); a3 = TL.Fma(w1, v, a3); }
            if ((uint)(b + 5) < width) { v = TL.Load(ref row, (nuint)(b + 5) * cs); a3 = TL.Fma(w2, v, a3); }
            row = ref Unsafe.Add(ref row, rs);
            w = ref Unsafe.Add(ref w, 3 * cs);
        }
        var ep = e; // a local copy: its fields stay in registers across the stores
        TL.Store(ep.Finish<TL>(a0), ref y, 0);
        if (m > 1) TL.Store(ep.Finish<TL>(a1), ref y, cs);
        if (m > 2) TL.Store(ep.Finish<TL>(a2), ref y, 2 * cs);
        if (m > 3) TL.Store(ep.Finish<TL>(a3), ref y, 3 * cs);
    }

    /// <summary>Up to eight outputs of a 3-wide kernel at stride 2, inputs outside the image skipped.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Edge8S2<TL, TV>(ref float row, int b, ref float w, ref float y, in TileArgs t, in Epilogue<TV> e, int m)
        where TL : struct, IDepthwiseLanes<TV> where TV : struct
    {
        nuint cs = t.Channels, rs = t.RowStep;
        uint width = (uint)t.Width;
        TV a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        for (int k = 0; k < t.KernelRows; k++)
        {
            TV w0 = TL.Load(ref w, 0), w1 = TL.Load(ref w, cs), w2 = TL.Load(ref w, 2 * cs), v;
            if ((uint)(b) < width) { v = TL.Load(ref row, (nuint)(b) * cs); a0 = TL.Fma(w0, v, a0); }
            if ((uint)(b + 1) < width) { v = TL.Load(ref row, (nuint)(b + 1) * cs); a0 = TL.Fma(w1, v, a0); }
            if ((uint)(b + 2) < width) { v = TL.Load(ref row, (nuint)(b + 2) * cs); a0 = TL.Fma(w2, v, a0); a1 = TL.Fma(w0, v, a1); }
            if ((uint)(b + 3) < width) { v = TL.Load(ref row, (nuint)(b + 3) * cs); a1 = TL.Fma(w1, v, a1); }
            if ((uint)(b + 4) < width) { v = TL.Load(ref row, (nuint)(b + 4) * cs); a1 = TL.Fma(w2, v, a1); a2 = TL.Fma(w0, v, a2); }
            if ((uint)(b + 5) < width) { v = TL.Load(ref row, (nuint)(b + 5) * cs); a2 = TL.Fma(w1, v, a2); }
            if ((uint)(b + 6) < width) { v = TL.Load(ref row, (nuint)(b + 6) * cs); a2 = TL.Fma(w2, v, a2); a3 = TL.Fma(w0, v, a3); }
            if ((uint)(b + 7) < width) { v = TL.Load(ref row, (nuint)(b + 7) * cs); a3 = TL.Fma(w1, v, a3); }
            if ((uint)(b + 8) < width) { v = TL.Load(ref row, (nuint)(b + 8) * cs); a3 = TL.Fma(w2, v, a3); a4 = TL.Fma(w0, v, a4); }
            if ((uint)(b + 9) < width) { v = TL.Load(ref row, (nuint)(b + 9) * cs); a4 = TL.Fma(w1, v, a4); }
            if ((uint)(b + 10) < width) { v = TL.Load(ref row, (nuint)(b + 10) * cs); a4 = TL.Fma(w2, v, a4); a5 = TL.Fma(w0, v, a5); }
            if ((uint)(b + 11) < width) { v = TL.Load(ref row, (nuint)(b + 11) * cs); a5 = TL.Fma(w1, v, a5); }
            if ((uint)(b + 12) < width) { v = TL.Load(ref row, (nuint)(b + 12) * cs); a5 = TL.Fma(w2, v, a5); a6 = TL.Fma(w0, v, a6); }
            if ((uint)(b + 13) < width) { v = TL.Load(ref row, (nuint)(b + 13) * cs); a6 = TL.Fma(w1, v, a6); }
            if ((uint)(b + 14) < width) { v = TL.Load(ref row, (nuint)(b + 14) * cs); a6 = TL.Fma(w2, v, a6); a7 = TL.Fma(w0, v, a7); }
            if ((uint)(b + 15) < width) { v = TL.Load(ref row, (nuint)(b + 15) * cs); a7 = TL.Fma(w1, v, a7); }
            if ((uint)(b + 16) < width) { v = TL.Load(ref row, (nuint)(b + 16) * cs); a7 = TL.Fma(w2, v, a7); }
            row = ref Unsafe.Add(ref row, rs);
            w = ref Unsafe.Add(ref w, 3 * cs);
        }
        var ep = e; // a local copy: its fields stay in registers across the stores
        TL.Store(ep.Finish<TL>(a0), ref y, 0);
        if (m > 1) TL.Store(ep.Finish<TL>(a1), ref y, cs);
        if (m > 2) TL.Store(ep.Finish<TL>(a2), ref y, 2 * cs);
        if (m > 3) TL.Store(ep.Finish<TL>(a3), ref y, 3 * cs);
        if (m > 4) TL.Store(ep.Finish<TL>(a4), ref y, 4 * cs);
        if (m > 5) TL.Store(ep.Finish<TL>(a5), ref y, 5 * cs);
        if (m > 6) TL.Store(ep.Finish<TL>(a6), ref y, 6 * cs);
        if (m > 7) TL.Store(ep.Finish<TL>(a7), ref y, 7 * cs);
    }

    /// <summary>Up to four outputs of a 3-wide kernel at stride 2, inputs outside the image skipped.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Edge4S2<TL, TV>(ref float row, int b, ref float w, ref float y, in TileArgs t, in Epilogue<TV> e, int m)
        where TL : struct, IDepthwiseLanes<TV> where TV : struct
    {
        nuint cs = t.Channels, rs = t.RowStep;
        uint width = (uint)t.Width;
        TV a0 = default, a1 = default, a2 = default, a3 = default;
        for (int k = 0; k < t.KernelRows; k++)
        {
            TV w0 = TL.Load(ref w, 0), w1 = TL.Load(ref w, cs), w2 = TL.Load(ref w, 2 * cs), v;
            if ((uint)(b) < width) { v = TL.Load(ref row, (nuint)(b) * cs); a0 = TL.Fma(w0, v, a0); }
            if ((uint)(b + 1) < width) { v = TL.Load(ref row, (nuint)(b + 1) * cs); a0 = TL.Fma(w1, v, a0); }
            if ((uint)(b + 2) < width) { v = TL.Load(ref row, (nuint)(b + 2) * cs); a0 = TL.Fma(w2, v, a0); a1 = TL.Fma(w0, v, a1); }
            if ((uint)(b + 3) < width) { v = TL.Load(ref row, (nuint)(b + 3) * cs); a1 = TL.Fma(w1, v, a1); }
            if ((uint)(b + 4) < width) { v = TL.Load(ref row, (nuint)(b + 4) * cs); a1 = TL.Fma(w2, v, a1); a2 = TL.Fma(w0, v, a2); }
            if ((uint)(b + 5) < width) { v = TL.Load(ref row, (nuint)(b + 5) * cs); a2 = TL.Fma(w1, v, a2); }
            if ((uint)(b + 6) < width) { v = TL.Load(ref row, (nuint)(b + 6) * cs); a2 = TL.Fma(w2, v, a2); a3 = TL.Fma(w0, v, a3); }
            if ((uint)(b + 7) < width) { v = TL.Load(ref row, (nuint)(b + 7) * cs); a3 = TL.Fma(w1, v, a3); }
            if ((uint)(b + 8) < width) { v = TL.Load(ref row, (nuint)(b + 8) * cs); a3 = TL.Fma(w2, v, a3); }
            row = ref Unsafe.Add(ref row, rs);
            w = ref Unsafe.Add(ref w, 3 * cs);
        }
        var ep = e; // a local copy: its fields stay in registers across the stores
        TL.Store(ep.Finish<TL>(a0), ref y, 0);
        if (m > 1) TL.Store(ep.Finish<TL>(a1), ref y, cs);
        if (m > 2) TL.Store(ep.Finish<TL>(a2), ref y, 2 * cs);
        if (m > 3) TL.Store(ep.Finish<TL>(a3), ref y, 3 * cs);
    }
}
