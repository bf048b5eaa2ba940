// The schedule: rounds follow the cubic ramp to the target, fine-tuning and Taylor use the data they are given,
// checkpoints resume to the same model, mismatched checkpoints and missing data are refused with specific errors.
using Topiary.Data;
using Topiary.Nn;
using Topiary.Pruning.Channels;
using Topiary.Tests.IO;
using Topiary.Training;

namespace Topiary.Tests.Pruning.Channels;

public class ChannelPruningScheduleTests
{
    private static ImageDataset Synthetic(int count, int seed, int classes)
    {
        var rng = new Random(seed);
        var labels = Enumerable.Range(0, count).Select(i => i % classes).ToArray();
        var images = new float[count * 2 * 8 * 8];
        for (int i = 0; i < images.Length; i++) images[i] = (float)rng.NextDouble() + labels[i / 128] * 0.2f;
        return new ImageDataset("synthetic", images, labels, 2, 8, 8, classes);
    }

    private static ChannelPruningData Data(int classes) =>
        new(new TrainingRecipe { BatchSize = 16, LearningRate = 0.05f, Policy = LrPolicy.Cosine }, Synthetic(64, 1, classes), Synthetic(32, 2, classes));

    [Fact]
    public void Iterative_rounds_ramp_to_the_macs_target_and_fine_tune()
    {
        var model = ChannelTestModels.Graph(5);
        var result = ChannelPruning.Run(model, [ChannelTestModels.Input], "graph", new ChannelPruningOptions
        {
            Criterion = ChannelCriterion.Taylor,
            Target = new ChannelTarget { MacsReduction = 2 },
            Rounds = 3,
            EpochsPerRound = 1,
            TaylorBatches = 2,
        }, Data(4));
        Assert.True(result.TargetReached);
        Assert.True(result.MacsReduction >= 2, $"{result.MacsReduction:F3}x");
        Assert.Equal(3, result.Rounds.Count);
        Assert.True(result.Rounds[0].Macs > result.Rounds[1].Macs && result.Rounds[1].Macs >= result.Rounds[2].Macs);
        // The cubic ramp does most of the work in round 1: 1 − (2/3)³ = 70% of the MAC reduction.
        double firstCut = 1 - (double)result.Rounds[0].Macs / result.DenseMacs;
        Assert.InRange(firstCut, 0.30, 0.45);
        Assert.All(result.Rounds, r => Assert.NotNull(r.TestError));
        Assert.NotNull(result.DenseTestError);
        Assert.Equal(OpCounter.TotalMacs(model, ChannelTestModels.Input), result.Macs);
    }

    [Fact]
    public void Resume_continues_from_the_checkpoint_and_refuses_other_options()
    {
        using var dir = new TempDirectory();
        string ckpt = Path.Combine(dir.Path, "prune.ckpt");
        var options = new ChannelPruningOptions { Target = new ChannelTarget { ChannelSparsity = 0.5 }, Rounds = 2, CheckpointPath = ckpt };
        var first = ChannelPruning.Run(ChannelTestModels.Mobile(2), [ChannelTestModels.Input], "mobile", options);
        Assert.True(File.Exists(ckpt));
        var again = ChannelPruning.Run(ChannelTestModels.Mobile(2), [ChannelTestModels.Input], "mobile", options with { Resume = true });
        Assert.Equal(first.Macs, again.Macs);
        Assert.Equal(2, again.Rounds.Count);
        var x = ChannelTestModels.SeededInput(ChannelTestModels.Input, 2, 3);
        Assert.Equal(first.Model.Forward(x, false).Data, again.Model.Forward(x, false).Data);
        var e = Assert.Throws<InvalidDataException>(() => ChannelPruning.Run(ChannelTestModels.Mobile(2), [ChannelTestModels.Input], "mobile",
            options with { Resume = true, Target = new ChannelTarget { ChannelSparsity = 0.3 } }));
        Assert.Contains("cannot resume: 'channel_sparsity' is", e.Message, StringComparison.Ordinal);
        File.WriteAllText(ckpt, "{ not json");
        Assert.Throws<InvalidDataException>(() => ChannelPruning.Run(ChannelTestModels.Mobile(2), [ChannelTestModels.Input], "mobile", options with { Resume = true }));
    }

    [Fact]
    public void Latency_budget_prunes_in_steps_until_the_measurement_fits()
    {
        // A deterministic stand-in for a runtime: 1 µs per 1,000 MACs.
        double Measure(Module m) => OpCounter.TotalMacs(m, ChannelTestModels.Input) / 1000.0;
        var model = ChannelTestModels.Mobile(6);
        double dense = Measure(model);
        var result = ChannelPruning.Run(model, [ChannelTestModels.Input], "mobile", new ChannelPruningOptions
        {
            LatencyBudgetUs = dense / 1.5,
            Rounds = 30,
        }, latency: Measure);
        Assert.True(result.TargetReached);
        Assert.Equal(dense, result.DenseLatencyUs);
        var steps = result.Rounds;
        Assert.True(steps[^1].LatencyUs <= dense / 1.5);
        Assert.True(steps.Count < 2 || steps[^2].LatencyUs > dense / 1.5, "it kept pruning after the budget was met");
        Assert.All(steps, s => Assert.True(s.RemovedChannels > 0));
        Assert.True(steps.Count >= 4, $"{steps.Count} steps of 10% cannot reach 1.5x");
        // Unreachable budget: stops when the constraints allow nothing more.
        var tight = ChannelPruning.Run(ChannelTestModels.Mobile(6), [ChannelTestModels.Input], "mobile", new ChannelPruningOptions
        {
            LatencyBudgetUs = 1e-3,
            Rounds = 200,
            Target = new ChannelTarget { MaxRatio = 0.5 },
        }, latency: Measure);
        Assert.False(tight.TargetReached);
        Assert.True(tight.Rounds.Count < 200);
        Assert.Throws<ArgumentException>(() => ChannelPruning.Run(ChannelTestModels.Mobile(6), [ChannelTestModels.Input], "mobile",
            new ChannelPruningOptions { LatencyBudgetUs = 10 }));
    }

    [Fact]
    public void Data_free_runs_refuse_fine_tuning_and_taylor()
    {
        var e = Assert.Throws<ArgumentException>(() => ChannelPruning.Run(ChannelTestModels.Chain(1), [ChannelTestModels.Input], "chain",
            new ChannelPruningOptions { EpochsPerRound = 1 }));
        Assert.Contains("need a dataset", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => ChannelPruning.Run(ChannelTestModels.Chain(1), [ChannelTestModels.Input], "chain",
            new ChannelPruningOptions { Criterion = ChannelCriterion.Taylor }));
        Assert.Contains("Taylor", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => ChannelPruning.Run(ChannelTestModels.Chain(1), [ChannelTestModels.Input], "chain",
            new ChannelPruningOptions { Rounds = 0 }));
    }

    [Fact]
    public void Bn_scale_penalty_shrinks_scales_while_fine_tuning()
    {
        var plain = ChannelTestModels.Chain(4);
        var slim = ChannelTestModels.Chain(4);
        var o = new ChannelPruningOptions { Target = new ChannelTarget { ChannelSparsity = 0.2 }, EpochsPerRound = 2 };
        ChannelPruning.Run(plain, [ChannelTestModels.Input], "chain", o, Data(5));
        ChannelPruning.Run(slim, [ChannelTestModels.Input], "chain", o with { BnScalePenalty = 20 }, Data(5));
        double Sum(Module m) => m.NamedModules().Select(x => x.Module).OfType<BatchNorm>().Sum(b => b.Weight.Value.Data.Sum(Math.Abs));
        Assert.True(Sum(slim) < 0.6 * Sum(plain), $"Σ|γ| {Sum(slim):F3} with the penalty, {Sum(plain):F3} without");
    }
}
