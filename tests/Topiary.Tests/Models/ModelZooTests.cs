using Topiary.Models;
using Topiary.Tensors;

namespace Topiary.Tests.Models;

public class ModelZooTests
{
    [Theory]
    [InlineData("lenet-300-100", 266_610)]
    [InlineData("lenet-5", 431_080)]
    public void Zoo_models_have_the_papers_parameter_counts_and_produce_logits(string name, long parameters)
    {
        var model = ModelZoo.Create(name, seed: 1);
        Assert.Equal(parameters, model.ParameterCount());
        var x = Tensor.RandomUniform(new Random(2), 1f, 3, 1, 28, 28);
        var y = model.Forward(x, training: false);
        Assert.Equal(new[] { 3, 10 }, y.Shape.ToArray());
        Assert.All(y.Data, v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void LeNet5_parameter_names_follow_pytorch_conventions()
    {
        var names = ModelZoo.Create("lenet-5", 1).NamedParameters().Select(p => p.Name).ToArray();
        Assert.Equal(new[] { "conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias" }, names);
    }

    [Fact]
    public void Same_seed_gives_identical_initial_weights_and_different_seed_does_not()
    {
        var a = ModelZoo.Create("lenet-5", 7).Parameters().SelectMany(p => p.Value.Data).ToArray();
        var b = ModelZoo.Create("lenet-5", 7).Parameters().SelectMany(p => p.Value.Data).ToArray();
        var c = ModelZoo.Create("lenet-5", 8).Parameters().SelectMany(p => p.Value.Data).ToArray();
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Unknown_model_names_are_rejected_with_the_list_of_known_models()
    {
        var ex = Assert.Throws<ArgumentException>(() => ModelZoo.Create("lenet-6", 1));
        Assert.Contains("lenet-6", ex.Message);
        Assert.Contains("lenet-300-100", ex.Message);
        Assert.Contains("lenet-5", ex.Message);
    }

    [Fact]
    public void Caffe_init_sets_bias_learning_rate_multiplier_and_zero_biases()
    {
        var model = ModelZoo.Create("lenet-5", 3);
        foreach (var (name, p) in model.NamedParameters())
        {
            if (name.EndsWith(".bias", StringComparison.Ordinal))
            {
                Assert.Equal(2f, p.LearningRateMultiplier);
                Assert.All(p.Value.Data, v => Assert.Equal(0f, v));
            }
            else
            {
                float limit = MathF.Sqrt(3f / (p.Length / p.Value.Dim(0)));
                Assert.All(p.Value.Data, v => Assert.InRange(v, -limit, limit));
            }
        }
    }
}

public class OpCounterTests
{
    [Fact]
    public void LeNet5_macs_per_layer_match_the_hand_computed_shapes()
    {
        var ops = Topiary.Nn.OpCounter.Count(ModelZoo.Create("lenet-5", 1), [1, 28, 28]);
        Assert.Equal(new[] { "conv1", "conv2", "fc1", "fc2" }, ops.Select(o => o.Name).ToArray());
        Assert.Equal(20L * 24 * 24 * 25, ops[0].Macs);
        Assert.Equal(50L * 8 * 8 * 20 * 25, ops[1].Macs);
        Assert.Equal(800L * 500, ops[2].Macs);
        Assert.Equal(500L * 10, ops[3].Macs);
        Assert.Equal(new[] { 1, 50, 8, 8 }, ops[1].OutputShape);
        Assert.Equal(25_000, ops[1].Weights);
    }

    [Fact]
    public void Residual_and_concat_branches_are_counted()
    {
        var rng = new Random(1);
        var net = new Topiary.Nn.Sequential()
            .Add("res", new Topiary.Nn.Residual(new Topiary.Nn.Conv2d(2, 2, 3, rng, padding: 1), new Topiary.Nn.Conv2d(2, 2, 1, rng)))
            .Add("cat", new Topiary.Nn.Concat(new Topiary.Nn.Conv2d(2, 3, 1, rng), new Topiary.Nn.Conv2d(2, 1, 1, rng)));
        var ops = Topiary.Nn.OpCounter.Count(net, [2, 5, 5]);
        Assert.Equal(new[] { "res.body", "res.shortcut", "cat.0", "cat.1" }, ops.Select(o => o.Name).ToArray());
        Assert.Equal(2L * 25 * 2 * 9, ops[0].Macs);
        Assert.Equal(3L * 25 * 2, ops[2].Macs);
    }
}
