// DepthwiseConvNhwc's tiles: adjacent interior outputs of one output row and one channel block, one accumulator each
// (every tap inside the image, so no checks). x: the input pixel of the first output's first tap (kernel row
// KernelRow0), w: that tap's packed weights, y: the first output; pixels C floats apart, kernel rows RowStep apart.
// The 3-wide tiles (stride 1 and 2, no horizontal dilation) walk a kernel row's input pixels left to right, loading each
// once and feeding every accumulator that reads it, so each accumulator still receives its taps in kw order.
using System.Runtime.CompilerServices;

namespace Topiary.Tensors;

internal static partial class DepthwiseConvNhwc
{
    /// <summary>Strides of a tile (in floats): Channels between pixels, PixelStep between outputs' windows (SW·C),
    /// TapStep between a row's taps (DW·C), RowStep between kernel rows (DH·W·C); KernelRows rows of KernelW taps; the
    /// image is Width pixels wide.</summary>
    private readonly record struct TileArgs(nuint Channels, nuint PixelStep, nuint TapStep, nuint RowStep, int KernelRows, int KernelW, int Width);

    /// <summary>Eight outputs of a 3-wide kernel at stride 1: ten input loads and 24 FMAs per kernel row.</summary>
    private static void Tile8S1<TL, TV>(ref float x, ref float w, ref float y, in TileArgs t, in Epilogue<TV> e)
        where TL : struct, IDepthwiseLanes<TV> where TV : struct
    {
        nuint cs = t.Channels, rs = t.RowStep;
        TV a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        for (int k = 0; k < t.KernelRows; k++)
        {
            TV w0 = TL.Load(ref w, 0), w1 = TL.Load(ref w, cs), w2 = TL.Load(ref w, 2 * cs);
            ref float p = ref x;
            TV v = TL.Load(ref p, 0); a0 = TL.Fma(w0, v, a0); p = ref Unsafe.Add(ref p, cs);
            v = TL.Load(ref p, 0); a0 = TL.Fma(w1, v, a0); a1 = TL.Fma(w0, v, a1); p = ref Unsafe.Add(ref p, cs);
            v = TL.Load(ref p, 0); a0 = TL.Fma(w2, v, a0); a1 = TL.Fma(w1, v, a1); a2 = TL.Fma(w0, v, a2); p = ref Unsafe.Add(ref p, cs);
            v = TL.Load(ref p, 0); a1 = TL.Fma(w2, v, a1); a2 = TL.Fma(w1, v, a2); a3 = TL.Fma(w0, v, a3); p = ref Unsafe.Add(ref p, cs);
            v = TL.Load(ref p, 0); a2 = TL.Fma(w2, v, a2); a3 = TL.Fma(w1, v, a3); a4 = TL.Fma(w0, v, a4); p = ref Unsafe.Add(ref p, cs);
            v = TL.Load(ref p, 0); a3 = TL.Fma(w2, v, a3); a4 = TL.Fma(w1, v, a4); a5 = TL.Fma(w0, v, a5); p = ref Unsafe.Add(ref p, cs);
            v = TL.Load(ref p, 0); a4 = TL.Fma(w2, v, a4); a5 = TL.Fma(w1, v, a5); a6 = TL.Fma(w0, v, a6); p = ref Unsafe.Add(ref p, cs);
            v = TL.Load(ref p, 0); a5 = TL.Fma(w2, v, a5); a6 = TL.Fma(w1, v, a6); a7 = TL.Fma(w0, v, a7); p = ref Unsafe.Add(ref p, cs);
            v = TL.Load(ref p, 0); a6 = TL.Fma(w2, v, a6); a7 = TL.Fma(w1, v, a7); p = ref Unsafe.Add(ref p, cs);
            v = TL.Load(ref p, 0); a7 = TL.Fma(w2, v, a7);
            x = ref Unsafe.Add(ref x, rs);
            w = ref Unsafe.Add(ref w, 3 * cs);
        }
        TL.Store(e.Finish<TL>(a0), ref y, 0);
        TL.Store(e.Finish<TL>(a1), ref y, cs);
        TL.Store(e.Finish<TL>(a2), ref y, 2 * cs);
        TL.Store(e.Finish<TL>(a3), ref y, 3 * cs);
        TL.Store(e.Finish<TL>(a4), ref y, 4 * cs);
        TL.Store(e.Finish<TL>(a5), ref y, 5 * cs);
        TL.Store(e.Finish<TL>(a6), ref y, 6 * cs);
        TL.Store(e.Finish<TL>(a7), ref y, 7 * cs);
    }

    /// <summary>Four outputs of a 3-wide kernel at stride 1.</summary>
    private static void Tile4S1<TL, TV>(ref float x, ref float w, ref float y, in TileArgs t, in Epilogue<TV> e)
        where TL : struct, IDepthwiseLanes<TV> where TV : struct
    {
        nuint cs = t.Channels, rs = t.RowStep;
        TV a0 = default, a1 = default, a2 = default, a3 = default;
        for (int k = 0; k < t.KernelRows; k++)
        {
            TV w0 = TL.Load(ref w, 0), w1 = TL.Load(ref w, cs), w2 = TL.Load(ref w, 2 * cs);
            ref float p = ref x;
            TV v = TL.Load(ref p, 0); a0 = TL.Fma(w0, v, a0); p = ref Unsafe.Add(ref p, cs);
            v = TL.Load(ref p, 0); a0 = TL.Fma(w1, v, a0); a1 = TL.Fma(w0, v, a1); p = ref Unsafe.Add(ref p, cs);
            v = TL.Load(ref p, 0); a0 = TL.Fma(w2, v, a0); a1 = TL.Fma(w1, v, a1); a2 = TL.Fma(w0, v, a2); p = ref Unsafe.Add(ref p, cs);
            v = TL.Load(ref p, 0); a1 = TL.Fma(w2, v, a1); a2 = TL.Fma(w1, v, a2); a3 = TL.Fma(w0, v, a3); p = ref Unsafe.Add(ref p, cs);
            v = TL.Load(ref p, 0); a2 = TL.Fma(w2, v, a2); a3 = TL.Fma(w1, v, a3); p = ref Unsafe.Add(ref p, cs);
            v = TL.Load(ref p, 0); a3 = TL.Fma(w2, v, a3);
            x = ref Unsafe.Add(ref x, rs);
            w = ref Unsafe.Add(ref w, 3 * cs);
        }
        TL.Store(e.Finish<TL>(a0), ref y, 0);
        TL.Store(e.Finish<TL>(a1), ref y, cs);
        TL.Store(e.Finish<TL>(a2), ref y, 2 * cs);
        TL.Store(e.Finish<TL>(a3), ref y, 3 * cs);
    }

    /// <summary>Eight outputs of a 3-wide kernel at stride 2: seventeen input loads and 24 FMAs per kernel row.</summary>
    private static void Tile8S2<TL, TV>(ref float x, ref float w, ref float y, in TileArgs t, in Epilogue<TV> e)
        where TL : struct, IDepthwiseLanes<TV> where TV : struct
    {
        nuint cs = t.Channels, rs = t.RowStep;
        TV a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        for (int k = 0; k < t.KernelRows; k++)
        {
            TV w0 = TL.Load(ref w, 0), w1 = TL.Load(ref w, cs), w2 = TL.Load(ref w, 2 * cs);
            ref float p = ref x;
            TV v = TL.Load(ref p, 0); a0 = TL.Fma(w0, v, a0); p = ref Unsafe.Add(ref p, cs);
            v = TL.Load(ref p, 0); a0 = TL.Fma(w1, v, a0); p = ref Unsafe.Add(ref p, cs);
            v = TL.Load(ref p, 0); a0 = TL.Fma(w2, v, a0); a1 = TL.Fma(w0, v, a1); p = ref Unsafe.Add(ref p, cs);
            v = TL.Load(ref p, 0); a1 = TL.Fma(w1, v, a1); p = ref Unsafe.Add(ref p, cs);
            v = TL.Load(ref p, 0); a1 = TL.Fma(w2, v, a1); a2 = TL.Fma(w0, v, a2); p = ref Unsafe.Add(ref p, cs);
            v = TL.Load(ref p, 0); a2 = TL.Fma(w1, v, a2); p = ref Unsafe.Add(ref p, cs);
            v = TL.Load(ref p, 0); a2 = TL.Fma(w2, v, a2); a3 = TL.Fma(w0, v, a3); p = ref Unsafe.Add(ref p, cs);
            v = TL.Load(ref p, 0); a3 = TL.Fma(w1, v, a3); p = ref Unsafe.Add(ref p, cs);
            v = TL.Load(ref p, 0); a3 = TL.Fma(w2, v, a3); a4 = TL.Fma(w0, v, a4); p = ref Unsafe.Add(ref p, cs);
            v = TL.Load(ref p, 0); a4 = TL.Fma(w1, v, a4); p = ref Unsafe.Add(ref p, cs);
            v = TL.Load(ref p, 0); a4 = TL.Fma(w2, v, a4); a5 = TL.Fma(w0, v, a5); p = ref Unsafe.Add(ref p, cs);
            v = TL.Load(ref p, 0); a5 = TL.Fma(w1, v, a5); p = ref Unsafe.Add(ref p, cs);
            v = TL.Load(ref p, 0); a5 = TL.Fma(w2, v, a5); a6 = TL.Fma(w0, v, a6); p = ref Unsafe.Add(ref p, cs);
            v = TL.Load(ref p, 0); a6 = TL.Fma(w1, v, a6); p = ref Unsafe.Add(ref p, cs);
            v = TL.Load(ref p, 0); a6 = TL.Fma(w2, v, a6); a7 = TL.Fma(w0, v, a7); p = ref Unsafe.Add(ref p, cs);
            v = TL.Load(ref p, 0); a7 = TL.Fma(w1, v, a7); p = ref Unsafe.Add(ref p, cs);
            v = TL.Load(ref p, 0); a7 = TL.Fma(w2, v, a7);
            x = ref Unsafe.Add(ref x, rs);
            w = ref Unsafe.Add(ref w, 3 * cs);
        }
        TL.Store(e.Finish<TL>(a0), ref y, 0);
        TL.Store(e.Finish<TL>(a1), ref y, cs);
        TL.Store(e.Finish<TL>(a2), ref y, 2 * cs);
        TL.Store(e.Finish<TL>(a3), ref y, 3 * cs);
        TL.Store(e.Finish<TL>(a4), ref y, 4 * cs);
        TL.Store(e.Finish<TL>(a5), ref y, 5 * cs);
        TL.Store(e.Finish<TL>(a6), ref y, 6 * cs);
        TL.Store(e.Finish<TL>(a7), ref y, 7 * cs);
    }

    /// <summary>Four outputs of a 3-wide kernel at stride 2.</summary>
    private static void Tile4S2<TL, TV>(ref float x, ref float w, ref float y, in TileArgs t, in Epilogue<TV> e)
        where TL : struct, IDepthwiseLanes<TV> where TV : struct
    {
        nuint cs = t.Channels, rs = t.RowStep;
        TV a0 = default, a1 = default, a2 = default, a3 = default;
        for (int k = 0; k < t.KernelRows; k++)
        {
            TV w0 = TL.Load(ref w, 0), w1 = TL.Load(ref w, cs), w2 = TL.Load(ref w, 2 * cs);
            ref float p = ref x;
            TV v = TL.Load(ref p, 0); a0 = TL.Fma(w0, v, a0); p = ref Unsafe.Add(ref p, cs);
            v = TL.Load(ref p, 0); a0 = TL.Fma(w1, v, a0); p = ref Unsafe.Add(ref p, cs);
            v = TL.Load(ref p, 0); a0 = TL.Fma(w2, v, a0); a1 = TL.Fma(w0, v, a1); p = ref Unsafe.Add(ref p, cs);
            v = TL.Load(ref p, 0); a1 = TL.Fma(w1, v, a1); p = ref Unsafe.Add(ref p, cs);
            v = TL.Load(ref p, 0); a1 = TL.Fma(w2, v, a1); a2 = TL.Fma(w0, v, a2); p = ref Unsafe.Add(ref p, cs);
            v = TL.Load(ref p, 0); a2 = TL.Fma(w1, v, a2); p = ref Unsafe.Add(ref p, cs);
            v = TL.Load(ref p, 0); a2 = TL.Fma(w2, v, a2); a3 = TL.Fma(w0, v, a3); p = ref Unsafe.Add(ref p, cs);
            v = TL.Load(ref p, 0); a3 = TL.Fma(w1, v, a3); p = ref Unsafe.Add(ref p, cs);
            v = TL.Load(ref p, 0); a3 = TL.Fma(w2, v, a3);
            x = ref Unsafe.Add(ref x, rs);
            w = ref Unsafe.Add(ref w, 3 * cs);
        }
        TL.Store(e.Finish<TL>(a0), ref y, 0);
        TL.Store(e.Finish<TL>(a1), ref y, cs);
        TL.Store(e.Finish<TL>(a2), ref y, 2 * cs);
        TL.Store(e.Finish<TL>(a3), ref y, 3 * cs);
    }

    /// <summary>Four outputs of any kernel, stride and dilation: per tap one weight load and four input loads.</summary>
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
