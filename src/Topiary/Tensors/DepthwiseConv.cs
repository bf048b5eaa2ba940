// DepthwiseConv: direct kernels for a depthwise convolution plane (one [H, W] input plane, one KH×KW filter —
// MobileNet/EfficientNet's groups = C convolutions), where im2col + GEMM would degenerate to M = 1 products.
// Same contract and formulas as DepthwiseConvScalar (see its header); a Conv2dGeometry gives kernel, stride,
// dilation and padding (its Channels field is ignored).
// At stride 1 (the common depthwise case) the kernels run vectorised with Vector<float> along the width:
//   forward          a vector of OW-consecutive outputs accumulates every tap as one FMA with a broadcast weight;
//   input gradient   a vector of W-consecutive inputs gathers dy[ih + PT − kh·DH, iw + PL − kw·DW] likewise
//                    (a correlation with the flipped filter, so no scatter and no write conflicts);
//   weight gradient  per tap, a vector dot product of dy rows with the input rows the tap reads.
// Elements whose taps reach into the padding (the borders) and the remainders run the scalar twin's per-element
// code, so forward and input gradient equal DepthwiseConvScalar bit for bit; the weight gradient sums in vector
// lanes (deterministic for a given vector width). Other strides, or no vector hardware, run the scalar twin.
using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Topiary.Tensors;

/// <summary>Depthwise-convolution kernels for one plane: vectorised at stride 1, else <see cref="DepthwiseConvScalar"/>.</summary>
internal static class DepthwiseConv
{
    /// <summary>True when the vector kernels run for <paramref name="g"/> (stride 1 and vector hardware).</summary>
    public static bool IsVectorised(in Conv2dGeometry g) => Vector.IsHardwareAccelerated && g.StrideH == 1 && g.StrideW == 1;

    /// <summary>y [OH, OW] = b + Σ_taps w · x (see DepthwiseConvScalar).</summary>
    public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> w, float bias, in Conv2dGeometry g, Span<float> y)
    {
        if (IsVectorised(g)) ForwardVector(x, w, bias, g, y);
        else DepthwiseConvScalar.Forward(x, w, bias, g, y);
    }

    /// <summary>dx [H, W] = (or += with <paramref name="accumulate"/>) the input gradient of dy [OH, OW].</summary>
    public static void InputGradient(ReadOnlySpan<float> dy, ReadOnlySpan<float> w, in Conv2dGeometry g, Span<float> dx, bool accumulate)
    {
        if (IsVectorised(g)) InputGradientVector(dy, w, g, dx, accumulate);
        else DepthwiseConvScalar.InputGradient(dy, w, g, dx, accumulate);
    }

    /// <summary>dw [KH, KW] += Σ over the output of dy times the input each tap reads.</summary>
    public static void WeightGradient(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, in Conv2dGeometry g, Span<float> dw)
    {
        if (IsVectorised(g)) WeightGradientVector(x, dy, g, dw);
        else DepthwiseConvScalar.WeightGradient(x, dy, g, dw);
    }

    /// <summary>The stride-1 vector forward kernel (exposed for the tests that compare it with the twin).</summary>
    internal static void ForwardVector(ReadOnlySpan<float> x, ReadOnlySpan<float> w, float bias, in Conv2dGeometry g, Span<float> y)
    {
        Debug.Assert(g.StrideH == 1 && g.StrideW == 1, "stride 1 only");
        DepthwiseConvScalar.CheckSpans(x.Length, w.Length, y.Length, g);
        int width = g.Width, height = g.Height, oh = g.OutH, ow = g.OutW, kh = g.KernelH, kw = g.KernelW;
        int dh = g.DilationH, dw = g.DilationW, pt = g.PadTop, pl = g.PadLeft, v = Vector<float>.Count;
        // Interior outputs: every kw tap inside the row, i.e. 0 ≤ ox − PL and ox − PL + (KW − 1)·DW ≤ W − 1.
        int xa = Math.Min(pl, ow), xb = Math.Clamp(width + pl - (kw - 1) * dw, xa, ow);
        ref float x0 = ref MemoryMarshal.GetReference(x);
        ref float w0 = ref MemoryMarshal.GetReference(w);
        ref float y0 = ref MemoryMarshal.GetReference(y);
        var b = new Vector<float>(bias);
        for (int oy = 0; oy < oh; oy++)
        {
            int ox = 0;
            for (; ox < xa; ox++) Unsafe.Add(ref y0, oy * ow + ox) = DepthwiseConvScalar.OutputAt(x, w, bias, g, oy, ox);
            for (; ox + v <= xb; ox += v)
            {
                var acc = Vector<float>.Zero;
                for (int i = 0; i < kh; i++)
                {
                    int iy = oy - pt + i * dh;
                    if ((uint)iy >= (uint)height) continue;
                    ref float row = ref Unsafe.Add(ref x0, iy * width + ox - pl);
                    ref float wr = ref Unsafe.Add(ref w0, i * kw);
                    for (int j = 0; j < kw; j++)
                        acc = Vector.FusedMultiplyAdd(new Vector<float>(Unsafe.Add(ref wr, j)), Vector.LoadUnsafe(ref row, (nuint)(j * dw)), acc);
                }
                (acc + b).StoreUnsafe(ref Unsafe.Add(ref y0, oy * ow + ox));
            }
            for (; ox < ow; ox++) Unsafe.Add(ref y0, oy * ow + ox) = DepthwiseConvScalar.OutputAt(x, w, bias, g, oy, ox);
        }
    }

    /// <summary>The stride-1 vector input-gradient kernel (exposed for the tests that compare it with the twin).</summary>
    internal static void InputGradientVector(ReadOnlySpan<float> dy, ReadOnlySpan<float> w, in Conv2dGeometry g, Span<float> dx, bool accumulate)
    {
        Debug.Assert(g.StrideH == 1 && g.StrideW == 1, "stride 1 only");
        DepthwiseConvScalar.CheckSpans(dx.Length, w.Length, dy.Length, g);
        int width = g.Width, height = g.Height, oh = g.OutH, ow = g.OutW, kh = g.KernelH, kw = g.KernelW;
        int dh = g.DilationH, dw = g.DilationW, pt = g.PadTop, pl = g.PadLeft, v = Vector<float>.Count;
        // Interior inputs: every kw tap reads an output column, i.e. 0 ≤ ix + PL − (KW − 1)·DW and ix + PL ≤ OW − 1.
        int ia = Math.Clamp((kw - 1) * dw - pl, 0, width), ib = Math.Clamp(ow - pl, ia, width);
        ref float dy0 = ref MemoryMarshal.GetReference(dy);
        ref float w0 = ref MemoryMarshal.GetReference(w);
        ref float dx0 = ref MemoryMarshal.GetReference(dx);
        for (int iy = 0; iy < height; iy++)
        {
            int ix = 0;
            for (; ix < ia; ix++) Store(ref Unsafe.Add(ref dx0, iy * width + ix), DepthwiseConvScalar.InputGradientAt(dy, w, g, iy, ix), accumulate);
            for (; ix + v <= ib; ix += v)
            {
                var acc = Vector<float>.Zero;
                for (int i = 0; i < kh; i++)
                {
                    int oy = iy + pt - i * dh;
                    if (oy < 0) break; // only decreases with i
                    if (oy >= oh) continue;
                    ref float row = ref Unsafe.Add(ref dy0, oy * ow + ix + pl);
                    ref float wr = ref Unsafe.Add(ref w0, i * kw);
                    for (int j = 0; j < kw; j++)
                        acc = Vector.FusedMultiplyAdd(new Vector<float>(Unsafe.Add(ref wr, j)), Vector.LoadUnsafe(ref Unsafe.Subtract(ref row, j * dw)), acc);
                }
                ref float d = ref Unsafe.Add(ref dx0, iy * width + ix);
                (accumulate ? Vector.LoadUnsafe(ref d) + acc : acc).StoreUnsafe(ref d);
            }
            for (; ix < width; ix++) Store(ref Unsafe.Add(ref dx0, iy * width + ix), DepthwiseConvScalar.InputGradientAt(dy, w, g, iy, ix), accumulate);
        }
    }

    /// <summary>The stride-1 vector weight-gradient kernel (exposed for the tests that compare it with the twin).</summary>
    internal static void WeightGradientVector(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, in Conv2dGeometry g, Span<float> dwGrad)
    {
        Debug.Assert(g.StrideH == 1 && g.StrideW == 1, "stride 1 only");
        DepthwiseConvScalar.CheckSpans(x.Length, dwGrad.Length, dy.Length, g);
        int width = g.Width, height = g.Height, oh = g.OutH, ow = g.OutW, kh = g.KernelH, kw = g.KernelW;
        int dh = g.DilationH, dw = g.DilationW, pt = g.PadTop, pl = g.PadLeft, v = Vector<float>.Count;
        ref float x0 = ref MemoryMarshal.GetReference(x);
        ref float dy0 = ref MemoryMarshal.GetReference(dy);
        for (int i = 0; i < kh; i++)
        {
            // Output rows whose tap i reads an input row: 0 ≤ oy − PT + i·DH < H.
            int oy0 = Math.Max(0, pt - i * dh), oy1 = Math.Min(oh, height + pt - i * dh);
            for (int j = 0; j < kw; j++)
            {
                int off = j * dw - pl;
                Im2Col.ValidRange(off, 1, width, ow, out int ox0, out int ox1);
                var accV = Vector<float>.Zero;
                float accS = 0;
                for (int oy = oy0; oy < oy1; oy++)
                {
                    ref float dyRow = ref Unsafe.Add(ref dy0, oy * ow);
                    ref float xRow = ref Unsafe.Add(ref x0, (oy - pt + i * dh) * width + off);
                    int ox = ox0;
                    for (; ox + v <= ox1; ox += v)
                        accV = Vector.FusedMultiplyAdd(Vector.LoadUnsafe(ref dyRow, (nuint)ox), Vector.LoadUnsafe(ref xRow, (nuint)ox), accV);
                    for (; ox < ox1; ox++)
                        accS = MathF.FusedMultiplyAdd(Unsafe.Add(ref dyRow, ox), Unsafe.Add(ref xRow, ox), accS);
                }
                dwGrad[i * kw + j] += Vector.Sum(accV) + accS;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(ref float d, float s, bool accumulate) => d = accumulate ? d + s : s;
}
