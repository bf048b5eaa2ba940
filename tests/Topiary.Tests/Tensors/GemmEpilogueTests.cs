// GemmEpilogue (bias, residual and clamp applied by the GEMM tile by tile): bitwise the layer's own passes — C filled with
// residual + bias, the product accumulated with β = 1, then Max and Min — for every tier this host runs, with and without
// each part, over awkward sizes (partial tiles, several K blocks and row blocks), on 1 and 2 threads; with k = 0 the
// epilogue alone is applied. The same with B pre-packed and the bias per column (a channels-last convolution: C's
// columns are its output channels), A read as stored or transposed; and with the bias added last (a Linear's order:
// the product, then the bias pass).
using System.Numerics.Tensors;
using Topiary.Tensors;

namespace Topiary.Tests.Tensors;

public unsafe class GemmEpilogueTests
{
    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(9, 35, 7)]       // partial row panel and column panel
    [InlineData(64, 196, 300)]   // two K blocks
    [InlineData(300, 49, 40)]    // several row blocks (shared-B mode)
    [InlineData(20, 600, 16)]    // small k: B panels in groups (two of 8, then 3, the last partial), partial row tile
    [InlineData(13, 44, 7)]      // a right edge of 12 columns (more than half a 16-column panel), a bottom edge of one row
    public void Equals_fill_then_product_then_clamp_bit_for_bit(int m, int n, int k)
    {
        var rng = new Random(m + 31 * n);
        float[] a = Fill(rng, m * k), b = Fill(rng, k * n), bias = Fill(rng, m), residual = Fill(rng, m * (n + 3));
        foreach (var tier in Enum.GetValues<GemmTier>().Where(GemmTiers.IsSupported))
        {
            var packed = Gemm.PackA(false, m, k, a, k, tier);
            foreach (bool withBias in new[] { false, true })
                foreach (bool withResidual in new[] { false, true })
                    foreach (var (lo, hi) in new[] { (float.NegativeInfinity, float.PositiveInfinity), (0f, float.PositiveInfinity), (0f, 0.5f) })
                        foreach (int threads in new[] { 1, 2 })
                        {
                            float[] expected = Reference(tier, a, b, m, n, k, withBias ? bias : null, withResidual ? residual : null, lo, hi);
                            float[] actual = Fill(new Random(9), m * n); // garbage: the epilogue overwrites it
                            fixed (float* pb = bias, pr = residual)
                            {
                                var epilogue = new GemmEpilogue(withBias ? pb : null, withResidual ? pr : null, n + 3, lo, hi);
                                Gemm.Sgemm(threads, packed, false, n, 1f, b, n, 0f, actual, n, epilogue);
                            }
                            Assert.True(expected.AsSpan().SequenceEqual(actual),
                                $"{tier}, bias {withBias}, residual {withResidual}, clamp [{lo}, {hi}], {threads} thread(s), {m}x{n}x{k}");
                        }
        }
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(9, 35, 7)]
    [InlineData(196, 64, 300)]   // two K blocks
    [InlineData(300, 24, 40)]    // several row blocks, a partial column panel
    [InlineData(49, 960, 16)]    // small k, many column panels
    [InlineData(13, 28, 20)]     // a 12-column right edge beside a full panel, a bottom edge of one row
    [InlineData(200, 100, 20)]   // A read in place past one row block and 64 columns, a 2-row last tile, a 4-column edge
    public void Per_column_bias_on_packed_B_equals_fill_then_product_then_clamp_bit_for_bit(int m, int n, int k)
    {
        var rng = new Random(m + 17 * n);
        float[] a = Fill(rng, m * k), b = Fill(rng, k * n), bias = Fill(rng, n), residual = Fill(rng, m * (n + 3));
        float[] aT = new float[k * m];
        for (int i = 0; i < m; i++)
            for (int p = 0; p < k; p++) aT[p * m + i] = a[i * k + p];
        foreach (var tier in Enum.GetValues<GemmTier>().Where(GemmTiers.IsSupported))
        {
            var packed = Gemm.PackB(false, n, k, b, n, tier);
            foreach (bool transA in new[] { false, true })
                foreach (bool withResidual in new[] { false, true })
                    foreach (var (lo, hi) in new[] { (float.NegativeInfinity, float.PositiveInfinity), (0f, 0.5f) })
                        foreach (int threads in new[] { 1, 2 })
                        {
                            float[] expected = ColumnReference(tier, a, b, m, n, k, bias, withResidual ? residual : null, lo, hi);
                            float[] actual = Fill(new Random(9), m * n);
                            fixed (float* pb = bias, pr = residual)
                            {
                                var epilogue = new GemmEpilogue(pb, withResidual ? pr : null, n + 3, lo, hi, biasPerColumn: true);
                                Gemm.Sgemm(threads, transA, m, 1f, transA ? aT : a, transA ? m : k, packed, 0f, actual, n, epilogue);
                            }
                            Assert.True(expected.AsSpan().SequenceEqual(actual),
                                $"{tier}, transA {transA}, residual {withResidual}, clamp [{lo}, {hi}], {threads} thread(s), {m}x{n}x{k}");
                        }
        }
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(9, 35, 7)]
    [InlineData(64, 300, 784)]   // LeNet-300-100's fc1 at batch 64: four K blocks, A read in place, a 12-column edge
    [InlineData(300, 100, 600)]  // several row blocks and K blocks, a 4-column edge
    public void Added_last_it_equals_product_then_bias_pass_then_clamp_bit_for_bit(int m, int n, int k)
    {
        // A Linear's order: the whole product (β·C + A·B over every K block), then + (residual + bias), then Max and Min.
        var rng = new Random(m + 7 * n);
        float[] a = Fill(rng, m * k), b = Fill(rng, k * n), bias = Fill(rng, n), residual = Fill(rng, m * (n + 3)), c0 = Fill(rng, m * n);
        foreach (var tier in Enum.GetValues<GemmTier>().Where(GemmTiers.IsSupported))
        {
            var packed = Gemm.PackB(false, n, k, b, n, tier);
            foreach (float beta in new[] { 0f, 0.5f })
                foreach (bool withResidual in new[] { false, true })
                    foreach (var (lo, hi) in new[] { (float.NegativeInfinity, float.PositiveInfinity), (0f, 0.5f) })
                        foreach (int threads in new[] { 1, 2 })
                        {
                            float[] expected = c0.ToArray();
                            Gemm.Sgemm(tier, 1, false, false, m, n, k, 1f, a, k, b, n, beta, expected, n);
                            var init = new float[n];
                            for (int i = 0; i < m; i++)
                            {
                                var row = expected.AsSpan(i * n, n);
                                if (withResidual) TensorPrimitives.Add(residual.AsSpan(i * (n + 3), n), bias, init);
                                else bias.CopyTo(init, 0);
                                TensorPrimitives.Add(row, init, row);
                            }
                            if (lo != float.NegativeInfinity) TensorPrimitives.Max(expected, lo, expected);
                            if (hi != float.PositiveInfinity) TensorPrimitives.Min(expected, hi, expected);
                            float[] actual = c0.ToArray();
                            fixed (float* pb = bias, pr = residual)
                            {
                                var epilogue = new GemmEpilogue(pb, withResidual ? pr : null, n + 3, lo, hi, biasPerColumn: true, addLast: true);
                                Gemm.Sgemm(threads, false, m, 1f, a, k, packed, beta, actual, n, epilogue);
                            }
                            Assert.True(expected.AsSpan().SequenceEqual(actual),
                                $"{tier}, beta {beta}, residual {withResidual}, clamp [{lo}, {hi}], {threads} thread(s), {m}x{n}x{k}");
                        }
        }
    }

    [Fact]
    public void The_default_epilogue_leaves_the_product_alone()
    {
        // A 3x2 by 2x2 product by hand: a default (all-zero) epilogue must not clamp to [0, 0].
        float[] a = [1f, -2f, 3f, 4f, -5f, 6f], b = [1f, 2f, 3f, -4f], c = new float[6];
        Gemm.Sgemm(1, Gemm.PackA(false, 3, 2, a, 2), false, 2, 1f, b, 2, 0f, c, 2, default);
        Assert.Equal([-5f, 10f, 15f, -10f, 13f, -34f], c);
    }

    [Fact]
    public void With_no_product_the_epilogue_alone_is_applied()
    {
        float[] bias = [1f, -2f], residual = [0.5f, 1f, 2f, 3f], c = new float[4];
        var packed = Gemm.PackA(false, 2, 0, [], 1);
        fixed (float* pb = bias, pr = residual)
            Gemm.Sgemm(1, packed, false, 2, 1f, [], 2, 0f, c, 2, new GemmEpilogue(pb, pr, 2, 0f, 2f));
        Assert.Equal([1.5f, 2f, 0f, 1f], c);
    }

    // The layer's passes: C = residual + bias (Fill when no residual), GEMM with β = 1, then Max and Min over all of C.
    private static float[] Reference(GemmTier tier, float[] a, float[] b, int m, int n, int k, float[]? bias, float[]? residual,
        float lo, float hi)
    {
        var c = new float[m * n];
        for (int i = 0; i < m; i++)
        {
            var row = c.AsSpan(i * n, n);
            float bi = bias?[i] ?? 0f;
            if (residual is null) row.Fill(bi);
            else TensorPrimitives.Add(residual.AsSpan(i * (n + 3), n), bi, row);
        }
        bool init = bias is not null || residual is not null;
        Gemm.Sgemm(tier, 1, false, false, m, n, k, 1f, a, k, b, n, init ? 1f : 0f, c, n);
        if (lo != float.NegativeInfinity) TensorPrimitives.Max(c, lo, c);
        if (hi != float.PositiveInfinity) TensorPrimitives.Min(c, hi, c);
        return c;
    }

    // The same passes with the bias per column: C[i, j] = residual[i, j] + bias[j].
    private static float[] ColumnReference(GemmTier tier, float[] a, float[] b, int m, int n, int k, float[] bias, float[]? residual,
        float lo, float hi)
    {
        var c = new float[m * n];
        for (int i = 0; i < m; i++)
        {
            var row = c.AsSpan(i * n, n);
            if (residual is null) bias.CopyTo(row);
            else TensorPrimitives.Add(residual.AsSpan(i * (n + 3), n), bias, row);
        }
        Gemm.Sgemm(tier, 1, false, false, m, n, k, 1f, a, k, b, n, 1f, c, n);
        if (lo != float.NegativeInfinity) TensorPrimitives.Max(c, lo, c);
        if (hi != float.PositiveInfinity) TensorPrimitives.Min(c, hi, c);
        return c;
    }

    private static float[] Fill(Random rng, int length) => Enumerable.Range(0, length).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
}
