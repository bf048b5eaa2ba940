// TransposeAdd (a transposed convolution product's output pass): the AVX 8 × 8 blocks equal the scalar loop bit for bit
// — with −0, NaN and infinities in the product — for positions and channel ranges that leave partial blocks, with and
// without bias and residual, and equal the definition; arrays too short for the ranges are refused.
using Topiary.Tensors;

namespace Topiary.Tests.Tensors;

public class TransposeAddTests
{
    [Theory]
    [InlineData(49, 64, 0, 64)]   // a 7x7 image: six blocks of positions and one left over
    [InlineData(8, 8, 0, 8)]
    [InlineData(17, 13, 0, 13)]   // channels 8 + 5
    [InlineData(36, 48, 16, 40)]  // a middle range of channels (one thread's share)
    [InlineData(1, 16, 0, 16)]
    [InlineData(7, 20, 3, 19)]
    public void Blocks_equal_the_scalar_loop_and_the_definition(int p, int oc, int o0, int o1)
    {
        var rng = new Random(p * 100 + oc);
        float[] t = Fill(rng, p * oc), bias = Fill(rng, oc), residual = Fill(rng, 3 + oc * p);
        t[0] = -0f;
        t[Math.Min(t.Length - 1, oc + 1)] = float.NaN;
        t[t.Length / 2] = float.PositiveInfinity;
        foreach (var b in new[] { null, bias })
            foreach (var r in new[] { null, residual })
            {
                float[] vector = new float[5 + oc * p], scalar = new float[5 + oc * p];
                TransposeAdd.Run(t, oc, p, o0, o1, b, r, 3, vector, 5, vectorise: true);
                TransposeAdd.Run(t, oc, p, o0, o1, b, r, 3, scalar, 5, vectorise: false);
                for (int k = 0; k < vector.Length; k++)
                    Assert.Equal(BitConverter.SingleToInt32Bits(scalar[k]), BitConverter.SingleToInt32Bits(vector[k]));
                for (int o = 0; o < oc; o++)
                    for (int j = 0; j < p; j++)
                    {
                        float expected = o < o0 || o >= o1 ? 0f : t[j * oc + o] + (b?[o] ?? 0f) + (r is null ? 0f : r[3 + o * p + j]);
                        Assert.Equal(expected, scalar[5 + o * p + j]);
                    }
            }
    }

    [Fact]
    public void Arrays_too_short_are_refused()
    {
        Assert.Throws<ArgumentException>(() => TransposeAdd.Run(new float[63], 8, 8, 0, 8, null, null, 0, new float[64], 0));
        Assert.Throws<ArgumentException>(() => TransposeAdd.Run(new float[64], 8, 8, 0, 8, null, null, 0, new float[63], 0));
        Assert.Throws<ArgumentException>(() => TransposeAdd.Run(new float[64], 8, 8, 0, 8, new float[7], null, 0, new float[64], 0));
        Assert.Throws<ArgumentException>(() => TransposeAdd.Run(new float[64], 8, 8, 0, 8, null, new float[64], 1, new float[64], 0));
    }

    private static float[] Fill(Random rng, int n) => Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
}
