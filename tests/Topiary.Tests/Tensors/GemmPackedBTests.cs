// Gemm with a pre-packed B operand (GemmPackedB: weights packed once): bitwise the product with the unpacked matrix, for
// every tier this host runs, B transposed or not, over awkward sizes (partial panels, several K blocks, m = 1, shared
// and just-in-time driver modes, 1 and 2 threads), with alpha/beta and leading dimensions; bad shapes are refused. A row-major
// A of at most Mc rows is read in place (GemmOperandA's RowsA) instead of packed: every row count around the tiers' tile
// heights (full tiles in place, a last partial tile packed), half-width and partial column panels, one and several K blocks.
// Packed as a single K block, each element is one in-order sum over all of k.
using Topiary.Tensors;

namespace Topiary.Tests.Tensors;

public class GemmPackedBTests
{
    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(7, 33, 5)]       // a partial panel
    [InlineData(64, 300, 784)]   // LeNet-300-100 fc1 at batch 64
    [InlineData(300, 65, 700)]   // several row blocks: the shared-B mode
    [InlineData(5, 17, 1100)]    // several K blocks
    [InlineData(13, 40, 300)]    // A in place with a packed partial row tile, a half-width edge panel, two K blocks
    [InlineData(256, 48, 9)]     // A in place at Mc rows (Vector512); 192 < m: packed for Vector256/128
    [InlineData(257, 16, 20)]    // just above Vector512's Mc: packed
    public void Equals_the_unpacked_product_bit_for_bit(int m, int n, int k)
    {
        var rng = new Random(m * 7 + n);
        float[] a = Fill(rng, m * (k + 3)), bT = Fill(rng, n * (k + 1)), b = Fill(rng, k * (n + 2));
        foreach (var tier in Enum.GetValues<GemmTier>().Where(GemmTiers.IsSupported))
            foreach (bool transB in new[] { true, false })
                foreach (int threads in new[] { 1, 2 })
                {
                    var (src, ldb) = transB ? (bT, k + 1) : (b, n + 2);
                    float[] expected = Fill(new Random(1), m * (n + 4)), actual = (float[])expected.Clone();
                    Gemm.Sgemm(tier, threads, false, transB, m, n, k, 0.5f, a, k + 3, src, ldb, 2f, expected, n + 4);
                    var packed = Gemm.PackB(transB, n, k, src, ldb, tier);
                    Gemm.Sgemm(threads, false, m, 0.5f, a, k + 3, packed, 2f, actual, n + 4);
                    Assert.True(expected.AsSpan().SequenceEqual(actual), $"{tier}, transB {transB}, {threads} thread(s), {m}x{n}x{k}");
                }
    }

    [Fact]
    public void A_read_in_place_equals_the_packed_product_for_every_row_count()
    {
        var rng = new Random(5);
        foreach (int k in new[] { 1, 7, 261 })
            foreach (int n in new[] { 3, 16, 40 })
            {
                float[] bT = Fill(rng, n * k);
                foreach (var tier in Enum.GetValues<GemmTier>().Where(GemmTiers.IsSupported))
                {
                    var packed = Gemm.PackB(true, n, k, bT, k, tier);
                    for (int m = 1; m <= 20; m++)
                    {
                        float[] a = Fill(rng, m * (k + 2));
                        float[] expected = Fill(new Random(m), m * n), actual = (float[])expected.Clone();
                        Gemm.Sgemm(tier, 1, false, true, m, n, k, 1f, a, k + 2, bT, k, 1f, expected, n);
                        Gemm.Sgemm(1, false, m, 1f, a, k + 2, packed, 1f, actual, n);
                        Assert.True(expected.AsSpan().SequenceEqual(actual), $"{tier}, {m}x{n}x{k}");
                    }
                }
            }
    }

    [Fact]
    public void Short_operands_are_refused()
    {
        Assert.Throws<ArgumentException>(() => Gemm.PackB(false, 4, 3, new float[11], 4));
        var packed = Gemm.PackB(false, 4, 3, new float[12], 4);
        Assert.Throws<ArgumentException>(() => Gemm.Sgemm(1, false, 2, 1f, new float[5], 3, packed, 0f, new float[8], 4));
        Assert.Throws<ArgumentException>(() => Gemm.Sgemm(1, false, 2, 1f, new float[6], 3, packed, 0f, new float[7], 4));
    }

    [Fact]
    public void Packed_as_one_K_block_each_element_sums_all_of_k_in_order()
    {
        // k = 600 is three K blocks by default; packed as one (a DenseWeight's batch product), every C element is one
        // in-order fused sum over all of k (Vector512's kernel; the other tiers within rounding), added to β·C at the end.
        int m = 13, n = 40, k = 600;
        var rng = new Random(11);
        float[] a = Fill(rng, m * k), bT = Fill(rng, n * k), c0 = Fill(rng, m * n);
        foreach (var tier in Enum.GetValues<GemmTier>().Where(GemmTiers.IsSupported))
        {
            var packed = Gemm.PackB(true, n, k, bT, k, tier, oneKBlock: true);
            Assert.Equal(k, packed.KcBlock);
            float[] actual = (float[])c0.Clone();
            Gemm.Sgemm(1, false, m, 1f, a, k, packed, 0.5f, actual, n);
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                {
                    float sum = 0f;
                    for (int p = 0; p < k; p++) sum = MathF.FusedMultiplyAdd(a[i * k + p], bT[j * k + p], sum);
                    float expected = MathF.FusedMultiplyAdd(0.5f, c0[i * n + j], sum);
                    if (tier == GemmTier.Vector512) Assert.Equal(expected, actual[i * n + j]);
                    else Assert.Equal(expected, actual[i * n + j], 1e-3f);
                }
        }
        Assert.NotEqual(1100, Gemm.PackB(true, 3, 1100, Fill(rng, 3 * 1100), 1100, oneKBlock: true).KcBlock); // deeper than OneKBlockMax
    }

    private static float[] Fill(Random rng, int length) => Enumerable.Range(0, length).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
}
