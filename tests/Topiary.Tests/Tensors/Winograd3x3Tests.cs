// Winograd F(2x2, 3x3) against the direct convolution (Conv2d's training path, itself checked against naive loops)
// over awkward sizes: odd and even outputs (partial last tiles), padding 0, 1 and asymmetric, a single row or column,
// channel counts that are not multiples of anything; 1 and 2 threads give the same bits; unsupported geometries and
// short arrays are refused.
using Topiary.Nn;
using Topiary.Tensors;
using Topiary.Tests.Nn;
using static Topiary.Tests.Nn.GradientChecker;

namespace Topiary.Tests.Tensors;

public class Winograd3x3Tests
{
    public static TheoryData<int, int, int, int, int, int, int, int> Shapes => new()
    {
        // C, OC, H, W, pads top, left, bottom, right
        { 1, 1, 3, 3, 0, 0, 0, 0 },
        { 3, 5, 8, 8, 1, 1, 1, 1 },
        { 4, 3, 7, 9, 1, 1, 1, 1 },      // odd output: partial last tile row and column
        { 7, 6, 5, 12, 0, 0, 0, 0 },
        { 2, 9, 1, 17, 1, 1, 1, 1 },     // one input row
        { 5, 4, 11, 1, 1, 1, 1, 1 },     // one input column
        { 6, 8, 10, 13, 0, 1, 1, 0 },    // asymmetric (TF "SAME"-like) padding
        { 17, 19, 14, 14, 1, 1, 1, 1 },
        { 64, 32, 9, 9, 1, 1, 1, 1 },
        { 3, 4, 6, 40, 1, 1, 1, 1 },     // 20 tiles a row: two 8-tile vector passes and a scalar tail of 4
        { 512, 512, 45, 40, 1, 1, 1, 1 }, // blocks of 12 tile rows (the last one short), in parallel at 2 threads
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Equals_the_direct_convolution(int c, int oc, int h, int w, int pt, int pl, int pb, int pr)
    {
        var conv = new Conv2d(c, oc, (3, 3), new Random(c * 31 + oc), (1, 1), (pt, pl, pb, pr), bias: false);
        var x = Randn(h * 7 + w, 1, c, h, w);
        var expected = conv.Forward(x, training: true).Data.ToArray();
        var g = conv.Geometry(h, w);
        var u = new float[Winograd3x3.WeightLength(oc, c)];
        Winograd3x3.TransformWeights(conv.Weight.Value.Data, oc, c, u);
        foreach (int threads in new[] { 1, 2 })
        {
            var output = new float[3 + expected.Length];
            output.AsSpan().Fill(float.NaN);
            Winograd3x3.Convolve(x.Data, 0, g, u, oc, output, 3, threads);
            GroupedConvTests.AssertClose(expected, output[3..], $"{conv} on {h}x{w}, {threads} thread(s)");
            Assert.True(float.IsNaN(output[2]));
        }
    }

    [Fact]
    public void A_single_tap_filter_reproduces_its_shifted_input_exactly()
    {
        // Only the centre tap set: y = 2·x (padding 1), where F(2, 3)'s ±1 and ½ transforms are exact.
        var weights = new float[9];
        weights[4] = 2f;
        var g = new Conv2dGeometry(1, 5, 6, 3, 3, 1, 1, 1, 1);
        var x = Randn(1, 1, 1, 5, 6);
        var u = new float[16];
        Winograd3x3.TransformWeights(weights, 1, 1, u);
        var y = new float[30];
        Winograd3x3.Convolve(x.Data, 0, g, u, 1, y, 0, 1);
        for (int i = 0; i < 30; i++) Assert.Equal(2f * x.Data[i], y[i], 5);
    }

    [Fact]
    public void Refuses_other_geometries_and_short_arrays()
    {
        var strided = new Conv2dGeometry(1, 6, 6, 3, 3, 2, 2, 1, 1);
        Assert.False(Winograd3x3.Supports(strided));
        Assert.False(Winograd3x3.Supports(new Conv2dGeometry(1, 6, 6, 5, 5)));
        var e = Assert.Throws<ArgumentException>(() => Winograd3x3.Convolve(new float[36], 0, strided, new float[16], 1, new float[99], 0, 1));
        Assert.Contains("stride 1", e.Message, StringComparison.Ordinal);
        var g = new Conv2dGeometry(2, 6, 6, 3, 3, 1, 1, 1, 1);
        Assert.Throws<ArgumentException>(() => Winograd3x3.Convolve(new float[71], 0, g, new float[96], 3, new float[108], 0, 1));
        Assert.Throws<ArgumentException>(() => Winograd3x3.Convolve(new float[72], 0, g, new float[95], 3, new float[108], 0, 1));
        Assert.Throws<ArgumentException>(() => Winograd3x3.TransformWeights(new float[17], 1, 2, new float[32]));
    }
}
