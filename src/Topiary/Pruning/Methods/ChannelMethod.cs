// ChannelMethod: structured (channel) pruning as a registered method — whole channels ranked by a criterion are
// removed through the graph's dependency groups (residual adds, concatenations, depthwise convolutions tie
// channels together) and the layers are rebuilt smaller (ChannelPruning). Iterative rounds follow a cubic ramp to
// the target; no retrain section means pruning without data. The model changes shape: no .tpz compression after it.
using Topiary.Nn;
using Topiary.Pruning.Channels;
using Topiary.Settings;

namespace Topiary.Pruning.Methods;

/// <summary>How channel pruning ranks its groups.</summary>
public enum RankingKind
{
    /// <summary>Group-mean-normalised scores compete across all groups (<c>global</c>).</summary>
    Global,
    /// <summary>Every group loses the same fraction (<c>layer</c>).</summary>
    Layer,
}

/// <summary>Settings of channel pruning; exactly one of <see cref="MacsReduction"/> and <see cref="ChannelSparsity"/> is given.</summary>
public sealed record ChannelSettings
{
    /// <summary>How channels are ranked. Key <c>criterion</c>, default l1.</summary>
    [Setting("criterion", "How channels are ranked: l1, l2, bn-scale, taylor or random.")]
    public ChannelCriterion Criterion { get; init; } = ChannelCriterion.L1;

    /// <summary>Target: forward MACs fall by this factor. Key <c>macs_reduction</c>.</summary>
    [Setting("macs_reduction", "Target: forward MACs fall by this factor (e.g. 2).", Min = 1, Max = 1e6)]
    public double? MacsReduction { get; init; }

    /// <summary>Target: this fraction of the prunable channels goes. Key <c>channel_sparsity</c>.</summary>
    [Setting("channel_sparsity", "Target: this fraction of the prunable channels goes.", Min = 0, Max = 1, MaxExclusive = true)]
    public double? ChannelSparsity { get; init; }

    /// <summary>Kept channel counts are multiples of this. Key <c>round_to</c>.</summary>
    [Setting("round_to", "Kept channel counts are multiples of this (e.g. the SIMD width).", Min = 1, Max = 65_536)]
    public int RoundTo { get; init; } = 1;

    /// <summary>At most this fraction of any group's channels goes. Key <c>max_ratio</c>.</summary>
    [Setting("max_ratio", "At most this fraction of any group's channels goes.", Min = 0, Max = 1, MinExclusive = true, MaxExclusive = true)]
    public double MaxRatio { get; init; } = 0.9;

    /// <summary>Global or per-layer ranking. Key <c>ranking</c>.</summary>
    [Setting("ranking", "global (normalised scores compete across groups) or layer (every group loses the same fraction).")]
    public RankingKind Ranking { get; init; } = RankingKind.Global;

    /// <summary>Layers whose output channels are kept: stem, classifier, or layer names. Key <c>protect</c>.</summary>
    [Setting("protect", "Layers whose channels are kept: stem, classifier or layer names.")]
    public NameList? Protect { get; init; }

    /// <summary>L1 penalty on BatchNorm scales while fine-tuning (network slimming). Key <c>bn_penalty</c>.</summary>
    [Setting("bn_penalty", "L1 penalty on BatchNorm scales while fine-tuning (network slimming).", Min = 0, Max = 1e6)]
    public double BnPenalty { get; init; }

    /// <summary>Batches the Taylor criterion averages. Key <c>taylor_batches</c>.</summary>
    [Setting("taylor_batches", "Batches the Taylor criterion averages.", Min = 1, Max = 1_000_000)]
    public int TaylorBatches { get; init; } = 16;

    internal static void Check(ChannelSettings s, SharedSettings shared)
    {
        if (s.MacsReduction is not null && s.ChannelSparsity is not null)
            throw new SettingValueException("channel_sparsity", "give one target, 'macs_reduction' or 'channel_sparsity', not both");
        if (s.MacsReduction is null && s.ChannelSparsity is null)
            throw new SettingValueException("macs_reduction", "method channel needs a target: 'macs_reduction' (e.g. 2: half the MACs) or 'channel_sparsity' (fraction of the prunable channels removed)");
    }
}

/// <summary>Channel pruning with physical removal.</summary>
public sealed class ChannelMethod(ChannelSettings settings) : IPruningMethod
{
    /// <summary>The library options of these settings under <paramref name="schedule"/>.</summary>
    public ChannelPruningOptions Options(PruningSchedule schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        RetrainSettings? r = schedule.Retrain;
        return new ChannelPruningOptions
        {
            Criterion = settings.Criterion,
            Target = new ChannelTarget
            {
                MacsReduction = settings.MacsReduction,
                ChannelSparsity = settings.ChannelSparsity,
                Global = settings.Ranking == RankingKind.Global,
                MaxRatio = settings.MaxRatio,
                RoundTo = settings.RoundTo,
            },
            Protect = settings.Protect?.ToArray() ?? [],
            Rounds = schedule.Kind == ScheduleKind.OneShot ? 1 : schedule.Rounds,
            EpochsPerRound = r?.EpochsPerRound ?? 0,
            FinalEpochs = r?.FinalEpochs ?? 0,
            LearningRateScale = (float)(r?.LrScale ?? 0.1),
            TaylorBatches = settings.TaylorBatches,
            BnScalePenalty = (float)settings.BnPenalty,
            Seed = schedule.Seed,
            CheckpointPath = schedule.CheckpointPath,
            Resume = schedule.Resume && schedule.CheckpointPath is not null,
        };
    }

    /// <inheritdoc/>
    public void CheckPlan(Module model, string modelName, int[] inputShape, PruningSchedule schedule, bool compressing)
    {
        if (compressing)
            throw new ArgumentException("compress: channel pruning changes the layer shapes and the .tpz container holds zoo shapes only; drop 'compress' (export the pruned model to ONNX instead).");
        // Analysing the graph checks the protected names (and that the model runs on its input shape) before any training.
        ChannelDependencies.Analyse(model, inputShape, settings.Protect);
    }

    /// <inheritdoc/>
    public PruningOutcome Prune(PruningContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var c = context;
        var options = Options(c.Schedule);
        string criterion = SettingText.NameOf(options.Criterion);
        c.Messages?.Report($"channel pruning ({criterion}): {options.Rounds} round(s) x {options.EpochsPerRound} epoch(s)");
        var r = ChannelPruning.Run(c.Model, [c.InputShape], c.ModelName, options, new ChannelPruningData(c.Training, c.Train, c.Test), c.Progress, c.CancellationToken);
        return new PruningOutcome($"channel/{criterion}", r, r.Model);
    }
}
