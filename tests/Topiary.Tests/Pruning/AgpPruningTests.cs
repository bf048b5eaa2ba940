using Topiary.Data;
using Topiary.Models;
using Topiary.Pruning;
using Topiary.Training;

namespace Topiary.Tests.Pruning;

[Trait("Category", "EndToEnd")]
public class AgpPruningTests
{
    [Fact]
    public void Agp_reaches_the_final_sparsity_gradually_and_keeps_training()
    {
        var train = TrainingRun.Take(TrainingRun.LoadDataset("mnist", DatasetSplit.Train), 2000);
        var test = TrainingRun.Take(TrainingRun.LoadDataset("mnist", DatasetSplit.Test), 500);
        var model = ModelZoo.Create("lenet-300-100", 3);
        var fc1 = PrunableLayer.Find(model)[0];
        var kept = new List<double>();
        var watcher = new SyncProgress(p => { if (p.Phase == "agp") kept.Add(fc1.KeptFraction); });
        var history = AgpPruning.Run(model, ModelZoo.Get("lenet-300-100").Recipe with { LearningRate = 0.1f }, train, test,
            new AgpOptions { FinalSparsity = new Dictionary<string, double> { ["fc1"] = 0.9 }, Epochs = 3, Frequency = 10, LearningRateScale = 1f },
            watcher);
        Assert.Equal(0.1, fc1.KeptFraction, 3);
        for (int i = 1; i < kept.Count; i++) Assert.True(kept[i] <= kept[i - 1], $"kept fraction rose at step {i}");
        Assert.Equal(5, kept.Distinct().Count()); // 96 steps x 0.6 ramp / every 10 steps = 5 pruning events
        Assert.True(kept[0] < 1.0);
        Assert.Equal(3, history.Count);
        Assert.True(history[^1].TestError < 0.2, $"error {history[^1].TestError}");
        Assert.Equal(1.0, PrunableLayer.Find(model)[1].KeptFraction); // layers without a target are untouched
    }
}
