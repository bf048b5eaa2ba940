using Topiary.Nn;
using Topiary.Tensors;
using Topiary.Training;

namespace Topiary.Tests.Training;

public class OptimizerTests
{
    private static Parameter RandomParameter(int seed, int n = 37)
    {
        var rng = new Random(seed);
        var p = new Parameter(Tensor.RandomNormal(rng, 1f, n));
        return p;
    }

    private static void RandomGrad(Parameter p, Random rng)
    {
        for (int i = 0; i < p.Length; i++) p.Grad[i] = (float)Tensor.NextGaussian(rng);
    }

    public static TheoryData<string> Optimizers => new() { "sgd", "sgd-nesterov", "sgd-l1", "adam", "adamw" };

    private static Optimizer Create(string kind, Parameter p) => kind switch
    {
        "sgd" => new Sgd([p], 0.1f, momentum: 0.9f, weightDecay: 1e-2f),
        "sgd-nesterov" => new Sgd([p], 0.1f, momentum: 0.9f, nesterov: true),
        "sgd-l1" => new Sgd([p], 0.1f, momentum: 0.5f, l1: 1e-2f),
        "adam" => new Adam([p], 0.05f, weightDecay: 1e-2f),
        "adamw" => new Adam([p], 0.05f, weightDecay: 1e-2f, decoupledWeightDecay: true),
        _ => throw new ArgumentException(kind),
    };

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void Masked_weights_and_gradients_stay_exactly_zero_through_many_steps(string kind)
    {
        var p = RandomParameter(1);
        var mask = new Tensor(p.Length);
        for (int i = 0; i < mask.Length; i++) mask[i] = i % 3 == 0 ? 0 : 1;
        var rng = new Random(2);
        var opt = Create(kind, p);
        // Momentum state built up before pruning must not revive pruned weights afterwards.
        for (int s = 0; s < 5; s++) { RandomGrad(p, rng); opt.Step(); }
        p.SetMask(mask);
        for (int s = 0; s < 50; s++)
        {
            RandomGrad(p, rng);
            opt.Step();
            for (int i = 0; i < p.Length; i++)
            {
                if (mask[i] != 0) continue;
                Assert.Equal(0f, p.Value[i]);
                Assert.Equal(0f, p.Grad[i]);
            }
        }
        Assert.Equal(p.Length - (p.Length + 2) / 3, p.UnmaskedCount);
    }

    [Fact]
    public void Sgd_matches_the_pytorch_update_rule()
    {
        var p = new Parameter(new Tensor([1f, -2f], 2));
        var opt = new Sgd([p], 0.1f, momentum: 0.9f, weightDecay: 0.5f);
        p.Grad[0] = 1f; p.Grad[1] = 1f;
        opt.Step();
        // d = g + wd·w = [1.5, 0]; v = d; w -= 0.1·v
        Assert.Equal(1f - 0.15f, p.Value[0], 6);
        Assert.Equal(-2f, p.Value[1], 6);
        p.Grad[0] = 0f; p.Grad[1] = 0f;
        opt.Step();
        // d = [0.5·0.85, -1]; v = 0.9·[1.5, 0] + d
        Assert.Equal(0.85f - 0.1f * (0.9f * 1.5f + 0.425f), p.Value[0], 5);
        Assert.Equal(-2f - 0.1f * -1f, p.Value[1], 5);
    }

    [Fact]
    public void Adam_first_step_moves_each_weight_by_the_learning_rate_against_the_gradient_sign()
    {
        var p = new Parameter(new Tensor([1f, 1f, 1f], 3));
        var opt = new Adam([p], 0.01f);
        p.Grad[0] = 3f; p.Grad[1] = -0.001f; p.Grad[2] = 0f;
        opt.Step();
        Assert.Equal(0.99f, p.Value[0], 5);
        Assert.Equal(1.01f, p.Value[1], 4);
        Assert.Equal(1f, p.Value[2]);
        Assert.Equal(1, opt.StepCount);
    }

    [Fact]
    public void Learning_rate_multiplier_and_frozen_parameters_are_respected()
    {
        var a = new Parameter(new Tensor([1f], 1)) { LearningRateMultiplier = 2f };
        var b = new Parameter(new Tensor([1f], 1)) { RequiresGrad = false };
        var opt = new Sgd([a, b], 0.1f);
        a.Grad[0] = 1f; b.Grad[0] = 1f;
        opt.Step();
        Assert.Equal(0.8f, a.Value[0], 6);
        Assert.Equal(1f, b.Value[0]);
    }

    [Fact]
    public void Invalid_hyper_parameters_are_rejected()
    {
        var p = RandomParameter(3);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd([p], -1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd([p], 0.1f, momentum: 1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd([p], 0.1f, weightDecay: -1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam([p], 0.1f, beta1: 1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd([p], float.NaN));
    }

    [Fact]
    public void SetMask_rejects_wrong_shape_and_non_binary_entries()
    {
        var p = RandomParameter(4, 6);
        Assert.Throws<ArgumentException>(() => p.SetMask(new Tensor(5)));
        var bad = new Tensor(6);
        bad.Fill(0.5f);
        var ex = Assert.Throws<ArgumentException>(() => p.SetMask(bad));
        Assert.Contains("0.5", ex.Message);
    }
}
