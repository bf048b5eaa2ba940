// DepthwiseConvBlocked: the depthwise forward for small planes (MobileNet's 7×7 and 14×14 stages), vectorised across
// 16 channels instead of along a row (rows of 7–14 floats leave a row-vectorised kernel mostly in scalar tails).
// A block of up to 16 planes (channel c0 + lane, one filter each: channel multiplier 1) is transposed into
// [H, W, 16] (channels last, zero in unused lanes), every output pixel is one Vector512 accumulator receiving the
// valid taps in (kh, kw) order from 0 — one FMA each — then + b, and the [OH, OW, 16] result is transposed back.
// Per output element that is exactly DepthwiseConvScalar's sequence of operations, so the results are its bits.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Topiary.Tensors;

/// <summary>Depthwise forward over 16 channels at once (oracle: <see cref="DepthwiseConvScalar"/>).</summary>
internal static class DepthwiseConvBlocked
{
    /// <summary>Channels per block (lanes of one Vector512).</summary>
    public const int Lanes = 16;

    /// <summary>True when this machine runs the blocked kernel (Vector512 accelerated).</summary>
    public static bool IsSupported => Vector512.IsHardwareAccelerated;

    [ThreadStatic] private static float[]? t_in;
    [ThreadStatic] private static float[]? t_out;

    /// <summary>
    /// Planes c0 .. c0 + count − 1 (count ≤ 16) of one sample: x plane c at <paramref name="xOffset"/> + (c − c0)·H·W,
    /// filter c at (c)·KH·KW of <paramref name="w"/>, bias b[c] (or 0), output plane at <paramref name="yOffset"/> +
    /// (c − c0)·OH·OW.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">count is not in [1, 16].</exception>
    /// <exception cref="InvalidOperationException">Vector512 is not accelerated (check <see cref="IsSupported"/>).</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(float[] x, int xOffset, float[] w, float[]? bias, int c0, int count, in Conv2dGeometry g, float[] y, int yOffset)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, Lanes);
        if (!IsSupported) throw new InvalidOperationException("DepthwiseConvBlocked needs Vector512.");
        int h = g.Height, wd = g.Width, oh = g.OutH, ow = g.OutW, kh = g.KernelH, kw = g.KernelW, taps = kh * kw;
        int inPlane = h * wd, outPlane = oh * ow;
        float[] xin = ScratchArray.Grow(ref t_in, inPlane * Lanes), yout = ScratchArray.Grow(ref t_out, outPlane * Lanes);
        // [H, W, 16]: lane l = channel c0 + l; unused lanes zero.
        if (count < Lanes) Array.Clear(xin, 0, inPlane * Lanes);
        for (int l = 0; l < count; l++)
        {
            var plane = x.AsSpan(xOffset + l * inPlane, inPlane);
            for (int p = 0; p < inPlane; p++) xin[p * Lanes + l] = plane[p];
        }
        Span<float> wl = stackalloc float[Lanes];
        var wv = taps <= 64 ? stackalloc Vector512<float>[taps] : new Vector512<float>[taps];
        for (int t = 0; t < taps; t++)
        {
            wl.Clear();
            for (int l = 0; l < count; l++) wl[l] = w[(c0 + l) * taps + t];
            wv[t] = Vector512.Create<float>(wl);
        }
        wl.Clear();
        if (bias is not null)
            for (int l = 0; l < count; l++) wl[l] = bias[c0 + l];
        var bv = Vector512.Create<float>(wl);
        int sh = g.StrideH, sw = g.StrideW, dh = g.DilationH, dw = g.DilationW, pt = g.PadTop, pl = g.PadLeft;
        ref float src = ref xin[0];
        ref float dst = ref yout[0];
        for (int oy = 0; oy < oh; oy++)
        {
            for (int ox = 0; ox < ow; ox++)
            {
                var acc = Vector512<float>.Zero;
                for (int i = 0; i < kh; i++)
                {
                    int ih = oy * sh - pt + i * dh;
                    if ((uint)ih >= (uint)h) continue;
                    for (int j = 0; j < kw; j++)
                    {
                        int iw = ox * sw - pl + j * dw;
                        if ((uint)iw >= (uint)wd) continue;
                        acc = Vector512.FusedMultiplyAdd(wv[i * kw + j], Vector512.LoadUnsafe(ref src, (nuint)((ih * wd + iw) * Lanes)), acc);
                    }
                }
                (acc + bv).StoreUnsafe(ref dst, (nuint)((oy * ow + ox) * Lanes));
            }
        }
        for (int l = 0; l < count; l++)
        {
            var plane = y.AsSpan(yOffset + l * outPlane, outPlane);
            for (int p = 0; p < outPlane; p++) plane[p] = yout[p * Lanes + l];
        }
    }
}
