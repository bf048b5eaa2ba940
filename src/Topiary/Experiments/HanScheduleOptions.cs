// HanScheduleOptions: the iterative prune/retrain schedule of Han et al. 2015 as the reproductions use it (han2015,
// deep-compression's pruning stage, and Scalpel's traditional and SIMD-aware variants): rounds, retraining epochs per
// round, final fine-tuning epochs and the retraining learning rate, with its quick mode (2 rounds of 1 epoch, 2
// reference epochs on 10k images).
using Topiary.Pruning;
using Topiary.Settings;

namespace Topiary.Experiments;

/// <summary>Options of a reproduction that prunes with Han et al.'s iterative schedule.</summary>
public abstract record HanScheduleOptions : ExperimentOptions
{
    /// <summary>Prune/retrain rounds (each removes the same proportion of the survivors).</summary>
    [Setting("rounds", "Prune/retrain rounds.", Min = 1)]
    public int Rounds { get; init; } = 10;

    /// <summary>Retraining epochs per round.</summary>
    [Setting("epochs_per_round", "Retraining epochs per round.", Min = 0)]
    public int EpochsPerRound { get; init; } = 3;

    /// <summary>Extra fine-tuning epochs after the last round.</summary>
    [Setting("final_epochs", "Extra fine-tuning epochs after the last round.", Min = 0)]
    public int FinalEpochs { get; init; } = 6;

    /// <summary>Retraining learning rate as a fraction of the recipe's base rate.</summary>
    [Setting("lr_scale", "Retraining learning rate as a fraction of the recipe's.", Min = 0, MinExclusive = true)]
    public float LearningRateScale { get; init; } = 0.5f;

    /// <summary>The schedule to <paramref name="targets"/>, checkpointed in <c>&lt;work&gt;/&lt;checkpoint&gt;.ckpt</c>.</summary>
    public IterativePruningOptions Schedule(IReadOnlyDictionary<string, LayerTarget> targets, string checkpoint) => new()
    {
        Targets = targets,
        Rounds = Rounds,
        EpochsPerRound = EpochsPerRound,
        FinalEpochs = FinalEpochs,
        LearningRateScale = LearningRateScale,
        Seed = Seed,
        CheckpointPath = Path.Combine(WorkDirectory, checkpoint + ".ckpt"),
        Resume = Resume,
    };

    /// <summary>The quick schedule: 2 reference epochs on 10k images, 2 rounds of 1 epoch, no final epochs.</summary>
    public override HanScheduleOptions Quick() =>
        this with { Rounds = 2, EpochsPerRound = 1, FinalEpochs = 0, ReferenceEpochs = 2, TrainLimit = 10_000 };
}
