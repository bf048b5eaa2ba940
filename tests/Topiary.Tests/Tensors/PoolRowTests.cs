// PoolRow (inference max and average pooling's row and column phases, PoolMax and PoolSum): vector paths bitwise equal to the scalar loop — with NaNs
// and signed zeros in the data — at strides 1, 2 and 3, kernels 1–5, over row lengths that leave vector bodies and
// tails, with and without spare values after the last window (NaN there: the overlapping last vector must not use
// them); and against the definition; rows or a row too short for the windows are refused.
using Topiary.Tensors;

namespace Topiary.Tests.Tensors;

public class PoolRowTests
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
    [InlineData(2, 3, 13)]   // SqueezeNet's last pool: 8 lanes, then one more vector ending at 13
    [InlineData(1, 2, 21)]
    [InlineData(2, 4, 40)]   // an even kernel past 2: two pairs of taps from shared loads
    public void Vectors_equal_the_scalar_loop_and_the_definition(int stride, int kernel, int outputs)
    {
        foreach (int spare in new[] { 0, 16 })
        {
            ColumnsAgree<PoolMax>(stride, kernel, outputs, spare, w => w.Any(float.IsNaN) ? float.NaN : w.Max());
            ColumnsAgree<PoolSum>(stride, kernel, outputs, spare, Sum);
        }
    }

    // The sum in window order, one float addition at a time (the order every path keeps).
    private static float Sum(float[] values)
    {
        float sum = values[0];
        for (int i = 1; i < values.Length; i++) sum += values[i];
        return sum;
    }

    private static void ColumnsAgree<TOp>(int stride, int kernel, int outputs, int spare, Func<float[], float> definition) where TOp : struct, IPoolOp
    {
        var rng = new Random(stride * 10 + kernel);
        int length = (outputs - 1) * stride + kernel;
        var p = new float[length + spare];
        for (int i = 0; i < length; i++) p[i] = (float)(rng.NextDouble() * 2 - 1);
        p.AsSpan(length).Fill(float.NaN);
        p[3] = float.NaN;
        p[p.Length / 2] = -0f;
        p[p.Length / 2 + 1] = 0f;
        p[0] = float.NegativeInfinity;
        float[] vector = new float[outputs], scalar = new float[outputs];
        PoolRow.Columns<TOp>(p, stride, kernel, vector, vectorise: true);
        PoolRow.Columns<TOp>(p, stride, kernel, scalar, vectorise: false);
        for (int j = 0; j < outputs; j++)
        {
            Assert.Equal(BitConverter.SingleToInt32Bits(scalar[j]), BitConverter.SingleToInt32Bits(vector[j]));
            Assert.Equal(definition(p.AsSpan(j * stride, kernel).ToArray()), scalar[j]);
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(7, 3)]
    [InlineData(8, 2)]
    [InlineData(13, 3)]
    [InlineData(16, 1)]
    [InlineData(27, 3)]
    [InlineData(41, 2)]
    public void Row_maxima_equal_the_scalar_loop_and_the_definition(int width, int rows)
    {
        var rng = new Random(width * 7 + rows);
        int stride = width + 3;
        var x = new float[(rows + 2) * stride];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        x[stride + width / 2] = float.NaN;
        x[stride + 1] = -0f;
        x[2 * stride + 1] = 0f;
        float[] vector = new float[width], scalar = new float[width];
        PoolRow.Rows<PoolMax>(x, stride, 1, 1 + rows, vector, vectorise: true);
        PoolRow.Rows<PoolMax>(x, stride, 1, 1 + rows, scalar, vectorise: false);
        float[] sumVector = new float[width], sumScalar = new float[width];
        PoolRow.Rows<PoolSum>(x, stride, 1, 1 + rows, sumVector, vectorise: true);
        PoolRow.Rows<PoolSum>(x, stride, 1, 1 + rows, sumScalar, vectorise: false);
        for (int j = 0; j < width; j++)
        {
            Assert.Equal(BitConverter.SingleToInt32Bits(scalar[j]), BitConverter.SingleToInt32Bits(vector[j]));
            Assert.Equal(BitConverter.SingleToInt32Bits(sumScalar[j]), BitConverter.SingleToInt32Bits(sumVector[j]));
            var column = Enumerable.Range(1, rows).Select(r => x[r * stride + j]).ToArray();
            Assert.Equal(column.Any(float.IsNaN) ? float.NaN : column.Max(), scalar[j]);
            Assert.Equal(Sum(column), sumScalar[j]);
        }
        Assert.Throws<ArgumentException>(() => PoolRow.Rows<PoolMax>(x, stride, 1, 1, vector));
        Assert.Throws<ArgumentException>(() => PoolRow.Rows<PoolMax>(x, stride, 1, rows + 4, vector));
    }

    [Fact]
    public void A_row_too_short_for_its_windows_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => PoolRow.Columns<PoolMax>(new float[6], 2, 3, new float[3]));
        Assert.Contains("needs 7", e.Message, StringComparison.Ordinal);
    }
}
