// The batch-1 product split over threads (Gemm.GemvRowsParallel: contiguous row ranges, multiples of 4) gives the
// serial rows' bits for any thread count, at awkward sizes (rows not a multiple of 4 or of the thread count, a
// leading dimension wider than k, β ≠ 0), and agrees with the scalar GEMM twin.
using Topiary.Tensors;

namespace Topiary.Tests.Tensors;

public class GemvParallelTests
{
    [Theory]
    [InlineData(1003, 517, 517, 0f)]
    [InlineData(67, 2049, 2051, 0.5f)]
    [InlineData(4, 33, 33, 0f)]
    [InlineData(130, 16, 20, 1f)]
    public void Split_rows_give_the_serial_bits(int n, int k, int ldb, float beta)
    {
        var rng = new Random(n * 7 + k);
        float[] a = Enumerable.Range(0, k).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
        float[] b = Enumerable.Range(0, (n - 1) * ldb + k).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
        float[] c0 = Enumerable.Range(0, n).Select(_ => (float)rng.NextDouble()).ToArray();
        var serial = (float[])c0.Clone();
        Gemm.GemvRows(n, k, 1.5f, a, b, ldb, beta, serial);
        foreach (int threads in new[] { 2, 3, 7 })
        {
            var split = (float[])c0.Clone();
            Gemm.GemvRowsParallel(n, k, 1.5f, a, b, ldb, beta, split, threads);
            Assert.Equal(serial, split);
        }
        var reference = (float[])c0.Clone();
        GemmReference.Sgemm(false, true, 1, n, k, 1.5f, a, k, b, ldb, beta, reference, n);
        for (int j = 0; j < n; j++) Assert.Equal(reference[j], serial[j], 1e-3f * (1 + Math.Abs(reference[j])));
    }
}
