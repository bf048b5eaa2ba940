// LrnKernel (LocalResponseNorm at inference in one pass): against the formula in double precision, against the layer's
// training path, and vector against scalar — bitwise for β = 0.75 (square roots and FMAs are correctly rounded), within
// float rounding for other β (vector Exp/Log) — over plane sizes with vector bodies and tails, windows at both ends.
using Topiary.Nn;
using Topiary.Tensors;
using static Topiary.Tests.Nn.GradientChecker;

namespace Topiary.Tests.Tensors;

public class LrnKernelTests
{
    [Theory]
    [InlineData(5, 0.75f, 1, 7, 37)]    // AlexNet's settings: vector body + tail
    [InlineData(5, 0.75f, 2, 3, 16)]
    [InlineData(3, 0.5f, 1, 6, 9)]      // general β: Exp/Log
    [InlineData(4, 0.75f, 1, 5, 1)]     // even size, one position: scalar only
    public void Matches_the_formula_and_the_training_path(int size, float beta, int n, int c, int s)
    {
        const float alpha = 0.3f, k = 1.5f;
        var x = Randn(size + c, n, c, s);
        var layer = new LocalResponseNorm(size, alpha, beta, k);
        var inference = layer.Forward(x, training: false).Data.ToArray();
        var training = layer.Forward(x, training: true).Data.ToArray();
        for (int i = 0; i < x.Length; i++)
        {
            int sample = i / (c * s), ch = i / s % c, p = i % s;
            double sum = 0;
            for (int j = ch - size / 2; j <= ch + (size - 1) / 2; j++)
                if (j >= 0 && j < c) sum += Math.Pow(x.Data[(sample * c + j) * s + p], 2);
            double expected = x.Data[i] / Math.Pow(k + alpha / size * sum, beta);
            Assert.True(Math.Abs(inference[i] - expected) <= 2e-6 * Math.Max(1, Math.Abs(expected)), $"[{i}] {inference[i]} vs {expected}");
            Assert.True(Math.Abs(inference[i] - training[i]) <= 2e-6 * Math.Max(1, Math.Abs(training[i])), $"[{i}] vs training path");
        }
    }

    [Theory]
    [InlineData(0.75f)]
    [InlineData(0.6f)]
    public void Vectors_equal_the_scalar_loop(float beta)
    {
        int c = 6, s = 53;
        var x = Randn(11, 1, c, s).Data;
        float[] vector = new float[s], scalar = new float[s];
        for (int ch = 0; ch < c; ch++)
        {
            LrnKernel.Plane(x, c, s, ch, 2, 2, 1e-4f, 1f, beta, vector, vectorise: true);
            LrnKernel.Plane(x, c, s, ch, 2, 2, 1e-4f, 1f, beta, scalar, vectorise: false);
            for (int p = 0; p < s; p++)
                if (beta == 0.75f) Assert.Equal(scalar[p], vector[p]);
                else Assert.True(Math.Abs(scalar[p] - vector[p]) <= 1e-6f * Math.Max(1f, Math.Abs(scalar[p])), $"channel {ch}, position {p}");
        }
    }
}
