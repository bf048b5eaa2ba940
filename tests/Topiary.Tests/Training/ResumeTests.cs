using Topiary.Training;

namespace Topiary.Tests.Training;

[Trait("Category", "EndToEnd")]
public class ResumeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("topiary-resume-").FullName;

    public void Dispose()
    {
        Directory.Delete(_dir, recursive: true);
        GC.SuppressFinalize(this);
    }

    private TrainingRunOptions Options(string checkpoint, bool resume = false) => new()
    {
        Model = "lenet-300-100", Epochs = 3, TrainLimit = 1500, Seed = 9, CheckpointPath = checkpoint, Resume = resume,
    };

    private static float[] Weights(TrainingRunResult r) => r.Network.Parameters().SelectMany(p => p.Value.Data).ToArray();

    [Fact]
    public void Interrupted_then_resumed_run_ends_with_bit_identical_weights()
    {
        var straight = TrainingRun.Run(Options(Path.Combine(_dir, "a.ckpt")));

        string ckpt = Path.Combine(_dir, "b.ckpt");
        using var cts = new CancellationTokenSource();
        var stopAfterEpoch1 = new SyncProgress(p => { if (p.Phase == "epoch" && p.Epoch == 1) cts.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(() => TrainingRun.Run(Options(ckpt), stopAfterEpoch1, cancellationToken: cts.Token));
        Assert.True(File.Exists(ckpt));

        var resumed = TrainingRun.Run(Options(ckpt, resume: true));
        Assert.Equal(3, resumed.History.Count);
        Assert.Equal(straight.History.Select(h => h.TestError), resumed.History.Select(h => h.TestError));
        Assert.Equal(Weights(straight), Weights(resumed));
    }

    [Fact]
    public void Resuming_with_a_different_seed_is_rejected_naming_the_field()
    {
        string ckpt = Path.Combine(_dir, "c.ckpt");
        TrainingRun.Run(Options(ckpt) with { Epochs = 1 });
        var ex = Assert.Throws<InvalidDataException>(() => TrainingRun.Run(Options(ckpt, resume: true) with { Epochs = 1, Seed = 10 }));
        Assert.Contains("'seed'", ex.Message);
        Assert.Contains(ckpt, ex.Message);
    }
}
