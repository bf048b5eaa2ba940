// NodePruningOptions: the settings of Scalpel node pruning (NodePruning.Run): the gate (threshold, initial
// value, clamp band), the stages of rising penalty, the frozen-mask retrain, rounding and the seed.
namespace Topiary.Pruning.Node;

/// <summary>Options of <see cref="NodePruning.Run"/>. Defaults were tuned on MNIST LeNet-300-100 (see the remarks of <see cref="NodePruning"/>).</summary>
public sealed record NodePruningOptions
{
    /// <summary>
    /// Node-pruning settings per model: the defaults (tuned on LeNet-300-100: 300/100 → 149/77 units at +0.05 points)
    /// and, for LeNet-5, penalties 0.0065/0.0085 with 1.9x on conv channels — a conv gate's gradient sums over every
    /// output position, so one penalty for both kinds either blocks no channel (0.005/0.007) or collapses fc1
    /// (0.01/0.015: 15/24/26 units, +0.18 points). Measured, all three layers gated: 14/20, 23/50, 92/500 at +0.06 points.
    /// </summary>
    public static NodePruningOptions Defaults(string model) => model switch
    {
        "lenet-5" => new NodePruningOptions { Penalties = [0.0065f, 0.0085f], ConvPenaltyScale = 1.9f },
        _ => new NodePruningOptions(),
    };

    /// <summary>T: a unit is kept while its gate β &gt; T (Scalpel: 0.8).</summary>
    public float Threshold { get; init; } = 0.8f;

    /// <summary>β₀, the initial gate, just above T.</summary>
    public float InitialGate { get; init; } = 0.9f;

    /// <summary>Lower clamp of β (≤ T): how far below T a blocked unit can sink, i.e. how hard it is to bring back.</summary>
    public float GateMin { get; init; } = 0.7f;

    /// <summary>Upper clamp of β (&gt; T).</summary>
    public float GateMax { get; init; } = 1.0f;

    /// <summary>Penalty of each pruning stage, in order (rising); after every step β −= penalty·lr.</summary>
    public IReadOnlyList<float> Penalties { get; init; } = [0.002f, 0.003f];

    /// <summary>Multiplier of the penalty for conv channel gates (their straight-through gradient sums over every output
    /// position, so one penalty does not fit neurons and channels alike); default 1.</summary>
    public float ConvPenaltyScale { get; init; } = 1f;

    /// <summary>Training epochs of each penalty stage.</summary>
    public int EpochsPerStage { get; init; } = 2;

    /// <summary>Learning rate of the penalty stages (constant) = recipe learning rate × this.</summary>
    public float StageLearningRateScale { get; init; } = 0.4f;

    /// <summary>Epochs of the retrain stage with frozen masks (0 = none).</summary>
    public int RetrainEpochs { get; init; } = 6;

    /// <summary>Peak learning rate of the retrain stage (cosine to zero) = recipe learning rate × this.</summary>
    public float RetrainLearningRateScale { get; init; } = 0.2f;

    /// <summary>Keep every pruned layer's unit count a multiple of this (rounded up by reviving the blocked units with the
    /// highest β, capped at the layer's size); 1 = no rounding.</summary>
    public int RoundTo { get; init; } = 1;

    /// <summary>Dotted names of the Linear/Conv2d layers to node-prune; null = every weight layer but the last whose boundary
    /// supports removal.</summary>
    public IReadOnlyCollection<string>? Layers { get; init; }

    /// <summary>Scale every Dropout after a pruned Linear by Han's rule D_r = D_o·√(C_ir/C_io) before the retrain stage.</summary>
    public bool AdjustDropout { get; init; } = true;

    /// <summary>Seed of the data order.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Throws when a setting is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The gate band does not satisfy GateMin ≤ T &lt; InitialGate ≤ GateMax, a penalty
    /// is negative or not finite, there is no stage, or an epoch count, learning-rate scale or RoundTo is out of range.</exception>
    public void Validate()
    {
        if (!(GateMin <= Threshold && Threshold < InitialGate && InitialGate <= GateMax) || !float.IsFinite(GateMin) || !float.IsFinite(GateMax))
            throw new ArgumentOutOfRangeException(nameof(InitialGate), InitialGate,
                $"Node-pruning gates need GateMin ({GateMin}) ≤ Threshold ({Threshold}) < InitialGate ({InitialGate}) ≤ GateMax ({GateMax}).");
        if (!(ConvPenaltyScale >= 0) || float.IsInfinity(ConvPenaltyScale))
            throw new ArgumentOutOfRangeException(nameof(ConvPenaltyScale), ConvPenaltyScale, "The conv penalty scale must be a finite, non-negative number.");
        ArgumentNullException.ThrowIfNull(Penalties);
        if (Penalties.Count == 0) throw new ArgumentOutOfRangeException(nameof(Penalties), 0, "Give at least one penalty stage.");
        foreach (float p in Penalties)
            if (!(p >= 0) || float.IsInfinity(p)) throw new ArgumentOutOfRangeException(nameof(Penalties), p, "Penalties must be finite and non-negative.");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(EpochsPerStage);
        ArgumentOutOfRangeException.ThrowIfNegative(RetrainEpochs);
        if (!(StageLearningRateScale > 0) || float.IsInfinity(StageLearningRateScale))
            throw new ArgumentOutOfRangeException(nameof(StageLearningRateScale), StageLearningRateScale, "The stage learning-rate scale must be positive and finite.");
        if (!(RetrainLearningRateScale > 0) || float.IsInfinity(RetrainLearningRateScale))
            throw new ArgumentOutOfRangeException(nameof(RetrainLearningRateScale), RetrainLearningRateScale, "The retrain learning-rate scale must be positive and finite.");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(RoundTo);
    }
}
