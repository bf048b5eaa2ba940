// MaxPool2x2Backward against its scalar twin (the definition), bit for bit, over every even width 2..40 and odd and
// even heights (8-wide, 4-wide, overlapping and scalar paths; an odd last row that no window covers), with −0 and NaN
// gradients and arg-max indices taken from a real forward pass at a non-zero sample offset.
using Topiary.Nn;
using Topiary.Tensors;

namespace Topiary.Tests.Tensors;

public class MaxPool2x2BackwardTests
{
    [Fact]
    public void Equals_the_scalar_twin_bit_for_bit()
    {
        foreach (int h in new[] { 2, 3, 8 })
        {
            for (int w = 2; w <= 40; w += 2)
            {
                const int n = 2, c = 3;
                var rng = new Random(h * 100 + w);
                var x = Tensor.RandomNormal(rng, 1f, n, c, h, w);
                var pool = new MaxPool2d(2);
                var y = pool.Forward(x, training: true);
                var argmax = new int[y.Length];
                // Indices of the second sample's maxima, found from the values (ties are measure-zero for normal draws).
                int oh = h / 2, ow = w / 2, per = c * h * w, outPer = c * oh * ow;
                for (int o = 0; o < outPer; o++)
                {
                    int ch = o / (oh * ow), oy = o / ow % oh, ox = o % ow;
                    int best = -1;
                    for (int a = 0; a < 2; a++)
                        for (int b = 0; b < 2; b++)
                        {
                            int at = (ch * h + 2 * oy + a) * w + 2 * ox + b;
                            if (best < 0 || x[per + at] > x[per + best]) best = at;
                        }
                    argmax[outPer + o] = per + best;
                }
                var dy = Enumerable.Range(0, outPer).Select(i => i % 7 == 0 ? -0f : i % 11 == 0 ? float.NaN : i - 3.5f).ToArray();
                var expected = new float[per];
                var actual = Enumerable.Repeat(float.NaN, per).ToArray(); // every element must be written
                MaxPool2x2Backward.RunScalar(dy, argmax.AsSpan(outPer), per, c, h, w, expected);
                MaxPool2x2Backward.Run(dy, argmax.AsSpan(outPer), per, c, h, w, actual);
                for (int i = 0; i < per; i++)
                    Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]),
                        $"h {h}, w {w}: first difference at [{i}]: expected {expected[i]:R}, got {actual[i]:R}.");
                Assert.Contains(expected, v => v != 0f);
            }
        }
    }
}
