// MaxPoolRow (the column phase of inference max pooling): vector paths bitwise equal to the scalar loop — with NaNs and
// signed zeros in the row — at strides 1, 2 and 3, kernels 1–5, over row lengths that leave vector bodies and tails;
// and against the definition; a row too short for its windows is refused.
using Topiary.Tensors;

namespace Topiary.Tests.Tensors;

public class MaxPoolRowTests
{
    [Theory]
    [InlineData(1, 3, 37)]
    [InlineData(2, 3, 54)]
    [InlineData(2, 2, 16)]
    [InlineData(2, 5, 33)]
    [InlineData(3, 3, 20)]
    [InlineData(1, 1, 9)]
    [InlineData(2, 3, 27)]   // AlexNet: 16 + 8 lanes + 3 scalar
    [InlineData(1, 3, 27)]
    public void Vectors_equal_the_scalar_loop_and_the_definition(int stride, int kernel, int outputs)
    {
        var rng = new Random(stride * 10 + kernel);
        var p = new float[(outputs - 1) * stride + kernel];
        for (int i = 0; i < p.Length; i++) p[i] = (float)(rng.NextDouble() * 2 - 1);
        p[3] = float.NaN;
        p[p.Length / 2] = -0f;
        p[p.Length / 2 + 1] = 0f;
        p[0] = float.NegativeInfinity;
        float[] vector = new float[outputs], scalar = new float[outputs];
        MaxPoolRow.Columns(p, stride, kernel, vector, vectorise: true);
        MaxPoolRow.Columns(p, stride, kernel, scalar, vectorise: false);
        for (int j = 0; j < outputs; j++)
        {
            Assert.Equal(BitConverter.SingleToInt32Bits(scalar[j]), BitConverter.SingleToInt32Bits(vector[j]));
            var window = p.AsSpan(j * stride, kernel).ToArray();
            float expected = window.Any(float.IsNaN) ? float.NaN : window.Max();
            Assert.Equal(expected, scalar[j]);
        }
    }

    [Fact]
    public void A_row_too_short_for_its_windows_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => MaxPoolRow.Columns(new float[6], 2, 3, new float[3]));
        Assert.Contains("needs 7", e.Message, StringComparison.Ordinal);
    }
}
