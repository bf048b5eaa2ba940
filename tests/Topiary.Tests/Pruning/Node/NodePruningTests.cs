// NodePruning.Run end to end on a tiny synthetic problem (2 classes from 16 "pixels", only 4 of which matter):
// the penalty drives gates below T (units become blocked and are removed), the shrunk model's error equals the
// masked model's, the run is deterministic, RoundTo and Layers are honoured, Trainer.AfterStep runs once per step,
// progress is reported per epoch, and bad options are rejected.
using Topiary.Data;
using Topiary.Nn;
using Topiary.Pruning.Node;
using Topiary.Tensors;
using Topiary.Training;

namespace Topiary.Tests.Pruning.Node;

public class NodePruningTests
{
    private static readonly TrainingRecipe Recipe = new()
    {
        BatchSize = 32, Epochs = 6, LearningRate = 0.1f, Momentum = 0.9f, WeightDecay = 5e-4f, Policy = LrPolicy.Cosine,
    };

    // Label = [x0 + x1 > x2 + x3] on 4x4 images of uniform noise.
    private static ImageDataset Data(int count, int seed)
    {
        var rng = new Random(seed);
        var images = new float[count * 16];
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            for (int j = 0; j < 16; j++) images[i * 16 + j] = (float)rng.NextDouble();
            labels[i] = images[i * 16] + images[i * 16 + 1] > images[i * 16 + 2] + images[i * 16 + 3] ? 1 : 0;
        }
        return new ImageDataset("synthetic", images, labels, 1, 4, 4, 2);
    }

    private static readonly ImageDataset Train = Data(768, 1);
    private static readonly ImageDataset Test = Data(256, 2);

    // Flatten → fc1 16→24 → ReLU → fc2 24→12 → ReLU → fc3 12→2, trained densely.
    private static Sequential TrainedModel()
    {
        var rng = new Random(3);
        var model = new Sequential()
            .Add("flatten", new Flatten())
            .Add("fc1", new Linear(16, 24, rng)).Add("relu1", new ReLU())
            .Add("fc2", new Linear(24, 12, rng)).Add("relu2", new ReLU())
            .Add("fc3", new Linear(12, 2, rng));
        var loader = new DataLoader(Train, Recipe.BatchSize, shuffle: true, seed: 4);
        var trainer = new Trainer(model, Recipe.CreateOptimizer(model), Recipe.CreateSchedule(loader.BatchesPerEpoch, Recipe.Epochs));
        for (int e = 0; e < Recipe.Epochs; e++) trainer.TrainEpoch(TrainingRun.Batches(loader, e), loader.BatchesPerEpoch, e + 1, Recipe.Epochs);
        return model;
    }

    private static readonly NodePruningOptions Options = new()
    {
        Penalties = [0.05f, 0.1f], EpochsPerStage = 2, RetrainEpochs = 2, StageLearningRateScale = 0.5f, RetrainLearningRateScale = 0.5f,
    };

    [Fact]
    public void Penalty_BlocksUnits_ShrunkModelMatchesMaskedModel_AndStillClassifies()
    {
        var model = TrainedModel();
        var reports = new List<NodePruningProgress>();
        var result = NodePruning.Run(model, Recipe, Train, Test, Options, new Collect(reports));

        Assert.True(result.ErrorBefore < 0.1, $"dense error {result.ErrorBefore}");
        var fc1 = result.Layers.Single(l => l.Layer == "fc1");
        var fc2 = result.Layers.Single(l => l.Layer == "fc2");
        Assert.Equal(24, fc1.Before);
        Assert.Equal(12, fc2.Before);
        Assert.InRange(fc1.After, 1, 23);
        Assert.InRange(fc2.After, 1, 11);
        Assert.Equal((2, 2), (result.Layers[^1].Before, result.Layers[^1].After));
        Assert.Equal([fc1.After, 16], ((Linear)model["fc1"]).Weight.Value.Shape.ToArray());
        Assert.Equal([fc2.After, fc1.After], ((Linear)model["fc2"]).Weight.Value.Shape.ToArray());
        Assert.Equal([2, fc2.After], ((Linear)model["fc3"]).Weight.Value.Shape.ToArray());
        Assert.Equal(result.ErrorMasked, result.ErrorAfter, 1e-9);
        Assert.Equal(result.ErrorAfter, TrainingRun.Evaluate(model, Test).Error, 1e-9);
        Assert.True(result.ErrorAfter < 0.15, $"pruned error {result.ErrorAfter}, {fc1.After}/{fc2.After}");
        Assert.True(result.ParametersAfter < result.ParametersBefore);
        Assert.Equal(model.ParameterCount(), result.ParametersAfter);
        Assert.DoesNotContain(model.NamedModules(), m => m.Module is NodeMask);

        // Progress: dense, every epoch of every stage, removed; the last stage report carries the final structure.
        Assert.Equal(1 + 2 * 2 + 2 + 1, reports.Count);
        Assert.Equal("dense", reports[0].Stage);
        Assert.Equal(["penalty 0.05", "penalty 0.05", "penalty 0.1", "penalty 0.1", "retrain", "retrain"], reports.Skip(1).Take(6).Select(r => r.Stage));
        Assert.Equal("removed", reports[^1].Stage);
        Assert.Equal(fc1.After, reports[^1].KeptUnits["fc1"]);
        Assert.Equal(fc2.After, reports[^2].KeptUnits["fc2"]);
        Assert.Equal(3, result.Stages.Count);
        Assert.True(result.Stages[1].KeptUnits["fc1"] <= 24);
    }

    [Fact]
    public void SameSeed_SameResult_DifferentStructureWithRoundTo()
    {
        var a = TrainedModel();
        var b = TrainedModel();
        var ra = NodePruning.Run(a, Recipe, Train, Test, Options);
        var rb = NodePruning.Run(b, Recipe, Train, Test, Options);
        Assert.Equal(ra.Layers, rb.Layers);
        Assert.Equal(ra.ErrorAfter, rb.ErrorAfter);
        foreach (var ((_, pa), (_, pb)) in a.NamedParameters().Zip(b.NamedParameters())) Assert.Equal(pa.Value.Data, pb.Value.Data);

        var c = TrainedModel();
        var rc = NodePruning.Run(c, Recipe, Train, Test, Options with { RoundTo = 8 });
        Assert.All(rc.Layers.Take(2), l => Assert.True(l.After % 8 == 0 || l.After == l.Before, $"{l.Layer}: {l.After}"));
    }

    [Fact]
    public void LayersOption_PrunesOnlyTheNamedLayer()
    {
        var model = TrainedModel();
        var result = NodePruning.Run(model, Recipe, Train, Test, Options with { Layers = ["fc2"], RetrainEpochs = 0 });
        Assert.Equal(24, result.Layers[0].After);
        Assert.True(result.Layers[1].After < 12);
        Assert.DoesNotContain(result.Stages, s => s.Name == "retrain");
    }

    [Fact]
    public void GatesOfUselessUnits_SinkBelowThreshold_UsefulUnitsStay()
    {
        // fc1 units 0..3 read the four informative pixels; units 4..11 have zero outgoing weights (useless).
        var rng = new Random(5);
        var fc1 = new Linear(16, 12, rng);
        var fc2 = new Linear(12, 2, rng);
        for (int o = 0; o < 2; o++)
            for (int u = 4; u < 12; u++) fc2.Weight.Value.Data[o * 12 + u] = 0;
        var mask = new NodeMask(12);
        var model = new Sequential(new Flatten(), fc1, new ReLU(), mask, fc2);
        var loader = new DataLoader(Train, 32, shuffle: true, seed: 6);
        var trainer = new Trainer(model, new Sgd(model.Parameters(), 0.05f, momentum: 0.9f), new ConstantLr(0.05f));
        int steps = 0;
        trainer.AfterStep = t =>
        {
            steps++;
            mask.ApplyPenalty(0.04f * t.Optimizer.LearningRate);
        };
        for (int e = 0; e < 3; e++) trainer.TrainEpoch(TrainingRun.Batches(loader, e), loader.BatchesPerEpoch, e + 1, 3);
        Assert.Equal(3 * loader.BatchesPerEpoch, steps);
        Assert.Equal(steps, trainer.Iteration);
        Assert.True(mask.BlockedCount >= 4, $"blocked {mask.BlockedCount}: β = {string.Join(", ", mask.Gate.Value.Data)}");
        Assert.True(mask.KeptCount >= 1);
        Assert.All(mask.Gate.Value.Data, b => Assert.InRange(b, mask.GateMin, mask.GateMax));
        double error = TrainingRun.Evaluate(model, Test).Error;
        Assert.True(error < 0.2, $"error {error}, kept {mask.KeptCount}: β = {string.Join(", ", mask.Gate.Value.Data)}");
    }

    [Fact]
    public void Dropout_IsScaledByKeptConnections_BeforeRetraining()
    {
        var rng = new Random(7);
        var d1 = new Dropout(0.5f, seed: 1);
        var d2 = new Dropout(0.4f, seed: 2);
        var model = new Sequential()
            .Add("flatten", new Flatten())
            .Add("fc1", new Linear(16, 24, rng)).Add("relu1", new ReLU()).Add("drop1", d1)
            .Add("fc2", new Linear(24, 12, rng)).Add("relu2", new ReLU()).Add("drop2", d2)
            .Add("fc3", new Linear(12, 2, rng));
        var result = NodePruning.Run(model, Recipe, Train, Test, Options with { Penalties = [0.2f], RetrainEpochs = 1 });
        double k1 = result.Layers[0].KeptFraction, k2 = result.Layers[1].KeptFraction;
        Assert.True(k1 < 1 || k2 < 1, "the test needs some pruning");
        Assert.Equal(0.5 * Math.Sqrt(k1), d1.P, 5);            // fc1: 16 inputs all kept
        Assert.Equal(0.4 * Math.Sqrt(k2 * k1), d2.P, 5);       // fc2: kept outputs × kept inputs
        Assert.Equal(["drop1", "drop2"], result.DropoutChanges.Select(c => c.Dropout));
    }

    [Fact]
    public void BadArguments_AreRejected()
    {
        var model = TrainedModel();
        Assert.Throws<ArgumentOutOfRangeException>(() => NodePruning.Run(model, Recipe, Train, Test, Options with { Penalties = [] }));
        Assert.Throws<ArgumentOutOfRangeException>(() => NodePruning.Run(model, Recipe, Train, Test, Options with { Penalties = [-1f] }));
        Assert.Throws<ArgumentOutOfRangeException>(() => NodePruning.Run(model, Recipe, Train, Test, Options with { InitialGate = 0.8f }));
        Assert.Throws<ArgumentOutOfRangeException>(() => NodePruning.Run(model, Recipe, Train, Test, Options with { GateMin = 0.85f }));
        Assert.Throws<ArgumentOutOfRangeException>(() => NodePruning.Run(model, Recipe, Train, Test, Options with { RoundTo = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => NodePruning.Run(model, Recipe, Train, Test, Options with { ConvPenaltyScale = -1f }));
        Assert.Throws<ArgumentOutOfRangeException>(() => NodePruning.Run(model, Recipe, Train, Test, Options with { EpochsPerStage = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => NodePruning.Run(model, Recipe, Train, Test, Options with { StageLearningRateScale = 0 }));
        Assert.Throws<ArgumentException>(() => NodePruning.Run(model, Recipe, Train, Test, Options with { Layers = ["fc3"] }));
        Assert.Throws<ArgumentException>(() => NodePruning.Run(new Linear(16, 2, new Random(1)), Recipe, Train, Test, Options));
        Assert.Throws<ArgumentException>(() => NodePruning.Run(new Sequential(new Flatten(), new Linear(16, 2, new Random(1))), Recipe, Train, Test, Options));
        Assert.Equal(24, ((Linear)model["fc1"]).OutFeatures);
    }

    private sealed class Collect(List<NodePruningProgress> list) : IProgress<NodePruningProgress>
    {
        public void Report(NodePruningProgress value) => list.Add(value);
    }
}
