// DepthwiseConv3x3 against the scalar twin (DepthwiseConvScalar, then the epilogue as Conv2d applies it: + residual,
// max, min), bit for bit, at every lane width (16, 8, 4 and the scalar lanes — forced, so all run on any machine):
// strides 1 and 2; planes from 1×1 to 37×35 (widths under, at and over one vector, odd ones); padding 0, 1, 2 and
// asymmetric; channel multiplier 1 and 2; with and without bias, residual and clamp; plane ranges cut anywhere; the
// thread's padded scratch reused across layouts; narrow stride-1 "same" planes through the flat path, on many planes;
// a channel map (a shuffle read through) against the layer on the permuted input. Also Conv2d's depthwise layer
// (inference, fused epilogue, batch > 1).
using Topiary.Nn;
using Topiary.Tensors;
using Topiary.Tests.Nn;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Topiary.Tests.Tensors;

public class DepthwiseConv3x3Tests
{
    private static readonly DepthwiseConv3x3.Lanes[] AllLanes =
        [DepthwiseConv3x3.Lanes.V512, DepthwiseConv3x3.Lanes.V256, DepthwiseConv3x3.Lanes.V128, DepthwiseConv3x3.Lanes.Scalar, DepthwiseConv3x3.Lanes.Best];

    public static TheoryData<int, int, int, int, int, int, int> Geometries => new()
    {
        // H, W, stride, pad top, pad left, pad bottom, pad right
        { 1, 1, 1, 1, 1, 1, 1 },
        { 1, 1, 2, 1, 1, 1, 1 },
        { 2, 3, 1, 1, 1, 1, 1 },
        { 7, 7, 1, 1, 1, 1, 1 },
        { 7, 7, 2, 1, 1, 1, 1 },
        { 14, 14, 1, 1, 1, 1, 1 },
        { 14, 14, 2, 1, 1, 1, 1 },
        { 16, 16, 1, 1, 1, 1, 1 },
        { 16, 16, 2, 0, 0, 1, 1 },   // TF "SAME" stride 2
        { 17, 19, 1, 0, 0, 0, 0 },
        { 18, 17, 2, 0, 0, 0, 0 },
        { 13, 21, 1, 2, 2, 2, 2 },
        { 13, 21, 2, 2, 2, 2, 2 },
        { 11, 9, 1, 0, 1, 2, 0 },
        { 12, 15, 2, 1, 2, 0, 1 },
        { 28, 28, 1, 1, 1, 1, 1 },
        { 37, 35, 2, 1, 1, 1, 1 },
        { 9, 40, 1, 1, 1, 1, 1 },
    };

    [Theory]
    [MemberData(nameof(Geometries))]
    public void Equals_the_scalar_twin_with_the_epilogue_bit_for_bit(int h, int w, int stride, int pt, int pl, int pb, int pr)
    {
        foreach (int multiplier in new[] { 1, 2 })
        {
            var g = new Conv2dGeometry(3, h, w, (3, 3), (stride, stride), (pt, pl, pb, pr), (1, 1));
            int n = 2, c = 3, oc = c * multiplier, planes = n * oc, outPlane = g.OutH * g.OutW;
            var rng = new Random(h * 1000 + w * 10 + stride + multiplier);
            float[] x = Random(rng, n * c * h * w), wts = Random(rng, oc * 9), bias = Random(rng, oc), residual = Random(rng, planes * outPlane, 4f);
            x[x.Length / 2] = float.NaN; // propagates through every clamp
            foreach (var (b, r, lo, hi) in new (float[]?, float[]?, float, float)[]
                     {
                         (bias, null, float.NegativeInfinity, float.PositiveInfinity),
                         (null, residual, 0f, 6f),
                         (bias, residual, 0f, float.PositiveInfinity),
                         (bias, null, -0.25f, 0.25f),
                         (bias, residual, 0f, 6f),
                         (null, null, 0f, 0.5f),
                     })
            {
                var expected = Expected(x, wts, b, multiplier, g, r, lo, hi, planes);
                foreach (var lanes in AllLanes)
                {
                    var y = new float[planes * outPlane + 5];
                    y.AsSpan().Fill(float.NaN);
                    int cut = planes / 3;
                    DepthwiseConv3x3.Forward(x, wts, b, multiplier, g, y, r, lo, hi, 0, cut, lanes);
                    DepthwiseConv3x3.Forward(x, wts, b, multiplier, g, y, r, lo, hi, cut, planes, lanes);
                    AssertBits(expected, y, $"{lanes} m={multiplier} {g}");
                    for (int i = planes * outPlane; i < y.Length; i++) Assert.True(float.IsNaN(y[i]), $"{lanes}: wrote past the planes at {i}");
                }
            }
        }
    }

    // The flat path (stride 1, padding 1, narrow rows) on many planes, so most of them run flat rather than through the
    // padded kernel that the planes at either end of x take; ranges cut at every plane boundary near the middle.
    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 5)]
    [InlineData(4, 4)]
    [InlineData(7, 7)]
    [InlineData(5, 8)]
    [InlineData(9, 9)]
    [InlineData(14, 14)]
    [InlineData(11, 16)]
    public void Narrow_same_planes_run_flat_and_equal_the_twin(int h, int w)
    {
        var g = new Conv2dGeometry(37, h, w, 3, 3, 1, 1, 1, 1);
        Assert.True(DepthwiseConv3x3.RunsFlat(g, DepthwiseConv3x3.Lanes.V512));
        Assert.Equal(w <= 8, DepthwiseConv3x3.RunsFlat(g, DepthwiseConv3x3.Lanes.V256));
        Assert.False(DepthwiseConv3x3.RunsFlat(new Conv2dGeometry(37, h, w, 3, 3, 2, 2, 1, 1), DepthwiseConv3x3.Lanes.V512));
        Assert.False(DepthwiseConv3x3.RunsFlat(new Conv2dGeometry(37, h + 2, w + 2, 3, 3, 1, 1, 0, 0), DepthwiseConv3x3.Lanes.V512));
        foreach (int multiplier in new[] { 1, 3 })
        {
            int n = 2, c = g.Channels, oc = c * multiplier, planes = n * oc, outPlane = g.OutH * g.OutW;
            var rng = new Random(h * 100 + w + multiplier);
            float[] x = Random(rng, n * c * h * w), wts = Random(rng, oc * 9), bias = Random(rng, oc), residual = Random(rng, planes * outPlane, 4f);
            x[x.Length / 3] = float.NaN;
            x[x.Length / 2] = float.PositiveInfinity; // a neighbouring plane's infinity must not leak through a masked lane
            foreach (var (b, r, lo, hi) in new (float[]?, float[]?, float, float)[]
                     {
                         (bias, null, float.NegativeInfinity, float.PositiveInfinity),
                         (bias, residual, 0f, 6f),
                         (null, residual, -0.5f, 0.5f),
                     })
            {
                var expected = Expected(x, wts, b, multiplier, g, r, lo, hi, planes);
                foreach (var lanes in AllLanes)
                    foreach (bool flat in new[] { true, false })
                    for (int cut = planes / 2 - 2; cut <= planes / 2 + 2; cut++)
                    {
                        var y = new float[planes * outPlane + 5];
                        y.AsSpan().Fill(float.NaN);
                        DepthwiseConv3x3.Forward(x, wts, b, multiplier, g, y, r, lo, hi, 0, cut, lanes, flat);
                        DepthwiseConv3x3.Forward(x, wts, b, multiplier, g, y, r, lo, hi, cut, planes, lanes, flat);
                        AssertBits(expected, y, $"{lanes} flat={flat} m={multiplier} cut={cut} {g}");
                        for (int i = planes * outPlane; i < y.Length; i++) Assert.True(float.IsNaN(y[i]), $"{lanes}: wrote past the planes at {i}");
                    }
            }
        }
    }

    // A channel map (a shuffle read through): output channel o reads input channel source[o] of its sample — the bits of
    // the same layer on the input with its channels permuted first, on the padded and the flat paths, at every lane width.
    [Theory]
    [InlineData(7, 7, 1)]
    [InlineData(14, 14, 1)]
    [InlineData(28, 28, 1)]
    [InlineData(13, 21, 2)]
    [InlineData(14, 14, 2)]
    public void A_channel_map_reads_the_planes_it_names(int h, int w, int stride)
    {
        const int n = 2, c = 6;
        var g = new Conv2dGeometry(c, h, w, 3, 3, stride, stride, 1, 1);
        int plane = h * w, planes = n * c, outPlane = g.OutH * g.OutW;
        var rng = new Random(h + 7 * stride);
        int[] source = [3, 0, 4, 1, 5, 2]; // ShuffleNet's shuffle of 2 groups of 3
        float[] x = Random(rng, n * c * plane), wts = Random(rng, c * 9), bias = Random(rng, c), residual = Random(rng, planes * outPlane);
        float[] shuffled = new float[x.Length];
        for (int i = 0; i < n; i++)
            for (int o = 0; o < c; o++) x.AsSpan((i * c + source[o]) * plane, plane).CopyTo(shuffled.AsSpan((i * c + o) * plane));
        foreach (var lanes in AllLanes)
            foreach (bool flat in new[] { true, false })
            {
                float[] expected = new float[planes * outPlane], y = new float[planes * outPlane];
                DepthwiseConv3x3.Forward(shuffled, wts, bias, 1, g, expected, residual, 0f, 6f, 0, planes, lanes, flat);
                DepthwiseConv3x3.Forward(x, wts, bias, 1, g, y, residual, 0f, 6f, 0, 5, lanes, flat, source);
                DepthwiseConv3x3.Forward(x, wts, bias, 1, g, y, residual, 0f, 6f, 5, planes, lanes, flat, source);
                AssertBits(expected, y, $"{lanes} flat={flat} {g}");
            }
        Assert.Throws<ArgumentException>("source", () => DepthwiseConv3x3.Forward(x, wts, bias, 1, g, new float[planes * outPlane], null, 0f, 6f, 0, planes, [0, 1, 2]));
        Assert.Throws<ArgumentException>("source", () => DepthwiseConv3x3.Forward(x, wts, bias, 1, g, new float[planes * outPlane], null, 0f, 6f, 0, planes, [0, 1, 2, 3, 4, 6]));
    }

    [Fact]
    public void The_scratch_plane_is_rebuilt_when_the_layout_changes()
    {
        var a = new Conv2dGeometry(1, 20, 20, 3, 3, 1, 1, 1, 1);
        var b = new Conv2dGeometry(1, 20, 20, 3, 3, 2, 2, 0, 0);
        var c = new Conv2dGeometry(1, 9, 30, 3, 3, 1, 1, 2, 2);
        var rng = new Random(5);
        float[] w = Random(rng, 9);
        foreach (var g in new[] { a, b, c, a, c, b })
        {
            float[] x = Random(rng, g.Height * g.Width);
            var expected = Expected(x, w, null, 1, g, null, float.NegativeInfinity, float.PositiveInfinity, 1);
            var y = new float[g.OutH * g.OutW];
            DepthwiseConv3x3.Forward(x, w, null, 1, g, y, null, float.NegativeInfinity, float.PositiveInfinity, 0, 1);
            AssertBits(expected, y, g.ToString());
        }
    }

    [Fact]
    public void Rejects_other_kernels_and_short_arrays()
    {
        var g5 = new Conv2dGeometry(1, 8, 8, 5, 5, 1, 1, 2, 2);
        Assert.False(DepthwiseConv3x3.Supports(g5));
        Assert.False(DepthwiseConv3x3.Supports(new Conv2dGeometry(1, 8, 8, (3, 3), (1, 1), (2, 2, 2, 2), (2, 2))));
        Assert.False(DepthwiseConv3x3.Supports(new Conv2dGeometry(1, 8, 8, 3, 3, 3, 3, 1, 1)));
        Assert.Throws<ArgumentException>(() => DepthwiseConv3x3.Forward(new float[64], new float[25], null, 1, g5, new float[64], null, 0, 6, 0, 1));
        var g = new Conv2dGeometry(1, 8, 8, 3, 3, 1, 1, 1, 1);
        Assert.Throws<ArgumentException>(() => DepthwiseConv3x3.Forward(new float[64], new float[9], null, 1, g, new float[63], null, 0, 6, 0, 1));
        Assert.Throws<ArgumentException>(() => DepthwiseConv3x3.Forward(new float[64], new float[9], null, 1, g, new float[128], null, 0, 6, 0, 2));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 1)]
    [InlineData(1, 2)]
    [InlineData(3, 2)]
    public void A_depthwise_layer_with_a_fused_clamp_equals_the_twin(int batch, int stride)
    {
        var conv = new Conv2d(24, 24, 3, new Random(1), stride: stride, padding: 1, groups: 24);
        conv.Bias!.Value.CopyFrom(GradientChecker.Randn(3, 24));
        var x = GradientChecker.Randn(2, batch, 24, 15, 13);
        var g = conv.Geometry(15, 13);
        int outPlane = g.OutH * g.OutW, planes = batch * 24;
        var plain = conv.Forward(x, training: false).Data.AsSpan(0, planes * outPlane).ToArray();
        var fused = conv.ForwardFused(x, null, 0f, 6f).Data;
        var expected = Expected(x.Data, conv.Weight.Value.Data, conv.Bias.Value.Data, 1, g, null, float.NegativeInfinity, float.PositiveInfinity, planes);
        AssertBits(expected, plain, "Forward");
        for (int i = 0; i < expected.Length; i++) expected[i] = MathF.Min(MathF.Max(expected[i], 0f), 6f);
        AssertBits(expected, fused, "ForwardFused");
    }

    // DepthwiseConvScalar per plane, then + residual, max lo, min hi — in that order, as Conv2d's epilogue.
    private static float[] Expected(float[] x, float[] w, float[]? b, int multiplier, in Conv2dGeometry g, float[]? residual, float lo, float hi, int planes)
    {
        int oc = g.Channels * multiplier, inPlane = g.Height * g.Width, outPlane = g.OutH * g.OutW;
        var y = new float[planes * outPlane];
        for (int p = 0; p < planes; p++)
        {
            int o = p % oc;
            DepthwiseConvScalar.Forward(x.AsSpan(p / multiplier * inPlane, inPlane), w.AsSpan(o * 9, 9), b is null ? 0f : b[o], g,
                y.AsSpan(p * outPlane, outPlane));
        }
        var span = y.AsSpan();
        if (residual is not null) TensorPrimitives.Add(span, residual.AsSpan(0, span.Length), span);
        if (lo != float.NegativeInfinity) TensorPrimitives.Max(span, lo, span);
        if (hi != float.PositiveInfinity) TensorPrimitives.Min(span, hi, span);
        return y;
    }

    private static float[] Random(Random rng, int n, float scale = 2f) => Enumerable.Range(0, n).Select(_ => ((float)rng.NextDouble() - 0.5f) * scale).ToArray();

    private static void AssertBits(float[] expected, float[] actual, string what)
    {
        for (int i = 0; i < expected.Length; i++)
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]) && !(float.IsNaN(expected[i]) && float.IsNaN(actual[i])))
                Assert.Fail($"{what}: element {i} is {actual[i]:R}, expected {expected[i]:R}");
    }
}
