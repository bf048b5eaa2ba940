// MaxPool2x2Inference (2 × 2, stride-2 max pooling over ranges of planes, no arg-max) against the separable maximum
// written out — Max(Max(top, bottom) of the left column, of the right column), IEEE: NaN propagates, +0 beats −0 —
// bit for bit, vector reads and the scalar twin, over rows narrower than a 128-bit vector, between the two widths and
// wider (a leftover vector overlapping), odd heights and widths (the last row or column unread), a range of planes
// not starting at 0; MaxPool2d's inference uses it; bad ranges are refused.
using Topiary.Nn;
using Topiary.Tensors;

namespace Topiary.Tests.Tensors;

public class MaxPool2x2InferenceTests
{
    [Theory]
    [InlineData(2, 2)]
    [InlineData(3, 5)]      // odd: the last row and column unread; 2 outputs a row (scalar)
    [InlineData(8, 8)]      // LeNet-5's pool2: 4 outputs a row (128-bit)
    [InlineData(6, 12)]     // 6 a row: a 128-bit vector and an overlapping one
    [InlineData(24, 24)]    // LeNet-5's pool1: 12 a row (256-bit + overlap)
    [InlineData(9, 33)]     // 16 a row, odd width
    [InlineData(4, 224)]    // VGG: 112 a row
    public void Equals_the_separable_maximum_bit_for_bit(int h, int w)
    {
        int planes = 5, oh = h / 2, ow = w / 2;
        var x = Tensor.RandomNormal(new Random(h * w), 1f, planes * h * w).Data;
        // Ties of signed zeros and NaNs in both rows and both columns.
        x[0] = -0f; x[1] = 0f; x[w] = -0f; x[w + 1] = -0f;
        if (x.Length > 3 * w) { x[2 * w] = float.NaN; x[3 * w + 1] = BitConverter.Int32BitsToSingle(unchecked((int)0xFFC00001)); }
        x[^1] = float.NaN;
        var expected = new float[planes * oh * ow];
        for (int p = 1; p < planes; p++)
            for (int r = 0; r < oh; r++)
                for (int j = 0; j < ow; j++)
                {
                    int top = (p * h + 2 * r) * w + 2 * j, bottom = top + w;
                    expected[(p * oh + r) * ow + j] = MathF.Max(MathF.Max(x[top], x[bottom]), MathF.Max(x[top + 1], x[bottom + 1]));
                }
        foreach (bool vectorise in new[] { true, false })
        {
            var actual = new float[planes * oh * ow];
            MaxPool2x2Inference.Planes(x, h, w, 1, planes, actual, vectorise);
            for (int i = 0; i < actual.Length; i++)
                Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]),
                    $"vectorise {vectorise}, output {i}: {expected[i]} against {actual[i]}");
        }
    }

    [Fact]
    public void MaxPool2d_inference_takes_the_same_maxima()
    {
        var x = Tensor.RandomNormal(new Random(3), 1f, [3, 4, 10, 14]);
        var pool = new MaxPool2d(2);
        var y = pool.Forward(x, training: false);
        var expected = new float[3 * 4 * 5 * 7];
        MaxPool2x2Inference.Planes(x.Data, 10, 14, 0, 12, expected, vectorise: false);
        Assert.Equal(expected, y.Data.AsSpan(0, expected.Length).ToArray());
        // Training keeps the arg-max but takes the same values (no ties or NaNs here).
        Assert.Equal(expected, pool.Forward(x, training: true).Data.AsSpan(0, expected.Length).ToArray());
    }

    [Fact]
    public void Bad_ranges_are_refused()
    {
        Assert.Throws<ArgumentException>(() => MaxPool2x2Inference.Planes(new float[8], 1, 8, 0, 1, new float[4]));
        var e = Assert.Throws<ArgumentException>(() => MaxPool2x2Inference.Planes(new float[16], 4, 4, 0, 2, new float[8]));
        Assert.Contains("Planes [0, 2)", e.Message);
        Assert.Throws<ArgumentException>(() => MaxPool2x2Inference.Planes(new float[32], 4, 4, 0, 2, new float[7]));
        Assert.Throws<ArgumentException>(() => MaxPool2x2Inference.Planes(new float[32], 4, 4, 2, 1, new float[8]));
    }
}
