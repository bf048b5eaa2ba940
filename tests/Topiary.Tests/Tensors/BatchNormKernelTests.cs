// BatchNormKernel against its scalar twins over every length 0..70 (each vector width's main loop and tail), from an
// odd offset: element-wise outputs bit for bit, sums within a relative 1e-5 (the order of float additions differs).
using Topiary.Tensors;

namespace Topiary.Tests.Tensors;

public class BatchNormKernelTests
{
    private static float[] Values(int seed, int n)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 4 - 1.5)).ToArray();
    }

    private static void AssertBits(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        for (int i = 0; i < expected.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]),
                $"{what}: first difference at [{i}] of {expected.Length}: expected {expected[i]:R}, got {actual[i]:R}.");
    }

    private static void AssertSum(float expected, float actual, string what) =>
        Assert.True(Math.Abs(expected - actual) <= 1e-5f * Math.Max(1f, Math.Abs(expected)), $"{what}: expected {expected:R}, got {actual:R}.");

    [Fact]
    public void Element_wise_passes_equal_the_scalar_twins_bit_for_bit_at_every_length()
    {
        var x = Values(1, 72);
        var g = Values(2, 72);
        for (int n = 0; n <= 70; n++)
        {
            var xs = x.AsSpan(1, n);
            var gs = g.AsSpan(1, n);
            float[] h1 = new float[n], y1 = new float[n], h2 = new float[n], y2 = new float[n];
            BatchNormKernel.NormalizeScalar(xs, 0.3f, 1.7f, 0.9f, -0.2f, h1, y1);
            BatchNormKernel.Normalize(xs, 0.3f, 1.7f, 0.9f, -0.2f, h2, y2);
            AssertBits(h1, h2, $"Normalize xhat, n = {n}");
            AssertBits(y1, y2, $"Normalize y, n = {n}");

            BatchNormKernel.AffineScalar(xs, 1.3f, 0.4f, y1);
            BatchNormKernel.Affine(xs, 1.3f, 0.4f, y2);
            AssertBits(y1, y2, $"Affine, n = {n}");

            BatchNormKernel.InputGradientScalar(gs, xs, 0.11f, -0.37f, 2.5f, y1);
            BatchNormKernel.InputGradient(gs, xs, 0.11f, -0.37f, 2.5f, y2);
            AssertBits(y1, y2, $"InputGradient, n = {n}");
        }
    }

    [Fact]
    public void Sums_equal_the_scalar_twins_at_every_length()
    {
        var x = Values(3, 72);
        var g = Values(4, 72);
        for (int n = 0; n <= 70; n++)
        {
            var xs = x.AsSpan(1, n);
            var gs = g.AsSpan(1, n);
            AssertSum(BatchNormKernel.SquaredDeviationScalar(xs, 0.25f), BatchNormKernel.SquaredDeviation(xs, 0.25f), $"SquaredDeviation, n = {n}");
            BatchNormKernel.SumAndDotScalar(gs, xs, out float s1, out float d1);
            BatchNormKernel.SumAndDot(gs, xs, out float s2, out float d2);
            AssertSum(s1, s2, $"SumAndDot sum, n = {n}");
            AssertSum(d1, d2, $"SumAndDot dot, n = {n}");
        }
    }

    [Fact]
    public void Scalar_twins_follow_the_formulas()
    {
        float[] x = [1f, 2f, 4f], h = new float[3], y = new float[3];
        BatchNormKernel.NormalizeScalar(x, 2f, 0.5f, 3f, 1f, h, y);
        Assert.Equal([-0.5f, 0f, 1f], h);
        Assert.Equal([-0.5f, 1f, 4f], y);
        Assert.Equal(5f, BatchNormKernel.SquaredDeviationScalar(x, 2f));
        BatchNormKernel.SumAndDotScalar(x, h, out float sum, out float dot);
        Assert.Equal(7f, sum);
        Assert.Equal(3.5f, dot);
        BatchNormKernel.InputGradientScalar(x, h, 1f, 2f, 2f, y);
        Assert.Equal([2f, 2f, 2f], y); // ((h·−2 + dy) − 1)·2
    }
}
