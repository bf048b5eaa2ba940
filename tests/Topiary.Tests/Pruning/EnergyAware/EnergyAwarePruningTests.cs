// Energy-aware pruning end to end on a synthetic task, plus the sampler and the energy order.
using Topiary.Hardware.Energy;
using Topiary.Models;
using Topiary.Nn;
using Topiary.Pruning;
using Topiary.Pruning.EnergyAware;
using Topiary.Tensors;
using Topiary.Training;

namespace Topiary.Tests.Pruning.EnergyAware;

public class EnergyAwarePruningTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("topiary-ea-").FullName;

    public void Dispose()
    {
        Directory.Delete(_dir, recursive: true);
        GC.SuppressFinalize(this);
    }

    [Theory]
    [InlineData("conv1")]
    [InlineData("fc1")]
    public void Sample_of_an_unpruned_layer_is_reproduced_exactly_by_its_own_weights(string layer)
    {
        var data = SyntheticTask.Data(50, 1);
        var model = SyntheticTask.Model(2);
        var sample = FeatureMapSampler.Sample(model, model, layer, data, new SamplerOptions(Images: 20, PositionsPerImage: 5, Seed: 3));
        var w = PrunableLayer.ByName(PrunableLayer.Find(model), layer).Weight.Value.Data;
        Assert.Equal(layer == "conv1" ? 100 : 50, sample.Rows); // fc1: max(20, 2·96 capped by the 50 images)
        double norm = sample.Y.Sum(v => v * v);
        Assert.True(norm > 0);
        Assert.True(sample.Error(w) < norm * 1e-10, $"error {sample.Error(w)} vs ‖Y‖² {norm}");
    }

    [Fact]
    public void Sample_rows_match_the_layer_output_minus_bias()
    {
        var data = SyntheticTask.Data(4, 5);
        var model = SyntheticTask.Model(6);
        var sample = FeatureMapSampler.Sample(model, model, "conv1", data, new SamplerOptions(Images: 1, PositionsPerImage: 64, Seed: 1));
        Assert.Equal(64, sample.Rows);
        // Sum over all positions of output channel 0 (positions are a permutation of all 64) equals the conv's.
        var conv = (Conv2d)((Sequential)model)["conv1"];
        var images = new Tensor(4, 1, 8, 8);
        data.Images.CopyTo(images.Data, 0);
        var y = conv.Forward(images, training: false);
        // The sampler draws its image with its own RNG; find which of the 4 images matches by the channel-0 sum.
        double sampled = Enumerable.Range(0, 64).Sum(r => sample.Y[r * 6]);
        double best = Enumerable.Range(0, 4).Min(n => Math.Abs(Enumerable.Range(0, 64).Sum(p => (double)y.Data[(n * 6) * 64 + p] - conv.Bias!.Value.Data[0]) - sampled));
        Assert.True(best < 1e-3, $"closest image differs by {best}");
    }

    [Fact]
    public void Energy_order_is_the_descending_estimate()
    {
        var model = ModelZoo.Create("lenet-5", 1);
        var images = new Tensor(8, 1, 28, 28);
        var rng = new Random(1);
        for (int i = 0; i < images.Length; i++) images.Data[i] = (float)rng.NextDouble();
        var energy = ModelEnergy.Estimate(model, images);
        var order = ModelEnergy.EnergyOrder(energy);
        var totals = order.Select(n => energy.Layers.Single(l => l.Layer.Name == n).Energy.Total).ToArray();
        Assert.Equal(4, order.Count);
        for (int i = 1; i < totals.Length; i++) Assert.True(totals[i - 1] >= totals[i], $"{order[i - 1]} {totals[i - 1]} < {order[i]} {totals[i]}");
        Assert.Equal("fc1", order[0]); // 400k weights fetched from DRAM dominate LeNet-5 at batch 1
    }

    private static readonly EyerissEnergyModel BatchOne = new(EyerissConfig.Default with { Batch = 1 }, EnergyCosts.Eyeriss);

    [Fact]
    public void Tiny_layers_end_at_one_weight()
    {
        // With the default (batch-8) estimate conv1 is pruned first; a layer that reaches one weight must end (it once retried
        // the same one-weight step forever).
        var train = SyntheticTask.Data(600, 10);
        var validation = SyntheticTask.Data(300, 11);
        var model = SyntheticTask.Trained(train, 12);
        var options = new EnergyAwareOptions
        {
            Recipe = SyntheticTask.Recipe, Tolerance = 0.02, FineTuneEpochs = 1, LearningRateScale = 0.2f, MinStep = 0.2,
            Sampler = new SamplerOptions(Images: 200, PositionsPerImage: 4), DensityImages = 50, Passes = 2,
        };
        var result = EnergyAwarePruning.Run(model, train, validation, options);
        Assert.Equal("conv1", result.Order[0]);
        Assert.All(result.Layers, l => Assert.True(l.DensityAfter > 0));
        Assert.All(result.Layers, l => Assert.All(l.Steps, s => Assert.True(s.Kept >= 1)));
    }

    [Fact]
    public void Small_run_respects_the_tolerance_orders_by_energy_and_refits_reduce_the_error()
    {
        var train = SyntheticTask.Data(600, 10);
        var validation = SyntheticTask.Data(300, 11);
        var model = SyntheticTask.Trained(train, 12);
        var dense = ModelSnapshot.Clone(model);
        var options = new EnergyAwareOptions
        {
            Recipe = SyntheticTask.Recipe, Tolerance = 0.02, FineTuneEpochs = 1, LearningRateScale = 0.2f, MinStep = 0.2,
            Sampler = new SamplerOptions(Images: 200, PositionsPerImage: 4), DensityImages = 50,
            CheckpointPath = Path.Combine(_dir, "ea.ckpt"), Passes = 2,
            // Batch 1: fc1's weight traffic ranks it first (fc1 > conv1 > fc2), the scenario this test checks. With the batch-8
            // default conv1 (54 weights) goes first and this easy task tolerates it at one weight, so it has nothing left to
            // prune in pass 2 (see Tiny_layers_end_at_one_weight).
            EnergyModel = BatchOne,
        };
        var result = EnergyAwarePruning.Run(model, train, validation, options);

        var energy = ModelEnergy.Estimate(dense, train.Slice(0, 50).AsTensor(), BatchOne);
        Assert.Equal(ModelEnergy.EnergyOrder(energy), result.Order);
        Assert.Equal(result.Order, result.Layers.Where(l => l.Pass == 1).Select(l => l.Name));
        Assert.Equal(3, result.Layers.Count(l => l.Pass == 2));
        Assert.True(File.Exists(options.CheckpointPath + ".pass2-reference"));
        foreach (var layer in result.Layers)
        {
            // The drop is measured from the original model's validation accuracy.
            double floor = result.ReferenceAccuracy - options.Tolerance;
            Assert.True(layer.AccuracyAfter >= Math.Min(floor, layer.AccuracyBefore) - 1e-12, $"{layer.Name}: {layer.AccuracyBefore} → {layer.AccuracyAfter}");
            // (The rule is drop ≤ tolerance, evaluated as written: reference − accuracy ≤ tolerance.)
            Assert.All(layer.Steps, s => Assert.Equal(result.ReferenceAccuracy - s.ValidationAccuracy <= options.Tolerance, s.Accepted));
            // Restoration and refit never increase the sampled output error; the refit lowers it on every layer it touches.
            Assert.All(layer.Steps, s => Assert.True(s.ErrorRestored <= s.ErrorMagnitude * (1 + 1e-9) + 1e-12, $"{layer.Name}: {s}"));
            Assert.All(layer.Steps, s => Assert.True(s.ErrorRefit <= s.ErrorRestored * (1 + 1e-9) + 1e-12, $"{layer.Name}: {s}"));
            Assert.All(layer.Steps.Where(s => s.FiltersRefit > 0), s => Assert.True(s.ErrorRefit < s.ErrorRestored, $"{layer.Name}: {s}"));
            Assert.Contains(layer.Steps, s => s.FiltersRefit > 0);
            // Unit steps come first, on every layer but the classifier, under the same tolerance; each removes units.
            var units = layer.UnitSteps ?? [];
            Assert.Equal(layer.Name == result.Order.Last(n => n == PrunableLayer.Find(model)[^1].Name), units.Count == 0);
            Assert.All(units, u => Assert.True(u.UnitsAfter < u.UnitsBefore && u.UnitsAfter >= 1));
            Assert.All(units, u => Assert.Equal(result.ReferenceAccuracy - u.ValidationAccuracy <= options.Tolerance, u.Accepted));
        }
        // A unit removed whole stays removed (restoration never grows it back): pass 2 starts with at least the dead rows of pass 1.
        Assert.Contains(result.Layers, l => l.UnitSteps?.Any(u => u.Accepted) == true);
        foreach (var layer in result.Layers.Where(l => l.Pass == 2))
            Assert.Equal(layer.DensityAfter, PrunableLayer.ByName(PrunableLayer.Find(model), layer.Name).KeptFraction, 9);
        foreach (var layer in result.Layers.Where(l => l.Pass == 1))
            Assert.Equal(layer.DensityAfter, result.Layers.Single(l => l.Pass == 2 && l.Name == layer.Name).DensityBefore, 9);
        Assert.Contains(result.Layers, l => l.DensityAfter < 0.75);
        // Masks stay fixed through the fine-tune: pruned weights are still zero.
        foreach (var l in PrunableLayer.Find(model))
            for (int i = 0; i < l.Weight.Length; i++)
                if (l.Weight.Mask!.Data[i] == 0) Assert.Equal(0f, l.Weight.Value.Data[i]);

        // Resuming a finished run reproduces it without redoing any step.
        var again = ModelSnapshot.Clone(dense);
        var resumed = EnergyAwarePruning.Run(again, train, validation, options with { Resume = true });
        Assert.Equal(result.Layers.Select(l => l.DensityAfter), resumed.Layers.Select(l => l.DensityAfter));
        Assert.Equal(result.FinalAccuracy, resumed.FinalAccuracy);
        Assert.Equal(PrunableLayer.Find(model).Select(l => l.Weight.Value.Data), PrunableLayer.Find(again).Select(l => l.Weight.Value.Data));
    }

    [Fact]
    public void Step_keeps_the_target_count_and_reports_falling_errors()
    {
        var sample = LeastSquaresRefitTests.RandomSample(31, 120, 20, 4);
        var system = LayerSystem.From(sample);
        var (w, mask) = LeastSquaresRefitTests.RandomMasked(32, 4, 20, 1.0);
        var (restored, eMag, eRes, refit) = EnergyAwarePruning.Step(system, w, mask, target: 40, restoreFraction: 0.25, new RefitOptions());
        Assert.Equal(10, restored);
        Assert.Equal(40, mask.Count(v => v != 0));
        Assert.True(eRes < eMag);
        Assert.True(refit.ErrorAfter < eRes);
        Assert.Equal(sample.Error(w), refit.ErrorAfter, refit.ErrorAfter * 1e-6);
    }

    [Fact]
    public void Invalid_options_are_rejected_by_name()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new EnergyAwareOptions { Recipe = SyntheticTask.Recipe, InitialStep = 1.5 }.Validate());
        Assert.Equal("InitialStep", e.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SamplerOptions(Images: 0).Validate());
        _ = EyerissEnergyModel.Default;
    }
}
