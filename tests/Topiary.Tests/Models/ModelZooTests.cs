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
