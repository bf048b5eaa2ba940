// The trainable zoo models for 1×28×28 inputs with BatchNorm / residual / concat blocks (resnet-20, squeezenet,
// mobilenet-v2): each builds, maps [N, 1, 28, 28] to finite [N, 10] logits, is a pure function of its seed, survives
// a ModelFile save/load round trip (weights, BatchNorm statistics and outputs), and a few SGD steps of its reference
// recipe on one fixed batch lower the loss. No test trains for more than a few steps.
using Topiary.Models;
using Topiary.Nn;
using Topiary.Tensors;
using Topiary.Tests.IO;
using Topiary.Training;

namespace Topiary.Tests.Models;

public class TrainableZooTests
{
    public static TheoryData<string> Models() => new(ZooModels.Trainable);

    [Theory]
    [MemberData(nameof(Models))]
    public void Builds_and_maps_a_batch_to_finite_ten_class_logits(string name)
    {
        var info = ModelZoo.Get(name);
        Assert.Equal(new[] { 1, 28, 28 }, info.InputShape);
        var model = info.Factory(1);
        foreach (bool training in new[] { false, true })
        {
            var y = model.Forward(Tensor.RandomUniform(new Random(2), 1f, 3, 1, 28, 28), training);
            Assert.Equal(new[] { 3, 10 }, y.Shape.ToArray());
            Assert.All(y.Data, v => Assert.True(float.IsFinite(v)));
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Same_seed_gives_identical_weights_and_another_seed_does_not(string name)
    {
        float[] Weights(int seed) => ModelZoo.Create(name, seed).Parameters().SelectMany(p => p.Value.Data).ToArray();
        Assert.Equal(Weights(7), Weights(7));
        Assert.NotEqual(Weights(7), Weights(8));
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void A_few_sgd_steps_of_the_recipe_lower_the_loss_on_a_fixed_batch(string name)
    {
        var model = ModelZoo.Create(name, 3);
        var recipe = ModelZoo.Get(name).Recipe;
        var x = Tensor.RandomUniform(new Random(4), 1f, 8, 1, 28, 28);
        int[] labels = [0, 1, 2, 3, 4, 5, 6, 7];
        var optimizer = new Sgd(model.Parameters(), recipe.LearningRate * 0.1f, recipe.Momentum, recipe.WeightDecay);
        var grad = new Tensor(8, 10);
        float first = 0, last = 0;
        for (int step = 0; step < 8; step++)
        {
            model.ZeroGrad();
            var logits = model.Forward(x, training: true);
            float loss = SoftmaxCrossEntropy.Compute(logits, labels, grad);
            model.Backward(grad);
            optimizer.Step();
            if (step == 0) first = loss;
            last = loss;
        }
        Assert.True(float.IsFinite(last) && last < first, $"{name}: loss {first} → {last}");
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void ModelFile_round_trip_keeps_weights_batchnorm_statistics_and_outputs(string name)
    {
        using var dir = new TempDirectory();
        var model = ModelZoo.Create(name, 5);
        ZooModels.RandomizeBatchNormStatistics(model, seed: 6);
        string path = dir.File(name + ".safetensors");
        ModelFile.Save(path, name, model);

        var loaded = ModelFile.Load(path);
        Assert.Equal(name, loaded.Name);
        Assert.Equal(model.NamedParameters().Select(p => p.Name), loaded.Network.NamedParameters().Select(p => p.Name));
        foreach (var ((_, a), (_, b)) in model.NamedParameters().Zip(loaded.Network.NamedParameters())) Assert.Equal(a.Value.Data, b.Value.Data);
        foreach (var ((_, a), (_, b)) in model.NamedBuffers().Zip(loaded.Network.NamedBuffers())) Assert.Equal(a.Data, b.Data);
        var x = Tensor.RandomUniform(new Random(7), 1f, 2, 1, 28, 28);
        Assert.Equal(model.Forward(x, false).Data, loaded.Network.Forward(x, false).Data);
    }
}

/// <summary>Shared helpers of the trainable-zoo tests.</summary>
internal static class ZooModels
{
    /// <summary>The zoo models with BatchNorm / residual / concat blocks.</summary>
    public static readonly string[] Trainable = ["resnet-20", "squeezenet", "mobilenet-v2"];

    /// <summary>Sets every BatchNorm's running mean/variance and γ/β to seeded, non-trivial values (so evaluation-mode outputs depend on them).</summary>
    public static void RandomizeBatchNormStatistics(Module model, int seed)
    {
        var rng = new Random(seed);
        foreach (var (_, m) in model.NamedModules())
        {
            if (m is not BatchNorm bn) continue;
            for (int c = 0; c < bn.Channels; c++)
            {
                bn.RunningMean.Data[c] = (float)(rng.NextDouble() * 0.2 - 0.1);
                bn.RunningVar.Data[c] = (float)(0.5 + rng.NextDouble());
                bn.Weight.Value.Data[c] = (float)(0.75 + 0.5 * rng.NextDouble());
                bn.Bias.Value.Data[c] = (float)(rng.NextDouble() * 0.2 - 0.1);
            }
        }
    }

    /// <summary>
    /// Sets every BatchNorm to γ ∈ [0.25, 0.5] and β = +shift on even channels, −shift on odd ones (the same in every
    /// BatchNorm, so a residual sum keeps the sign), leaving every following ReLU/ReLU6 input at least about
    /// shift − 2.5·0.5 away from its kinks. Finite differences are undefined at a kink, and with random γ, β some
    /// normalised value always lies within the probe's reach of 0; this way the even channels pass and the odd ones
    /// are blocked, and both are checked without crossing a kink.
    /// </summary>
    public static void KeepActivationsAwayFromKinks(Module block, float shift, int seed)
    {
        var rng = new Random(seed);
        foreach (var (_, m) in block.NamedModules())
        {
            if (m is not BatchNorm bn) continue;
            for (int c = 0; c < bn.Channels; c++)
            {
                bn.Weight.Value.Data[c] = (float)(0.25 + 0.25 * rng.NextDouble());
                bn.Bias.Value.Data[c] = c % 2 == 0 ? shift : -shift;
            }
        }
    }
}
