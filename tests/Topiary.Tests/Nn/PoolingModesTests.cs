// MaxPool2d / AvgPool2d with rectangular windows and strides, asymmetric (top, left, bottom, right) pads, ceil_mode
// and count_include_pad: forward against naive loops written here from PyTorch's rules over awkward sizes, known
// PyTorch values, finite-difference gradients of every mode; GlobalMaxPool2d; the legacy square properties.
using Topiary.Nn;
using Topiary.Tensors;
using static Topiary.Tests.Nn.GradientChecker;

namespace Topiary.Tests.Nn;

public class PoolingModesTests
{
    // PyTorch's pooling_output_shape with separate begin/end pads.
    private static int OutSize(int size, int k, int s, int padBegin, int padEnd, bool ceil)
    {
        int span = size + padBegin + padEnd - k;
        int n = (ceil ? (span + s - 1) / s : span / s) + 1;
        if (ceil && (n - 1) * s >= size + padBegin) n--;
        return n;
    }

    private static float[] NaivePool(Tensor x, (int H, int W) k, (int H, int W) s, (int T, int L, int B, int R) p, bool ceil,
        bool max, bool countIncludePad)
    {
        int n = x.Dim(0), c = x.Dim(1), h = x.Dim(2), w = x.Dim(3);
        int oh = OutSize(h, k.H, s.H, p.T, p.B, ceil), ow = OutSize(w, k.W, s.W, p.L, p.R, ceil);
        var y = new float[n * c * oh * ow];
        for (int pl = 0; pl < n * c; pl++)
        for (int i = 0; i < oh; i++)
        for (int j = 0; j < ow; j++)
        {
            int hs = i * s.H - p.T, ws = j * s.W - p.L;
            int he = Math.Min(hs + k.H, h + p.B), we = Math.Min(ws + k.W, w + p.R);
            int poolSize = (he - hs) * (we - ws);
            int y0 = Math.Max(hs, 0), x0 = Math.Max(ws, 0), y1 = Math.Min(he, h), x1 = Math.Min(we, w);
            double sum = 0;
            float best = float.NegativeInfinity;
            for (int a = y0; a < y1; a++)
                for (int b = x0; b < x1; b++)
                {
                    float v = x.Data[(pl * h + a) * w + b];
                    sum += v;
                    best = Math.Max(best, v);
                }
            y[(pl * oh + i) * ow + j] = max ? best : (float)(sum / (countIncludePad ? poolSize : (y1 - y0) * (x1 - x0)));
        }
        return y;
    }

    public static IEnumerable<object[]> Windows()
    {
        // kernel H, W, stride H, W, pads t, l, b, r
        int[][] windows =
        [
            [1, 1, 2, 2, 0, 0, 0, 0],
            [2, 2, 2, 2, 0, 0, 0, 0],     // the 2x2 fast paths (with ceil_mode on odd sizes they must step aside)
            [2, 2, 2, 2, 1, 1, 1, 1],
            [3, 3, 2, 2, 1, 1, 1, 1],
            [3, 3, 1, 1, 1, 1, 1, 1],
            [3, 2, 2, 1, 0, 1, 1, 0],     // rectangular, asymmetric
            [2, 3, 1, 2, 1, 0, 0, 1],
            [3, 3, 3, 3, 0, 0, 1, 1],     // TF "SAME"-style pads at the bottom/right
            [5, 5, 2, 3, 2, 1, 0, 2],
            [4, 4, 4, 4, 2, 2, 2, 2],     // PyTorch issue 116420's window
        ];
        foreach (var win in windows)
            foreach (bool ceil in new[] { false, true })
                yield return [.. win.Cast<object>(), ceil];
    }

    [Theory]
    [MemberData(nameof(Windows))]
    public void Forward_matches_the_naive_loops_over_awkward_sizes(int kh, int kw, int sh, int sw, int pt, int pl, int pb, int pr, bool ceil)
    {
        var max = new MaxPool2d((kh, kw), (sh, sw), (pt, pl, pb, pr), ceil);
        var avg = new AvgPool2d((kh, kw), (sh, sw), (pt, pl, pb, pr), ceil, countIncludePad: true);
        var avgExcl = new AvgPool2d((kh, kw), (sh, sw), (pt, pl, pb, pr), ceil, countIncludePad: false);
        int tested = 0;
        foreach (int h in new[] { 1, 2, 3, 5, 8, 9 })
        {
            for (int w = 1; w <= 17; w++)
            {
                if (h + pt + pb < kh || w + pl + pr < kw) continue;
                var x = Randn(h * 100 + w, 2, 3, h, w);
                var k = (kh, kw);
                var s = (sh, sw);
                var p = (pt, pl, pb, pr);
                var expectedMax = NaivePool(x, k, s, p, ceil, true, false);
                GroupedConvTests.AssertClose(expectedMax, max.Forward(x, false).Data, $"{max} on {h}x{w} (inference: separable)");
                GroupedConvTests.AssertClose(expectedMax, max.Forward(x, true).Data, $"{max} on {h}x{w} (training: with argmax)");
                GroupedConvTests.AssertClose(NaivePool(x, k, s, p, ceil, false, true), avg.Forward(x, false).Data, $"{avg} on {h}x{w}");
                GroupedConvTests.AssertClose(NaivePool(x, k, s, p, ceil, false, false), avgExcl.Forward(x, false).Data, $"{avgExcl} on {h}x{w}");
                tested++;
            }
        }
        Assert.True(tested > 0);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void MaxPool_propagates_a_NaN_in_its_window_in_both_modes(bool training)
    {
        var x = Randn(7, 1, 2, 6, 7);
        x.Data[(1 * 6 + 2) * 7 + 3] = float.NaN; // plane 1, row 2, column 3
        var y = new MaxPool2d(3, 2, 1).Forward(x, training);
        int oh = y.Dim(2), ow = y.Dim(3);
        for (int plane = 0; plane < 2; plane++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++)
                {
                    // Window (i, j) covers rows 2i−1..2i+1 and columns 2j−1..2j+1.
                    bool covers = plane == 1 && Math.Abs(2 - 2 * i) <= 1 && Math.Abs(3 - 2 * j) <= 1;
                    Assert.Equal(covers, float.IsNaN(y.Data[(plane * oh + i) * ow + j]));
                }
    }

    [Fact]
    public void AvgPool_ceil_mode_matches_known_pytorch_values()
    {
        // torch.nn.AvgPool2d(3, 2, 1, ceil_mode=True)(torch.ones(1, 1, 4, 4)): the windows of the last row/column
        // reach one row into the padding and one beyond it; only the padding one is counted.
        var ones = new Tensor(1, 1, 4, 4);
        ones.Fill(1f);
        var y = new AvgPool2d(3, 2, 1, ceilMode: true).Forward(ones, false);
        Assert.Equal(new[] { 1, 1, 3, 3 }, y.Shape.ToArray());
        float[] expected = [4f / 9, 6f / 9, 2f / 6, 6f / 9, 1f, 3f / 6, 2f / 6, 3f / 6, 1f / 4];
        GroupedConvTests.AssertClose(expected, y.Data, "count_include_pad");
        var excl = new AvgPool2d(3, 2, 1, ceilMode: true, countIncludePad: false).Forward(ones, false);
        Assert.All(excl.Data, v => Assert.Equal(1f, v));

        // MaxPool2d(2, 2, padding 1, ceil) on 5x5 gives 3x3 (a 4th window would start in the padding).
        Assert.Equal(new[] { 1, 1, 3, 3 }, new MaxPool2d(2, 2, 1, ceilMode: true).Forward(new Tensor(1, 1, 5, 5), false).Shape.ToArray());
    }

    [Theory]
    [InlineData(2, 2, 2, 2, 0, 0, 0, 0, true, 5, 7)]
    [InlineData(3, 3, 2, 2, 1, 1, 1, 1, true, 6, 6)]
    [InlineData(3, 2, 2, 1, 0, 1, 1, 0, false, 7, 5)]
    [InlineData(3, 3, 3, 3, 0, 0, 1, 1, true, 7, 8)]
    [InlineData(2, 3, 1, 2, 1, 0, 0, 1, true, 4, 6)]
    public void MaxPool_gradients_match_finite_differences(int kh, int kw, int sh, int sw, int pt, int pl, int pb, int pr, bool ceil, int h, int w)
    {
        Check(new MaxPool2d((kh, kw), (sh, sw), (pt, pl, pb, pr), ceil), Distinct(30, 0.05f, 2, 2, h, w), eps: 1e-3f);
    }

    [Theory]
    [InlineData(3, 3, 2, 2, 1, 1, 1, 1, true, true, 6, 6)]
    [InlineData(3, 3, 2, 2, 1, 1, 1, 1, true, false, 6, 6)]
    [InlineData(3, 3, 2, 2, 1, 1, 1, 1, false, false, 5, 7)]
    [InlineData(3, 2, 2, 1, 0, 1, 1, 0, true, true, 7, 5)]
    [InlineData(3, 2, 2, 1, 0, 1, 1, 0, true, false, 7, 5)]
    [InlineData(2, 2, 2, 2, 0, 0, 0, 0, true, true, 5, 5)]
    [InlineData(5, 5, 2, 3, 2, 1, 0, 2, true, false, 8, 9)]
    public void AvgPool_gradients_match_finite_differences(int kh, int kw, int sh, int sw, int pt, int pl, int pb, int pr, bool ceil,
        bool countIncludePad, int h, int w)
    {
        Check(new AvgPool2d((kh, kw), (sh, sw), (pt, pl, pb, pr), ceil, countIncludePad), Randn(31, 2, 2, h, w));
    }

    [Fact]
    public void GlobalMaxPool_takes_the_plane_maximum_and_routes_the_gradient_to_the_first_one()
    {
        var x = new Tensor(new float[]
        {
            1, 7, 3, 7, 2, 0,      // plane 0: maximum 7 twice — the first (index 1) gets the gradient
            -4, -2, -9, -3, -8, -5 // plane 1: all negative
        }, 1, 2, 2, 3);
        var pool = new GlobalMaxPool2d();
        var y = pool.Forward(x, true);
        Assert.Equal(new[] { 1, 2, 1, 1 }, y.Shape.ToArray());
        Assert.Equal(new float[] { 7, -2 }, y.Data);
        var dx = pool.Backward(new Tensor(new float[] { 10, 20 }, 1, 2, 1, 1));
        Assert.Equal(new float[] { 0, 10, 0, 0, 0, 0, 0, 20, 0, 0, 0, 0 }, dx.Data);
        Check(new GlobalMaxPool2d(), Distinct(32, 0.05f, 3, 4, 3, 5), eps: 1e-3f);
        Assert.Throws<ArgumentException>(() => pool.Forward(new Tensor(2, 3), false));
    }

    [Fact]
    public void Square_properties_read_symmetric_pools_and_refuse_rectangular_ones()
    {
        var square = new MaxPool2d(3, 2, 1);
        Assert.Equal((3, 2, 1), (square.KernelSize, square.Stride, square.Padding));
        Assert.Equal(((3, 3), (2, 2), (1, 1, 1, 1)), (square.Kernel, square.Strides, square.Pads));
        Assert.False(square.CeilMode);
        Assert.Equal("MaxPool2d(kernel=3, stride=2, padding=1)", square.ToString());

        var rect = new AvgPool2d((3, 2), (2, 1), (0, 1, 1, 0), ceilMode: true, countIncludePad: false);
        Assert.Equal((2, 1), rect.Strides);
        var ex = Assert.Throws<InvalidOperationException>(() => rect.KernelSize);
        Assert.Contains("Kernel", ex.Message);
        Assert.Throws<InvalidOperationException>(() => rect.Stride);
        Assert.Throws<InvalidOperationException>(() => rect.Padding);
        Assert.Equal("AvgPool2d(kernel=3x2, stride=2x1, pads=(0, 1, 1, 0), ceil_mode, count_include_pad=false)", rect.ToString());
        Assert.True(new AvgPool2d(3, 1, 1).CountsPadding);
        Assert.False(new AvgPool2d(3, 1, 1, countIncludePad: false).CountsPadding);

        var stride = new MaxPool2d((2, 3));
        Assert.Equal((2, 3), stride.Strides); // default stride = kernel
        var bad = Assert.Throws<ArgumentOutOfRangeException>(() => new MaxPool2d((3, 2), pads: (1, 2, 0, 0)));
        Assert.Contains("left 2", bad.Message);
    }
}
