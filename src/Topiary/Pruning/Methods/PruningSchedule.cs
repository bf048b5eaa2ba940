// PruningSchedule: the method-independent part of a pruning run — one-shot, iterative rounds or AGP, the per-layer
// targets or one global sparsity, how to retrain between rounds, the seed and the checkpoint. Every method reads
// what it uses of it (PruningMethod.Parts says which parts a method takes); mask pruners run it through MaskSchedule.
using Topiary.Settings;

namespace Topiary.Pruning.Methods;

/// <summary>How a pruning run is scheduled, independent of the method.</summary>
public sealed record PruningSchedule
{
    /// <summary>One-shot, iterative or AGP.</summary>
    public ScheduleKind Kind { get; init; } = ScheduleKind.OneShot;

    /// <summary>Prune/retrain rounds (1 for one-shot; AGP: epochs = rounds × epochs per round).</summary>
    public int Rounds { get; init; } = 1;

    /// <summary>Targets per layer name (layers not listed are not pruned, unless <see cref="GlobalSparsity"/> is set).</summary>
    public IReadOnlyDictionary<string, LayerTarget> Targets { get; init; } = new Dictionary<string, LayerTarget>();

    /// <summary>One global threshold removing this final fraction of the weights in scope; null = per-layer targets.</summary>
    public double? GlobalSparsity { get; init; }

    /// <summary>Retraining between rounds; null = not given (mask pruners then retrain 1 epoch at 0.1×, channel pruning not at all).</summary>
    public RetrainSettings? Retrain { get; init; }

    /// <summary>Seed of every random choice.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Checkpoint written as the schedule goes, or null.</summary>
    public string? CheckpointPath { get; init; }

    /// <summary>Continue from <see cref="CheckpointPath"/> when it exists.</summary>
    public bool Resume { get; init; }

    /// <summary>The iterative prune/retrain options of this schedule with <paramref name="pruner"/> (one-shot = 1 round).</summary>
    public IterativePruningOptions Iterative(IMaskPruner pruner)
    {
        ArgumentNullException.ThrowIfNull(pruner);
        RetrainSettings r = Retrain ?? new RetrainSettings();
        return new IterativePruningOptions
        {
            Targets = Targets,
            GlobalSparsity = GlobalSparsity,
            Pruner = pruner,
            Rounds = Kind == ScheduleKind.OneShot ? 1 : Rounds,
            EpochsPerRound = r.EpochsPerRound,
            FinalEpochs = r.FinalEpochs,
            LearningRateScale = (float)r.LrScale,
            Regularization = r.Regularization,
            Freeze = r.Freeze,
            Reinitialize = r.Reinitialize,
            Sigma = r.Sigma,
            SStep = r.SStep,
            Seed = Seed,
            CheckpointPath = CheckpointPath,
            Resume = Resume,
        };
    }

    /// <summary>The AGP options of this schedule with <paramref name="pruner"/> (epochs = rounds × epochs per round).</summary>
    /// <exception cref="ArgumentException">A target that is not a sparsity.</exception>
    public AgpOptions Agp(IMaskPruner pruner)
    {
        ArgumentNullException.ThrowIfNull(pruner);
        RetrainSettings r = Retrain ?? new RetrainSettings();
        return new AgpOptions
        {
            FinalSparsity = Targets.ToDictionary(kv => kv.Key, kv => kv.Value.Sparsity
                ?? throw new ArgumentException($"AGP needs a sparsity target for layer '{kv.Key}'."), StringComparer.Ordinal),
            Epochs = Math.Max(1, Rounds * r.EpochsPerRound),
            LearningRateScale = (float)r.LrScale,
            Seed = Seed,
            Pruner = pruner,
        };
    }
}

/// <summary>Retraining between pruning rounds: the <c>prune.retrain</c> section of a recipe and <c>topiary prune</c>'s
/// retraining flags (one [Setting] per key; the initializers are the defaults).</summary>
public sealed record RetrainSettings
{
    /// <summary>Epochs per round, ≥ 0.</summary>
    [Setting("epochs_per_round", "Retraining epochs per round.", Min = 0, Max = 100_000)]
    public int EpochsPerRound { get; init; } = 1;

    /// <summary>Extra fine-tuning epochs after the last round, ≥ 0.</summary>
    [Setting("final_epochs", "Extra fine-tuning epochs after the last round.", Min = 0, Max = 100_000)]
    public int FinalEpochs { get; init; }

    /// <summary>Learning rate as a multiple of the training rate (Han et al.: about 0.1).</summary>
    [Setting("lr_scale", "Retraining learning rate as a fraction of the training recipe's.", Min = 0, MinExclusive = true, Max = 1e6)]
    public double LrScale { get; init; } = 0.1;

    /// <summary>Regulariser while retraining.</summary>
    [Setting("regularization", "Regulariser while retraining.")]
    public Regularization Regularization { get; init; } = Regularization.L2;

    /// <summary>Layers frozen while retraining.</summary>
    [Setting("freeze", "Layers frozen while retraining.")]
    public FreezeMode Freeze { get; init; } = FreezeMode.None;

    /// <summary>Re-initialise the survivors before retraining (Han et al.'s ablation).</summary>
    [Setting("reinitialize", "Re-initialise the survivors before retraining (the paper's ablation).")]
    public bool Reinitialize { get; init; }

    /// <summary>σ of threshold (s·σ) targets: the dense weights' (fixed) or the current survivors'.</summary>
    [Setting("sigma", "σ of s-targets: the dense weights' (fixed) or the current survivors'.")]
    public SigmaSource Sigma { get; init; } = SigmaSource.Dense;

    /// <summary>Raise every s by this much per round (Han's variant); 0 = fixed.</summary>
    [Setting("s_step", "Raise every s by this much per round.")]
    public double SStep { get; init; }
}

/// <summary>Pruning schedules.</summary>
public enum ScheduleKind
{
    /// <summary>Prune once (<c>one-shot</c>).</summary>
    OneShot,
    /// <summary>Prune/retrain rounds toward the target (<c>iterative</c>).</summary>
    Iterative,
    /// <summary>Automated gradual pruning, Zhu &amp; Gupta 2017 (<c>agp</c>).</summary>
    Agp,
}
