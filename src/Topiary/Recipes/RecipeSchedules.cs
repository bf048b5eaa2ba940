// RecipeSchedules: the one place a recipe's prune and compress sections become the library's options —
// granularity and criterion names → MagnitudePruner, targets and retrain → IterativePruningOptions (or
// AgpOptions), energy-aware keys → EnergyAwareOptions, channel keys → ChannelPruningOptions, bits → BitsRule. `topiary prune --recipe` and
// RecipeRunner both use it, so a recipe means the same schedule in either.
using Topiary.Compression.Quantization;
using Topiary.Pruning;
using Topiary.Pruning.Channels;
using Topiary.Pruning.EnergyAware;
using Topiary.Runtime.Sparse;
using Topiary.Training;

namespace Topiary.Recipes;

/// <summary>Maps recipe sections to library options.</summary>
public static class RecipeSchedules
{
    /// <summary>The granularity a recipe names: element; row and filter (whole rows/filters); kernel; vector (Mao's
    /// 1-D kernel rows, FC rows in segments of 4); simd (aligned groups of the host's float lanes) and simd2..simd16.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An undefined enum value.</exception>
    public static IGranularity Granularity(GranularityKind kind) => kind switch
    {
        GranularityKind.Element => ElementGranularity.Instance,
        GranularityKind.Row or GranularityKind.Filter => RowGranularity.Instance,
        GranularityKind.Kernel => TrailingGranularity.Kernel,
        GranularityKind.Vector => TrailingGranularity.Vector(),
        GranularityKind.Simd => new SimdGroupGranularity(SparseWeightOptions.HostLanes),
        GranularityKind.Simd2 => new SimdGroupGranularity(2),
        GranularityKind.Simd4 => new SimdGroupGranularity(4),
        GranularityKind.Simd8 => new SimdGroupGranularity(8),
        GranularityKind.Simd16 => new SimdGroupGranularity(16),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown granularity."),
    };

    /// <summary>The library criterion of a recipe criterion.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An undefined enum value.</exception>
    public static PruningCriterion Criterion(CriterionKind kind) => kind switch
    {
        CriterionKind.L1 => PruningCriterion.L1,
        CriterionKind.L2 => PruningCriterion.L2,
        CriterionKind.Rms => PruningCriterion.Rms,
        CriterionKind.Max => PruningCriterion.Max,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown criterion."),
    };

    /// <summary>Per-layer targets: a sparsity, or Han's s (<c>threshold_std</c>).</summary>
    public static Dictionary<string, LayerTarget> Targets(PruneSpec prune)
    {
        ArgumentNullException.ThrowIfNull(prune);
        var targets = new Dictionary<string, LayerTarget>(StringComparer.Ordinal);
        foreach ((string name, TargetSpec t) in prune.Targets)
            targets[name] = t.ThresholdStd is double s ? new LayerTarget(S: s) : new LayerTarget(Sparsity: t.Sparsity);
        return targets;
    }

    /// <summary>
    /// The iterative prune/retrain schedule of <paramref name="recipe"/> (one-shot = 1 round). Without a retrain
    /// section every round retrains 1 epoch at 0.1× (the <see cref="RetrainSpec"/> defaults). For method scalpel this
    /// is the SIMD-aware stage's schedule (ScalpelPruning replaces its pruner).
    /// </summary>
    /// <param name="recipe">The recipe.</param>
    /// <param name="checkpoint">Checkpoint written after every round, or null.</param>
    /// <param name="resume">Continue from <paramref name="checkpoint"/> when it exists.</param>
    public static IterativePruningOptions Iterative(Recipe recipe, string? checkpoint, bool resume)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        PruneSpec p = recipe.Prune;
        RetrainSpec retrain = p.Retrain ?? new RetrainSpec();
        return new IterativePruningOptions
        {
            Targets = Targets(p),
            GlobalSparsity = p.Scope == ScopeKind.Global ? p.GlobalSparsity : null,
            Pruner = new MagnitudePruner(Granularity(p.Granularity), Criterion(p.Criterion)),
            Rounds = p.Schedule == ScheduleKind.OneShot ? 1 : p.Rounds,
            EpochsPerRound = retrain.EpochsPerRound,
            FinalEpochs = retrain.FinalEpochs,
            LearningRateScale = (float)retrain.LrScale,
            Regularization = retrain.Regularization == RegularizationKind.L1 ? Regularization.L1 : Regularization.L2,
            Freeze = retrain.Freeze switch { FreezeKind.Conv => FreezeMode.Conv, FreezeKind.Fc => FreezeMode.Fc, _ => FreezeMode.None },
            Reinitialize = retrain.Reinitialize,
            Seed = recipe.Seed,
            CheckpointPath = checkpoint,
            Resume = resume,
        };
    }

    /// <summary>The AGP schedule of a recipe with <c>schedule: agp</c> (epochs = rounds × epochs_per_round), else null.</summary>
    /// <exception cref="ArgumentException">A target is a threshold, not a sparsity (the loader already rejects this).</exception>
    public static AgpOptions? Agp(Recipe recipe)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        PruneSpec p = recipe.Prune;
        if (p.Schedule != ScheduleKind.Agp) return null;
        RetrainSpec retrain = p.Retrain ?? new RetrainSpec();
        return new AgpOptions
        {
            FinalSparsity = p.Targets.ToDictionary(kv => kv.Key, kv => kv.Value.Sparsity
                ?? throw new ArgumentException($"AGP needs a sparsity target for layer '{kv.Key}'.", nameof(recipe)), StringComparer.Ordinal),
            Epochs = Math.Max(1, p.Rounds * retrain.EpochsPerRound),
            LearningRateScale = (float)retrain.LrScale,
            Seed = recipe.Seed,
        };
    }

    /// <summary>The energy-aware options of a recipe with <c>method: energy-aware</c>.</summary>
    /// <param name="recipe">The recipe.</param>
    /// <param name="training">The model's training recipe (the fine-tune's batch size, optimizer and base rate).</param>
    /// <param name="checkpoint">Checkpoint written after each layer and fine-tune, or null.</param>
    /// <param name="resume">Continue from <paramref name="checkpoint"/> when it exists.</param>
    /// <exception cref="ArgumentException">The recipe's method is not energy-aware.</exception>
    public static EnergyAwareOptions EnergyAware(Recipe recipe, TrainingRecipe training, string? checkpoint, bool resume)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        ArgumentNullException.ThrowIfNull(training);
        EnergyAwareSpec ea = recipe.Prune.EnergyAware
            ?? throw new ArgumentException($"The recipe's prune method is {recipe.Prune.Method}, not energy-aware.", nameof(recipe));
        return new EnergyAwareOptions
        {
            Recipe = training,
            Tolerance = ea.Tolerance,
            PerLayerTolerance = ea.PerLayerTolerance,
            MinStep = ea.MinStep,
            Passes = ea.Passes,
            FineTuneEpochs = ea.FineTuneEpochs,
            LearningRateScale = (float)ea.LrScale,
            Sampler = new SamplerOptions(Images: ea.SampleImages, Seed: recipe.Seed),
            Layers = ea.Layers?.ToArray(),
            Seed = recipe.Seed,
            CheckpointPath = checkpoint,
            Resume = resume,
        };
    }

    /// <summary>The channel-pruning options of a recipe with <c>method: channel</c> (no <c>retrain</c>: pruning without data).</summary>
    /// <param name="recipe">The recipe.</param>
    /// <param name="checkpoint">Checkpoint written after each round, or null.</param>
    /// <param name="resume">Continue from <paramref name="checkpoint"/> when it exists.</param>
    /// <exception cref="ArgumentException">The recipe's method is not channel.</exception>
    public static ChannelPruningOptions Channel(Recipe recipe, string? checkpoint, bool resume)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        ChannelSpec ch = recipe.Prune.Channel
            ?? throw new ArgumentException($"The recipe's prune method is {recipe.Prune.Method}, not channel.", nameof(recipe));
        RetrainSpec? r = recipe.Prune.Retrain;
        return new ChannelPruningOptions
        {
            Criterion = ch.Criterion,
            Target = new ChannelTarget
            {
                MacsReduction = ch.MacsReduction,
                ChannelSparsity = ch.ChannelSparsity,
                Global = ch.Ranking == RankingKind.Global,
                MaxRatio = ch.MaxRatio,
                RoundTo = ch.RoundTo,
            },
            Protect = ch.Protect?.ToArray() ?? [],
            Rounds = recipe.Prune.Schedule == ScheduleKind.OneShot ? 1 : recipe.Prune.Rounds,
            EpochsPerRound = r?.EpochsPerRound ?? 0,
            FinalEpochs = r?.FinalEpochs ?? 0,
            LearningRateScale = (float)(r?.LrScale ?? 0.1),
            TaylorBatches = ch.TaylorBatches,
            BnScalePenalty = (float)ch.BnPenalty,
            Seed = recipe.Seed,
            CheckpointPath = checkpoint,
            Resume = resume && checkpoint is not null,
        };
    }

    /// <summary>Weight-sharing widths: the recipe's <c>compress.bits</c> over the paper's rule for <paramref name="model"/>.</summary>
    public static BitsRule WeightBits(CompressSpec compress, string model)
    {
        ArgumentNullException.ThrowIfNull(compress);
        BitsRule paper = BitsRule.Paper(model);
        return compress.Bits?.ToRule(paper) ?? paper;
    }

    /// <summary>Relative-index widths of <c>compress.index_bits</c> (unset kinds: the paper's conv 8 / fc 5), or null = the best width per layer.</summary>
    public static BitsRule? IndexBits(CompressSpec compress)
    {
        ArgumentNullException.ThrowIfNull(compress);
        return compress.IndexBits?.ToRule(BitsRule.Default);
    }
}
