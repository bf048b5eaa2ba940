// Winograd F(2x2, 3x3) and F(4x4, 3x3) against the direct convolution (Conv2d's training path, itself checked against
// naive loops) over awkward sizes: outputs that are not multiples of the tile (partial last tiles), padding 0, 1, 2 and
// asymmetric, a single row or column, channel counts that are not multiples of 8 (the scalar output path), tile rows
// of 1-3, 4-7 and 8+ tiles (scalar, Vector128 and Vector256 input paths), batches whose tiles share one GEMM, and blocks
// split over threads; grouped convolutions group by group. 1 and 2 threads give the same bits; the transforms' vector paths equal their scalar twins bit for
// bit; every GEMM tier the machine has gives the same result to rounding; the fused epilogue (bias, residual, clamp)
// matches applying it afterwards; unsupported geometries and short arrays are refused.
using Topiary.Nn;
using Topiary.Tensors;
using Topiary.Tests.Nn;
using static Topiary.Tests.Nn.GradientChecker;

namespace Topiary.Tests.Tensors;

public class Winograd3x3Tests
{
    // F(4, 3)'s transforms (entries up to 8, weights scaled by 1/24) lose a few more bits than F(2, 3)'s ±1 and ½.
    internal const float Tolerance2 = 1e-5f, Tolerance4 = 6e-5f;

    public static TheoryData<int, int, int, int, int, int, int, int, int> Shapes => new()
    {
        // C, OC, H, W, pads top, left, bottom, right, batch
        { 1, 1, 3, 3, 0, 0, 0, 0, 1 },
        { 3, 5, 8, 8, 1, 1, 1, 1, 1 },
        { 4, 3, 7, 9, 1, 1, 1, 1, 2 },      // odd output: partial last tile row and column
        { 7, 6, 5, 12, 0, 0, 0, 0, 1 },
        { 2, 9, 1, 17, 1, 1, 1, 1, 3 },     // one input row
        { 5, 4, 11, 1, 1, 1, 1, 1, 1 },     // one input column
        { 6, 8, 10, 13, 0, 1, 1, 0, 1 },    // asymmetric (TF "SAME"-like) padding
        { 3, 16, 9, 10, 2, 2, 2, 2, 1 },    // padding 2
        { 17, 19, 14, 14, 1, 1, 1, 1, 2 },
        { 64, 32, 9, 9, 1, 1, 1, 1, 1 },
        { 3, 24, 6, 40, 1, 1, 1, 1, 1 },    // 20 / 10 tiles a row: vector passes and a scalar tail
        { 8, 16, 7, 7, 1, 1, 1, 1, 5 },     // ResNet's 7x7 at a batch: tiles of several images in one panel
        { 9, 40, 30, 31, 1, 1, 1, 1, 1 },   // 8 and 15 tiles a row
        { 512, 64, 45, 40, 1, 1, 1, 1, 1 }, // several blocks of tile rows (F(2): 23 rows in blocks of 2 and 3), in parallel at 2 threads
        { 16, 64, 55, 55, 1, 1, 1, 1, 1 },  // F(4): 14 tile rows in blocks of 3, 4, 3 and 4; F(2): 28 in ten blocks
        { 32, 32, 48, 64, 1, 1, 1, 1, 1 },  // F(4): 12 tile rows in 3 blocks on 1 thread, 4 on 2
    };

    [Theory]
    [InlineData(16, 64, 55, 55, 4, 1, 4)]  // 14 tile rows of 14 tiles, at most 4 rows a block
    [InlineData(16, 64, 55, 55, 4, 2, 4)]  // already a multiple of 2: rows 3, 4, 3, 4 (7 a thread, not 8 and 6)
    [InlineData(16, 64, 55, 55, 4, 3, 4)]  // 6 blocks would leave blocks of 2 rows (28 tiles < 48): kept at 4
    [InlineData(16, 64, 55, 55, 2, 2, 10)] // F(2): 28 rows, 3 a block
    [InlineData(32, 32, 48, 64, 4, 1, 3)]  // 12 rows of 16 tiles, 4 a block
    [InlineData(32, 32, 48, 64, 4, 2, 4)]  // a fourth block, so 2 threads each get 6 rows: 3 rows = 48 tiles a block
    [InlineData(64, 256, 13, 13, 4, 2, 1)] // 16 tiles: one block, its phases split between the threads
    public void Tile_rows_are_cut_into_blocks_the_threads_share_evenly(int c, int oc, int h, int w, int tileSize, int threads, int blocks)
    {
        var g = new Conv2dGeometry(c, h, w, 3, 3, padH: 1, padW: 1);
        Assert.Equal(blocks, Winograd3x3.Blocks(g, 1, tileSize, oc, threads));
        // The blocks tile the rows in order, and no block is more than a row longer than another.
        int rows = (h + tileSize - 1) / tileSize;
        var sizes = Enumerable.Range(0, blocks).Select(b => Winograd3x3.BlockRows(rows, blocks, b)).ToArray();
        Assert.Equal(0, sizes[0].R0);
        Assert.Equal(rows, sizes[^1].R1);
        for (int b = 1; b < blocks; b++) Assert.Equal(sizes[b - 1].R1, sizes[b].R0);
        Assert.True(sizes.Max(s => s.R1 - s.R0) - sizes.Min(s => s.R1 - s.R0) <= 1, string.Join(", ", sizes));
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Equals_the_direct_convolution(int c, int oc, int h, int w, int pt, int pl, int pb, int pr, int n)
    {
        var conv = new Conv2d(c, oc, (3, 3), new Random(c * 31 + oc), (1, 1), (pt, pl, pb, pr), bias: false);
        var x = Randn(h * 7 + w, n, c, h, w);
        var expected = conv.Forward(x, training: true).Data.ToArray();
        var g = conv.Geometry(h, w);
        foreach (int m in new[] { 2, 4 })
        {
            var weights = WinogradWeights.Create(conv.Weight.Value.Data, oc, c, m);
            float[]? first = null;
            foreach (int threads in new[] { 1, 2 })
            {
                var output = new float[3 + expected.Length];
                output.AsSpan().Fill(float.NaN);
                Winograd3x3.Convolve(x.Data, 0, n, g, weights, output, 3, WinogradEpilogue.None, threads);
                AssertClose(expected, output[3..], m == 2 ? Tolerance2 : Tolerance4, $"F({m}x{m}) {conv} on {n}x{h}x{w}, {threads} thread(s)");
                Assert.True(float.IsNaN(output[2]));
                if (first is null) first = output;
                else Assert.Equal(first, output);
            }
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void The_fused_epilogue_equals_bias_residual_and_clamp_applied_afterwards(int m)
    {
        int c = 5, oc = 13, h = 11, w = 19, n = 2;
        var conv = new Conv2d(c, oc, 3, new Random(4), padding: 1);
        var x = Randn(5, n, c, h, w);
        var g = conv.Geometry(h, w);
        var weights = WinogradWeights.Create(conv.Weight.Value.Data, oc, c, m);
        int length = n * oc * h * w;
        var plain = new float[length];
        Winograd3x3.Convolve(x.Data, 0, n, g, weights, plain, 0, WinogradEpilogue.None, 1);
        var residual = Randn(6, n, oc, h, w).Data;
        var bias = conv.Bias!.Value.Data;
        var fused = new float[length];
        Winograd3x3.Convolve(x.Data, 0, n, g, weights, fused, 0, new WinogradEpilogue(bias, residual, 0f, 0.5f), 1);
        for (int i = 0; i < length; i++)
        {
            int o = i / (h * w) % oc;
            float expected = MathF.Min(MathF.Max(plain[i] + bias[o] + residual[i], 0f), 0.5f);
            Assert.True(MathF.Abs(expected - fused[i]) <= 1e-6f, $"[{i}]: expected {expected}, got {fused[i]}");
        }
    }

    [Theory]
    [InlineData(2, 1)]
    [InlineData(2, 2)]
    [InlineData(4, 0)]
    [InlineData(4, 1)]
    [InlineData(4, 2)]
    public void Vector_transforms_equal_their_scalar_twins_bit_for_bit(int m, int pad)
    {
        // 3 rows of tiles over widths with 1-3, 4-7 and 8+ tiles a row; 16 output channels (two vector groups).
        int c = 3, oc = 16;
        foreach (int width in new[] { 5, 14, 23, 37, 60 })
        {
            var g = new Conv2dGeometry(c, 3 * m + 1, width, 3, 3, 1, 1, pad, pad);
            var x = Randn(width, 1, c, g.Height, width).Data;
            int tx = (g.OutW + m - 1) / m, ty = (g.OutH + m - 1) / m, tiles = tx * ty, a2 = (m + 2) * (m + 2);
            int ldv = tiles + 8;
            var vVector = new float[a2 * c * ldv];
            var vScalar = new float[a2 * c * ldv];
            for (int ch = 0; ch < c; ch++)
            {
                WinogradInput.TransformChannel(m, x, 0, g, ch, 0, ty, vVector, ldv, c * ldv, vectors: true);
                WinogradInput.TransformChannel(m, x, 0, g, ch, 0, ty, vScalar, ldv, c * ldv, vectors: false);
            }
            for (int row = 0; row < a2 * c; row++) // the vector path may write past a row's tiles, into its padding
                Assert.Equal(vScalar.AsSpan(row * ldv, tiles).ToArray(), vVector.AsSpan(row * ldv, tiles).ToArray());

            var mm = Randn(width + 1, a2, tiles, oc).Data;
            var residual = Randn(width + 2, 1, oc, g.OutH, g.OutW).Data;
            var bias = Randn(width + 3, oc).Data;
            var e = new WinogradEpilogue(bias, residual, -0.5f, 2f);
            var yVector = new float[oc * g.OutH * g.OutW];
            var yScalar = new float[yVector.Length];
            for (int r = 0; r < ty; r++)
                for (int o0 = 0; o0 < oc; o0 += 8)
                {
                    WinogradOutput.TransformRow(m, mm, tiles * oc, oc, r * tx, g, r, yVector, 0, e, o0, 8, vectors: true);
                    WinogradOutput.TransformRow(m, mm, tiles * oc, oc, r * tx, g, r, yScalar, 0, e, o0, 8, vectors: false);
                }
            Assert.Equal(yScalar, yVector);
        }
    }

    [Theory]
    [InlineData(1, 14, true)]
    [InlineData(3, 7, true)]   // a small image at a batch: Winograd over the batch's tiles in one GEMM
    [InlineData(3, 7, null)]   // measured against the batched im2col path
    [InlineData(2, 9, null)]
    public void A_frozen_conv2d_on_Winograd_keeps_bias_residual_and_clamp(int batch, int size, bool? force)
    {
        var conv = new Conv2d(9, 12, 3, new Random(1), padding: 1);
        conv.Bias!.Value.CopyFrom(Randn(2, 12));
        var x = Randn(3, batch, 9, size, size);
        var residual = Randn(4, batch, 12, size, size);
        var expected = conv.Forward(x, training: true).Data.ToArray();
        for (int i = 0; i < expected.Length; i++) expected[i] = Math.Clamp(expected[i] + residual.Data[i], 0f, 6f);
        conv.Frozen = true;
        conv.WinogradOverride = force;
        AssertClose(expected, conv.ForwardFused(x, residual, 0f, 6f).Data.ToArray(), Tolerance4, "first call");
        AssertClose(expected, conv.ForwardFused(x, residual, 0f, 6f).Data.ToArray(), Tolerance4, "cached choice");
    }

    [Theory]
    [InlineData(1, 2)]
    [InlineData(2, 2)]
    [InlineData(1, 3)]
    public void A_frozen_grouped_conv2d_on_Winograd_runs_group_by_group(int batch, int groups)
    {
        // 8 input and output channels a group (3 groups of a 13x11 image at batch 1, group by group on 2 threads; 2 groups
        // side by side on 2 threads, at batch 1 and 2).
        Conv2d Make()
        {
            var conv = new Conv2d(8 * groups, 8 * groups, 3, new Random(groups), padding: 1, groups: groups);
            conv.Bias!.Value.CopyFrom(Randn(2, 8 * groups));
            return conv;
        }
        var x = Randn(3, batch, 8 * groups, 13, 11);
        var residual = Randn(4, batch, 8 * groups, 13, 11);
        var expected = Make().Forward(x, training: true).Data.ToArray();
        for (int i = 0; i < expected.Length; i++) expected[i] = Math.Clamp(expected[i] + residual.Data[i], 0f, 6f);
        foreach (int threads in new[] { 1, 2 })
        {
            // A layer of its own per thread count: an output another count wrote must not stand in for this one's.
            var frozen = Make();
            frozen.Frozen = true;
            frozen.WinogradOverride = true;
            using (Threading.Limit(threads))
                AssertClose(expected, frozen.ForwardFused(x, residual, 0f, 6f).Data.ToArray(), Tolerance4, $"{frozen}, batch {batch}, {threads} thread(s)");
        }
    }

    [Fact]
    public void Every_gemm_tier_gives_the_same_result()
    {
        int c = 20, oc = 35, h = 13, w = 17;
        var conv = new Conv2d(c, oc, 3, new Random(9), padding: 1, bias: false);
        var x = Randn(8, 1, c, h, w);
        var g = conv.Geometry(h, w);
        var expected = conv.Forward(x, training: true).Data.ToArray();
        foreach (var tier in Enum.GetValues<GemmTier>().Where(GemmTiers.IsSupported))
            foreach (int m in new[] { 2, 4 })
            {
                var weights = WinogradWeights.Create(conv.Weight.Value.Data, oc, c, m, tier);
                var y = new float[expected.Length];
                Winograd3x3.Convolve(x.Data, 0, 1, g, weights, y, 0, WinogradEpilogue.None, 1);
                AssertClose(expected, y, m == 2 ? Tolerance2 : Tolerance4, $"F({m}x{m}) on tier {tier}");
            }
    }

    [Fact]
    public void A_single_tap_filter_reproduces_its_shifted_input_closely()
    {
        // Only the centre tap set: y = 2·x (padding 1); F(2, 3)'s ±1 and ½ transforms are exact here.
        var weights = new float[9];
        weights[4] = 2f;
        var g = new Conv2dGeometry(1, 5, 6, 3, 3, 1, 1, 1, 1);
        var x = Randn(1, 1, 1, 5, 6);
        foreach (int m in new[] { 2, 4 })
        {
            var y = new float[30];
            Winograd3x3.Convolve(x.Data, 0, 1, g, WinogradWeights.Create(weights, 1, 1, m), y, 0, WinogradEpilogue.None, 1);
            for (int i = 0; i < 30; i++) Assert.Equal(2f * x.Data[i], y[i], 5);
        }
    }

    [Fact]
    public void Picks_4x4_tiles_only_where_they_fill_the_gemm_panels()
    {
        Assert.Equal(4, Winograd3x3.TileSizeFor(new Conv2dGeometry(64, 56, 56, 3, 3, 1, 1, 1, 1), 1));
        Assert.Equal(4, Winograd3x3.TileSizeFor(new Conv2dGeometry(256, 14, 14, 3, 3, 1, 1, 1, 1), 1));
        Assert.Equal(2, Winograd3x3.TileSizeFor(new Conv2dGeometry(512, 7, 7, 3, 3, 1, 1, 1, 1), 1));
    }

    [Fact]
    public void Refuses_other_geometries_tile_sizes_and_short_arrays()
    {
        var strided = new Conv2dGeometry(1, 6, 6, 3, 3, 2, 2, 1, 1);
        Assert.False(Winograd3x3.Supports(strided));
        Assert.False(Winograd3x3.Supports(new Conv2dGeometry(8, 6, 6, 5, 5)));
        Assert.False(Winograd3x3.Supports(new Conv2dGeometry(3, 6, 6, 3, 3, 1, 1, 1, 1))); // an RGB input: im2col's
        Assert.True(Winograd3x3.Supports(new Conv2dGeometry(8, 6, 6, 3, 3, 1, 1, 1, 1)));
        var w1 = WinogradWeights.Create(new float[9], 1, 1, 2);
        var e = Assert.Throws<ArgumentException>(() => Winograd3x3.Convolve(new float[36], 0, 1, strided, w1, new float[99], 0, WinogradEpilogue.None, 1));
        Assert.Contains("stride 1", e.Message, StringComparison.Ordinal);
        var g = new Conv2dGeometry(2, 6, 6, 3, 3, 1, 1, 1, 1);
        var w = WinogradWeights.Create(new float[54], 3, 2, 4);
        Assert.Throws<ArgumentException>(() => Winograd3x3.Convolve(new float[71], 0, 1, g, w, new float[108], 0, WinogradEpilogue.None, 1));
        Assert.Throws<ArgumentException>(() => Winograd3x3.Convolve(new float[72], 0, 1, g, w, new float[107], 0, WinogradEpilogue.None, 1));
        Assert.Throws<ArgumentException>(() => Winograd3x3.Convolve(new float[72], 0, 1, g, w, new float[108], 0,
            new WinogradEpilogue(new float[2], null, 0, 1), 1));
        Assert.Throws<ArgumentException>(() => Winograd3x3.Convolve(new float[72], 0, 1, g, w1, new float[108], 0, WinogradEpilogue.None, 1));
        Assert.Throws<ArgumentException>(() => WinogradWeights.Create(new float[17], 1, 2, 2));
        Assert.Throws<ArgumentException>(() => WinogradWeights.Create(new float[9], 1, 1, 3));
    }

    // |expected − actual| ≤ tolerance·(1 + max |expected|) everywhere; the message names the first failure and the worst.
    internal static void AssertClose(float[] expected, float[] actual, float tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        float scale = 1 + expected.Select(MathF.Abs).DefaultIfEmpty(0).Max();
        int first = -1, worst = 0;
        float largest = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            float d = MathF.Abs(expected[i] - actual[i]);
            if (!(d <= tolerance * scale) && first < 0) first = i;
            if (!(d <= largest)) { largest = d; worst = i; }
        }
        if (first >= 0)
            Assert.Fail($"{what}: first difference at [{first}]: expected {expected[first]}, got {actual[first]}; " +
                $"largest |diff| {largest} ({largest / scale:g3} of scale) at [{worst}] (expected {expected[worst]}, got {actual[worst]}).");
    }
}
