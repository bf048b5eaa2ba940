// EntryConvNchw (direct channels-first convolution for few input channels) bit for bit against its plain twin
// (EntryConvNhwcScalar, its output transposed to channels first; fused or not as the tier's multiply-add) at every lane
// tier (16, 8, 4 and scalar lanes, forced, so all run on any machine) and on 1 and 2 threads, and against im2col + GEMM
// at every GEMM tier this host runs: the windows of EntryConvNhwcTests (strides 1, 2, 3 and mixed, padding 0 to 3 and
// asymmetric, dilation 2), input channels 1 to 4, output channels 1, 7, 8, 9, 24 and 64 (whole and partial channel
// blocks; four-channel halves at 8 and 4 lanes), rows from 1 to 111 pixels (tiles of one to three vectors, masked last
// vectors at every tier), pointwise layers of 40–256 input channels whose rows of up to 3,025 pixels go in runs and
// parts of tiles, batch 1 and 3, with and without bias, clamps of every kind, NaN inputs. Also outputs written into a
// concatenation's channel slices, inputs read from a group's offset and stride, the phase-plane split, Frozen Conv2d
// layers (a stem, grouped and pointwise ones) forced onto the kernel against their im2col path, the packed layout and
// argument checks.
using Topiary.Nn;
using Topiary.Tensors;

namespace Topiary.Tests.Tensors;

public unsafe class EntryConvNchwTests
{
    private static readonly int[] OutChannels = [1, 7, 8, 9, 24, 64];
    private static readonly (int H, int W)[] Sizes = [(1, 1), (2, 3), (5, 7), (9, 9), (13, 17), (6, 33), (4, 40), (3, 111), (19, 23), (7, 70)];
    public static TheoryData<int, int, int, int, int, int, int, int, int, int> Windows
    {
        get
        {
            var windows = EntryConvNhwcTests.Windows;
            windows.Add(3, 3, 1, 1, 0, 0, 0, 0, 1, 1);   // stride 1, no padding: tiles read the image itself
            windows.Add(5, 3, 1, 1, 0, 0, 0, 0, 2, 1);   // ... with a dilation
            return windows;
        }
    }

    [Theory]
    [MemberData(nameof(Windows))]
    public void Equals_the_scalar_twin_and_im2col_gemm_bit_for_bit(int kh, int kw, int sh, int sw, int pt, int pl, int pb, int pr, int dh, int dw) =>
        EntryConvNhwcTests.SweepWindow((kh, kw), (sh, sw), (pt, pl, pb, pr), (dh, dw), OutChannels, Sizes, Check);

    [Theory]
    [InlineData(3, 64, 57, 57, 3, 2, 0)]    // SqueezeNet 1.1's stem form on a smaller plane
    [InlineData(3, 24, 50, 50, 3, 2, 1)]    // ShuffleNet's
    [InlineData(3, 64, 64, 61, 7, 2, 3)]    // ResNet's, GoogLeNet's, DenseNet's
    [InlineData(3, 64, 34, 34, 3, 1, 1)]    // VGG's
    [InlineData(1, 20, 28, 28, 5, 1, 0)]    // LeNet-5's
    // Pointwise rows cut into runs of tiles (several runs; on 2 threads, parts of the row) and through every channel block:
    [InlineData(128, 16, 55, 55, 1, 1, 0)]  // SqueezeNet 1.1's fire3 squeeze: 2-tile runs, a last partial tile
    [InlineData(256, 25, 27, 27, 1, 1, 0)]  // fire5's form: 1-tile runs, a partial channel block
    [InlineData(40, 9, 6, 11, 1, 1, 0)]     // a row of 66 pixels: two parts on 2 threads at 16 lanes
    public void Network_stems_and_pointwise_layers_equal_the_twin_bit_for_bit(int c, int oc, int h, int w, int k, int stride, int pad)
    {
        var g = new Conv2dGeometry(c, h, w, k, k, stride, stride, pad, pad);
        var rng = new Random(oc + h);
        float[] x = EntryConvNhwcTests.Random(rng, g.ImageSize), wts = EntryConvNhwcTests.Random(rng, oc * g.ColumnRows);
        Check(x, 1, g, wts, oc, EntryConvNhwcTests.Random(rng, oc), 0f, float.PositiveInfinity, $"stem {g}");
    }

    [Fact]
    public void Writes_each_sample_into_its_slice_of_a_concatenation_and_nothing_else()
    {
        // Two samples of [5, 4, 9] outputs, channels 3..7 of a [2, 12, 4, 9] concatenation.
        var g = new Conv2dGeometry(2, 8, 18, 3, 3, 2, 2, 1, 1);
        var rng = new Random(12);
        float[] x = EntryConvNhwcTests.Random(rng, 2 * g.ImageSize), wts = EntryConvNhwcTests.Random(rng, 5 * g.ColumnRows);
        var own = new float[2 * 5 * 36];
        var packed = EntryConvNchw.PackWeights(wts, 5, g.ColumnRows);
        EntryConvNchw.Forward(x, 0, g.ImageSize, 2, g, packed, 5, null, 0f, 6f, own, 0, 5 * 36, 1);
        foreach (int threads in new[] { 1, 2 })
        {
            var concat = new float[2 * 12 * 36];
            concat.AsSpan().Fill(float.NaN);
            EntryConvNchw.Forward(x, 0, g.ImageSize, 2, g, packed, 5, null, 0f, 6f, concat, 3 * 36, 12 * 36, threads);
            for (int i = 0; i < concat.Length; i++)
            {
                int n = i / (12 * 36), channel = i % (12 * 36) / 36;
                if (channel is >= 3 and < 8) Assert.Equal(own[n * 5 * 36 + (channel - 3) * 36 + i % 36], concat[i]);
                else Assert.True(float.IsNaN(concat[i]), $"wrote outside its slice at {i}");
            }
        }
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(1, 2)]
    [InlineData(2, 0)]
    [InlineData(2, 1)]
    [InlineData(2, 3)]
    [InlineData(3, 2)]
    [InlineData(4, 5)]
    public void Phase_planes_hold_every_strided_column_with_zeros_outside_the_row(int stride, int padLeft)
    {
        foreach (int width in new[] { 1, 5, 31, 32, 33, 70 })
        {
            var src = Enumerable.Range(1, width).Select(v => (float)v).ToArray();
            int span = (width + padLeft) / stride + 20;
            var planes = new float[stride * span + 1];
            planes[^1] = -1;
            fixed (float* s = src, p = planes) EntryConvNchw.SplitRow(s, width, padLeft, stride, span, p);
            for (int q = 0; q < stride; q++)
                for (int j = 0; j < span; j++)
                {
                    int col = j * stride + q - padLeft;
                    Assert.Equal(col >= 0 && col < width ? src[col] : 0f, planes[q * span + j]);
                }
            Assert.Equal(-1, planes[^1]);
        }
    }

    [Fact]
    public void A_frozen_conv2d_on_the_kernel_equals_its_im2col_path_bit_for_bit()
    {
        var conv = new Conv2d(3, 24, 3, new Random(7), stride: 2, padding: 1);
        EntryConvNhwcTests.Random(new Random(8), 24).CopyTo(conv.Bias!.Value.Data, 0);
        var x = new Tensor(EntryConvNhwcTests.Random(new Random(9), 2 * 3 * 37 * 41), 2, 3, 37, 41);
        conv.Frozen = true;
        conv.EntryOverride = false;
        var expected = conv.ForwardFused(x, null, 0f, float.PositiveInfinity).Data.ToArray();
        foreach (int threads in new[] { 1, 2 })
        {
            // A layer of its own per thread count: an output another count wrote must not stand in for this one's.
            var frozen = new Conv2d(3, 24, 3, new Random(7), stride: 2, padding: 1) { Frozen = true, EntryOverride = true };
            conv.Bias!.Value.Data.CopyTo(frozen.Bias!.Value.Data, 0);
            using var _ = Threading.Limit(threads);
            EntryConvNhwcTests.AssertBits(expected, frozen.ForwardFused(x, null, 0f, float.PositiveInfinity).Data, $"{threads} thread(s)");
            Assert.Equal("entry", frozen.ChosenAlgorithms);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Reads_each_sample_from_its_offset_and_stride_as_a_group_does(int batch)
    {
        // Group 1 of 3 of a [batch, 6, 9, 37] input: channels 2..3 of each sample, through an offset and the sample stride.
        var g = new Conv2dGeometry(2, 9, 37, 3, 3, 1, 1, 1, 1);
        var rng = new Random(batch);
        float[] x = EntryConvNhwcTests.Random(rng, batch * 6 * 9 * 37), wts = EntryConvNhwcTests.Random(rng, 11 * g.ColumnRows);
        var group = new float[batch * g.ImageSize];
        for (int n = 0; n < batch; n++) x.AsSpan(n * 6 * 333 + 2 * 333, g.ImageSize).CopyTo(group.AsSpan(n * g.ImageSize));
        var packed = EntryConvNchw.PackWeights(wts, 11, g.ColumnRows);
        int per = 11 * g.OutH * g.OutW;
        var expected = new float[batch * per];
        EntryConvNchw.Forward(group, 0, g.ImageSize, batch, g, packed, 11, null, 0f, 6f, expected, 0, per, 1);
        foreach (int threads in new[] { 1, 2 })
        {
            var y = new float[batch * per];
            EntryConvNchw.Forward(x, 2 * 333, 6 * 333, batch, g, packed, 11, null, 0f, 6f, y, 0, per, threads);
            EntryConvNhwcTests.AssertBits(expected, y, $"batch {batch}, {threads} thread(s)");
        }
    }

    [Theory]
    [InlineData(8, 12, 1, 0, 4, 1)]     // ShuffleNet's grouped 1 × 1 (one row of H·W pixels; on 2 threads its 4 groups side by side)
    [InlineData(64, 16, 1, 0, 1, 2)]    // SqueezeNet's squeeze 1 × 1, batch 2
    [InlineData(6, 9, 3, 1, 3, 1)]      // grouped 3 × 3 (3 groups on 2 threads: group by group, each split between them)
    [InlineData(12, 8, 1, 0, 2, 3)]     // 2 groups, batch 3: one group a thread
    [InlineData(6, 6, 3, 1, 2, 1)]      // grouped 3 × 3, 2 groups
    public void A_frozen_grouped_or_pointwise_conv2d_on_the_kernel_equals_its_im2col_path_bit_for_bit(int c, int oc, int k, int pad, int groups, int batch)
    {
        Conv2d Make(bool entry)
        {
            var conv = new Conv2d(c, oc, (k, k), new Random(c + oc), (1, 1), (pad, pad), groups: groups) { Frozen = true, EntryOverride = entry };
            EntryConvNhwcTests.Random(new Random(8), oc).CopyTo(conv.Bias!.Value.Data, 0);
            return conv;
        }
        var x = new Tensor(EntryConvNhwcTests.Random(new Random(9), batch * c * 28 * 28), batch, c, 28, 28);
        var expected = Make(false).ForwardFused(x, null, 0f, 6f).Data.ToArray();
        foreach (int threads in new[] { 1, 2 })
        {
            // A layer of its own per thread count: an output another count wrote must not stand in for this one's.
            var frozen = Make(true);
            using var _ = Threading.Limit(threads);
            EntryConvNhwcTests.AssertBits(expected, frozen.ForwardFused(x, null, 0f, 6f).Data, $"{frozen}, {threads} thread(s)");
            Assert.Equal("entry", frozen.ChosenAlgorithms);
        }
    }

    [Fact]
    public void Packed_weights_put_eight_output_channels_of_each_product_together()
    {
        // W [OC = 9, K = 2]: output channel o, product k holds 10·o + k. Blocks [K, 8]: channels 0..7, then 8 and zeros.
        float[] w = Enumerable.Range(0, 9).SelectMany(o => new float[] { 10 * o, 10 * o + 1 }).ToArray();
        var packed = EntryConvNchw.PackWeights(w, 9, 2);
        Assert.Equal(2 * 2 * 8, packed.Length);
        Assert.Equal(new float[] { 0, 10, 20, 30, 40, 50, 60, 70 }, packed[..8]);
        Assert.Equal(new float[] { 1, 11, 21, 31, 41, 51, 61, 71 }, packed[8..16]);
        Assert.Equal(new float[] { 80, 0, 0, 0, 0, 0, 0, 0 }, packed[16..24]);
        Assert.Equal(new float[] { 81, 0, 0, 0, 0, 0, 0, 0 }, packed[24..32]);
    }

    [Fact]
    public void Rejects_bad_arguments_naming_them()
    {
        var g = new Conv2dGeometry(3, 4, 4, 3, 3, 1, 1, 1, 1);
        float[] w = new float[27 * 8];
        Assert.Equal("w", Assert.Throws<ArgumentException>(() => EntryConvNchw.PackWeights(new float[26], 1, 27)).ParamName);
        Assert.Equal("outChannels", Assert.Throws<ArgumentOutOfRangeException>(() => EntryConvNchw.PackWeights(new float[27], 0, 27)).ParamName);
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => EntryConvNchw.Forward(new float[47], 0, 48, 1, g, w, 4, null, 0f, 6f, new float[64], 0, 64, 1)).ParamName);
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => EntryConvNchw.Forward(new float[48], 0, 48, 1, g, w, 4, null, 0f, 6f, new float[63], 0, 64, 1)).ParamName);
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => EntryConvNchw.Forward(new float[48], 0, 48, 1, g, w, 4, null, 0f, 6f, new float[64], 1, 64, 1)).ParamName);
        Assert.Equal("yStride", Assert.Throws<ArgumentOutOfRangeException>(() => EntryConvNchw.Forward(new float[96], 0, 48, 2, g, w, 4, null, 0f, 6f, new float[128], 0, 63, 1)).ParamName);
        Assert.Equal("xStride", Assert.Throws<ArgumentOutOfRangeException>(() => EntryConvNchw.Forward(new float[96], 0, 47, 2, g, w, 4, null, 0f, 6f, new float[128], 0, 64, 1)).ParamName);
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => EntryConvNchw.Forward(new float[96], 1, 48, 2, g, w, 4, null, 0f, 6f, new float[128], 0, 64, 1)).ParamName);
        Assert.Equal("bias", Assert.Throws<ArgumentException>(() => EntryConvNchw.Forward(new float[48], 0, 48, 1, g, w, 4, new float[3], 0f, 6f, new float[64], 0, 64, 1)).ParamName);
        Assert.Equal("packedW", Assert.Throws<ArgumentException>(() => EntryConvNchw.Forward(new float[48], 0, 48, 1, g, new float[27], 4, null, 0f, 6f, new float[64], 0, 64, 1)).ParamName);
        Assert.Equal("threads", Assert.Throws<ArgumentOutOfRangeException>(() => EntryConvNchw.Forward(new float[48], 0, 48, 1, g, w, 4, null, 0f, 6f, new float[64], 0, 64, 0)).ParamName);
        var deep = new Conv2dGeometry(6, 8, 8, 7, 7, 1, 1, 3, 3);
        Assert.False(EntryConvNchw.Applies(deep));
        Assert.Equal("g", Assert.Throws<ArgumentOutOfRangeException>(() => EntryConvNchw.Forward(new float[384], 0, 384, 1, deep, new float[294 * 8], 1, null, 0f, 6f, new float[64], 0, 64, 1)).ParamName);
    }

    // The kernel at every lane tier and thread count against the twin of that tier's arithmetic (transposed to channels
    // first), and against im2col + GEMM at every GEMM tier this host runs.
    private static void Check(float[] x, int batch, in Conv2dGeometry g, float[] wts, int oc, float[]? bias, float lo, float hi, string what)
    {
        float[] packed = EntryConvNchw.PackWeights(wts, oc, g.ColumnRows);
        int per = g.OutH * g.OutW * oc, length = batch * per;
        var twins = new Dictionary<bool, float[]>();
        foreach (var lanes in EntryConvNhwcTests.AllLanes)
        {
            bool fused = EntryConvNhwcTests.Fuses(lanes);
            if (!twins.TryGetValue(fused, out var expected))
            {
                var nhwc = new float[length];
                EntryConvNhwcScalar.Forward(x, batch, g, wts, oc, bias, bias is not null, lo, hi, fused, nhwc);
                twins[fused] = expected = ToChannelsFirst(nhwc, batch, g.OutH * g.OutW, oc);
            }
            foreach (int threads in new[] { 1, 2 })
            {
                var y = new float[length + 5];
                y.AsSpan().Fill(float.NegativeInfinity);
                EntryConvNchw.Forward(x, 0, g.ImageSize, batch, g, packed, oc, bias, lo, hi, y, 0, per, threads, lanes);
                EntryConvNhwcTests.AssertBits(expected, y, $"{lanes} (fused {fused}) threads={threads} {what}");
                for (int i = length; i < y.Length; i++) Assert.True(float.IsNegativeInfinity(y[i]), $"{lanes}: wrote past the output at {i}");
                if (threads == 1 && EntryConvNhwcTests.GemmTierOf(lanes) is { } tier && GemmTiers.IsSupported(tier))
                    EntryConvNhwcTests.AssertBits(ToChannelsFirst(EntryConvNhwcTests.Im2ColGemm(x, batch, g, wts, oc, bias, lo, hi, tier), batch, g.OutH * g.OutW, oc),
                        y, $"{lanes} against im2col + GEMM {tier}, {what}");
            }
        }
    }

    private static float[] ToChannelsFirst(float[] nhwc, int batch, int positions, int channels)
    {
        var y = new float[nhwc.Length];
        for (int n = 0; n < batch; n++)
            for (int p = 0; p < positions; p++)
                for (int c = 0; c < channels; c++)
                    y[(n * channels + c) * positions + p] = nhwc[(n * positions + p) * channels + c];
        return y;
    }
}
