// BatchNormKernel against its scalar twins over every length 0..70 (each vector width's main loop and tail), from an
// odd offset, with and without a fused ReLU (γ, β that make y = x̂·γ + β positive, negative, +0 and −0): element-wise
// outputs bit for bit, sums within a relative 1e-5 (the order of float additions differs); the backward passes with x̂
// recomputed from x equal the formulas on the forward's x̂, and the ReLU mask (y > 0, recomputed) equals ReLU's own
// backward on max(y, 0), NaN included.
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

            // With a fused ReLU: the vector pass, its twin and Normalize followed by TensorPrimitives.Max, bit for bit —
            // inputs that make y NaN, and γ = 0 with β = −0 or +0 (y = ±0, which the ReLU turns into +0).
            var special = x.ToArray();
            for (int i = 3; i < special.Length; i += 9) special[i] = float.NaN;
            foreach (var (gamma, beta) in new[] { (0.9f, -0.2f), (0f, -0f), (0f, 0f), (-1.3f, 0.5f) })
            {
                var sx = special.AsSpan(1, n);
                float[] y3 = new float[n];
                BatchNormKernel.Normalize(sx, 0.3f, 1.7f, gamma, beta, y3);
                System.Numerics.Tensors.TensorPrimitives.Max(y3, 0f, y3);
                BatchNormKernel.Normalize(sx, 0.3f, 1.7f, gamma, beta, y2, relu: true);
                AssertBits(y3, y2, $"Normalize + ReLU, n = {n}, γ {gamma}, β {beta}");
                BatchNormKernel.NormalizeScalar(sx, 0.3f, 1.7f, gamma, beta, y1, relu: true);
                AssertBits(y3, y1, $"NormalizeScalar + ReLU, n = {n}, γ {gamma}, β {beta}");
            }

            BatchNormKernel.AffineScalar(xs, 1.3f, 0.4f, y1);
            BatchNormKernel.Affine(xs, 1.3f, 0.4f, y2);
            AssertBits(y1, y2, $"Affine, n = {n}");

            foreach (var relu in ReLUs)
            {
                BatchNormKernel.InputGradientScalar(gs, xs, 0.3f, 1.7f, relu, 0.11f, -0.37f, 2.5f, y1);
                BatchNormKernel.InputGradient(gs, xs, 0.3f, 1.7f, relu, 0.11f, -0.37f, 2.5f, y2);
                AssertBits(y1, y2, $"InputGradient, n = {n}, relu {relu}");
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
            foreach (var relu in ReLUs)
            {
                BatchNormKernel.SumAndDotScalar(gs, xs, 0.3f, 1.7f, relu, out float s1, out float d1);
                BatchNormKernel.SumAndDot(gs, xs, 0.3f, 1.7f, relu, out float s2, out float d2);
                AssertSum(s1, s2, $"SumAndDot sum, n = {n}, relu {relu}");
                AssertSum(d1, d2, $"SumAndDot dot, n = {n}, relu {relu}");
            }
        }
    }

    // No ReLU; y of both signs; y = +0 or −0 wherever it is not positive (γ = 0); every y negative.
    private static readonly ReLUAfter?[] ReLUs = [null, new(0.9f, -0.2f), new(-1.3f, 0.5f), new(0f, 0f), new(0f, -0f), new(1f, -100f)];

    [Fact]
    public void Scalar_twins_follow_the_formulas()
    {
        float[] x = [1f, 2f, 4f], y = new float[3], dy = [1f, 2f, 4f];
        BatchNormKernel.NormalizeScalar(x, 2f, 0.5f, 3f, 1f, y); // x̂ = −0.5, 0, 1
        Assert.Equal([-0.5f, 1f, 4f], y);
        Assert.Equal(5f, BatchNormKernel.SquaredDeviationScalar(x, 2f));
        BatchNormKernel.SumAndDotScalar(dy, x, 2f, 0.5f, null, out float sum, out float dot);
        Assert.Equal(7f, sum);
        Assert.Equal(3.5f, dot);
        BatchNormKernel.InputGradientScalar(dy, x, 2f, 0.5f, null, 1f, 2f, 2f, y);
        Assert.Equal([2f, 2f, 2f], y); // ((x̂·−2 + dy) − 1)·2
        // Below a ReLU after γ = 3, β = 1: y = −0.5, 1, 4, so the first element passes no gradient.
        BatchNormKernel.SumAndDotScalar(dy, x, 2f, 0.5f, new ReLUAfter(3f, 1f), out sum, out dot);
        Assert.Equal(6f, sum);
        Assert.Equal(4f, dot);
        BatchNormKernel.InputGradientScalar(dy, x, 2f, 0.5f, new ReLUAfter(3f, 1f), 1f, 2f, 2f, y);
        Assert.Equal([0f, 2f, 2f], y); // ((x̂·−2 + g) − 1)·2 with x̂ = −0.5, 0, 1 and g = 0, 2, 4
        // y = 0 (γ = 0, β = 0) and a NaN input (y NaN): no gradient, as ReLU's backward gives on max(y, 0).
        float[] withNaN = [1f, float.NaN, 4f];
        BatchNormKernel.SumAndDotScalar(dy, withNaN, 2f, 0.5f, new ReLUAfter(0f, 0f), out sum, out _);
        Assert.Equal(0f, sum);
        BatchNormKernel.SumAndDotScalar(dy, withNaN, 2f, 0.5f, new ReLUAfter(3f, 1f), out sum, out _);
        Assert.Equal(4f, sum);
    }

    [Fact]
    public void Mismatched_spans_are_rejected()
    {
        float[] a = new float[8], shortSpan = new float[7];
        var ex = Assert.Throws<ArgumentException>(() => BatchNormKernel.SumAndDot(a, shortSpan, 0f, 1f, null, out _, out _));
        Assert.Contains("x (7", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => BatchNormKernel.InputGradient(a, shortSpan, 0f, 1f, new ReLUAfter(1f, 0f), 0f, 0f, 1f, a));
        Assert.Throws<ArgumentException>(() => BatchNormKernel.InputGradient(a, a, 0f, 1f, null, 0f, 0f, 1f, shortSpan));
        Assert.Throws<ArgumentException>(() => BatchNormKernel.Normalize(a, 0f, 1f, 1f, 0f, shortSpan));
    }
}
