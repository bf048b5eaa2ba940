// Element-wise activations and the axis-wise (log-)softmax: finite-difference gradient checks (inputs kept away
// from the kinks of LeakyReLU / Hardtanh / HardSigmoid / HardSwish), forward values against naive double-precision
// loops written here, and the axis errors.
using Topiary.Nn;
using Topiary.Tensors;
using static Topiary.Tests.Nn.GradientChecker;

namespace Topiary.Tests.Nn;

public class ActivationTests
{
    // Distinct(seed, 0.1, ...) has entries ±0.05, ±0.15, ...: at least 0.05 from every kink at a multiple of 0.1
    // (0, ±1, ±2.5, ±3, 6), which is 5 finite-difference steps of 0.01.
    private static Tensor AwayFromKinks(int seed, float spacing, params int[] shape) => Distinct(seed, spacing, shape);

    [Theory]
    [InlineData(0.01f)]
    [InlineData(0.2f)]
    [InlineData(-0.5f)]
    [InlineData(0f)]
    public void LeakyReLU_gradient_and_values(float slope)
    {
        var x = AwayFromKinks(1, 0.1f, 3, 4, 5);
        Check(new LeakyReLU(slope), x);
        var y = new LeakyReLU(slope).Forward(x, false);
        for (int i = 0; i < x.Length; i++) Assert.Equal(x[i] > 0 ? x[i] : slope * x[i], y[i]);
    }

    [Theory]
    [InlineData(-1f, 1f, 0.1f)]
    [InlineData(0f, 6f, 0.2f)]      // ReLU6
    [InlineData(-0.5f, 2f, 0.1f)]
    public void Hardtanh_gradient_and_values(float min, float max, float spacing)
    {
        var x = AwayFromKinks(2, spacing, 2, 5, 8);
        Check(new Hardtanh(min, max), x);
        var y = new Hardtanh(min, max).Forward(x, false);
        for (int i = 0; i < x.Length; i++) Assert.Equal(x[i] < min ? min : x[i] > max ? max : x[i], y[i]);
    }

    [Fact]
    public void ReLU6_is_Hardtanh_0_6_and_infinite_bounds_are_one_sided_clips()
    {
        var relu6 = Hardtanh.ReLU6();
        Assert.Equal((0f, 6f), (relu6.Min, relu6.Max));
        var x = new Tensor([-2f, 0.5f, 7f, float.NegativeInfinity], 4);
        Assert.Equal([0f, 0.5f, 6f, 0f], relu6.Forward(x, false).Data);
        Assert.Equal([0f, 0.5f, 7f, 0f], new Hardtanh(0f, float.PositiveInfinity).Forward(x, false).Data);
        Check(new Hardtanh(float.NegativeInfinity, 0.5f), AwayFromKinks(3, 0.1f, 4, 6));

        var ex = Assert.Throws<ArgumentException>(() => new Hardtanh(2f, 1f));
        Assert.Contains("[2, 1]", ex.Message);
        Assert.Throws<ArgumentException>(() => new Hardtanh(float.NaN, 1f));
    }

    [Fact]
    public void Sigmoid_gradient_and_values()
    {
        var x = Randn(4, 3, 7);
        for (int i = 0; i < x.Length; i++) x[i] *= 3;
        Check(new Sigmoid(), x);
        var y = new Sigmoid().Forward(x, false);
        for (int i = 0; i < x.Length; i++) Assert.Equal(1.0 / (1.0 + Math.Exp(-x[i])), y[i], 1e-6);
    }

    [Fact]
    public void Tanh_gradient_and_values()
    {
        var x = Randn(5, 2, 3, 4);
        Check(new Tanh(), x);
        var y = new Tanh().Forward(x, false);
        for (int i = 0; i < x.Length; i++) Assert.Equal(Math.Tanh(x[i]), y[i], 1e-6);
    }

    [Theory]
    [InlineData(0.2f, 0.5f)]            // ONNX default: kinks at ±2.5
    [InlineData(1f / 6, 0.5f)]          // PyTorch nn.Hardsigmoid: kinks at ±3
    [InlineData(-0.4f, 0.32f)]          // kinks at 0.8, −1.7
    public void HardSigmoid_gradient_and_values(float alpha, float beta)
    {
        var x = AwayFromKinks(6, 0.1f, 2, 5, 8);   // ±0.05 ... ±3.95
        Check(new HardSigmoid(alpha, beta), x);
        var y = new HardSigmoid(alpha, beta).Forward(x, false);
        for (int i = 0; i < x.Length; i++) Assert.Equal(Math.Clamp((double)alpha * x[i] + beta, 0, 1), y[i], 1e-6);
    }

    [Fact]
    public void HardSwish_gradient_and_values()
    {
        var x = AwayFromKinks(7, 0.1f, 2, 5, 9);   // ±0.05 ... ±4.45, kinks at ±3
        Check(new HardSwish(), x);
        var y = new HardSwish().Forward(x, false);
        for (int i = 0; i < x.Length; i++)
        {
            double v = x[i];
            Assert.Equal(v * Math.Clamp(v / 6 + 0.5, 0, 1), y[i], 1e-6);
        }
        var hand = new HardSwish().Forward(new Tensor([-4f, -1f, 0f, 1f, 4f], 5), false);
        double[] expected = [0, -1.0 / 3, 0, 2.0 / 3, 4];
        for (int i = 0; i < 5; i++) Assert.Equal(expected[i], hand[i], 1e-6);
    }

    public static TheoryData<int[], int, bool> SoftmaxCases => new()
    {
        { [4, 7], 0, false }, { [4, 7], 1, false }, { [4, 7], -1, false },
        { [2, 3, 4, 5], 0, false }, { [2, 3, 4, 5], 1, false }, { [2, 3, 4, 5], -1, false }, { [2, 3, 4, 5], -2, false },
        { [2, 3, 4, 5], 1, true }, { [2, 3, 4, 5], 2, true }, { [2, 3, 4, 5], 0, true }, { [4, 7], -1, true },
        { [6], 0, false },
    };

    [Theory]
    [MemberData(nameof(SoftmaxCases))]
    public void Softmax_gradient_and_values(int[] shape, int axis, bool coerce)
    {
        var x = Randn(8, shape);
        for (int i = 0; i < x.Length; i++) x[i] = 3 * x[i] + 40;   // a large offset: only a max-shifted softmax stays exact
        Check(new Softmax(axis, coerce), x, rtol: 2e-2, atol: 2e-3);
        var y = new Softmax(axis, coerce).Forward(x, false);
        var reference = NaiveSoftmax(x, axis, coerce, log: false);
        for (int i = 0; i < x.Length; i++) Assert.Equal(reference[i], y[i], 1e-6);
    }

    [Theory]
    [MemberData(nameof(SoftmaxCases))]
    public void LogSoftmax_gradient_and_values(int[] shape, int axis, bool coerce)
    {
        var x = Randn(9, shape);
        for (int i = 0; i < x.Length; i++) x[i] = 3 * x[i] - 50;
        Check(new LogSoftmax(axis, coerce), x, rtol: 2e-2, atol: 2e-3);
        var y = new LogSoftmax(axis, coerce).Forward(x, false);
        var reference = NaiveSoftmax(x, axis, coerce, log: true);
        for (int i = 0; i < x.Length; i++) Assert.Equal(reference[i], y[i], 1e-5 * Math.Max(1, Math.Abs(reference[i])));
    }

    [Fact]
    public void Softmax_does_not_overflow_and_sums_to_one_along_its_axis()
    {
        var x = new Tensor([1000f, 1001f, 999f, -1000f, -1001f, -999f], 2, 3);
        var y = new Softmax(1).Forward(x, false);
        Assert.All(y.Data, v => Assert.True(float.IsFinite(v)));
        Assert.Equal(1.0, y[0] + y[1] + y[2], 1e-6);
        Assert.Equal(y[1], y[5], 1e-6);
        var logY = new LogSoftmax(-1).Forward(x, false);
        Assert.Equal(-1 - Math.Log(1 + Math.Exp(-1) + Math.Exp(-2)), logY[0], 1e-6);
    }

    [Fact]
    public void Softmax_axis_out_of_range_names_the_axis_and_the_shape()
    {
        var ex = Assert.Throws<ArgumentException>(() => new Softmax(2).Forward(new Tensor(3, 4), false));
        Assert.Contains("axis 2 out of range", ex.Message);
        Assert.Contains("[3, 4]", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => new LogSoftmax(-3).Forward(new Tensor(3, 4), false));
        Assert.Contains("axis -3 out of range", ex.Message);
        Assert.Contains("LogSoftmax(axis=-3)", ex.Message);
    }

    // Softmax in double by explicit groups: the elements that share every index except the axis (or, coerced, every
    // index before the axis).
    private static double[] NaiveSoftmax(Tensor x, int axis, bool coerce, bool log)
    {
        var shape = x.Shape.ToArray();
        int a = axis < 0 ? axis + shape.Length : axis;
        var groups = new Dictionary<string, List<int>>();
        for (int i = 0; i < x.Length; i++)
        {
            var index = Unravel(i, shape);
            string key = string.Join(",", index.Select((v, d) => d < a ? v.ToString() : d == a || coerce ? "*" : v.ToString()));
            if (!groups.TryGetValue(key, out var list)) groups[key] = list = [];
            list.Add(i);
        }
        var y = new double[x.Length];
        foreach (var members in groups.Values)
        {
            double max = members.Max(i => (double)x[i]);
            double sum = members.Sum(i => Math.Exp(x[i] - max));
            foreach (int i in members) y[i] = log ? x[i] - max - Math.Log(sum) : Math.Exp(x[i] - max) / sum;
        }
        return y;
    }

    internal static int[] Unravel(int flat, int[] shape)
    {
        var index = new int[shape.Length];
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            index[d] = flat % shape[d];
            flat /= shape[d];
        }
        return index;
    }

    internal static int Ravel(int[] index, int[] shape)
    {
        int flat = 0;
        for (int d = 0; d < shape.Length; d++) flat = flat * shape[d] + index[d];
        return flat;
    }
}
