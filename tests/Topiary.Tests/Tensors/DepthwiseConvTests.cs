// DepthwiseConv's kernels against their scalar twin (DepthwiseConvScalar) over awkward sizes — every width 1..20
// plus 31..33 (remainders of every vector width), kernels 1/3/5/7 and rectangular, dilation 1 and 2, strides 1 to 3,
// symmetric, asymmetric and oversized pads — with vectors allowed and forced off: forward and input gradient equal
// the twin bit for bit (same per-element FMA order); the weight gradient (several partial sums) agrees to rounding.
// The twin itself is checked against the definition (a naive double loop), so the chain ends at the formula.
using Topiary.Tensors;

namespace Topiary.Tests.Tensors;

public class DepthwiseConvTests
{
    private static readonly int[] Widths = [.. Enumerable.Range(1, 20), 31, 32, 33];

    // (KH, KW, stride, dilation, pads t,l,b,r)
    public static IEnumerable<object[]> Filters()
    {
        foreach (int stride in new[] { 1, 2, 3 })
        {
            foreach (int k in new[] { 1, 3, 5, 7 })
            {
                int p = k / 2;
                if (p > 0) yield return [k, k, stride, 1, p, p, p, p]; // for k = 1 this is the unpadded row below
                yield return [k, k, stride, 1, 0, 0, 0, 0];
                yield return [k, k, stride, 2, p, 0, p + 1, k];
            }
            yield return [3, 5, stride, 1, 0, 2, 1, 1];
            yield return [5, 3, stride, 2, 4, 3, 0, 0];
        }
    }

    [Theory]
    [MemberData(nameof(Filters))]
    public void Kernels_match_the_scalar_twin(int kh, int kw, int stride, int dilation, int pt, int pl, int pb, int pr)
    {
        var rng = new Random(kh * 1000 + kw * 100 + stride * 10 + dilation);
        int tested = 0;
        foreach (int w in Widths)
        {
            foreach (int h in new[] { 1, 4, 9 })
            {
                Conv2dGeometry g;
                try { g = new Conv2dGeometry(1, h, w, (kh, kw), (stride, stride), (pt, pl, pb, pr), (dilation, dilation)); }
                catch (ArgumentException) { continue; } // the dilated kernel does not fit
                tested++;
                string what = $"{kh}x{kw} s{stride} d{dilation} pads ({pt},{pl},{pb},{pr}) on {h}x{w}";
                float[] x = Random(rng, h * w), filter = Random(rng, kh * kw), dy = Random(rng, g.OutH * g.OutW);
                var ys = new float[g.OutH * g.OutW];
                DepthwiseConvScalar.Forward(x, filter, 0.25f, g, ys);
                float[] dws = Random(new Random(8), kh * kw);
                DepthwiseConvScalar.WeightGradient(x, dy, g, dws);

                foreach (bool vectorise in stride == 1 ? new[] { false, true } : new[] { false })
                {
                    string path = (vectorise ? "vector " : "scalar ") + what;
                    var y = new float[ys.Length];
                    DepthwiseConv.Forward(x, filter, 0.25f, g, y, vectorise);
                    AssertBitwise(ys, y, "forward, " + path);

                    foreach (bool accumulate in new[] { false, true })
                    {
                        float[] dx = Random(new Random(7), h * w), dxs = (float[])dx.Clone();
                        DepthwiseConv.InputGradient(dy, filter, g, dx, accumulate, vectorise);
                        DepthwiseConvScalar.InputGradient(dy, filter, g, dxs, accumulate);
                        AssertBitwise(dxs, dx, $"input gradient (accumulate {accumulate}), " + path);
                    }

                    float[] dw = Random(new Random(8), kh * kw);
                    DepthwiseConv.WeightGradient(x, dy, g, dw, vectorise);
                    double scale = 1 + h * w; // |x|, |dy| < 1: a tap sums at most H·W products
                    for (int t = 0; t < dws.Length; t++)
                        Assert.True(Math.Abs(dws[t] - dw[t]) <= 1e-6 * scale, $"weight gradient, {path}: tap {t} twin {dws[t]}, kernel {dw[t]}");
                }
            }
        }
        Assert.True(tested > 10, $"only {tested} sizes fit");
    }

    [Theory]
    [InlineData(1, 1, 0, 0, 0, 0)]
    [InlineData(2, 1, 1, 1, 1, 1)]
    [InlineData(2, 2, 0, 1, 2, 0)]
    [InlineData(3, 1, 2, 2, 2, 2)]
    [InlineData(1, 3, 1, 0, 0, 2)]
    public void Scalar_twin_matches_the_definition(int stride, int dilation, int pt, int pl, int pb, int pr)
    {
        var rng = new Random(stride * 10 + dilation);
        foreach (int w in new[] { 1, 2, 5, 8, 13, 17 })
        {
            const int h = 7, kh = 3, kw = 3;
            Conv2dGeometry g;
            try { g = new Conv2dGeometry(1, h, w, (kh, kw), (stride, stride), (pt, pl, pb, pr), (dilation, dilation)); }
            catch (ArgumentException) { continue; }
            float[] x = Random(rng, h * w), filter = Random(rng, kh * kw), dy = Random(rng, g.OutH * g.OutW);
            var y = new double[g.OutH * g.OutW];
            var dx = new double[h * w];
            var dw = new double[kh * kw];
            for (int oy = 0; oy < g.OutH; oy++)
            for (int ox = 0; ox < g.OutW; ox++)
            for (int a = 0; a < kh; a++)
            for (int b = 0; b < kw; b++)
            {
                int iy = oy * stride - pt + a * dilation, ix = ox * stride - pl + b * dilation;
                if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                y[oy * g.OutW + ox] += (double)filter[a * kw + b] * x[iy * w + ix];
                dx[iy * w + ix] += (double)filter[a * kw + b] * dy[oy * g.OutW + ox];
                dw[a * kw + b] += (double)dy[oy * g.OutW + ox] * x[iy * w + ix];
            }
            var ys = new float[y.Length];
            DepthwiseConvScalar.Forward(x, filter, 0f, g, ys);
            var dxs = new float[dx.Length];
            DepthwiseConvScalar.InputGradient(dy, filter, g, dxs, accumulate: false);
            var dws = new float[dw.Length];
            DepthwiseConvScalar.WeightGradient(x, dy, g, dws);
            AssertNear(y, ys, $"forward s{stride} on 7x{w}");
            AssertNear(dx, dxs, $"input gradient s{stride} on 7x{w}");
            AssertNear(dw, dws, $"weight gradient s{stride} on 7x{w}");

            // The dispatching entry points agree with the twin at every stride.
            var yd = new float[y.Length];
            DepthwiseConv.Forward(x, filter, 0f, g, yd);
            AssertBitwise(ys, yd, $"dispatch forward s{stride}");
            var dxd = new float[dx.Length];
            DepthwiseConv.InputGradient(dy, filter, g, dxd, accumulate: false);
            AssertBitwise(dxs, dxd, $"dispatch input gradient s{stride}");
        }
    }

    private static float[] Random(Random rng, int n)
    {
        var a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float)(rng.NextDouble() * 2 - 1);
        return a;
    }

    private static void AssertBitwise(float[] expected, float[] actual, string what)
    {
        for (int i = 0; i < expected.Length; i++)
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
                Assert.Fail($"{what}: first difference at [{i}]: twin {expected[i]:G9}, kernel {actual[i]:G9} " +
                    $"(largest |diff| {expected.Zip(actual, (a, b) => MathF.Abs(a - b)).Max():G6}).");
    }

    private static void AssertNear(double[] expected, float[] actual, string what)
    {
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5 * (1 + Math.Abs(expected[i])),
                $"{what}: [{i}] expected {expected[i]:G9}, got {actual[i]:G9}");
    }
}
