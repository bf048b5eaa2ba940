// DepthwiseConvScalar: the plain scalar twin of DepthwiseConv — one [H, W] plane convolved with one KH×KW filter,
// any stride, dilation and padding (a Conv2dGeometry; its Channels field is ignored).
//   forward          y[oh, ow]   = b + Σ_{kh,kw} w[kh, kw] · x[oh·SH − PT + kh·DH, ow·SW − PL + kw·DW]
//   input gradient   dx[ih, iw] (+)= Σ_{kh,kw} w[kh, kw] · dy[oh, ow]   over the taps with
//                                     oh·SH − PT + kh·DH = ih and ow·SW − PL + kw·DW = iw
//   weight gradient  dw[kh, kw] += Σ_{oh,ow} dy[oh, ow] · x[oh·SH − PT + kh·DH, ow·SW − PL + kw·DW]
// Taps that fall in the padding are skipped. Order of every output element: taps in (kh, kw) order, each one
// fused multiply-add into a float accumulator that starts at 0; then the bias (forward) or the old dx
// (accumulate) is added. DepthwiseConv keeps exactly this order per element, so its forward and input gradient
// agree with this twin bit for bit (its weight gradient uses several partial sums and agrees to rounding).
// This twin is one element at a time, as plain as the formula: it is the test oracle of DepthwiseConv and the
// baseline its speed is compared with, not a production path.
using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Topiary.Tensors;

/// <summary>Scalar depthwise-convolution kernels for one plane, one element at a time (the oracle of <see cref="DepthwiseConv"/>).</summary>
internal static class DepthwiseConvScalar
{
    /// <summary>y [OH, OW] = b + the KH×KW filter <paramref name="w"/> correlated with x [H, W] (see the file header).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> w, float bias, in Conv2dGeometry g, Span<float> y)
    {
        CheckSpans(x.Length, w.Length, y.Length, g);
        for (int oh = 0; oh < g.OutH; oh++)
            for (int ow = 0; ow < g.OutW; ow++)
                y[oh * g.OutW + ow] = OutputAt(x, w, bias, g, oh, ow);
    }

    /// <summary>dx [H, W] = (or += with <paramref name="accumulate"/>) the input gradient of dy [OH, OW] through the filter.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void InputGradient(ReadOnlySpan<float> dy, ReadOnlySpan<float> w, in Conv2dGeometry g, Span<float> dx, bool accumulate)
    {
        CheckSpans(dx.Length, w.Length, dy.Length, g);
        for (int ih = 0; ih < g.Height; ih++)
        {
            for (int iw = 0; iw < g.Width; iw++)
            {
                float s = InputGradientAt(dy, w, g, ih, iw);
                int i = ih * g.Width + iw;
                dx[i] = accumulate ? dx[i] + s : s;
            }
        }
    }

    /// <summary>dw [KH, KW] += Σ over the output of dy times the input each tap reads.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void WeightGradient(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, in Conv2dGeometry g, Span<float> dw)
    {
        CheckSpans(x.Length, dw.Length, dy.Length, g);
        int h = g.Height, w = g.Width;
        for (int kh = 0; kh < g.KernelH; kh++)
        {
            for (int kw = 0; kw < g.KernelW; kw++)
            {
                float s = 0;
                for (int oh = 0; oh < g.OutH; oh++)
                {
                    int ih = oh * g.StrideH - g.PadTop + kh * g.DilationH;
                    if ((uint)ih >= (uint)h) continue;
                    for (int ow = 0; ow < g.OutW; ow++)
                    {
                        int iw = ow * g.StrideW - g.PadLeft + kw * g.DilationW;
                        if ((uint)iw >= (uint)w) continue;
                        s = MathF.FusedMultiplyAdd(dy[oh * g.OutW + ow], x[ih * w + iw], s);
                    }
                }
                dw[kh * g.KernelW + kw] += s;
            }
        }
    }

    /// <summary>One forward output element, in the order the file header fixes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float OutputAt(ReadOnlySpan<float> x, ReadOnlySpan<float> w, float bias, in Conv2dGeometry g, int oh, int ow)
    {
        float acc = 0;
        for (int kh = 0; kh < g.KernelH; kh++)
        {
            int ih = oh * g.StrideH - g.PadTop + kh * g.DilationH;
            if ((uint)ih >= (uint)g.Height) continue;
            for (int kw = 0; kw < g.KernelW; kw++)
            {
                int iw = ow * g.StrideW - g.PadLeft + kw * g.DilationW;
                if ((uint)iw >= (uint)g.Width) continue;
                acc = MathF.FusedMultiplyAdd(w[kh * g.KernelW + kw], x[ih * g.Width + iw], acc);
            }
        }
        return acc + bias;
    }

    /// <summary>One input-gradient element (without the old dx), in the order the file header fixes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float InputGradientAt(ReadOnlySpan<float> dy, ReadOnlySpan<float> w, in Conv2dGeometry g, int ih, int iw)
    {
        float acc = 0;
        for (int kh = 0; kh < g.KernelH; kh++)
        {
            int th = ih + g.PadTop - kh * g.DilationH; // = oh·SH
            if (th < 0) break;                          // only decreases with kh
            if (th % g.StrideH != 0) continue;
            int oh = th / g.StrideH;
            if (oh >= g.OutH) continue;
            for (int kw = 0; kw < g.KernelW; kw++)
            {
                int tw = iw + g.PadLeft - kw * g.DilationW;
                if (tw < 0) break;
                if (tw % g.StrideW != 0) continue;
                int ow = tw / g.StrideW;
                if (ow >= g.OutW) continue;
                acc = MathF.FusedMultiplyAdd(w[kh * g.KernelW + kw], dy[oh * g.OutW + ow], acc);
            }
        }
        return acc;
    }

    [Conditional("DEBUG")]
    internal static void CheckSpans(int planeLength, int filterLength, int outputLength, in Conv2dGeometry g)
    {
        Debug.Assert(planeLength >= g.Height * g.Width, "input plane too short");
        Debug.Assert(filterLength >= g.KernelH * g.KernelW, "filter too short");
        Debug.Assert(outputLength >= g.OutH * g.OutW, "output plane too short");
    }
}
