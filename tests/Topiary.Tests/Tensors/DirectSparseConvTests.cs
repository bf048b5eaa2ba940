// DirectSparseConv against the direct convolution (Conv2d's training path) over awkward sizes — kernels 1×1, 3×3, 5×5,
// 11×11 and 2×3, strides 1, 2, 4 and unequal, padding 0/1/2 and asymmetric, groups, one row or column, virtual rows
// of 1 to 14 vectors (chunks of every width 1-8), channel counts that split into several L1 blocks — at densities 0,
// ~30% (element-wise, and in whole kernel rows: the row-mode kernel) and 100%; its vector kernels give the
// scalar twin's bits; 1 and 2 threads give the same bits; the epilogue (bias, residual, clamp) is applied; a Frozen
// Conv2d (stride 1 or 2) forced onto it equals the unfrozen layer; unsupported geometries and wrong weights are refused.
using Topiary.Nn;
using Topiary.Tensors;
using Topiary.Tests.Nn;
using static Topiary.Tests.Nn.GradientChecker;

namespace Topiary.Tests.Tensors;

public class DirectSparseConvTests
{
    public static TheoryData<int, int, int, int, int, int, int, int, int, int> Shapes => new()
    {
        // C, OC, H, W, kernel H, kernel W, padding, groups, stride H, stride W
        { 1, 1, 3, 3, 3, 3, 0, 1, 1, 1 },
        { 2, 3, 3, 5, 3, 3, 1, 1, 1, 1 },       // a virtual row of 3 vectors (6 with 8 lanes)
        { 2, 3, 4, 3, 3, 3, 1, 1, 1, 1 },       // 4 vectors
        { 3, 5, 8, 8, 3, 3, 1, 1, 1, 1 },
        { 4, 6, 7, 9, 3, 3, 1, 2, 1, 1 },       // groups
        { 2, 9, 1, 17, 3, 3, 1, 1, 1, 1 },      // one input row
        { 5, 4, 11, 1, 3, 3, 1, 1, 1, 1 },      // one input column
        { 6, 8, 13, 13, 3, 3, 1, 1, 1, 1 },     // AlexNet conv3's 13×13: rows of 16, a virtual row of 13 = 7 + 6 vectors
        { 8, 6, 27, 27, 5, 5, 2, 2, 1, 1 },     // AlexNet conv2's 5×5, pad 2, groups 2
        { 7, 3, 10, 12, 1, 1, 0, 1, 1, 1 },     // pointwise
        { 3, 4, 9, 11, 2, 3, 0, 1, 1, 1 },      // rectangular kernel, no padding
        { 300, 33, 14, 14, 3, 3, 1, 1, 1, 1 },  // several channel blocks, a second work item of output channels
        { 3, 7, 35, 35, 11, 11, 0, 1, 4, 4 },   // AlexNet conv1's 11×11 stride 4: 48 phase channels, a 3×3 phase kernel
        { 5, 6, 9, 10, 3, 3, 1, 1, 2, 2 },      // stride 2, odd and even sizes
        { 4, 4, 12, 7, 1, 1, 0, 2, 2, 2 },      // pointwise stride 2 (ResNet's downsampling shortcut), groups
        { 3, 5, 11, 13, 3, 5, 2, 1, 3, 2 },     // unequal strides and kernel sides, padding larger than the stride's reach
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Equals_the_direct_convolution_and_its_scalar_twin(int c, int oc, int h, int w, int kh, int kw, int pad, int groups, int sh, int sw)
    {
        foreach (double density in new[] { 0.0, 0.3, -0.3, 1.0 }) // −0.3: ~30% in whole kernel rows (row mode for 3 columns)
        {
            var conv = new Conv2d(c, oc, (kh, kw), new Random(c * 31 + oc), (sh, sw), (pad, pad, pad, pad), groups: groups, bias: true);
            if (density < 0) PruneRows(conv.Weight.Value.Data, -density, kw, seed: oc);
            else Prune(conv.Weight.Value.Data, density, seed: oc);
            var x = Randn(h * 7 + w, 1, c, h, w);
            var expected = conv.Forward(x, training: true).Data.ToArray();
            var g = conv.Geometry(h, w);
            float[] bias = conv.Bias!.Value.Data;
            var twin = Run(new DirectSparseConv(conv.Weight.Value.Data, oc, groups, g, vectorise: false), x, expected.Length, bias, null, 1);
            GroupedConvTests.AssertClose(expected, twin, $"{conv} on {h}x{w} at density {density}, scalar twin");
            var sparse = new DirectSparseConv(conv.Weight.Value.Data, oc, groups, g);
            foreach (int threads in new[] { 1, 2 })
                Assert.Equal(twin, Run(sparse, x, expected.Length, bias, null, threads));
        }
    }

    [Fact]
    public void The_epilogue_adds_bias_and_residual_then_clamps()
    {
        var conv = new Conv2d(5, 6, (3, 3), new Random(3), (1, 1), (1, 0, 2, 1), bias: true);
        Prune(conv.Weight.Value.Data, 0.4, seed: 3);
        var x = Randn(4, 1, 5, 9, 10);
        var g = conv.Geometry(9, 10);
        var plain = conv.Forward(x, training: true).Data.ToArray();
        var residual = Randn(5, 1, 6, g.OutH, g.OutW).Data;
        var sparse = new DirectSparseConv(conv.Weight.Value.Data, 6, 1, g);
        var y = new float[2 + plain.Length];
        y.AsSpan().Fill(float.NaN);
        var r = new float[2 + plain.Length];
        residual.CopyTo(r, 2);
        sparse.Forward(x.Data, y, 2, conv.Bias!.Value.Data, r, 0f, 6f, 1);
        Assert.True(float.IsNaN(y[1]));
        var expected = plain.Select((v, i) => Math.Clamp(v + residual[i], 0f, 6f)).ToArray();
        GroupedConvTests.AssertClose(expected, y[2..], "conv + residual, ReLU6");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void A_frozen_convolution_forced_onto_the_sparse_kernel_equals_the_unfrozen_one(int stride)
    {
        var conv = new Conv2d(16, 24, 3, new Random(5), stride, padding: 1);
        Prune(conv.Weight.Value.Data, 0.25, seed: 5);
        var x = Randn(6, 3, 16, 12, 12);
        var expected = conv.Forward(x, training: false).Data.ToArray();
        conv.Frozen = true;
        conv.SparseOverride = true;
        GroupedConvTests.AssertClose(expected, conv.Forward(x, training: false).Data.ToArray(), "frozen, sparse");
        conv.SparseOverride = null; // measured: any algorithm, the same values
        GroupedConvTests.AssertClose(expected, conv.Forward(x, training: false).Data.ToArray(), "frozen, measured");
    }

    [Fact]
    public void Dilated_convolutions_and_wrong_weights_are_refused()
    {
        var dilated = new Conv2dGeometry(3, 8, 8, (3, 3), (1, 1), (2, 2, 2, 2), (2, 2));
        Assert.False(DirectSparseConv.Supports(dilated));
        Assert.Throws<ArgumentException>(() => new DirectSparseConv(new float[4 * 27], 4, 1, dilated));
        var g = new Conv2dGeometry(3, 8, 8, 3, 3, 1, 1, 1, 1);
        var e = Assert.Throws<ArgumentException>(() => new DirectSparseConv(new float[4 * 27 - 1], 4, 1, g));
        Assert.Contains("[4, 3, 3, 3]", e.Message, StringComparison.Ordinal);
    }

    private static float[] Run(DirectSparseConv conv, Tensor x, int length, float[] bias, float[]? residual, int threads)
    {
        var y = new float[length];
        conv.Forward(x.Data, y, 0, bias, residual, float.NegativeInfinity, float.PositiveInfinity, threads);
        return y;
    }

    // Keeps about `density` of the kernel rows of `kw` weights (seeded), setting the others to zero.
    private static void PruneRows(float[] w, double density, int kw, int seed)
    {
        var rng = new Random(seed);
        for (int r = 0; r < w.Length; r += kw)
            if (rng.NextDouble() >= density) w.AsSpan(r, kw).Clear();
    }

    // Keeps about `density` of the weights (seeded), setting the others to zero.
    private static void Prune(float[] w, double density, int seed)
    {
        var rng = new Random(seed);
        for (int i = 0; i < w.Length; i++)
            if (rng.NextDouble() >= density) w[i] = 0f;
    }
}
