// DepthwiseConvBlocked (16 channels per vector) against the scalar twin, bit for bit: kernels 3 and 5, strides 1 and 2,
// dilation 2, symmetric and asymmetric padding, planes from 1×1 to 16×16, blocks of 1 to 16 channels starting at a
// channel other than 0, with and without bias; and Conv2d's depthwise layer on small planes through it.
using Topiary.Nn;
using Topiary.Tensors;
using Topiary.Tests.Nn;

namespace Topiary.Tests.Tensors;

public class DepthwiseConvBlockedTests
{
    private sealed class BlockedFactAttribute : TheoryAttribute
    {
        public BlockedFactAttribute()
        {
            if (!DepthwiseConvBlocked.IsSupported) Skip = "Vector512 is not accelerated here (the blocked kernel is not used).";
        }
    }

    public static TheoryData<int, int, int, int, int, int, int, int> Geometries => new()
    {
        // H, W, kernel, stride, dilation, pad top/left, pad bottom/right, channels in the block
        { 7, 7, 3, 1, 1, 1, 1, 16 },
        { 14, 14, 3, 2, 1, 1, 1, 5 },
        { 1, 1, 3, 1, 1, 1, 1, 16 },
        { 9, 13, 5, 1, 1, 2, 2, 1 },
        { 10, 11, 3, 2, 2, 2, 1, 11 },
        { 16, 16, 3, 2, 1, 0, 1, 16 },  // TF "SAME" stride 2
        { 6, 5, 3, 1, 1, 0, 0, 7 },
    };

    [BlockedFact]
    [MemberData(nameof(Geometries))]
    public void Equals_the_scalar_twin_bit_for_bit(int h, int w, int k, int stride, int dilation, int padLead, int padTrail, int count)
    {
        var g = new Conv2dGeometry(1, h, w, (k, k), (stride, stride), (padLead, padLead, padTrail, padTrail), (dilation, dilation));
        int c0 = 3, channels = c0 + count, taps = k * k;
        var rng = new Random(h * 100 + w);
        float[] x = Enumerable.Range(0, count * h * w).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
        float[] wts = Enumerable.Range(0, channels * taps).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
        float[] bias = Enumerable.Range(0, channels).Select(_ => (float)rng.NextDouble()).ToArray();
        foreach (var b in new[] { bias, null })
        {
            int outPlane = g.OutH * g.OutW;
            var y = new float[2 + count * outPlane];
            DepthwiseConvBlocked.Forward(x, 0, wts, b, c0, count, g, y, 2);
            for (int l = 0; l < count; l++)
            {
                var expected = new float[outPlane];
                DepthwiseConvScalar.Forward(x.AsSpan(l * h * w, h * w), wts.AsSpan((c0 + l) * taps, taps), b is null ? 0f : b[c0 + l], g, expected);
                for (int p = 0; p < outPlane; p++)
                    Assert.Equal(BitConverter.SingleToInt32Bits(expected[p]), BitConverter.SingleToInt32Bits(y[2 + l * outPlane + p]));
            }
        }
    }

    [Fact]
    public void A_depthwise_layer_on_small_planes_equals_the_twin_plane_by_plane()
    {
        // 40 channels × 2 samples: per sample two full blocks and one of 8.
        var conv = new Conv2d(40, 40, 3, new Random(1), stride: 2, padding: 1, groups: 40);
        conv.Bias!.Value.CopyFrom(GradientChecker.Randn(3, 40));
        var x = GradientChecker.Randn(2, 2, 40, 14, 14);
        var y = conv.Forward(x, training: false).Data;
        var g = conv.Geometry(14, 14);
        int outPlane = g.OutH * g.OutW;
        for (int plane = 0; plane < 80; plane++)
        {
            var expected = new float[outPlane];
            DepthwiseConvScalar.Forward(x.Data.AsSpan(plane * 196, 196), conv.Weight.Value.Data.AsSpan(plane % 40 * 9, 9),
                conv.Bias.Value[plane % 40], g, expected);
            Assert.Equal(expected, y.AsSpan(plane * outPlane, outPlane).ToArray());
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => DepthwiseConvBlocked.Forward(new float[4], 0, new float[9], null, 0, 17,
            new Conv2dGeometry(1, 2, 2, 3, 3, 1, 1, 1, 1), new float[4], 0));
    }
}
