// ReLULanes: max(a + b, +0) in one sweep against TensorPrimitives.Add then TensorPrimitives.Max, bit for bit, for the
// vector pass and its scalar twin over every length 0..70 from an odd offset, with NaN, ±∞, ±0 and sums that are −0.
using System.Numerics.Tensors;
using Topiary.Tensors;

namespace Topiary.Tests.Tensors;

public class ReLULanesTests
{
    [Fact]
    public void Add_then_ReLU_in_one_sweep_equals_the_two_TensorPrimitives_calls_bit_for_bit()
    {
        var rng = new Random(3);
        float[] specials = [float.NaN, -0f, 0f, float.PositiveInfinity, float.NegativeInfinity, float.Epsilon, -float.Epsilon];
        float[] a = new float[72], b = new float[72];
        for (int i = 0; i < a.Length; i++)
        {
            a[i] = i % 5 == 0 ? specials[rng.Next(specials.Length)] : (float)(rng.NextDouble() * 2 - 1);
            b[i] = i % 7 == 0 ? specials[rng.Next(specials.Length)] : i % 3 == 0 ? -a[i] : (float)(rng.NextDouble() * 2 - 1);
        }
        for (int n = 0; n <= 70; n++)
        {
            ReadOnlySpan<float> sa = a.AsSpan(1, n), sb = b.AsSpan(1, n);
            float[] expected = new float[n], vector = new float[n], scalar = new float[n];
            TensorPrimitives.Add(sa, sb, expected);
            TensorPrimitives.Max(expected, 0f, expected);
            ReLULanes.AddMax0(sa, sb, vector);
            ReLULanes.AddMax0Scalar(sa, sb, scalar);
            for (int i = 0; i < n; i++)
            {
                Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(vector[i]), $"n = {n}, [{i}]: {vector[i]:R} vs {expected[i]:R}");
                Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(scalar[i]), $"twin, n = {n}, [{i}]: {scalar[i]:R} vs {expected[i]:R}");
            }
        }
        Assert.Throws<ArgumentException>(() => ReLULanes.AddMax0(new float[4], new float[3], new float[4]));
    }
}
