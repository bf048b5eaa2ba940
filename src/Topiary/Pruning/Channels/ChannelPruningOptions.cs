// ChannelPruningOptions: everything a structured (channel) pruning run takes — criterion, target and constraints,
// protected layers, schedule (one-shot or iterative prune → fine-tune with an AGP-style cubic ramp), fine-tuning, the
// network-slimming L1 penalty on BatchNorm scales, and the checkpoint for --resume.
using Topiary.Training;

namespace Topiary.Pruning.Channels;

/// <summary>Options of <see cref="ChannelPruning.Run"/>.</summary>
public sealed record ChannelPruningOptions
{
    /// <summary>How channels are ranked.</summary>
    public ChannelCriterion Criterion { get; init; } = ChannelCriterion.L1;

    /// <summary>The target reached after the last round, and the ranking constraints.</summary>
    public ChannelTarget Target { get; init; } = new() { MacsReduction = 2 };

    /// <summary>Layers whose output channels are kept ("stem", "classifier", or layer names/prefixes).</summary>
    public IReadOnlyList<string> Protect { get; init; } = [];

    /// <summary>
    /// Latency target (µs per call, measured by the caller's function on the target runtime): prune in steps of
    /// <see cref="LatencyStep"/> fewer MACs until the measured latency is within the budget. <see cref="Target"/>'s
    /// sparsity/MACs goal is then ignored (its constraints still apply) and <see cref="Rounds"/> is an upper bound.
    /// </summary>
    public double? LatencyBudgetUs { get; init; }

    /// <summary>MAC reduction factor of each latency step (e.g. 1.1: 10% fewer MACs per step).</summary>
    public double LatencyStep { get; init; } = 1.1;

    /// <summary>Prune steps; the target is approached along a cubic ramp (1 = one-shot).</summary>
    public int Rounds { get; init; } = 1;

    /// <summary>Fine-tuning epochs after each round (0: prune without data).</summary>
    public int EpochsPerRound { get; init; }

    /// <summary>Extra fine-tuning epochs after the last round.</summary>
    public int FinalEpochs { get; init; }

    /// <summary>Fine-tuning learning rate as a fraction of the recipe's (cosine decay within each round).</summary>
    public float LearningRateScale { get; init; } = 0.1f;

    /// <summary>Batches whose gradients the Taylor criterion averages before each round.</summary>
    public int TaylorBatches { get; init; } = 16;

    /// <summary>L1 penalty on BatchNorm scales γ while fine-tuning (network slimming; 0: off).</summary>
    public float BnScalePenalty { get; init; }

    /// <summary>Seed of data order and of the random criterion.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Checkpoint written after every round (state JSON; the model beside it as PATH.model.safetensors).</summary>
    public string? CheckpointPath { get; init; }

    /// <summary>Continue from the checkpoint when it exists and matches these options.</summary>
    public bool Resume { get; init; }

    /// <summary>Throws on values out of range (the message names the option).</summary>
    /// <exception cref="ArgumentException">A value is out of range.</exception>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Target);
        if (LatencyBudgetUs is { } budget)
        {
            if (!(budget > 0 && double.IsFinite(budget))) throw new ArgumentException($"Latency budget {budget} µs must be positive.");
            if (!(LatencyStep > 1 && double.IsFinite(LatencyStep))) throw new ArgumentException($"Latency step {LatencyStep} must be a MAC factor > 1.");
            (Target with { MacsReduction = LatencyStep, ChannelSparsity = null }).Validate();
        }
        else Target.Validate();
        if (Rounds < 1) throw new ArgumentException($"Rounds {Rounds} must be ≥ 1.");
        if (EpochsPerRound < 0 || FinalEpochs < 0) throw new ArgumentException("Fine-tuning epochs must be ≥ 0.");
        if (!(LearningRateScale > 0)) throw new ArgumentException($"Learning-rate scale {LearningRateScale} must be > 0.");
        if (TaylorBatches < 1) throw new ArgumentException($"Taylor batches {TaylorBatches} must be ≥ 1.");
        if (!(BnScalePenalty >= 0)) throw new ArgumentException($"BatchNorm scale penalty {BnScalePenalty} must be ≥ 0.");
        if (Resume && CheckpointPath is null) throw new ArgumentException("Resume needs a checkpoint path.");
    }

    /// <summary>The target of round <paramref name="round"/> (1-based) relative to the model as it is then.</summary>
    internal ChannelTarget RoundTarget(int round, long denseMacs, long currentMacs, int densePrunable, int removedSoFar)
    {
        if (LatencyBudgetUs is not null) return Target with { MacsReduction = LatencyStep, ChannelSparsity = null };
        double ramp = 1 - Math.Pow(1 - (double)round / Rounds, 3);
        if (Target.MacsReduction is { } f)
        {
            double goal = denseMacs * (1 - (1 - 1 / f) * ramp);
            return Target with { MacsReduction = Math.Max(1, currentMacs / goal) };
        }
        double want = Target.ChannelSparsity!.Value * ramp * densePrunable - removedSoFar;
        int left = Math.Max(1, densePrunable - removedSoFar);
        return Target with { ChannelSparsity = Math.Clamp(want / left, 0, 0.999) };
    }

    /// <summary>The recipe the fine-tuning uses (learning rate scaled, cosine within a round).</summary>
    internal TrainingRecipe FineTuneRecipe(TrainingRecipe recipe) =>
        recipe with { LearningRate = recipe.LearningRate * LearningRateScale, Policy = LrPolicy.Cosine };
}
