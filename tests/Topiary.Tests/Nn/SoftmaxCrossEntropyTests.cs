using System.Text;
using Topiary.Tensors;
using Topiary.Training;

namespace Topiary.Tests.Nn;

public class SoftmaxCrossEntropyTests
{
    [Fact]
    public void Uniform_logits_give_log_of_class_count()
    {
        var logits = new Tensor(2, 10);
        float loss = SoftmaxCrossEntropy.Compute(logits, [3, 7], null);
        Assert.Equal(MathF.Log(10), loss, 5);
    }

    [Fact]
    public void Matches_a_double_precision_reference_and_is_stable_for_large_logits()
    {
        var logits = Tensor.RandomNormal(new Random(1), 3f, 4, 6);
        logits.Data[0] += 500f; // would overflow exp without the max shift
        int[] labels = [0, 5, 2, 2];
        double expected = 0;
        for (int i = 0; i < 4; i++)
        {
            double max = double.MinValue;
            for (int j = 0; j < 6; j++) max = Math.Max(max, logits[i, j]);
            double sum = 0;
            for (int j = 0; j < 6; j++) sum += Math.Exp(logits[i, j] - max);
            expected += max + Math.Log(sum) - logits[i, labels[i]];
        }
        expected /= 4;
        var grad = new Tensor(4, 6);
        float loss = SoftmaxCrossEntropy.Compute(logits, labels, grad);
        Assert.True(Math.Abs(loss - expected) <= 1e-4 * Math.Max(1, Math.Abs(expected)), $"loss {loss} vs {expected}");
        Assert.False(float.IsNaN(grad.Data.Sum()));
        // Each gradient row sums to zero (softmax sums to 1, minus the one-hot).
        for (int i = 0; i < 4; i++) Assert.Equal(0f, grad.Data.Skip(i * 6).Take(6).Sum(), 5);
    }

    [Fact]
    public void Gradient_matches_finite_differences()
    {
        var logits = Tensor.RandomNormal(new Random(2), 2f, 5, 7);
        int[] labels = [0, 6, 3, 3, 1];
        var grad = new Tensor(5, 7);
        SoftmaxCrossEntropy.Compute(logits, labels, grad);
        var report = new StringBuilder();
        GradientChecker.Compare("logits", logits.Data, grad.Data,
            () => SoftmaxCrossEntropy.Compute(logits, labels, null), 1e-2f, 1e-2, 1e-3, report);
        Assert.True(report.Length == 0, report.ToString());
    }

    [Fact]
    public void Gradient_may_overwrite_the_logits()
    {
        var logits = Tensor.RandomNormal(new Random(3), 1f, 3, 4);
        var expected = new Tensor(3, 4);
        float l1 = SoftmaxCrossEntropy.Compute(logits, [1, 2, 3], expected);
        float l2 = SoftmaxCrossEntropy.Compute(logits, [1, 2, 3], logits);
        Assert.Equal(l1, l2);
        Assert.Equal(expected.Data, logits.Data);
    }

    [Fact]
    public void Bad_arguments_throw_specific_errors()
    {
        var logits = new Tensor(3, 4);
        var ex = Assert.Throws<ArgumentException>(() => SoftmaxCrossEntropy.Compute(logits, [0, 4, 1], null));
        Assert.Contains("index 1", ex.Message);
        Assert.Contains("is 4", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => SoftmaxCrossEntropy.Compute(logits, [0, -1, 1], null));
        Assert.Contains("-1", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => SoftmaxCrossEntropy.Compute(logits, [0, 1], null));
        Assert.Contains("expected 3 labels", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => SoftmaxCrossEntropy.Compute(logits, [0, 1, 2], new Tensor(3, 5)));
        Assert.Contains("[3, 5]", ex.Message);
        Assert.Throws<ArgumentException>(() => SoftmaxCrossEntropy.Compute(new Tensor(12), [0], null));
    }
}
