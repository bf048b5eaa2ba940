using Topiary.Nn;
using Topiary.Tensors;

namespace Topiary.Tests.Nn;

// The vectorised 2x2/stride-2 pool against a plain reference: values, and the arg-max that Backward
// routes to (first maximum in row-major window order; NaN wins), over every even width 2..40 so the
// 8-wide, 4-wide, overlapped and scalar tails all run; many ties and some NaNs on purpose.
// NaN rule as in PyTorch (aten max_pool2d: `val > max || isnan(val)`): the last NaN of a window wins.
public class MaxPool2x2Tests
{
    public static TheoryData<int, int, int> Shapes()
    {
        var data = new TheoryData<int, int, int>();
        foreach (int c in new[] { 1, 3 })
            foreach (int h in new[] { 2, 3, 8 })
                for (int w = 2; w <= 40; w += 2) data.Add(c, h, w);
        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Matches_the_reference_values_and_argmax_with_ties_and_nans(int c, int h, int w)
    {
        const int n = 2;
        var rng = new Random(c * 1000 + h * 100 + w);
        var x = new Tensor(n, c, h, w);
        for (int i = 0; i < x.Length; i++)
            x[i] = rng.Next(50) == 0 ? float.NaN : rng.Next(4) - 1.5f; // few distinct values → many ties
        var pool = new MaxPool2d(2);
        var y = pool.Forward(x, training: true);
        int oh = h / 2, ow = w / 2;
        var dy = new Tensor(y.Shape.ToArray());
        for (int i = 0; i < dy.Length; i++) dy[i] = i + 1; // distinct, so routing errors show
        var dx = pool.Backward(dy);

        var expectedDx = new float[x.Length];
        for (int p = 0; p < n * c; p++)
        {
            for (int oy = 0; oy < oh; oy++)
            {
                for (int ox = 0; ox < ow; ox++)
                {
                    float best = float.NegativeInfinity;
                    int bestIdx = -1;
                    for (int a = 0; a < 2; a++)
                    {
                        for (int b = 0; b < 2; b++)
                        {
                            int idx = (p * h + 2 * oy + a) * w + 2 * ox + b;
                            float v = x[idx];
                            if (bestIdx < 0 || v > best || float.IsNaN(v)) { best = v; bestIdx = idx; } // PyTorch: a later NaN wins
                        }
                    }
                    int o = (p * oh + oy) * ow + ox;
                    Assert.True(best.Equals(y[o]), $"output {o}: expected {best}, got {y[o]}");
                    expectedDx[bestIdx] += dy[o];
                }
            }
        }
        for (int i = 0; i < dx.Length; i++)
            Assert.True(expectedDx[i] == dx[i], $"dx[{i}]: expected {expectedDx[i]}, got {dx[i]}");
    }
}
