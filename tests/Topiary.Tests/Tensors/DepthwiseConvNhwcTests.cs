// DepthwiseConvNhwc against the scalar twin (DepthwiseConvScalar plane by plane on the data transposed to [C, H, W], then
// MathF.Min(MathF.Max(v, lo), hi)), bit for bit, at every lane tier (16, 8, 4 and scalar lanes — forced, so all run on
// any machine) and on 1 and 2 threads: channels 1 to 48 (blocks of 16, 8, 4 and single channels, and their mixes),
// planes 1×1 to 28×28, kernels 3×3, 1×1, 5×5 and 3×5, strides 1, 2, 3 and mixed, padding 0, 1, 2 and asymmetric,
// dilation 2 (both axes, and vertical only), batch 1 and 3, with and without bias, no clamp, ReLU, ReLU6 and a narrow
// clamp; NaN propagates; an infinite weight (whose padding taps must be skipped, not multiplied by zero). Also every
// alignment of the input from 64 channels, the packed weight layout, argument checks, and no allocation on one thread.
using Topiary.Tensors;

namespace Topiary.Tests.Tensors;

public class DepthwiseConvNhwcTests
{
    private static readonly DepthwiseConvNhwc.Lanes[] AllLanes =
        [DepthwiseConvNhwc.Lanes.V512, DepthwiseConvNhwc.Lanes.V256, DepthwiseConvNhwc.Lanes.V128, DepthwiseConvNhwc.Lanes.Scalar, DepthwiseConvNhwc.Lanes.Best];

    private static readonly int[] Channels = [1, 3, 8, 15, 16, 17, 33, 48];
    private static readonly (int H, int W)[] Sizes = [(1, 1), (2, 3), (5, 5), (7, 7), (13, 11), (16, 17), (28, 28)];
    private static readonly (float Lo, float Hi)[] Clamps =
        [(float.NegativeInfinity, float.PositiveInfinity), (0f, float.PositiveInfinity), (0f, 6f), (-0.25f, 0.25f)];

    public static TheoryData<int, int, int, int, int, int, int, int, int, int> Windows => new()
    {
        // kernel H, W; stride H, W; pad top, left, bottom, right; dilation H, W
        { 3, 3, 1, 1, 1, 1, 1, 1, 1, 1 },
        { 3, 3, 2, 2, 1, 1, 1, 1, 1, 1 },
        { 3, 3, 1, 1, 0, 0, 0, 0, 1, 1 },
        { 3, 3, 2, 2, 0, 0, 1, 1, 1, 1 },   // TF "SAME" stride 2
        { 3, 3, 1, 1, 2, 2, 2, 2, 1, 1 },
        { 3, 3, 2, 2, 1, 2, 0, 1, 1, 1 },
        { 3, 3, 1, 1, 0, 1, 2, 0, 1, 1 },
        { 3, 3, 3, 3, 1, 1, 1, 1, 1, 1 },
        { 3, 3, 2, 1, 1, 1, 1, 1, 1, 1 },
        { 3, 3, 1, 1, 2, 2, 2, 2, 2, 2 },
        { 3, 3, 2, 1, 2, 1, 2, 1, 2, 1 },   // vertical dilation only: the 3-wide tiles
        { 1, 1, 1, 1, 0, 0, 0, 0, 1, 1 },
        { 5, 5, 1, 1, 2, 2, 2, 2, 1, 1 },
        { 5, 5, 2, 2, 2, 2, 2, 2, 1, 1 },
        { 3, 5, 1, 1, 1, 2, 1, 2, 1, 1 },
    };

    [Theory]
    [MemberData(nameof(Windows))]
    public void Equals_the_scalar_twin_with_the_clamp_bit_for_bit(int kh, int kw, int sh, int sw, int pt, int pl, int pb, int pr, int dh, int dw)
    {
        int taps = kh * kw, variant = 0;
        foreach (int c in Channels)
        {
            foreach (var (h, w) in Sizes)
            {
                if (h + pt + pb < dh * (kh - 1) + 1 || w + pl + pr < dw * (kw - 1) + 1) continue;
                variant++;
                var g = new Conv2dGeometry(c, h, w, (kh, kw), (sh, sw), (pt, pl, pb, pr), (dh, dw));
                int batch = variant % 2 == 0 ? 3 : 1;
                var rng = new Random(variant * 7919 + c);
                float[] x = Random(rng, batch * h * w * c), wts = Random(rng, c * taps);
                float[]? bias = variant % 3 == 0 ? null : Random(rng, c);
                x[rng.Next(x.Length)] = float.NaN;
                x[rng.Next(x.Length)] = 0f;
                if (bias is not null) bias[0] = -0f;
                if (variant % 4 == 1) wts[rng.Next(wts.Length)] = float.PositiveInfinity; // padding taps must be skipped, not × 0
                var (lo, hi) = Clamps[variant % Clamps.Length];
                var expected = Expected(x, batch, wts, bias, g, lo, hi);
                float[] packed = DepthwiseConvNhwc.PackWeights(wts, c, taps);
                foreach (var lanes in AllLanes)
                {
                    foreach (int threads in new[] { 1, 2 })
                    {
                        var y = new float[expected.Length + 7];
                        y.AsSpan().Fill(float.NegativeInfinity);
                        DepthwiseConvNhwc.Forward(x, batch, g, packed, bias, lo, hi, y, threads, lanes);
                        AssertBits(expected, y, $"{lanes} threads={threads} batch={batch} bias={bias is not null} clamp=[{lo}, {hi}] {g}");
                        for (int i = expected.Length; i < y.Length; i++)
                            Assert.True(float.IsNegativeInfinity(y[i]), $"{lanes}: wrote past the output at {i}");
                    }
                }
            }
        }
    }

    // From 64 channels (a multiple of 16) the 16-lane blocks start at the input's 64-byte boundaries, narrower blocks before
    // them: every alignment of x (8-byte steps, as .NET places arrays), with rows split across channel ranges on 2 threads.
    [Theory]
    [InlineData(64, 3, 2, 1)]
    [InlineData(96, 7, 7, 1)]
    [InlineData(80, 9, 8, 2)]
    public void Blocks_follow_the_inputs_alignment_and_equal_the_twin(int c, int h, int w, int stride)
    {
        var g = new Conv2dGeometry(c, h, w, 3, 3, stride, stride, 1, 1);
        var rng = new Random(c + h);
        float[] wts = Random(rng, c * 9), bias = Random(rng, c), data = Random(rng, h * w * c);
        var expected = Expected(data, 1, wts, bias, g, 0f, 6f);
        float[] packed = DepthwiseConvNhwc.PackWeights(wts, c, 9);
        for (int offset = 0; offset < 64; offset += 8)
        {
            float[] x = PinnedAt(data.Length, offset);
            data.CopyTo(x, 0);
            foreach (var lanes in AllLanes)
            {
                foreach (int threads in new[] { 1, 2 })
                {
                    var y = new float[expected.Length];
                    DepthwiseConvNhwc.Forward(x, 1, g, packed, bias, 0f, 6f, y, threads, lanes);
                    AssertBits(expected, y, $"{lanes} threads={threads} x at 64n+{offset} {g}");
                }
            }
        }
    }

    [Fact]
    public void Packed_weights_put_each_taps_channels_together()
    {
        // w [C = 2, taps = 3]: channel c, tap t holds 10·c + t.
        float[] w = [0, 1, 2, 10, 11, 12, 99];
        Assert.Equal(new float[] { 0, 10, 1, 11, 2, 12 }, DepthwiseConvNhwc.PackWeights(w, 2, 3));
    }

    [Fact]
    public void Rejects_bad_arguments_naming_them()
    {
        Assert.Equal("w", Assert.Throws<ArgumentException>(() => DepthwiseConvNhwc.PackWeights(new float[17], 2, 9)).ParamName);
        Assert.Equal("channels", Assert.Throws<ArgumentOutOfRangeException>(() => DepthwiseConvNhwc.PackWeights(new float[9], 0, 9)).ParamName);
        Assert.Equal("taps", Assert.Throws<ArgumentOutOfRangeException>(() => DepthwiseConvNhwc.PackWeights(new float[9], 1, 0)).ParamName);

        var g = new Conv2dGeometry(4, 5, 5, 3, 3, 2, 2, 1, 1); // 3x3 output
        float[] x = new float[2 * 5 * 5 * 4], w = new float[9 * 4], b = new float[4], y = new float[2 * 3 * 3 * 4];
        float lo = 0f, hi = 6f;
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => DepthwiseConvNhwc.Forward(new float[x.Length - 1], 2, g, w, b, lo, hi, y, 1)).ParamName);
        Assert.Equal("packedW", Assert.Throws<ArgumentException>(() => DepthwiseConvNhwc.Forward(x, 2, g, new float[35], b, lo, hi, y, 1)).ParamName);
        Assert.Equal("bias", Assert.Throws<ArgumentException>(() => DepthwiseConvNhwc.Forward(x, 2, g, w, new float[3], lo, hi, y, 1)).ParamName);
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => DepthwiseConvNhwc.Forward(x, 2, g, w, b, lo, hi, new float[y.Length - 1], 1)).ParamName);
        Assert.Equal("threads", Assert.Throws<ArgumentOutOfRangeException>(() => DepthwiseConvNhwc.Forward(x, 2, g, w, b, lo, hi, y, 0)).ParamName);
        Assert.Equal("batch", Assert.Throws<ArgumentOutOfRangeException>(() => DepthwiseConvNhwc.Forward(x, -1, g, w, b, lo, hi, y, 1)).ParamName);
        Assert.Equal("x", Assert.Throws<ArgumentNullException>(() => DepthwiseConvNhwc.Forward(null!, 2, g, w, b, lo, hi, y, 1)).ParamName);
        DepthwiseConvNhwc.Forward([], 0, g, w, null, lo, hi, [], 1); // an empty batch is a no-op
    }

    [Theory]
    [InlineData(1, 0, 7)]   // all rows
    [InlineData(1, 2, 5)]   // a band inside
    [InlineData(2, 0, 3)]   // the second image's top band (padding above)
    [InlineData(2, 6, 7)]   // its last row (padding below)
    [InlineData(1, 4, 4)]   // no rows
    public void A_band_of_rows_equals_those_rows_of_the_whole_image(int stride, int oh0, int oh1)
    {
        var g = new Conv2dGeometry(40, 13, 11, 3, 3, stride, stride, 1, 1);
        oh1 = Math.Min(oh1, g.OutH);
        var rng = new Random(stride + oh0);
        float[] x = Random(rng, 2 * 13 * 11 * 40), w = DepthwiseConvNhwc.PackWeights(Random(rng, 40 * 9), 40, 9), b = Random(rng, 40);
        float[] whole = new float[2 * g.OutH * g.OutW * 40], band = new float[Math.Max(1, (oh1 - oh0) * g.OutW * 40)];
        DepthwiseConvNhwc.Forward(x, 2, g, w, b, 0f, 6f, whole, 1);
        int n = stride == 2 ? 1 : 0; // stride-2 cases take the second image
        DepthwiseConvNhwc.ForwardRows(x, n, g, w, b, 0f, 6f, oh0, oh1, band);
        AssertBits(whole.AsSpan(((n * g.OutH) + oh0) * g.OutW * 40, (oh1 - oh0) * g.OutW * 40).ToArray(),
            band.AsSpan(0, (oh1 - oh0) * g.OutW * 40).ToArray(), $"rows [{oh0}, {oh1}) of image {n}");
        Assert.Equal("oh1", Assert.Throws<ArgumentOutOfRangeException>(() => DepthwiseConvNhwc.ForwardRows(x, n, g, w, b, 0f, 6f, 0, g.OutH + 1, band)).ParamName);
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => DepthwiseConvNhwc.ForwardRows(x, 2, g, w, b, 0f, 6f, 0, 1, band)).ParamName);
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => DepthwiseConvNhwc.ForwardRows(x, 0, g, w, b, 0f, 6f, 0, g.OutH, new float[1])).ParamName);
    }

    [Fact]
    public void One_thread_runs_on_the_caller_without_allocating()
    {
        var g = new Conv2dGeometry(40, 9, 9, 3, 3, 1, 1, 1, 1);
        var rng = new Random(3);
        float[] x = Random(rng, 81 * 40), w = DepthwiseConvNhwc.PackWeights(Random(rng, 40 * 9), 40, 9), b = Random(rng, 40), y = new float[81 * 40];
        DepthwiseConvNhwc.Forward(x, 1, g, w, b, 0f, 6f, y, 1);
        long before = GC.GetAllocatedBytesForCurrentThread();
        DepthwiseConvNhwc.Forward(x, 1, g, w, b, 0f, 6f, y, 1);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    // DepthwiseConvScalar on each (sample, channel) plane of x transposed to [N, C, H, W], clamped, transposed back.
    private static float[] Expected(float[] x, int batch, float[] w, float[]? b, in Conv2dGeometry g, float lo, float hi)
    {
        int c = g.Channels, inPlane = g.Height * g.Width, outPlane = g.OutH * g.OutW, taps = g.KernelH * g.KernelW;
        var plane = new float[inPlane];
        var outp = new float[outPlane];
        var y = new float[batch * outPlane * c];
        for (int n = 0; n < batch; n++)
        {
            for (int ch = 0; ch < c; ch++)
            {
                for (int p = 0; p < inPlane; p++) plane[p] = x[(n * inPlane + p) * c + ch];
                DepthwiseConvScalar.Forward(plane, w.AsSpan(ch * taps, taps), b is null ? 0f : b[ch], g, outp);
                for (int p = 0; p < outPlane; p++) y[(n * outPlane + p) * c + ch] = MathF.Min(MathF.Max(outp[p], lo), hi);
            }
        }
        return y;
    }

    // A pinned array whose first element sits offset bytes past a 64-byte boundary (arrays tried until one does).
    private static unsafe float[] PinnedAt(int n, int offset)
    {
        var tried = new List<float[]>();
        while (true)
        {
            var a = GC.AllocateArray<float>(n, pinned: true);
            fixed (float* p = a)
                if (((nint)p & 63) == offset) return a;
            tried.Add(a); // kept until found, so the next try lands elsewhere
        }
    }

    private static float[] Random(Random rng, int n) => Enumerable.Range(0, n).Select(_ => ((float)rng.NextDouble() - 0.5f) * 2f).ToArray();

    private static void AssertBits(float[] expected, float[] actual, string what)
    {
        for (int i = 0; i < expected.Length; i++)
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]) && !(float.IsNaN(expected[i]) && float.IsNaN(actual[i])))
                Assert.Fail($"{what}: element {i} is {actual[i]:R}, expected {expected[i]:R}");
    }
}
