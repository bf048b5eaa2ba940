using Topiary.Data;
using Topiary.Models;
using Topiary.Nn;
using Topiary.Pruning;
using Topiary.Training;

namespace Topiary.Tests.Pruning;

[Trait("Category", "EndToEnd")]
public class IterativePruningTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("topiary-prune-").FullName;
    private static readonly ImageDataset Train = TrainingRun.Take(TrainingRun.LoadDataset("mnist", DatasetSplit.Train), 1200);
    private static readonly ImageDataset Test = TrainingRun.Take(TrainingRun.LoadDataset("mnist", DatasetSplit.Test), 500);

    public void Dispose()
    {
        Directory.Delete(_dir, recursive: true);
        GC.SuppressFinalize(this);
    }

    private IterativePruningOptions Options(string ckpt, bool resume = false) => new()
    {
        Targets = new Dictionary<string, LayerTarget> { ["fc1"] = new(Sparsity: 0.9), ["fc2"] = new(S: 0.5), ["fc3"] = new(Sparsity: 0.5) },
        Rounds = 3, EpochsPerRound = 1, Seed = 4, LearningRateScale = 1f, CheckpointPath = ckpt, Resume = resume,
    };

    private static float[] Weights(Topiary.Nn.Module m) => m.Parameters().SelectMany(p => p.Value.Data).ToArray();

    [Fact]
    public void Schedule_reaches_the_targets_and_resume_after_interruption_is_bit_identical()
    {
        var recipe = ModelZoo.Get("lenet-300-100").Recipe;
        var straight = ModelZoo.Create("lenet-300-100", 1);
        var r1 = IterativePruning.Run(straight, recipe, Train, Test, Options(Path.Combine(_dir, "a.ckpt")));
        Assert.Equal(3, r1.Rounds.Count);
        Assert.Equal(0.1, r1.Rounds[^1].KeptFraction["fc1"], 3);
        Assert.Equal(0.5, r1.Rounds[^1].KeptFraction["fc3"], 2);
        Assert.True(r1.Rounds[0].KeptFraction["fc1"] > r1.Rounds[1].KeptFraction["fc1"]);
        Assert.True(r1.Rounds[^1].RetrainedTestError < 0.5, $"error {r1.Rounds[^1].RetrainedTestError}");

        string ckpt = Path.Combine(_dir, "b.ckpt");
        using var cts = new CancellationTokenSource();
        var interrupted = ModelZoo.Create("lenet-300-100", 1);
        var stop = new SyncProgress(p => { if (p.Phase == "round 1/3") cts.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(() => IterativePruning.Run(interrupted, recipe, Train, Test, Options(ckpt), stop, cts.Token));

        var resumed = ModelZoo.Create("lenet-300-100", 1); // a fresh process: everything comes from the checkpoint
        var r2 = IterativePruning.Run(resumed, recipe, Train, Test, Options(ckpt, resume: true));
        Assert.Equal(r1.Rounds.Select(r => r.RetrainedTestError), r2.Rounds.Select(r => r.RetrainedTestError));
        Assert.Equal(Weights(straight), Weights(resumed));
        Assert.Equal(straight.Parameters().Select(p => p.Mask?.Data), resumed.Parameters().Select(p => p.Mask?.Data));
    }

    [Fact]
    public void Resume_rejects_a_checkpoint_of_another_schedule_naming_the_field()
    {
        var recipe = ModelZoo.Get("lenet-300-100").Recipe;
        string ckpt = Path.Combine(_dir, "c.ckpt");
        IterativePruning.Run(ModelZoo.Create("lenet-300-100", 1), recipe, Train, Test, Options(ckpt) with { Rounds = 1, EpochsPerRound = 0 });
        var ex = Assert.Throws<InvalidDataException>(() =>
            IterativePruning.Run(ModelZoo.Create("lenet-300-100", 1), recipe, Train, Test, Options(ckpt, resume: true) with { Rounds = 2, EpochsPerRound = 0 }));
        Assert.Contains("cannot resume: 'rounds' is 1 in the checkpoint but 2 in this run", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Frozen_layers_do_not_change_while_retraining()
    {
        var recipe = ModelZoo.Get("lenet-5").Recipe;
        var model = ModelZoo.Create("lenet-5", 2);
        var conv = PrunableLayer.Find(model).Where(l => l.Kind == LayerKind.Conv).ToArray();
        var before = conv.Select(l => l.Weight.Value.Data.ToArray()).ToArray();
        IterativePruning.Run(model, recipe, Train, Test, new IterativePruningOptions
        {
            Targets = new Dictionary<string, LayerTarget> { ["fc1"] = new(Sparsity: 0.5) }, Rounds = 1, EpochsPerRound = 1, Freeze = FreezeMode.Conv,
        });
        for (int i = 0; i < conv.Length; i++) Assert.Equal(before[i], conv[i].Weight.Value.Data);
        Assert.True(PrunableLayer.Find(model).All(l => l.Weight.RequiresGrad), "freezing is undone after the round");
    }

    [Fact]
    public void Dropout_after_a_pruned_layer_follows_hans_rule_from_the_original_rate()
    {
        var rng = new Random(3);
        var dropout = new Topiary.Nn.Dropout(0.5f, seed: 1);
        var model = new Topiary.Nn.Sequential()
            .Add("flatten", new Topiary.Nn.Flatten())
            .Add("fc1", new Topiary.Nn.Linear(784, 30, rng))
            .Add("relu", new Topiary.Nn.ReLU())
            .Add("drop", dropout)
            .Add("fc2", new Topiary.Nn.Linear(30, 10, rng));
        IterativePruning.Run(model, ModelZoo.Get("lenet-300-100").Recipe, Train, Test, new IterativePruningOptions
        {
            Targets = new Dictionary<string, LayerTarget> { ["fc1"] = new(Sparsity: 0.91) }, Rounds = 2, EpochsPerRound = 0,
        });
        Assert.Equal(0.5 * Math.Sqrt(0.09), dropout.P, 3); // D_r = D_o·sqrt(C_ir/C_io), not compounded over rounds
    }
}
