// BatchNormKernel against its scalar twins over every length 0..70 (each vector width's main loop and tail), from an
// odd offset, with and without a fused ReLU's output (zeros, −0, NaN among it): element-wise outputs bit for bit, sums
// within a relative 1e-5 (the order of float additions differs); the backward passes with x̂ recomputed from x equal
// the formulas on the forward's x̂, and the ReLU mask equals ReLU's own backward.
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
            float[] y1 = new float[n], y2 = new float[n];
            BatchNormKernel.NormalizeScalar(xs, 0.3f, 1.7f, 0.9f, -0.2f, y1);
            BatchNormKernel.Normalize(xs, 0.3f, 1.7f, 0.9f, -0.2f, y2);
            AssertBits(y1, y2, $"Normalize y, n = {n}");

            BatchNormKernel.AffineScalar(xs, 1.3f, 0.4f, y1);
            BatchNormKernel.Affine(xs, 1.3f, 0.4f, y2);
            AssertBits(y1, y2, $"Affine, n = {n}");

            var relu = Relu(5, 72);
            for (int masked = 0; masked < 2; masked++)
            {
                var r = masked == 1 ? relu.AsSpan(1, n) : default;
                BatchNormKernel.InputGradientScalar(gs, r, xs, 0.3f, 1.7f, 0.11f, -0.37f, 2.5f, y1);
                BatchNormKernel.InputGradient(gs, r, xs, 0.3f, 1.7f, 0.11f, -0.37f, 2.5f, y2);
                AssertBits(y1, y2, $"InputGradient, n = {n}, relu {!r.IsEmpty}");
            }
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
            var relu = Relu(6, 72);
            for (int masked = 0; masked < 2; masked++)
            {
                var r = masked == 1 ? relu.AsSpan(1, n) : default;
                BatchNormKernel.SumAndDotScalar(gs, r, xs, 0.3f, 1.7f, out float s1, out float d1);
                BatchNormKernel.SumAndDot(gs, r, xs, 0.3f, 1.7f, out float s2, out float d2);
                AssertSum(s1, s2, $"SumAndDot sum, n = {n}, relu {masked}");
                AssertSum(d1, d2, $"SumAndDot dot, n = {n}, relu {masked}");
            }
        }
    }

    // A ReLU's output: non-negative values, with exact zeros, −0 and NaN among them (NaN > 0 is false: no gradient).
    private static float[] Relu(int seed, int n)
    {
        var r = Values(seed, n).Select(v => Math.Max(v, 0f)).ToArray();
        for (int i = 3; i < n; i += 7) r[i] = i % 3 == 0 ? -0f : float.NaN;
        return r;
    }

    [Fact]
    public void Scalar_twins_follow_the_formulas()
    {
        float[] x = [1f, 2f, 4f], y = new float[3], dy = [1f, 2f, 4f];
        BatchNormKernel.NormalizeScalar(x, 2f, 0.5f, 3f, 1f, y); // x̂ = −0.5, 0, 1
        Assert.Equal([-0.5f, 1f, 4f], y);
        Assert.Equal(5f, BatchNormKernel.SquaredDeviationScalar(x, 2f));
        BatchNormKernel.SumAndDotScalar(dy, default, x, 2f, 0.5f, out float sum, out float dot);
        Assert.Equal(7f, sum);
        Assert.Equal(3.5f, dot);
        BatchNormKernel.InputGradientScalar(dy, default, x, 2f, 0.5f, 1f, 2f, 2f, y);
        Assert.Equal([2f, 2f, 2f], y); // ((x̂·−2 + dy) − 1)·2
        // Below a ReLU whose output was [0, NaN, 3]: only the third element passes its gradient.
        float[] r = [0f, float.NaN, 3f];
        BatchNormKernel.SumAndDotScalar(dy, r, x, 2f, 0.5f, out sum, out dot);
        Assert.Equal(4f, sum);
        Assert.Equal(4f, dot);
        BatchNormKernel.InputGradientScalar(dy, r, x, 2f, 0.5f, 1f, 2f, 2f, y);
        Assert.Equal([0f, -2f, 2f], y); // ((x̂·−2 + g) − 1)·2 with x̂ = −0.5, 0, 1 and g = 0, 0, 4
    }

    [Fact]
    public void Mismatched_spans_are_rejected()
    {
        float[] a = new float[8], shortSpan = new float[7];
        var ex = Assert.Throws<ArgumentException>(() => BatchNormKernel.SumAndDot(a, shortSpan, a, 0f, 1f, out _, out _));
        Assert.Contains("relu (7", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => BatchNormKernel.InputGradient(a, default, shortSpan, 0f, 1f, 0f, 0f, 1f, a));
        Assert.Throws<ArgumentException>(() => BatchNormKernel.InputGradient(a, default, a, 0f, 1f, 0f, 0f, 1f, shortSpan));
        Assert.Throws<ArgumentException>(() => BatchNormKernel.Normalize(a, 0f, 1f, 1f, 0f, shortSpan));
    }
}
