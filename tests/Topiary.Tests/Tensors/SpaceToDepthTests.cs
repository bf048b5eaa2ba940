// SpaceToDepth: the rewrite of a strided convolution into a 3×3 stride-1 one over its S×S phases. The rearranged image
// and weights equal their definitions (every phase, padding and channel range); a Frozen Conv2d run on Winograd after the
// rewrite equals the direct convolution (to Winograd's rounding) over awkward shapes — AlexNet's 11×11 stride 4, kernels
// that do not fill 3S taps, unequal strides and kernels, padding, outputs that are not multiples of the tile, batches,
// 1 and 2 threads, bias, residual and clamp; geometries the rewrite does not give a 3×3 kernel are refused.
using Topiary.Nn;
using Topiary.Tensors;
using static Topiary.Tests.Nn.GradientChecker;

namespace Topiary.Tests.Tensors;

public class SpaceToDepthTests
{
    public static IEnumerable<object[]> Shapes =>
    [
        // C, OC, H, W, KH, KW, SH, SW, pad H, pad W, batch
        [3, 96, 63, 59, 11, 11, 4, 4, 0, 0, 1], // AlexNet's conv1 on a smaller image: 14 × 13 outputs
        [3, 8, 227, 227, 11, 11, 4, 4, 0, 0, 1], // at its own size (55 × 55)
        [2, 5, 13, 12, 5, 5, 2, 2, 2, 2, 2],     // 5×5 stride 2, padded, a batch
        [3, 7, 20, 17, 6, 6, 2, 2, 1, 1, 1],     // 6×6: the rewritten kernel has no zero taps
        [1, 4, 25, 22, 7, 9, 3, 3, 3, 1, 1],     // unequal kernel sides, stride 3
        [2, 3, 15, 30, 3, 11, 1, 4, 1, 0, 2],    // stride 1 in one direction (3 taps: no rewrite there)
        [4, 9, 9, 9, 9, 9, 4, 4, 0, 0, 1],       // a single output
    ];

    [Theory]
    [MemberData(nameof(Shapes))]
    public void A_frozen_conv2d_after_the_rewrite_equals_the_direct_convolution(int c, int oc, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw, int n)
    {
        var conv = new Conv2d(c, oc, (kh, kw), new Random(c + 7 * oc), (sh, sw), (ph, pw));
        conv.Bias!.Value.CopyFrom(Randn(2, oc));
        var x = Randn(h + 3 * w, n, c, h, w);
        var plain = conv.Forward(x, training: true).Data.ToArray();
        var residual = Randn(4, conv.Forward(x, training: true).Shape.ToArray());
        var clamped = plain.Select((v, i) => Math.Clamp(v + residual.Data[i], 0f, 6f)).ToArray();
        Assert.True(SpaceToDepth.Supports(conv.Geometry(h, w)));
        conv.Frozen = true;
        conv.WinogradOverride = true;
        foreach (int threads in new[] { 1, 2 })
            using (Threading.Limit(threads))
            {
                string what = $"{conv} on {n}x{h}x{w}, {threads} thread(s)";
                Winograd3x3Tests.AssertClose(plain, conv.Forward(x, training: false).Data.ToArray(), Winograd3x3Tests.Tolerance4, what);
                Winograd3x3Tests.AssertClose(clamped, conv.ForwardFused(x, residual, 0f, 6f).Data.ToArray(), Winograd3x3Tests.Tolerance4, what + ", fused");
            }
    }

    [Fact]
    public void A_measured_frozen_conv2d_picks_an_algorithm_and_keeps_the_result()
    {
        var conv = new Conv2d(3, 16, 11, new Random(3), stride: 4);
        var x = Randn(5, 1, 3, 67, 67);
        var expected = conv.Forward(x, training: true).Data.ToArray();
        conv.Frozen = true;
        Winograd3x3Tests.AssertClose(expected, conv.Forward(x, training: false).Data.ToArray(), Winograd3x3Tests.Tolerance4, "first call");
        Assert.Contains(conv.ChosenAlgorithms, new[] { "im2col", "spacetodepth" });
        Winograd3x3Tests.AssertClose(expected, conv.Forward(x, training: false).Data.ToArray(), Winograd3x3Tests.Tolerance4, "cached choice");
    }

    [Theory]
    [InlineData(3, 23, 26, 11, 11, 4, 4, 0, 0)]
    [InlineData(2, 9, 8, 5, 6, 2, 2, 2, 1)]
    [InlineData(3, 14, 16, 7, 3, 3, 1, 3, 1)]
    public void The_rearranged_image_and_weights_equal_their_definitions(int c, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw)
    {
        var g = new Conv2dGeometry(c, h, w, kh, kw, sh, sw, ph, pw);
        var r = SpaceToDepth.Geometry(g);
        Assert.Equal((c * sh * sw, g.OutH + 2, g.OutW + 2, g.OutH, g.OutW), (r.Channels, r.Height, r.Width, r.OutH, r.OutW));
        var image = Randn(1, c, h, w).Data;
        // Channel ranges [0, 1), [1, C): every phase channel written exactly once, over NaN.
        var actual = new float[r.ImageSize];
        actual.AsSpan().Fill(float.NaN);
        SpaceToDepth.Image(image, g, 0, 1, actual);
        SpaceToDepth.Image(image, g, 1, c, actual);
        for (int ch = 0; ch < c; ch++)
            for (int dy = 0; dy < sh; dy++)
                for (int dx = 0; dx < sw; dx++)
                    for (int y = 0; y < r.Height; y++)
                        for (int x = 0; x < r.Width; x++)
                        {
                            int ih = sh * y + dy - ph, iw = sw * x + dx - pw;
                            float expected = ih >= 0 && ih < h && iw >= 0 && iw < w ? image[(ch * h + ih) * w + iw] : 0f;
                            Assert.Equal(expected, actual[((((ch * sh + dy) * sw + dx) * r.Height) + y) * r.Width + x]);
                        }
        int oc = 2;
        var weights = Randn(2, oc, c, kh, kw).Data;
        var rewritten = SpaceToDepth.Weights(weights, oc, g);
        Assert.Equal(oc * r.Channels * 9, rewritten.Length);
        for (int o = 0; o < oc; o++)
            for (int cc = 0; cc < r.Channels; cc++)
                for (int ky = 0; ky < 3; ky++)
                    for (int kx = 0; kx < 3; kx++)
                    {
                        int ch = cc / (sh * sw), dy = cc / sw % sh, dx = cc % sw, i = sh * ky + dy, j = sw * kx + dx;
                        float expected = i < kh && j < kw ? weights[((o * c + ch) * kh + i) * kw + j] : 0f;
                        Assert.Equal(expected, rewritten[((o * r.Channels + cc) * 3 + ky) * 3 + kx]);
                    }
    }

    [Fact]
    public void Refuses_geometries_that_do_not_rewrite_to_3x3()
    {
        Assert.True(SpaceToDepth.Supports(new Conv2dGeometry(3, 227, 227, 11, 11, 4, 4)));
        Assert.False(SpaceToDepth.Supports(new Conv2dGeometry(3, 20, 20, 3, 3, 1, 1, 1, 1)));  // stride 1: plain Winograd's
        Assert.False(SpaceToDepth.Supports(new Conv2dGeometry(3, 20, 20, 3, 3, 2, 2, 1, 1)));  // 2 strides: a 2×2 kernel
        Assert.False(SpaceToDepth.Supports(new Conv2dGeometry(3, 224, 224, 7, 7, 2, 2, 3, 3))); // 4 strides: ResNet's stem
        Assert.False(SpaceToDepth.Supports(new Conv2dGeometry(3, 30, 30, (5, 5), (2, 2), (0, 0, 0, 0), (2, 2))));
        var g = new Conv2dGeometry(1, 10, 10, 3, 3, 2, 2);
        Assert.Throws<ArgumentException>(() => SpaceToDepth.Weights(new float[9], 1, g));
        var ok = new Conv2dGeometry(1, 10, 10, 5, 5, 2, 2);
        Assert.Throws<ArgumentException>(() => SpaceToDepth.Weights(new float[24], 1, ok));
        Assert.Throws<ArgumentException>(() => SpaceToDepth.Image(new float[100], ok, 0, 2, new float[4 * 5 * 5]));
        Assert.Throws<ArgumentException>(() => SpaceToDepth.Image(new float[100], ok, 0, 1, new float[4 * 5 * 5 - 1]));
    }
}
