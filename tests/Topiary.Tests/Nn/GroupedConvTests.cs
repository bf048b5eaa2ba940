// Conv2d with groups, dilation and asymmetric (top, left, bottom, right) padding: the forward pass against a naive
// loop over awkward sizes (widths 1..17, kernels 1/3/5/7), finite-difference gradients of depthwise, grouped,
// dilated and asymmetrically padded layers, results independent of the thread count, the Padding/Pads contract
// and the argument checks.
using Topiary.Nn;
using Topiary.Tensors;
using static Topiary.Tests.Nn.GradientChecker;

namespace Topiary.Tests.Nn;

public class GroupedConvTests
{
    /// <summary>The definition, in double: y[n,o,i,j] = b[o] + Σ W[o,c,kh,kw]·x[n, g·C/G + c, i·SH − PT + kh·DH, j·SW − PL + kw·DW].</summary>
    internal static float[] Reference(Tensor x, Conv2d conv)
    {
        int n = x.Dim(0), c = x.Dim(1), h = x.Dim(2), w = x.Dim(3);
        int oc = conv.OutChannels, groups = conv.Groups, cg = c / groups, ocg = oc / groups;
        var (kh, kw) = conv.KernelSize;
        var (sh, sw) = conv.Stride;
        var (dh, dw) = conv.Dilation;
        var (pt, pl, pb, pr) = conv.Pads;
        int oh = (h + pt + pb - dh * (kh - 1) - 1) / sh + 1, ow = (w + pl + pr - dw * (kw - 1) - 1) / sw + 1;
        var y = new float[n * oc * oh * ow];
        float[] wt = conv.Weight.Value.Data;
        for (int i = 0; i < n; i++)
        for (int o = 0; o < oc; o++)
        for (int a = 0; a < oh; a++)
        for (int b = 0; b < ow; b++)
        {
            double s = conv.Bias?.Value.Data[o] ?? 0;
            for (int ci = 0; ci < cg; ci++)
            {
                int ch = o / ocg * cg + ci;
                for (int p = 0; p < kh; p++)
                for (int q = 0; q < kw; q++)
                {
                    int iy = a * sh - pt + p * dh, ix = b * sw - pl + q * dw;
                    if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                    s += (double)wt[((o * cg + ci) * kh + p) * kw + q] * x.Data[((i * c + ch) * h + iy) * w + ix];
                }
            }
            y[((i * oc + o) * oh + a) * ow + b] = (float)s;
        }
        return y;
    }

    /// <summary>|expected − actual| ≤ 1e-5·(1 + max|expected|) everywhere; the first difference and the largest are reported.</summary>
    internal static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        float scale = 1 + expected.Select(MathF.Abs).DefaultIfEmpty(0).Max();
        int first = -1, worst = 0;
        float largest = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            float d = MathF.Abs(expected[i] - actual[i]);
            if (!(d <= 1e-5f * scale) && first < 0) first = i;
            if (!(d <= largest)) { largest = d; worst = i; }
        }
        if (first >= 0)
            Assert.Fail($"{what}: first difference at [{first}]: expected {expected[first]}, got {actual[first]}; " +
                $"largest |diff| {largest} at [{worst}] (expected {expected[worst]}, got {actual[worst]}).");
    }

    // (C, OC, groups, KH, KW, stride, dilation, pads t,l,b,r)
    public static IEnumerable<object[]> ForwardCases()
    {
        var data = new List<object[]>();
        foreach (int k in new[] { 1, 3, 5, 7 })
        {
            int p = k / 2;
            data.Add([3, 3, 3, k, k, 1, 1, p, p, p, p]);          // depthwise, "same"
            data.Add([3, 3, 3, k, k, 2, 1, p, p, p, p]);          // depthwise, stride 2
            data.Add([2, 6, 2, k, k, 1, 1, 0, p, p, 0]);          // depthwise with channel multiplier 3, asymmetric pads
            data.Add([3, 3, 3, k, k, 1, 2, p, 0, 0, p]);          // depthwise, dilation 2, asymmetric pads
            data.Add([4, 6, 2, k, k, 1, 1, p, p, p, p]);          // grouped, C/G = 2, OC/G = 3
            data.Add([8, 8, 4, k, k, 2, 2, 0, 0, p + 1, p + 1]);  // grouped, stride 2, dilation 2, TF-style SAME pads
            data.Add([3, 4, 1, k, k, 1, 2, 1, 2, 0, 1]);          // groups 1, dilation 2, asymmetric
        }
        data.Add([4, 4, 4, 3, 5, 1, 1, 1, 2, 1, 2]);              // depthwise, rectangular kernel
        data.Add([6, 4, 2, 5, 3, 2, 1, 2, 0, 1, 1]);              // grouped, rectangular kernel
        return data;
    }

    [Theory]
    [MemberData(nameof(ForwardCases))]
    public void Forward_matches_the_naive_loop_over_awkward_widths(int c, int oc, int groups, int kh, int kw, int stride, int dilation,
        int pt, int pl, int pb, int pr)
    {
        var conv = new Conv2d(c, oc, (kh, kw), new Random(1), (stride, stride), (pt, pl, pb, pr), (dilation, dilation), groups);
        int needH = dilation * (kh - 1) + 1 - pt - pb, needW = dilation * (kw - 1) + 1 - pl - pr;
        int tested = 0;
        for (int w = 1; w <= 17; w++)
        {
            if (w < needW) continue;
            int h = Math.Max(Math.Max(1, needH), 3 + w % 4);
            var x = Randn(100 + w, 2, c, h, w);
            AssertClose(Reference(x, conv), conv.Forward(x, training: false).Data, $"{conv} on {h}x{w}");
            tested++;
        }
        Assert.True(tested > 0);
    }

    [Fact]
    public void Forward_matches_the_naive_loop_without_bias_and_on_a_wide_image()
    {
        var conv = new Conv2d(16, 16, 3, new Random(2), stride: 1, padding: 1, bias: false, groups: 16);
        Assert.True(conv.IsDepthwise);
        var x = Randn(3, 2, 16, 9, 67);
        AssertClose(Reference(x, conv), conv.Forward(x, false).Data, conv.ToString());
        var grouped = new Conv2d(16, 32, 3, new Random(4), stride: 2, padding: 1, groups: 8, dilation: 2);
        AssertClose(Reference(x, grouped), grouped.Forward(x, false).Data, grouped.ToString());
    }

    [Theory]
    [InlineData(2, 3, 3, 3, 7, 13, 1, 1, 1, 1, 1, 1)]    // depthwise, stride 1 (vector interior: 13 wide)
    [InlineData(2, 3, 3, 3, 7, 12, 2, 1, 1, 1, 1, 1)]    // depthwise, stride 2 (scalar kernel)
    [InlineData(1, 2, 4, 2, 5, 11, 1, 1, 1, 0, 0, 1)]    // depthwise with channel multiplier 2, asymmetric pads
    [InlineData(2, 2, 2, 2, 6, 17, 1, 2, 2, 1, 1, 0)]    // depthwise, dilation 2, asymmetric pads
    [InlineData(2, 4, 6, 2, 5, 6, 1, 1, 1, 1, 1, 1)]     // groups 2, C/G = 2, OC/G = 3
    [InlineData(2, 8, 8, 4, 5, 5, 1, 1, 0, 1, 1, 0)]     // groups 4, C/G = 2, OC/G = 2
    [InlineData(2, 3, 4, 1, 7, 7, 1, 2, 2, 2, 2, 2)]     // groups 1, dilation 2
    [InlineData(2, 3, 2, 1, 5, 6, 2, 1, 0, 0, 1, 1)]     // groups 1, asymmetric pads (TF "SAME", stride 2)
    [InlineData(2, 4, 6, 2, 8, 9, 2, 2, 1, 0, 2, 1)]     // groups 2 + stride 2 + dilation 2 + asymmetric pads
    public void Gradients_match_finite_differences(int n, int c, int oc, int groups, int h, int w, int stride, int dilation,
        int pt, int pl, int pb, int pr)
    {
        var conv = new Conv2d(c, oc, (3, 3), new Random(5), (stride, stride), (pt, pl, pb, pr), (dilation, dilation), groups);
        Check(conv, Randn(6, n, c, h, w));
    }

    [Fact]
    public void Gradients_match_for_a_rectangular_depthwise_kernel_without_bias()
    {
        var conv = new Conv2d(3, 3, (3, 5), new Random(7), (1, 1), (1, 2, 0, 2), groups: 3, bias: false);
        Check(conv, Randn(8, 2, 3, 4, 14));
    }

    [Theory]
    [InlineData(8, 8, 8, 1)]   // depthwise, stride 1 (vector kernels)
    [InlineData(8, 8, 8, 2)]   // depthwise, stride 2
    [InlineData(8, 12, 4, 1)]  // grouped
    public void Results_do_not_depend_on_the_thread_count(int c, int oc, int groups, int stride)
    {
        (float[] Y, float[] Dx, float[] Dw, float[] Db) Run(int threads)
        {
            using (Threading.Limit(threads))
            {
                var conv = new Conv2d(c, oc, 3, new Random(9), stride, padding: 1, groups: groups);
                var x = Randn(10, 11, c, 9, 21);
                var y = conv.Forward(x, true).Clone();
                var dx = conv.Backward(Randn(11, y.Shape.ToArray())).Clone();
                return (y.Data, dx.Data, conv.Weight.Grad.Data.ToArray(), conv.Bias!.Grad.Data.ToArray());
            }
        }
        var one = Run(1);
        var two = Run(2);
        Assert.Equal(one.Y, two.Y);
        Assert.Equal(one.Dx, two.Dx);
        Assert.Equal(one.Dw, two.Dw);
        Assert.Equal(one.Db, two.Db);
    }

    [Fact]
    public void Weight_shape_channels_and_init_follow_the_groups()
    {
        var conv = new Conv2d(12, 6, 3, new Random(12), groups: 3);
        Assert.Equal(new[] { 6, 4, 3, 3 }, conv.Weight.Value.Shape.ToArray());
        Assert.Equal((12, 6, 3), (conv.InChannels, conv.OutChannels, conv.Groups));
        Assert.False(conv.IsDepthwise);
        float bound = 1f / MathF.Sqrt(4 * 9); // PyTorch: fan-in = (C/G)·KH·KW
        Assert.All(conv.Weight.Value.Data, v => Assert.InRange(v, -bound, bound));
        Assert.Contains(conv.Weight.Value.Data, v => MathF.Abs(v) > 0.8f * bound);

        var depthwise = new Conv2d(5, 10, 3, new Random(13), groups: 5);
        Assert.True(depthwise.IsDepthwise);
        Assert.Equal(new[] { 10, 1, 3, 3 }, depthwise.Weight.Value.Shape.ToArray());
        Assert.Equal(5, depthwise.InChannels);
    }

    [Fact]
    public void Padding_is_the_symmetric_view_of_Pads_and_refuses_asymmetric_ones()
    {
        var sym = new Conv2d(2, 2, (3, 5), new Random(1), padding: (1, 2));
        Assert.Equal((1, 2), sym.Padding);
        Assert.Equal((1, 2, 1, 2), sym.Pads);
        Assert.True(sym.HasSymmetricPadding);
        Assert.Equal((1, 1), sym.Dilation);
        Assert.Equal(1, sym.Groups);

        var asym = new Conv2d(2, 2, (3, 3), new Random(1), (2, 2), (0, 0, 1, 1));
        Assert.False(asym.HasSymmetricPadding);
        var ex = Assert.Throws<InvalidOperationException>(() => asym.Padding);
        Assert.Contains("bottom 1", ex.Message);
        Assert.Contains("Pads", ex.Message);
        Assert.Contains("pads=(0, 0, 1, 1)", asym.ToString());
        Assert.Equal((3, 3), asym.OutputSize(6, 6)); // ⌊(6 + 0 + 1 − 3)/2⌋ + 1
    }

    [Fact]
    public void Arguments_are_checked_and_named()
    {
        var ex = Assert.Throws<ArgumentException>(() => new Conv2d(6, 4, 3, new Random(1), groups: 4));
        Assert.Contains("groups = 4", ex.Message);
        Assert.Contains("inChannels = 6", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Conv2d(4, 4, 3, new Random(1), groups: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Conv2d(4, 4, 3, new Random(1), dilation: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Conv2d(4, 4, (3, 3), new Random(1), (1, 1), (0, -1, 0, 0)));

        var dilated = new Conv2d(1, 1, 3, new Random(1), dilation: 3); // effective kernel 7
        var shape = Assert.Throws<ArgumentException>(() => dilated.Forward(new Tensor(1, 1, 6, 9), false));
        Assert.Contains("[1, 1, 6, 9]", shape.Message);
        Assert.Contains(">= 7", shape.Message);
        Assert.Equal(new[] { 1, 1, 1, 3 }, dilated.Forward(new Tensor(1, 1, 7, 9), false).Shape.ToArray());
    }
}
