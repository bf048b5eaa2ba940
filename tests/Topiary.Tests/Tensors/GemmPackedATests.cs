// Gemm with a pre-packed A operand (GemmPackedA: a convolution's weights packed once): bitwise the product with the
// unpacked matrix, for every tier this host runs, A transposed or not, B transposed or not, over awkward sizes (partial
// row panels, several K blocks, several row blocks, n = 1, just-in-time and shared driver modes, 1 and 2 threads), with
// alpha/beta and leading dimensions; an operand packed again into its own panels (a weight after an update) equals a
// fresh packing, and one of another shape is not reused; bad shapes are refused.
using Topiary.Tensors;

namespace Topiary.Tests.Tensors;

public class GemmPackedATests
{
    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(7, 33, 5)]        // a partial row panel
    [InlineData(64, 196, 256)]    // a ResNet-50 1×1 convolution at 14×14
    [InlineData(300, 65, 700)]    // several row blocks: the shared-B mode
    [InlineData(13, 17, 1100)]    // several K blocks
    [InlineData(1030, 3, 9)]      // more rows than one Mc block, n tiny
    public void Equals_the_unpacked_product_bit_for_bit(int m, int n, int k)
    {
        var rng = new Random(m * 7 + n);
        float[] a = Fill(rng, m * (k + 3)), aT = Fill(rng, k * (m + 1)), bT = Fill(rng, n * (k + 1)), b = Fill(rng, k * (n + 2));
        foreach (var tier in Enum.GetValues<GemmTier>().Where(GemmTiers.IsSupported))
            foreach (bool transA in new[] { false, true })
                foreach (bool transB in new[] { true, false })
                    foreach (int threads in new[] { 1, 2 })
                    {
                        var (srcA, lda) = transA ? (aT, m + 1) : (a, k + 3);
                        var (srcB, ldb) = transB ? (bT, k + 1) : (b, n + 2);
                        float[] expected = Fill(new Random(1), m * (n + 4)), actual = (float[])expected.Clone();
                        Gemm.Sgemm(tier, threads, transA, transB, m, n, k, 0.5f, srcA, lda, srcB, ldb, 2f, expected, n + 4);
                        var packed = Gemm.PackA(transA, m, k, srcA, lda, tier);
                        Gemm.Sgemm(threads, packed, transB, n, 0.5f, srcB, ldb, 2f, actual, n + 4);
                        Assert.True(expected.AsSpan().SequenceEqual(actual),
                            $"{tier}, transA {transA}, transB {transB}, {threads} thread(s), {m}x{n}x{k}");
                    }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Packing_into_an_operand_reuses_its_panels_only_for_the_same_shape(bool transA)
    {
        var rng = new Random(3);
        const int m = 13, k = 1100; // a partial row panel, several K blocks
        foreach (var tier in Enum.GetValues<GemmTier>().Where(GemmTiers.IsSupported))
        {
            var first = Gemm.PackA(transA, m, k, Fill(rng, m * k), transA ? m : k, tier);
            float[] updated = Fill(rng, m * k);
            var again = Gemm.PackA(transA, m, k, updated, transA ? m : k, tier, into: first);
            Assert.Same(first, again);
            Assert.True(again.Data.AsSpan().SequenceEqual(Gemm.PackA(transA, m, k, updated, transA ? m : k, tier).Data), $"{tier}");
            var other = Gemm.PackA(transA, m - 1, k, updated, transA ? m : k, tier, into: first);
            Assert.NotSame(first, other);
            Assert.Equal(m - 1, other.M);
        }
    }

    [Fact]
    public void Short_operands_are_refused()
    {
        Assert.Throws<ArgumentException>(() => Gemm.PackA(false, 4, 3, new float[11], 3));
        var packed = Gemm.PackA(false, 4, 3, new float[12], 3);
        Assert.Throws<ArgumentException>(() => Gemm.Sgemm(1, packed, false, 2, 1f, new float[5], 2, 0f, new float[8], 2));
        Assert.Throws<ArgumentException>(() => Gemm.Sgemm(1, packed, false, 2, 1f, new float[6], 2, 0f, new float[7], 2));
    }

    private static float[] Fill(Random rng, int length) => Enumerable.Range(0, length).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
}
