// Im2ColPanels (the GEMM packing its B panels from the image: implicit im2col) against the unfolded column matrix
// multiplied by the same packed weights, bit for bit — every tier this host runs (panels of 4, 8, 16, 32 columns), its
// vector reads and its scalar twin, 1 and 2 threads, few output channels (just-in-time B) and more than one row block
// (the shared B block), a group's rows, bias + residual + clamp; geometries whose panel rows are contiguous runs,
// stride-2 runs of 8 and 16, two runs blended, and gathers (output rows of 7, 8, 19, 20, 28; runs whose span only looks like one: a 1 × 8 kernel, a
// dilation of 7), padded or read in place, strides 1–3, dilation, asymmetric
// padding, ceil mode, rectangular kernels; NaN and −0 in the image; several images side by side (a batch's columns).
// The transposed product A·colᵀ (a weight gradient: colᵀ's panels packed from the image) against the GEMM with the
// unfolded matrix as its transposed B, bit for bit, over the same geometries, tiers, row slices and beta. Bad operands
// are refused.
using Topiary.Tensors;

namespace Topiary.Tests.Tensors;

public unsafe class Im2ColPanelsTests
{
    public static TheoryData<int, int, int, int, int, int, int, int, int, bool> Geometries => new()
    {
        // C, H, W, KH, KW, stride, dilation, pad begin, pad end, ceil
        { 3, 56, 56, 3, 3, 2, 1, 1, 1, false },   // ResNet-50's stride-2 3x3 (OW 28: panels across two output rows)
        { 4, 12, 12, 5, 5, 1, 1, 0, 0, false },   // LeNet-5's conv2 (OW 8: one output row per 8 columns, read in place)
        { 6, 28, 28, 1, 1, 2, 1, 0, 0, false },   // a stride-2 1x1 downsample: no padding, the image read in place
        { 3, 14, 14, 3, 3, 2, 1, 1, 1, false },   // OW 7
        { 2, 9, 11, 3, 3, 3, 1, 0, 2, false },    // stride 3, asymmetric
        { 4, 12, 10, 3, 3, 1, 2, 2, 2, false },   // dilation 2
        { 2, 6, 6, 3, 3, 2, 1, 0, 0, true },      // ceil mode: the last window hangs over the edge
        { 3, 40, 39, 5, 5, 2, 1, 2, 2, false },   // OW 20
        { 3, 43, 43, 7, 7, 2, 1, 0, 0, false },   // a 7x7 stride-2 stem unpadded (SqueezeNet's): OW 19, read in place to its end
        { 2, 17, 23, 1, 7, 1, 1, 0, 3, false },   // a 1x7 kernel (Inception), stride 1 padded
        { 1, 1, 1, 1, 1, 1, 1, 0, 0, false },     // one pixel
        { 2, 3, 13, 1, 8, 1, 1, 0, 0, false },    // a 1x8 kernel: 6 positions a row, so 8 columns span 14 floats unevenly
        { 2, 5, 16, 1, 2, 1, 7, 0, 0, false },    // dilation 7: the same span from a row jump of 8
    };

    [Theory]
    [MemberData(nameof(Geometries))]
    public void Equals_the_unfolded_product_bit_for_bit(int c, int h, int w, int kh, int kw, int stride, int dilation, int padBegin,
        int padEnd, bool ceil)
    {
        var g = new Conv2dGeometry(c, h, w, (kh, kw), (stride, stride), (padBegin, padBegin, padEnd, padEnd), (dilation, dilation), ceil);
        int p = g.ColumnCols, k = g.ColumnRows;
        var rng = new Random(c * h + w);
        // The image at an offset inside a longer array (a sample of a batch), with a NaN and a −0.
        int offset = 5;
        float[] images = Fill(rng, offset + g.ImageSize + 3);
        images[offset] = float.NaN;
        images[offset + g.ImageSize - 1] = -0f;
        var columns = new float[k * p];
        Im2Col.UnfoldColumns(images.AsSpan(offset, g.ImageSize), g, 0, p, columns, p);
        foreach (int m in new[] { 13, 200 })
        {
            float[] weights = Fill(rng, m * k), bias = Fill(rng, m), residual = Fill(rng, m * p);
            foreach (var tier in Enum.GetValues<GemmTier>().Where(GemmTiers.IsSupported))
            {
                var packed = Gemm.PackA(false, m, k, weights, k, tier);
                foreach (bool withEpilogue in new[] { false, true })
                {
                    float[] expected = Fill(new Random(3), m * p);
                    fixed (float* pb = bias, pr = residual)
                    {
                        var epilogue = withEpilogue ? new GemmEpilogue(pb, pr, p, -0.5f, 2f) : default;
                        Gemm.Sgemm(1, packed, false, p, 1f, columns, p, 0f, expected, p, epilogue);
                        foreach (int threads in new[] { 1, 2 })
                            foreach (bool vectorise in new[] { true, false })
                            {
                                float[] actual = Fill(new Random(4), m * p);
                                Im2ColPanels.Multiply(threads, packed, images, offset, g, 0, actual, p, epilogue, vectorise);
                                Assert.True(Bits(expected).SequenceEqual(Bits(actual)),
                                    $"{tier}, m {m}, epilogue {withEpilogue}, {threads} thread(s), vectorise {vectorise}");
                            }
                    }
                }
            }
        }
    }

    [Theory]
    [InlineData(3, 12, 12, 5, 1, 0)]   // LeNet-5's conv2 at batch 3 (read in place, panels across samples)
    [InlineData(4, 7, 7, 3, 1, 1)]     // a 7x7 stage (padded copies)
    [InlineData(2, 14, 14, 3, 2, 1)]   // stride 2 to 7x7
    public void Images_side_by_side_equal_their_column_matrices_side_by_side(int c, int h, int w, int k, int stride, int pad)
    {
        var g = new Conv2dGeometry(c, h, w, k, k, stride, stride, pad, pad);
        int p = g.ColumnCols, rows = g.ColumnRows, samples = 3, imageStride = g.ImageSize + 2, cols = samples * p, m = 11;
        float[] images = Fill(new Random(h), 7 + samples * imageStride), weights = Fill(new Random(2), m * rows);
        var columns = new float[rows * cols];
        for (int i = 0; i < samples; i++) Im2Col.Unfold(images.AsSpan(7 + i * imageStride, g.ImageSize), g, columns.AsSpan(i * p), cols);
        foreach (var tier in Enum.GetValues<GemmTier>().Where(GemmTiers.IsSupported))
        {
            var packed = Gemm.PackA(false, m, rows, weights, rows, tier);
            float[] expected = new float[m * cols];
            Gemm.Sgemm(1, packed, false, cols, 1f, columns, cols, 0f, expected, cols);
            foreach (int threads in new[] { 1, 2 })
                foreach (bool vectorise in new[] { true, false })
                {
                    float[] actual = Fill(new Random(4), m * cols);
                    Im2ColPanels.Multiply(threads, packed, images, 7, g, 0, actual, cols, default, vectorise, samples, imageStride);
                    Assert.True(Bits(expected).SequenceEqual(Bits(actual)), $"{tier}, {threads} thread(s), vectorise {vectorise}");
                }
        }
    }

    [Theory]
    [MemberData(nameof(Geometries))]
    public void The_transposed_product_equals_the_GEMM_with_the_unfolded_columns_bit_for_bit(int c, int h, int w, int kh, int kw,
        int stride, int dilation, int padBegin, int padEnd, bool ceil)
    {
        var g = new Conv2dGeometry(c, h, w, (kh, kw), (stride, stride), (padBegin, padBegin, padEnd, padEnd), (dilation, dilation), ceil);
        int p = g.ColumnCols, k = g.ColumnRows, samples = 2, imageStride = g.ImageSize + 1, cols = samples * p, offset = 3;
        var rng = new Random(c * h + w + 1);
        float[] images = Fill(rng, offset + samples * imageStride);
        images[offset + 1] = float.NaN;
        images[offset + imageStride] = -0f;
        var columns = new float[k * cols];
        for (int i = 0; i < samples; i++)
            Im2Col.UnfoldColumns(images.AsSpan(offset + i * imageStride, g.ImageSize), g, 0, p, columns.AsSpan(i * p), cols);
        // All rows, and a slice of them from row 1 (an odd start, a partial last panel).
        foreach (var (row0, count) in new[] { (0, k), (Math.Min(1, k - 1), Math.Max(1, k - 2)) })
            foreach (int m in new[] { 5, 16 })
            {
                float[] a = Fill(rng, m * (cols + 2));
                foreach (var tier in Enum.GetValues<GemmTier>().Where(GemmTiers.IsSupported))
                    foreach (float beta in new[] { 0f, 1f })
                    {
                        float[] expected = Fill(new Random(3), m * (count + 1));
                        Gemm.Sgemm(tier, 1, false, true, m, count, cols, 0.5f, a, cols + 2, columns.AsSpan(row0 * cols), cols, beta, expected, count + 1);
                        foreach (int threads in new[] { 1, 2 })
                            foreach (bool vectorise in new[] { true, false })
                            {
                                float[] actual = Fill(new Random(3), m * (count + 1));
                                Im2ColPanels.MultiplyTransposed(threads, m, 0.5f, a, cols + 2, images, offset, g, row0, count, beta, actual, count + 1,
                                    vectorise, samples, imageStride, tier);
                                Assert.True(Bits(expected).SequenceEqual(Bits(actual)),
                                    $"{tier}, rows [{row0}, {row0 + count}), m {m}, beta {beta}, {threads} thread(s), vectorise {vectorise}");
                            }
                    }
            }
    }

    [Fact]
    public void A_groups_rows_multiply_the_matching_slice_of_the_columns()
    {
        // Rows [18, 36) of a 4-channel 3x3 layer's column matrix: channels 2 and 3, as a second group of two reads them.
        var g = new Conv2dGeometry(4, 10, 10, 3, 3, 2, 2, 1, 1);
        int p = g.ColumnCols, k = g.ColumnRows, half = k / 2;
        float[] image = Fill(new Random(1), g.ImageSize), columns = new float[k * p], weights = Fill(new Random(2), 5 * half);
        Im2Col.Unfold(image, g, columns, p);
        var packed = Gemm.PackA(false, 5, half, weights, half);
        float[] expected = new float[5 * p], actual = new float[5 * p];
        Gemm.Sgemm(1, packed, false, p, 1f, columns.AsSpan(half * p), p, 0f, expected, p);
        Im2ColPanels.Multiply(1, packed, image, 0, g, half, actual, p, default);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Bad_operands_are_refused()
    {
        var g = new Conv2dGeometry(2, 5, 5, 3, 3, 1, 1, 1, 1);
        var packed = Gemm.PackA(false, 3, g.ColumnRows, new float[3 * g.ColumnRows], g.ColumnRows);
        var c = new float[3 * g.ColumnCols];
        var e = Assert.Throws<ArgumentException>(() => Im2ColPanels.Multiply(1, packed, new float[g.ImageSize], 1, g, 0, c, g.ColumnCols, default));
        Assert.Contains("offset 1", e.Message);
        e = Assert.Throws<ArgumentException>(() => Im2ColPanels.Multiply(1, packed, new float[3 * g.ImageSize], 0, g, 0, new float[6 * g.ColumnCols],
            2 * g.ColumnCols, default, samples: 2, imageStride: g.ImageSize - 1));
        Assert.Contains("smaller than an image", e.Message);
        e = Assert.Throws<ArgumentException>(() => Im2ColPanels.Multiply(1, packed, new float[g.ImageSize], 0, g, 1, c, g.ColumnCols, default));
        Assert.Contains("Column rows [1, 19)", e.Message);
        Assert.Throws<ArgumentException>(() => Im2ColPanels.Multiply(1, packed, new float[g.ImageSize], 0, g, 0, c.AsSpan(1), g.ColumnCols, default));
        Assert.Throws<ArgumentException>(() => Im2ColPanels.Multiply(0, packed, new float[g.ImageSize], 0, g, 0, c, g.ColumnCols, default));
        var dw = new float[3 * g.ColumnRows];
        e = Assert.Throws<ArgumentException>(() => Im2ColPanels.MultiplyTransposed(1, 3, 1f, new float[3 * g.ColumnCols], g.ColumnCols,
            new float[g.ImageSize], 0, g, 2, g.ColumnRows - 1, 0f, dw, g.ColumnRows));
        Assert.Contains("Column rows [2, 19)", e.Message);
        e = Assert.Throws<ArgumentException>(() => Im2ColPanels.MultiplyTransposed(1, 3, 1f, new float[3 * g.ColumnCols - 1], g.ColumnCols,
            new float[g.ImageSize], 0, g, 0, g.ColumnRows, 0f, dw, g.ColumnRows));
        Assert.Contains("operand A", e.Message);
        Assert.Throws<ArgumentException>(() => Im2ColPanels.MultiplyTransposed(1, 3, 1f, new float[3 * g.ColumnCols], g.ColumnCols,
            new float[g.ImageSize], 0, g, 0, g.ColumnRows, 0f, dw.AsSpan(1), g.ColumnRows));
    }

    private static int[] Bits(float[] values) => values.Select(BitConverter.SingleToInt32Bits).ToArray();

    private static float[] Fill(Random rng, int length) => Enumerable.Range(0, length).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
}
