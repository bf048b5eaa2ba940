using Topiary.Tensors;

namespace Topiary.Tests.Nn;

public class Im2ColTests
{
    public static TheoryData<int, int, int, int, int, int, int, int, int> Geometries => new()
    {
        { 1, 5, 5, 3, 3, 1, 1, 0, 0 },
        { 2, 7, 6, 3, 2, 2, 1, 1, 0 },
        { 3, 4, 9, 1, 4, 1, 3, 0, 2 },
        { 2, 5, 5, 5, 5, 2, 2, 2, 2 },
        { 1, 3, 3, 2, 2, 3, 3, 1, 1 },
        { 2, 3, 40, 3, 3, 1, 1, 1, 1 },  // rows longer than the short-row loop
        // stride 1, no padding: the dense fast path, with output rows of 8, 24, 11, 17 and 1 (vector + tails)
        { 20, 12, 12, 5, 5, 1, 1, 0, 0 },
        { 1, 28, 28, 5, 5, 1, 1, 0, 0 },
        { 3, 9, 13, 3, 3, 1, 1, 0, 0 },
        { 2, 6, 21, 2, 5, 1, 1, 0, 0 },
        { 2, 4, 4, 4, 4, 1, 1, 0, 0 },
    };

    [Theory]
    [MemberData(nameof(Geometries))]
    public void Unfold_matches_the_definition_and_Fold_is_its_adjoint(int c, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw)
    {
        var g = new Conv2dGeometry(c, h, w, kh, kw, sh, sw, ph, pw);
        var image = Tensor.RandomNormal(new Random(1), 1f, c, h, w);
        int ld = g.ColumnCols + 3; // a wider matrix, as when a batch is laid out side by side
        var cols = new float[g.ColumnRows * ld];
        cols.AsSpan().Fill(float.NaN);
        Im2Col.Unfold(image.Data, g, cols, ld);
        for (int ch = 0; ch < c; ch++)
        for (int a = 0; a < kh; a++)
        for (int b = 0; b < kw; b++)
        for (int oy = 0; oy < g.OutH; oy++)
        for (int ox = 0; ox < g.OutW; ox++)
        {
            int iy = oy * sh - ph + a, ix = ox * sw - pw + b;
            float expected = iy >= 0 && iy < h && ix >= 0 && ix < w ? image.Data[(ch * h + iy) * w + ix] : 0f;
            Assert.Equal(expected, cols[((ch * kh + a) * kw + b) * ld + oy * g.OutW + ox]);
        }

        // <Unfold(x), y> == <x, Fold(y)>
        var y = Tensor.RandomNormal(new Random(2), 1f, g.ColumnRows * ld).Data;
        double lhs = 0;
        for (int r = 0; r < g.ColumnRows; r++)
            for (int p = 0; p < g.ColumnCols; p++) lhs += (double)cols[r * ld + p] * y[r * ld + p];
        var folded = new float[c * h * w];
        Im2Col.Fold(y, ld, g, folded);
        double rhs = 0;
        for (int i = 0; i < folded.Length; i++) rhs += (double)folded[i] * image.Data[i];
        Assert.True(Math.Abs(lhs - rhs) < 1e-3 * Math.Max(1, Math.Abs(lhs)), $"{lhs} vs {rhs}");
    }

    // Every row width 1..20 (stride 4: 1..80) with and without padding, at strides 1, 2 and 4: the vector loops, the overlapping last vector
    // (copy and masked add) and the scalar tails. Fold is compared with the definition's additions in the same order
    // (column row by column row, output position by position), so the result is exact.
    // Kernel 3 with pad 1 and kernel 5 with pad 2 ("same" padding: OW = W) take the shifted-block copy and fold.
    [Theory]
    [InlineData(0, 1, 3)]
    [InlineData(1, 1, 3)]
    [InlineData(2, 1, 3)]
    [InlineData(1, 2, 3)]
    [InlineData(2, 1, 5)]
    [InlineData(1, 1, 5)]
    [InlineData(0, 4, 3)]    // stride 4 (AlexNet's stem): Stride4's vectors need 16+ output columns (widths up to 80)
    [InlineData(2, 4, 3)]
    public void Unfold_and_Fold_match_the_definition_exactly_at_every_row_width(int pad, int stride, int k)
    {
        for (int w = Math.Max(1, k - 2 * pad); w <= (stride == 4 ? 80 : 20); w++)
        {
            var g = new Conv2dGeometry(2, 4, w, k, k, stride, stride, pad, pad);
            var image = Tensor.RandomNormal(new Random(w), 1f, 2, 4, w).Data;
            int ld = g.ColumnCols + 1;
            var cols = new float[g.ColumnRows * ld];
            Im2Col.Unfold(image, g, cols, ld);
            var y = Tensor.RandomNormal(new Random(100 + w), 1f, g.ColumnRows * ld).Data;
            var folded = new float[image.Length];
            var expected = new float[image.Length];
            Im2Col.Fold(y, ld, g, folded);
            for (int r = 0; r < g.ColumnRows; r++)
            {
                int ch = r / (k * k), a = r / k % k, b = r % k;
                for (int oy = 0; oy < g.OutH; oy++)
                for (int ox = 0; ox < g.OutW; ox++)
                {
                    int iy = oy * stride - pad + a, ix = ox * stride - pad + b;
                    bool inside = iy >= 0 && iy < 4 && ix >= 0 && ix < w;
                    Assert.Equal(inside ? image[(ch * 4 + iy) * w + ix] : 0f, cols[r * ld + oy * g.OutW + ox]);
                    if (inside) expected[(ch * 4 + iy) * w + ix] += y[r * ld + oy * g.OutW + ox];
                }
            }
            Assert.Equal(expected, folded);
            // The overwriting fold (Conv2d's scratch columns) gives the same image, up to the sign of a zero.
            var overwritten = new float[image.Length];
            Im2Col.FoldOverwriting(y.ToArray(), ld, g, overwritten);
            Assert.Equal(expected, overwritten);
        }
    }

    // (C, H, W, KH, KW, SH, SW, DH, DW, top, left, bottom, right)
    public static IEnumerable<object[]> DilatedAsymmetric() =>
    [
        [2, 7, 9, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2],
        [1, 6, 11, 3, 2, 2, 1, 1, 3, 0, 0, 1, 1],   // TF "SAME" at stride 2: pads only at the bottom/right
        [3, 5, 5, 2, 3, 1, 2, 3, 1, 1, 2, 0, 0],
        [1, 1, 1, 5, 5, 1, 1, 1, 1, 2, 4, 2, 0],    // pads larger than the image: taps that read only padding
        [2, 4, 17, 3, 3, 1, 1, 1, 2, 0, 1, 2, 3],
    ];

    [Theory]
    [MemberData(nameof(DilatedAsymmetric))]
    public void Unfold_with_dilation_and_asymmetric_pads_matches_the_definition_and_Fold_is_its_adjoint(
        int c, int h, int w, int kh, int kw, int sh, int sw, int dh, int dw, int pt, int pl, int pb, int pr)
    {
        var g = new Conv2dGeometry(c, h, w, (kh, kw), (sh, sw), (pt, pl, pb, pr), (dh, dw));
        Assert.Equal((h + pt + pb - dh * (kh - 1) - 1) / sh + 1, g.OutH);
        Assert.Equal((w + pl + pr - dw * (kw - 1) - 1) / sw + 1, g.OutW);
        var image = Tensor.RandomNormal(new Random(3), 1f, c, h, w);
        int ld = g.ColumnCols + 1;
        var cols = new float[g.ColumnRows * ld];
        cols.AsSpan().Fill(float.NaN);
        Im2Col.Unfold(image.Data, g, cols, ld);
        for (int ch = 0; ch < c; ch++)
        for (int a = 0; a < kh; a++)
        for (int b = 0; b < kw; b++)
        for (int oy = 0; oy < g.OutH; oy++)
        for (int ox = 0; ox < g.OutW; ox++)
        {
            int iy = oy * sh - pt + a * dh, ix = ox * sw - pl + b * dw;
            float expected = iy >= 0 && iy < h && ix >= 0 && ix < w ? image.Data[(ch * h + iy) * w + ix] : 0f;
            Assert.Equal(expected, cols[((ch * kh + a) * kw + b) * ld + oy * g.OutW + ox]);
        }
        var y = Tensor.RandomNormal(new Random(4), 1f, g.ColumnRows * ld).Data;
        double lhs = 0;
        for (int r = 0; r < g.ColumnRows; r++)
            for (int p = 0; p < g.ColumnCols; p++) lhs += (double)cols[r * ld + p] * y[r * ld + p];
        var folded = new float[c * h * w];
        Im2Col.Fold(y, ld, g, folded);
        double rhs = 0;
        for (int i = 0; i < folded.Length; i++) rhs += (double)folded[i] * image.Data[i];
        Assert.True(Math.Abs(lhs - rhs) < 1e-3 * Math.Max(1, Math.Abs(lhs)), $"{lhs} vs {rhs}");
    }

    [Theory]
    [InlineData(5, 2, 2, 1, 1, false, 3)]   // floor: ⌊(5 + 2 − 2)/2⌋ + 1
    [InlineData(5, 2, 2, 1, 1, true, 3)]    // ceil gives 4, but window 3 would start in the padding (3·2 ≥ 5 + 1): dropped
    [InlineData(6, 3, 2, 0, 0, true, 3)]    // ⌈(6 − 3)/2⌉ + 1 = 3 (the last window hangs over the edge)
    [InlineData(6, 3, 2, 0, 0, false, 2)]
    [InlineData(12, 1, 2, 0, 0, true, 6)]   // 1x1 window, stride 2: the ceil window would start at 12 — dropped
    [InlineData(9, 4, 4, 2, 2, true, 3)]    // PyTorch issue 116420: 3, not the documented 4
    [InlineData(7, 3, 2, 1, 0, true, 4)]    // asymmetric: ⌈(7 + 1 − 3)/2⌉ + 1 = 4; last window starts at 6 − 1 = 5 < 7
    public void Ceil_mode_output_size_follows_PyTorch(int size, int kernel, int stride, int padBegin, int padEnd, bool ceil, int expected)
    {
        var g = new Conv2dGeometry(1, size, size, (kernel, kernel), (stride, stride), (padBegin, padBegin, padEnd, padEnd), (1, 1), ceil);
        Assert.Equal(expected, g.OutH);
        Assert.Equal(expected, g.OutW);
    }

    [Fact]
    public void Geometry_rejects_a_kernel_larger_than_the_padded_image()
    {
        var ex = Assert.Throws<ArgumentException>(() => new Conv2dGeometry(1, 3, 3, 5, 5));
        Assert.Contains("5x5", ex.Message);
    }

    [Theory]
    [MemberData(nameof(Geometries))]
    public void UnfoldColumns_equals_the_same_block_of_Unfold(int c, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw)
    {
        var g = new Conv2dGeometry(c, h, w, kh, kw, sh, sw, ph, pw);
        var image = Tensor.RandomNormal(new Random(3), 1f, c, h, w);
        int p = g.ColumnCols;
        var whole = new float[g.ColumnRows * p];
        Im2Col.Unfold(image.Data, g, whole, p);
        var rng = new Random(4);
        // Blocks that start and end mid-row, span several rows, cover one position, or the whole image.
        var blocks = new List<(int P0, int Count)> { (0, p), (0, 1), (p - 1, 1) };
        for (int t = 0; t < 12; t++)
        {
            int p0 = rng.Next(p), count = 1 + rng.Next(p - p0);
            blocks.Add((p0, count));
        }
        foreach (var (p0, count) in blocks)
        {
            int ld = count + 5;
            var cols = new float[g.ColumnRows * ld];
            cols.AsSpan().Fill(float.NaN);
            Im2Col.UnfoldColumns(image.Data, g, p0, count, cols, ld);
            for (int r = 0; r < g.ColumnRows; r++)
                for (int j = 0; j < count; j++)
                    Assert.Equal(whole[r * p + p0 + j], cols[r * ld + j]);
        }
    }

    [Fact]
    public void UnfoldColumns_rejects_a_block_outside_the_image()
    {
        var g = new Conv2dGeometry(1, 5, 5, 3, 3, 1, 1, 1, 1);
        var image = new float[25];
        var cols = new float[9 * 25];
        var e = Assert.Throws<ArgumentException>(() => Im2Col.UnfoldColumns(image, g, 20, 6, cols, 6));
        Assert.Contains("[20, 26) lie outside [0, 25)", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Im2Col.UnfoldColumns(image, g, 0, 10, cols, 9));
    }
}
