// EntryConvNhwcScalar: the plain scalar twin of EntryConvNhwc (its test oracle and benchmark baseline), one output at a
// time straight from the definition:
//   y[n, oh, ow, o] = min(max(Σ_k x[n, c, ih, iw] · W[o, c, kh, kw] + b[o], lo), hi),  ih = oh·SH − PT + kh·DH,
//                                                                                    iw = ow·SW − PL + kw·DW
// over every tap in k = (c·KH + kh)·KW + kw order, x = 0 in the padding (as im2col's column matrix holds it: 0·w is
// computed, NaN for w = ±∞), into one accumulator from +0, each step
// MathF.FusedMultiplyAdd (fused) or acc + x·w (the GEMM's scalar micro-kernel); + b only with a bias; Max then Min only
// when clamped (bounds other than −∞, +∞). W is the unpacked [OC, C, KH, KW].
using System.Runtime.CompilerServices;

namespace Topiary.Tensors;

/// <summary>Scalar reference for <see cref="EntryConvNhwc"/>.</summary>
internal static class EntryConvNhwcScalar
{
    /// <summary>y [batch, OH, OW, OC] from x [batch, C, H, W] and w [OC, C, KH, KW] (see the file header).</summary>
    /// <exception cref="ArgumentException">A span is shorter than the geometry needs.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Forward(ReadOnlySpan<float> x, int batch, in Conv2dGeometry g, ReadOnlySpan<float> w, int outChannels,
        ReadOnlySpan<float> bias, bool hasBias, float min, float max, bool fused, Span<float> y)
    {
        int c = g.Channels, h = g.Height, wd = g.Width, kh = g.KernelH, kw = g.KernelW, depth = g.ColumnRows;
        if (x.Length < (long)batch * g.ImageSize || w.Length < (long)outChannels * depth || (hasBias && bias.Length < outChannels)
            || y.Length < (long)batch * g.OutH * g.OutW * outChannels)
            throw new ArgumentException("A span is shorter than the geometry needs.");
        bool clamps = min != float.NegativeInfinity || max != float.PositiveInfinity;
        int o = 0;
        for (int n = 0; n < batch; n++)
            for (int oh = 0; oh < g.OutH; oh++)
                for (int ow = 0; ow < g.OutW; ow++)
                    for (int oc = 0; oc < outChannels; oc++, o++)
                    {
                        float acc = 0f;
                        for (int ci = 0; ci < c; ci++)
                            for (int i = 0; i < kh; i++)
                            {
                                int ih = oh * g.StrideH - g.PadTop + i * g.DilationH;
                                for (int j = 0; j < kw; j++)
                                {
                                    int iw = ow * g.StrideW - g.PadLeft + j * g.DilationW;
                                    float xv = (uint)ih < (uint)h && (uint)iw < (uint)wd ? x[((n * c + ci) * h + ih) * wd + iw] : 0f;
                                    float wv = w[oc * depth + (ci * kh + i) * kw + j];
                                    acc = fused ? MathF.FusedMultiplyAdd(xv, wv, acc) : acc + xv * wv;
                                }
                            }
                        if (hasBias) acc += bias[oc];
                        if (clamps) acc = MathF.Min(MathF.Max(acc, min), max);
                        y[o] = acc;
                    }
    }
}
