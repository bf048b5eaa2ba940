// PointwiseMap, the generic vector/scalar driver of the element-wise activation kernels: for every length 0..70
// (so every remainder after whole vectors runs) and inputs that sit on the kinks, at ±0, ±∞ and NaN, each layer's
// Backward (and LeakyReLU's Forward) equals the plain scalar formula written here, bit for bit.
using Topiary.Nn;
using Topiary.Tensors;

namespace Topiary.Tests.Nn;

public class PointwiseMapTests
{
    private static readonly float[] Specials =
        [0f, -0f, 1f, -1f, 3f, -3f, 6f, 0.5f, -2.5f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, 1e-39f, 2.75f, -0.3f];

    private static Tensor Values(int n, int seed)
    {
        var rng = new Random(seed);
        var t = new Tensor([n]);
        for (int i = 0; i < n; i++) t[i] = i % 3 == 0 ? Specials[rng.Next(Specials.Length)] : (float)(rng.NextDouble() * 10 - 5);
        return t;
    }

    private static void Same(Func<float, float, float> oracle, Tensor a, Tensor b, Tensor actual, string what)
    {
        for (int i = 0; i < actual.Length; i++)
        {
            float expected = oracle(a[i], b[i]);
            if (BitConverter.SingleToInt32Bits(expected) != BitConverter.SingleToInt32Bits(actual[i])
                && !(float.IsNaN(expected) && float.IsNaN(actual[i])))
                Assert.Fail($"{what}, length {actual.Length}: first difference at {i} (a = {a[i]}, b = {b[i]}): expected {expected}, got {actual[i]}.");
        }
    }

    [Fact]
    public void Map_matches_the_scalar_invoke_at_every_length()
    {
        var op = new Hardtanh.PassInside(-1f, 2f, 0.5f);
        for (int n = 0; n <= 70; n++)
        {
            Tensor a = Values(n, n), b = Values(n, 1000 + n), d = new([n]);
            PointwiseMap.Map(a.Data, b.Data, d.Data, op);
            Same(op.Invoke, a, b, d, "PassInside");
        }
    }

    [Fact]
    public void Activation_gradients_match_the_scalar_formulas_at_every_length()
    {
        for (int n = 0; n <= 70; n++)
        {
            Tensor x = Values(n, n), dy = Values(n, 1000 + n);

            var leaky = new LeakyReLU(0.2f);
            var y = leaky.Forward(x, true);
            Same((v, _) => v > 0 ? v : 0.2f * v, x, x, y, "LeakyReLU forward");
            Same((v, g) => v > 0 ? g : 0.2f * g, x, dy, leaky.Backward(dy), "LeakyReLU backward");

            var relu = new ReLU();
            y = relu.Forward(x, true);
            Same((v, g) => v > 0 ? g : 0f, y, dy, relu.Backward(dy), "ReLU backward");

            var clip = new Hardtanh(-1f, 2.5f);
            y = clip.Forward(x, true);
            Same((v, g) => v > -1f && v < 2.5f ? 1f * g : 0f, y, dy, clip.Backward(dy), "Hardtanh backward");

            var hs = new HardSigmoid(0.25f, 0.5f);
            y = hs.Forward(x, true);
            Same((v, g) => v > 0f && v < 1f ? 0.25f * g : 0f, y, dy, hs.Backward(dy), "HardSigmoid backward");

            var swish = new HardSwish();
            swish.Forward(x, true);
            Same((v, g) => v < -3f ? 0f : v <= 3f ? g * (v / 3f + 0.5f) : g, x, dy, swish.Backward(dy), "HardSwish backward");
        }
    }
}
