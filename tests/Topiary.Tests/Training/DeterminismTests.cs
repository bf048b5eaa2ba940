using Topiary.Models;
using Topiary.Tensors;
using Topiary.Training;

namespace Topiary.Tests.Training;

public class DeterminismTests
{
    private static float[] TrainBriefly(string model, int seed)
    {
        var net = ModelZoo.Create(model, seed);
        var recipe = ModelZoo.Get(model).Recipe;
        var trainer = new Trainer(net, recipe.CreateOptimizer(net), recipe.CreateSchedule(10, 1));
        var rng = new Random(seed);
        for (int step = 0; step < 6; step++)
        {
            var x = Tensor.RandomUniform(rng, 1f, 32, 1, 28, 28);
            var labels = Enumerable.Range(0, 32).Select(_ => rng.Next(10)).ToArray();
            trainer.Step(new Batch(x, labels));
        }
        return net.Parameters().SelectMany(p => p.Value.Data).ToArray();
    }

    [Theory]
    [InlineData("lenet-300-100")]
    [InlineData("lenet-5")]
    public void Same_seed_gives_bitwise_identical_trained_weights(string model)
    {
        var a = TrainBriefly(model, 11);
        var b = TrainBriefly(model, 11);
        Assert.Equal(a.Length, b.Length);
        for (int i = 0; i < a.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(a[i]) == BitConverter.SingleToInt32Bits(b[i]), $"weight {i}: {a[i]} vs {b[i]}");
        var init = ModelZoo.Create(model, 11).Parameters().SelectMany(p => p.Value.Data).ToArray();
        Assert.NotEqual(init, a);
    }
}
