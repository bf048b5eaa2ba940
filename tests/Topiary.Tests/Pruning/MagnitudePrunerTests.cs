using Topiary.Models;
using Topiary.Nn;
using Topiary.Pruning;
using Topiary.Tensors;
using Topiary.Training;

namespace Topiary.Tests.Pruning;

public class MagnitudePrunerTests
{
    private static PrunableLayer LinearLayer(float[] weights, int outF, int inF, string name = "fc")
    {
        var l = new Linear(inF, outF, new Random(1));
        weights.AsSpan().CopyTo(l.Weight.Value.Span);
        return new PrunableLayer(name, l, l.Weight, l.Bias, LayerKind.Fc);
    }

    [Fact]
    public void Sparsity_target_removes_exactly_the_smallest_fraction()
    {
        var layer = LinearLayer([0.5f, -0.1f, 0.3f, -0.9f, 0.05f, 0.7f, -0.2f, 0.0f], 2, 4);
        MagnitudePruner.Elementwise.Apply(layer, new SparsityTarget(0.5));
        Assert.Equal(new float[] { 1, 0, 1, 1, 0, 1, 0, 0 }, layer.Weight.Mask!.Data);
        Assert.Equal(new float[] { 0.5f, 0, 0.3f, -0.9f, 0, 0.7f, 0, 0 }, layer.Weight.Value.Data);
    }

    [Fact]
    public void Std_threshold_keeps_weights_above_s_times_sigma()
    {
        // Weights −3..3: mean 0, population std = 2.
        var layer = LinearLayer([-3, -2, -1, 0, 1, 2, 3], 7, 1);
        Assert.Equal(2.0, MagnitudePruner.SurvivorStd(layer), 12);
        MagnitudePruner.Elementwise.Apply(layer, new StdThresholdTarget(0.75)); // t = 1.5
        Assert.Equal(new float[] { 1, 1, 0, 0, 0, 1, 1 }, layer.Weight.Mask!.Data);
        // σ of the survivors {−3,−2,2,3} is sqrt(6.5); a fixed dense σ = 2 with s = 1.2 gives t = 2.4.
        Assert.Equal(Math.Sqrt(6.5), MagnitudePruner.SurvivorStd(layer), 12);
        MagnitudePruner.Elementwise.Apply(layer, new StdThresholdTarget(1.2, sigma: 2.0));
        Assert.Equal(new float[] { 1, 0, 0, 0, 0, 0, 1 }, layer.Weight.Mask!.Data);
    }

    [Fact]
    public void Masks_only_remove_a_lower_target_never_revives_pruned_weights()
    {
        var layer = PrunableLayer.Find(ModelZoo.Create("lenet-300-100", 2))[0];
        MagnitudePruner.Elementwise.Apply(layer, new SparsityTarget(0.8));
        var first = layer.Weight.Mask!.Data.ToArray();
        // Retraining moves weights; the pruned ones stay zero and are not revived by a milder target.
        var rng = new Random(3);
        for (int i = 0; i < layer.Weight.Length; i++) layer.Weight.Value.Data[i] += first[i] * (float)(rng.NextDouble() - 0.5) * 0.01f;
        MagnitudePruner.Elementwise.Apply(layer, new SparsityTarget(0.5));
        var second = layer.Weight.Mask!.Data;
        for (int i = 0; i < first.Length; i++) Assert.True(second[i] <= first[i], $"mask entry {i} revived");
        Assert.Equal(first, second); // 0.5 < 0.8 already reached: nothing else removed
        MagnitudePruner.Elementwise.Apply(layer, new SparsityTarget(0.9));
        Assert.Equal(0.1, layer.KeptFraction, 3);
    }

    [Fact]
    public void Global_selection_uses_one_threshold_while_layerwise_prunes_each_layer_equally()
    {
        var rng = new Random(4);
        var small = LinearLayer(Enumerable.Range(0, 100).Select(_ => (float)(rng.NextDouble() - 0.5) * 0.1f).ToArray(), 10, 10, "small");
        var large = LinearLayer(Enumerable.Range(0, 100).Select(i => (i % 2 == 0 ? 1 : -1) * (float)(1 + rng.NextDouble() * 4)).ToArray(), 10, 10, "large");
        MagnitudePruner.Elementwise.ApplyGlobal([small, large], 0.5);
        Assert.Equal(0.0, small.KeptFraction, 6); // every small-scale weight is below every large one
        Assert.Equal(1.0, large.KeptFraction, 6);

        var a = LinearLayer(Enumerable.Range(0, 100).Select(i => (float)i).ToArray(), 10, 10, "a");
        var b = LinearLayer(Enumerable.Range(0, 100).Select(i => (float)i * 100).ToArray(), 10, 10, "b");
        MagnitudePruner.Elementwise.Apply(a, new SparsityTarget(0.3));
        MagnitudePruner.Elementwise.Apply(b, new SparsityTarget(0.3));
        Assert.Equal(0.7, a.KeptFraction, 6);
        Assert.Equal(0.7, b.KeptFraction, 6);
    }

    [Fact]
    public void Row_granularity_removes_whole_output_units_by_group_norm()
    {
        var layer = LinearLayer([1, 1, 1, /**/ 0.1f, 0.1f, 5, /**/ 0.2f, 0.2f, 0.2f], 3, 3);
        new MagnitudePruner(RowGranularity.Instance, PruningCriterion.L1).Apply(layer, new SparsityTarget(1.0 / 3));
        Assert.Equal(new float[] { 1, 1, 1, 1, 1, 1, 0, 0, 0 }, layer.Weight.Mask!.Data); // L1: 3, 5.2, 0.6
        var layer2 = LinearLayer([1, 1, 1, /**/ 0.1f, 0.1f, 5, /**/ 0.2f, 0.2f, 0.2f], 3, 3);
        new MagnitudePruner(RowGranularity.Instance, PruningCriterion.Rms).Apply(layer2, new SparsityTarget(2.0 / 3));
        Assert.Equal(new float[] { 0, 0, 0, 1, 1, 1, 0, 0, 0 }, layer2.Weight.Mask!.Data); // RMS: 1, 2.89, 0.2
    }

    [Fact]
    public void Pruned_model_keeps_masked_weights_and_gradients_zero_while_training()
    {
        var model = ModelZoo.Create("lenet-5", 5);
        foreach (var layer in PrunableLayer.Find(model)) MagnitudePruner.Elementwise.Apply(layer, new SparsityTarget(0.7));
        var recipe = ModelZoo.Get("lenet-5").Recipe;
        var trainer = new Trainer(model, recipe.CreateOptimizer(model), new ConstantLr(0.05f));
        var rng = new Random(6);
        for (int s = 0; s < 3; s++)
        {
            var x = Tensor.RandomUniform(rng, 1f, 8, 1, 28, 28);
            trainer.Step(new Batch(x, Enumerable.Range(0, 8).Select(_ => rng.Next(10)).ToArray()));
            foreach (var layer in PrunableLayer.Find(model))
            {
                var m = layer.Weight.Mask!.Data;
                for (int i = 0; i < m.Length; i++)
                {
                    if (m[i] != 0) continue;
                    Assert.Equal(0f, layer.Weight.Value.Data[i]);
                    Assert.Equal(0f, layer.Weight.Grad.Data[i]);
                }
            }
        }
        Assert.All(PruningState.Densities(model), d => Assert.InRange(d.KeptFraction, 0.29, 0.31));
    }

    [Fact]
    public void Make_permanent_drops_masks_and_leaves_the_output_unchanged()
    {
        var model = ModelZoo.Create("lenet-300-100", 7);
        foreach (var layer in PrunableLayer.Find(model)) MagnitudePruner.Elementwise.Apply(layer, new SparsityTarget(0.9));
        var x = Tensor.RandomUniform(new Random(8), 1f, 4, 1, 28, 28);
        var before = model.Forward(x, false).Clone();
        long nz = PruningState.NonZeroParameters(model);
        PruningState.MakePermanent(model);
        Assert.All(model.Parameters(), p => Assert.Null(p.Mask));
        Assert.Equal(before.Data, model.Forward(x, false).Data);
        Assert.Equal(nz, PruningState.NonZeroParameters(model));
        Assert.Equal(266_610.0 / nz, PruningState.CompressionRate(model), 9);
    }

    [Fact]
    public void Invalid_targets_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SparsityTarget(1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new StdThresholdTarget(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => MagnitudePruner.Elementwise.ApplyGlobal([], -0.1));
        var ex = Assert.Throws<ArgumentException>(() => PrunableLayer.ByName(PrunableLayer.Find(ModelZoo.Create("lenet-5", 1)), "fc9"));
        Assert.Contains("conv1", ex.Message);
    }
}
