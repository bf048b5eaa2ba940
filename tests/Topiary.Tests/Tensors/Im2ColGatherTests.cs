// Im2ColGather (whole-image im2col by gathers from a zero-padded copy) against the row-segment unfold, bit for bit —
// strides 1–3, dilation, asymmetric and zero padding, ceil mode, output rows from 1 to 20 wide — and its scalar loop
// against the gathers; short spans are refused.
using Topiary.Tensors;

namespace Topiary.Tests.Tensors;

public class Im2ColGatherTests
{
    public static TheoryData<int, int, int, int, int, int, int, int, int, bool> Geometries => new()
    {
        // C, H, W, K, stride, dilation, pad begin, pad end, row stride extra, ceil
        { 3, 14, 14, 3, 2, 1, 1, 1, 0, false },   // ResNet-50 stride-2 3x3 at 14x14 (OW 7)
        { 5, 7, 7, 3, 1, 1, 1, 1, 3, false },     // layer4's 7x7, a wider row stride
        { 2, 9, 11, 3, 3, 1, 0, 2, 0, false },    // stride 3, asymmetric
        { 4, 12, 10, 3, 1, 2, 2, 2, 0, false },   // dilation 2
        { 2, 6, 6, 3, 2, 1, 0, 0, 0, true },      // ceil mode: the last window hangs over the edge
        { 1, 1, 1, 1, 1, 1, 0, 0, 0, false },     // one pixel
        { 3, 40, 39, 5, 2, 1, 2, 2, 1, false },   // OW 20
    };

    [Theory]
    [MemberData(nameof(Geometries))]
    public void Equals_the_row_segment_unfold_bit_for_bit(int c, int h, int w, int k, int stride, int dilation, int padBegin,
        int padEnd, int extra, bool ceil)
    {
        var g = new Conv2dGeometry(c, h, w, (k, k), (stride, stride), (padBegin, padBegin, padEnd, padEnd), (dilation, dilation), ceil);
        var image = Tensor.RandomNormal(new Random(c * h + w), 1f, g.ImageSize).Data;
        image[0] = float.NaN;
        image[^1] = -0f;
        int ld = g.ColumnCols + extra;
        var expected = new float[g.ColumnRows * ld];
        Im2Col.UnfoldColumns(image, g, 0, g.ColumnCols, expected, ld);
        foreach (bool vectorise in new[] { true, false })
        {
            var actual = new float[g.ColumnRows * ld];
            Im2ColGather.Unfold(image, g, actual, ld, vectorise);
            for (int r = 0; r < g.ColumnRows; r++)
                for (int q = 0; q < g.ColumnCols; q++)
                    Assert.Equal(BitConverter.SingleToInt32Bits(expected[r * ld + q]), BitConverter.SingleToInt32Bits(actual[r * ld + q]));
        }
    }

    [Fact]
    public void Short_spans_are_refused()
    {
        var g = new Conv2dGeometry(1, 4, 4, 3, 3, 1, 1, 1, 1);
        Assert.Throws<ArgumentException>(() => Im2ColGather.Unfold(new float[15], g, new float[9 * 16], 16));
        Assert.Throws<ArgumentException>(() => Im2ColGather.Unfold(new float[16], g, new float[9 * 16 - 1], 16));
    }
}
