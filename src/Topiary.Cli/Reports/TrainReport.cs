// TrainReport: what `topiary train --json` writes — the run's settings, the final test error and loss, the per-epoch
// history, and, when the run was one rank of several, the gradient-allreduce figures rank 0 measured.
using Topiary.Training;

namespace Topiary.Cli.Reports;

/// <summary>The <c>train</c> command's JSON report.</summary>
/// <param name="Model">The zoo model trained.</param>
/// <param name="Dataset">The dataset (<c>mnist</c> or <c>fashion-mnist</c>).</param>
/// <param name="Epochs">Epochs trained.</param>
/// <param name="Seed">Seed of initialisation and shuffling.</param>
/// <param name="BatchSize">Mini-batch size (images per step, all ranks together).</param>
/// <param name="TestError">Top-1 error on the test set after the last epoch, a fraction (0.0148 = 1.48%).</param>
/// <param name="TestLoss">Mean cross-entropy loss on the test set after the last epoch (nats).</param>
/// <param name="Params">Parameters of the model.</param>
/// <param name="Seconds">Wall-clock seconds of the whole run.</param>
/// <param name="ModelFile">The model file written (<c>--out</c>); absent without <c>--out</c>.</param>
/// <param name="History">One entry per epoch: <c>epoch</c> (1-based), <c>train_loss</c> (mean over the epoch), <c>test_error</c>
/// (fraction), <c>test_loss</c>, <c>seconds</c> (the epoch's training time) and <c>images_per_second</c> (training throughput).</param>
/// <param name="Distributed">The gradient allreduce of a run with several ranks; absent for one process.</param>
public sealed record TrainReport(
    string Model,
    string Dataset,
    int Epochs,
    int Seed,
    int BatchSize,
    double TestError,
    double TestLoss,
    long Params,
    double Seconds,
    string? ModelFile,
    IReadOnlyList<EpochSummary> History,
    DistributedSummary? Distributed)
{
    /// <summary>The report of <paramref name="r"/>, saved to <paramref name="modelFile"/> (null when not saved).</summary>
    public static TrainReport Of(TrainingRunResult r, string? modelFile, DistributedSummary? distributed)
    {
        ArgumentNullException.ThrowIfNull(r);
        return new(r.Model, r.Dataset, r.Epochs, r.Seed, r.BatchSize, r.TestError, r.TestLoss, r.Params, r.Seconds, modelFile, r.History, distributed);
    }
}

/// <summary>Gradient allreduce of a distributed run, as rank 0 measured it (waiting for peers included).</summary>
/// <param name="Ranks">Processes in the job.</param>
/// <param name="Steps">Optimizer steps taken.</param>
/// <param name="AllreduceSeconds">Wall-clock seconds spent in the allreduce, all steps.</param>
/// <param name="AllreduceMsPerStep">Milliseconds of allreduce per step.</param>
/// <param name="FloatsPerStep">Gradient values summed per step.</param>
public sealed record DistributedSummary(int Ranks, long Steps, double AllreduceSeconds, double AllreduceMsPerStep, long FloatsPerStep);
