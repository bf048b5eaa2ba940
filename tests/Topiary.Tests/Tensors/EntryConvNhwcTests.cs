// EntryConvNhwc (direct channels-first → channels-last convolution for a stack's entry) bit for bit against the route it
// replaces — im2col + the GEMM against pre-packed Wᵀ with the per-column bias and the clamp in the epilogue, at every
// GEMM tier this host runs — and against the plain scalar twin (fused or not as the tier's multiply-add), at every lane
// tier (16, 8, 4 and scalar lanes, forced, so all run on any machine) and on 1 and 2 threads: input channels 1 to 4,
// output channels 1, 8, 15, 16, 17, 32, 40, 64 (whole and masked vectors, one or two per chunk, several chunks), planes
// from 1×1 to 37×37 (tiles of 8, 6, 4 and 1 pixels, overlapping last tiles, edge tiles on both sides), kernels 1×1,
// 3×3, 5×5, 7×7 and 3×5, strides 1, 2, 3 and mixed, padding 0 to 3 and asymmetric, dilation 2, batch 1 and 3, with and
// without bias (−0 in it), no clamp, ReLU, ReLU6, a narrow clamp and [−0, 6]; NaN inputs propagate. Also ChannelsLastConv2d's entry through it, the packed layout, the rule for
// non-finite weights, and argument checks.
using Topiary.Nn;
using Topiary.Tensors;

namespace Topiary.Tests.Tensors;

public unsafe class EntryConvNhwcTests
{
    internal static readonly EntryConvNhwc.Lanes[] AllLanes =
        [EntryConvNhwc.Lanes.V512, EntryConvNhwc.Lanes.V256, EntryConvNhwc.Lanes.V128, EntryConvNhwc.Lanes.Scalar, EntryConvNhwc.Lanes.Best];

    private static readonly int[] OutChannels = [1, 8, 15, 16, 17, 32, 40, 64];
    private static readonly (int H, int W)[] Sizes = [(1, 1), (2, 3), (5, 7), (9, 9), (13, 11), (16, 17), (37, 37), (24, 30)];
    private static readonly (float Lo, float Hi)[] Clamps =
        [(float.NegativeInfinity, float.PositiveInfinity), (0f, float.PositiveInfinity), (0f, 6f), (-0.25f, 0.25f), (-0f, 6f)];

    public static TheoryData<int, int, int, int, int, int, int, int, int, int> Windows => new()
    {
        // kernel H, W; stride H, W; pad top, left, bottom, right; dilation H, W
        { 3, 3, 2, 2, 1, 1, 1, 1, 1, 1 },   // MobileNet / EfficientNet stem
        { 7, 7, 2, 2, 3, 3, 3, 3, 1, 1 },   // ResNet stem
        { 3, 3, 1, 1, 1, 1, 1, 1, 1, 1 },
        { 3, 3, 2, 2, 0, 0, 1, 1, 1, 1 },   // TF "SAME" stride 2
        { 1, 1, 1, 1, 0, 0, 0, 0, 1, 1 },
        { 1, 1, 2, 2, 0, 0, 0, 0, 1, 1 },
        { 5, 5, 1, 1, 2, 2, 2, 2, 1, 1 },
        { 5, 5, 3, 3, 0, 3, 2, 1, 1, 1 },
        { 3, 3, 3, 3, 1, 1, 1, 1, 1, 1 },
        { 3, 5, 2, 1, 1, 2, 0, 2, 1, 1 },
        { 3, 3, 1, 2, 3, 0, 2, 3, 1, 1 },
        { 3, 3, 1, 1, 2, 2, 2, 2, 2, 2 },   // dilation 2
    };

    [Theory]
    [MemberData(nameof(Windows))]
    public void Equals_im2col_gemm_and_the_scalar_twin_bit_for_bit(int kh, int kw, int sh, int sw, int pt, int pl, int pb, int pr, int dh, int dw) =>
        SweepWindow((kh, kw), (sh, sw), (pt, pl, pb, pr), (dh, dw), OutChannels, Sizes, Check);

    /// <summary>Checks one case of a window sweep.</summary>
    internal delegate void CaseCheck(float[] x, int batch, in Conv2dGeometry g, float[] wts, int oc, float[]? bias, float lo, float hi, string what);

    // One window over input channels 1 to 4 × the given output channel counts, each case on the next plane size (grown
    // when the window does not fit it): batch 3 every third case, no bias every fourth (−0 first in the others), a NaN
    // input every fifth, the clamps in turn.
    internal static void SweepWindow((int H, int W) kernel, (int H, int W) stride, (int T, int L, int B, int R) pads, (int H, int W) dilation,
        int[] outChannels, (int H, int W)[] sizes, CaseCheck check)
    {
        var ((kh, kw), (dh, dw)) = (kernel, dilation);
        int variant = 0;
        for (int c = 1; c <= 4; c++)
        {
            foreach (int oc in outChannels)
            {
                var (h, w) = sizes[(variant + c + oc) % sizes.Length];
                variant++;
                if (h + pads.T + pads.B < dh * (kh - 1) + 1 || w + pads.L + pads.R < dw * (kw - 1) + 1) (h, w) = (h + 2 * kh * dh, w + 2 * kw * dw);
                var g = new Conv2dGeometry(c, h, w, kernel, stride, pads, dilation);
                int batch = variant % 3 == 0 ? 3 : 1;
                var rng = new Random(variant * 7919 + c * 31 + oc);
                float[] x = Random(rng, batch * g.ImageSize), wts = Random(rng, oc * g.ColumnRows);
                float[]? bias = variant % 4 == 1 ? null : Random(rng, oc);
                x[rng.Next(x.Length)] = 0f;
                if (variant % 5 == 2) x[rng.Next(x.Length)] = float.NaN;
                if (bias is not null) bias[0] = -0f;
                var (lo, hi) = Clamps[variant % Clamps.Length];
                check(x, batch, g, wts, oc, bias, lo, hi, $"C={c} OC={oc} batch={batch} bias={bias is not null} clamp=[{lo}, {hi}] {g}");
            }
        }
    }

    [Theory]
    [InlineData(3, 32, 224, 224, 3, 2, 1)]   // MobileNet-v2 / EfficientNet-B0 stem
    [InlineData(3, 64, 64, 61, 7, 2, 3)]     // ResNet stem form on a smaller plane
    [InlineData(1, 16, 28, 28, 3, 1, 1)]     // the zoo's MobileNet-v2 stem (MNIST)
    public void Network_stems_equal_im2col_gemm_bit_for_bit(int c, int oc, int h, int w, int k, int stride, int pad)
    {
        var g = new Conv2dGeometry(c, h, w, k, k, stride, stride, pad, pad);
        var rng = new Random(oc + h);
        float[] x = Random(rng, g.ImageSize), wts = Random(rng, oc * g.ColumnRows), bias = Random(rng, oc);
        Check(x, 1, g, wts, oc, bias, 0f, 6f, $"stem {g}");
    }

    [Fact]
    public void An_entry_layer_runs_the_kernel_and_equals_im2col_gemm()
    {
        Conv2d Make()
        {
            var conv = new Conv2d(3, 40, 3, new Random(3), stride: 2, padding: 1);
            Random(new Random(4), 40).CopyTo(conv.Bias!.Value.Data, 0);
            return conv;
        }
        var x = new Tensor(Random(new Random(5), 2 * 3 * 19 * 21), 2, 3, 19, 21);
        var reference = Make();
        var g = reference.Geometry(19, 21);
        var expected = Im2ColGemm(x.Data, 2, g, reference.Weight.Value.Data, 40, reference.Bias!.Value.Data, 0f, 6f, GemmTiers.Best);
        foreach (int threads in new[] { 1, 2 })
        {
            // A layer of its own per thread count: an output another count wrote must not stand in for this one's.
            var layer = new ChannelsLastConv2d(new FusedConv2d(Make(), hasResidual: false, min: 0f, max: 6f), readsChannelsFirst: true);
            using var _ = Threading.Limit(threads);
            AssertBits(expected, layer.Forward([x], false)[0].Data, $"{threads} thread(s)");
        }
    }

    [Fact]
    public void Packed_weights_put_each_products_output_channels_together_padded_to_16()
    {
        // W [OC = 2, K = 3]: output channel o, product k holds 10·o + k.
        float[] w = [0, 1, 2, 10, 11, 12, 99];
        var packed = EntryConvNhwc.PackWeights(w, 2, 3);
        Assert.Equal(3 * 16, packed.Length);
        Assert.Equal(new float[] { 0, 10 }, packed[..2]);
        Assert.Equal(new float[] { 1, 11 }, packed[16..18]);
        Assert.Equal(new float[] { 2, 12 }, packed[32..34]);
        Assert.All(packed.Where((_, i) => i % 16 >= 2), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Applies_to_few_input_channels()
    {
        Assert.True(EntryConvNhwc.Applies(3, 3, 3));
        Assert.True(EntryConvNhwc.Applies(4, 8, 8));
        Assert.False(EntryConvNhwc.Applies(5, 8, 8)); // C·KH·KW = 320 > 256
    }

    // Every product is computed, padding zeros included, as the GEMM computes its column matrix's: a weight of ±∞ makes
    // 0·w = NaN at the border pixels, and an accumulator that underflowed to −0 becomes +0 at a padding tap.
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Padding_products_are_computed_as_the_gemm_computes_them(bool tiny)
    {
        var g = new Conv2dGeometry(3, 11, 13, (3, 3), (2, 1), (1, 2, 1, 0), (1, 1));
        var rng = new Random(tiny ? 2 : 1);
        float scale = tiny ? 1e-25f : 1f;
        float[] x = Random(rng, g.ImageSize).Select(v => v * scale).ToArray(), wts = Random(rng, 17 * g.ColumnRows).Select(v => v * scale).ToArray();
        if (!tiny)
        {
            wts[5] = float.PositiveInfinity;
            wts[40] = float.NegativeInfinity;
        }
        Check(x, 1, g, wts, 17, null, float.NegativeInfinity, float.PositiveInfinity, tiny ? "underflow" : "infinite weights");
    }

    [Fact]
    public void Rejects_bad_arguments_naming_them()
    {
        var g = new Conv2dGeometry(3, 4, 4, 3, 3, 1, 1, 1, 1);
        float[] w = new float[27 * 16];
        Assert.Equal("w", Assert.Throws<ArgumentException>(() => EntryConvNhwc.PackWeights(new float[26], 1, 27)).ParamName);
        Assert.Equal("outChannels", Assert.Throws<ArgumentOutOfRangeException>(() => EntryConvNhwc.PackWeights(new float[27], 0, 27)).ParamName);
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => EntryConvNhwc.Forward(new float[47], 1, g, w, 4, null, 0f, 6f, new float[64], 1)).ParamName);
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => EntryConvNhwc.Forward(new float[48], 1, g, w, 4, null, 0f, 6f, new float[63], 1)).ParamName);
        Assert.Equal("bias", Assert.Throws<ArgumentException>(() => EntryConvNhwc.Forward(new float[48], 1, g, w, 4, new float[3], 0f, 6f, new float[64], 1)).ParamName);
        Assert.Equal("packedW", Assert.Throws<ArgumentException>(() => EntryConvNhwc.Forward(new float[48], 1, g, new float[27], 4, null, 0f, 6f, new float[64], 1)).ParamName);
        Assert.Equal("threads", Assert.Throws<ArgumentOutOfRangeException>(() => EntryConvNhwc.Forward(new float[48], 1, g, w, 4, null, 0f, 6f, new float[64], 0)).ParamName);
        var deep = new Conv2dGeometry(6, 8, 8, 7, 7, 1, 1, 3, 3);
        Assert.Equal("g", Assert.Throws<ArgumentOutOfRangeException>(() => EntryConvNhwc.Forward(new float[384], 1, deep, new float[294 * 16], 1, null, 0f, 6f, new float[64], 1)).ParamName);
    }

    // The kernel at every lane tier and thread count against the twin of that tier's arithmetic, and against im2col + GEMM
    // at every GEMM tier this host runs (the lanes of the same width).
    private static void Check(float[] x, int batch, in Conv2dGeometry g, float[] wts, int oc, float[]? bias, float lo, float hi, string what)
    {
        float[] packed = EntryConvNhwc.PackWeights(wts, oc, g.ColumnRows);
        int length = batch * g.OutH * g.OutW * oc;
        var twins = new Dictionary<bool, float[]>();
        foreach (var lanes in AllLanes)
        {
            bool fused = Fuses(lanes);
            if (!twins.TryGetValue(fused, out var expected))
            {
                expected = new float[length];
                EntryConvNhwcScalar.Forward(x, batch, g, wts, oc, bias, bias is not null, lo, hi, fused, expected);
                twins[fused] = expected;
            }
            foreach (int threads in new[] { 1, 2 })
            {
                var y = new float[length + 5];
                y.AsSpan().Fill(float.NegativeInfinity);
                EntryConvNhwc.Forward(x, batch, g, packed, oc, bias, lo, hi, y, threads, lanes);
                AssertBits(expected, y, $"{lanes} (fused {fused}) threads={threads} {what}");
                for (int i = length; i < y.Length; i++) Assert.True(float.IsNegativeInfinity(y[i]), $"{lanes}: wrote past the output at {i}");
                if (threads == 1 && GemmTierOf(lanes) is { } tier && GemmTiers.IsSupported(tier))
                    AssertBits(Im2ColGemm(x, batch, g, wts, oc, bias, lo, hi, tier), y, $"{lanes} against im2col + GEMM {tier}, {what}");
            }
        }
    }

    internal static bool Fuses(EntryConvNhwc.Lanes lanes) => lanes switch
    {
        EntryConvNhwc.Lanes.V512 => EntryConvLanes512.Fused,
        EntryConvNhwc.Lanes.V256 => EntryConvLanes256.Fused,
        EntryConvNhwc.Lanes.V128 => EntryConvLanes128.Fused,
        EntryConvNhwc.Lanes.Scalar => EntryConvLanesScalar.Fused,
        _ => Fuses(GemmTiers.Best switch
        {
            GemmTier.Vector512 => EntryConvNhwc.Lanes.V512,
            GemmTier.Vector256 => EntryConvNhwc.Lanes.V256,
            GemmTier.Vector128 => EntryConvNhwc.Lanes.V128,
            _ => EntryConvNhwc.Lanes.Scalar,
        }),
    };

    internal static GemmTier? GemmTierOf(EntryConvNhwc.Lanes lanes) => lanes switch
    {
        EntryConvNhwc.Lanes.V512 => GemmTier.Vector512,
        EntryConvNhwc.Lanes.V256 => GemmTier.Vector256,
        EntryConvNhwc.Lanes.V128 => GemmTier.Vector128,
        EntryConvNhwc.Lanes.Scalar => GemmTier.Scalar,
        _ => GemmTiers.Best,
    };

    // ChannelsLastConv2d's entry before the kernel: per image Y[OH·OW, OC] = colᵀ · Wᵀ with the bias per column and the
    // clamp in the GEMM's epilogue.
    internal static float[] Im2ColGemm(float[] x, int batch, in Conv2dGeometry g, float[] wts, int oc, float[]? bias, float lo, float hi, GemmTier tier)
    {
        int k = g.ColumnRows, positions = g.OutH * g.OutW;
        var packed = Gemm.PackB(transB: true, oc, k, wts, k, tier);
        var columns = new float[k * positions];
        var y = new float[batch * positions * oc];
        fixed (float* pBias = bias)
        {
            var epilogue = new GemmEpilogue(pBias, null, 0, lo, hi, biasPerColumn: true);
            for (int i = 0; i < batch; i++)
            {
                Im2Col.Unfold(x.AsSpan(i * g.ImageSize, g.ImageSize), g, columns, positions);
                Gemm.Sgemm(1, true, positions, 1f, columns, positions, packed, 0f, y.AsSpan(i * positions * oc, positions * oc), oc, epilogue);
            }
        }
        return y;
    }

    internal static void AssertBits(float[] expected, float[] actual, string what)
    {
        for (int i = 0; i < expected.Length; i++)
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
                Assert.Fail($"{what}: first difference at [{i}]: expected {expected[i]:R}, got {actual[i]:R}.");
    }

    internal static float[] Random(Random rng, int length) =>
        Enumerable.Range(0, length).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
}
