// SgdKernel: the fused momentum-SGD sweep against its scalar twin (every length 0..70, bit for bit), and the optimizer's
// fused path against its TensorPrimitives passes (an all-ones mask sends a parameter through the passes without
// changing a value): same weights bit for bit over several steps, for a parameter long enough to run in chunks.
using Topiary.Nn;
using Topiary.Tensors;
using Topiary.Training;

namespace Topiary.Tests.Training;

public class SgdKernelTests
{
    [Theory]
    [InlineData(0f)]
    [InlineData(5e-4f)]
    public void Equals_the_scalar_twin_bit_for_bit_at_every_length(float wd)
    {
        var rng = new Random(1);
        for (int n = 0; n <= 70; n++)
        {
            float[] w = Enumerable.Range(0, n + 1).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
            float[] g = Enumerable.Range(0, n + 1).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
            float[] v = Enumerable.Range(0, n + 1).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
            float[] w2 = (float[])w.Clone(), v2 = (float[])v.Clone();
            SgdKernel.MomentumStepScalar(w.AsSpan(1, n), g.AsSpan(1, n), v.AsSpan(1, n), wd, 0.9f, 0.01f);
            SgdKernel.MomentumStep(w2.AsSpan(1, n), g.AsSpan(1, n), v2.AsSpan(1, n), wd, 0.9f, 0.01f);
            Assert.Equal(w, w2);
            Assert.Equal(v, v2);
        }
    }

    [Fact]
    public void The_fused_step_equals_the_passes_bit_for_bit()
    {
        const int n = 70_001; // five 16K chunks and a remainder
        var a = new Parameter(Tensor.RandomNormal(new Random(2), 1f, n));
        var b = new Parameter(Tensor.RandomNormal(new Random(2), 1f, n));
        var ones = new Tensor(n);
        ones.Fill(1f);
        b.SetMask(ones);
        var fused = new Sgd([a], 0.05f, momentum: 0.9f, weightDecay: 5e-4f);
        var passes = new Sgd([b], 0.05f, momentum: 0.9f, weightDecay: 5e-4f);
        var rng = new Random(3);
        for (int step = 0; step < 4; step++)
        {
            for (int i = 0; i < n; i++) a.Grad[i] = b.Grad[i] = (float)rng.NextDouble() - 0.5f;
            fused.Step();
            passes.Step();
        }
        for (int i = 0; i < n; i++)
            Assert.True(BitConverter.SingleToInt32Bits(a.Value[i]) == BitConverter.SingleToInt32Bits(b.Value[i]),
                $"weight {i}: {a.Value[i]:R} vs {b.Value[i]:R}");
    }
}
