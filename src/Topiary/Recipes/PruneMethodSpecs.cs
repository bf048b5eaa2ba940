// PruneMethodSpecs: the settings that only one pruning method of a recipe has. In YAML they are flat keys of the
// prune section (hardware, simd_width for scalpel; tolerance, passes, ... for energy-aware); the loader rejects a
// method's key under another method. Defaults follow the library's options (ScalpelSelection, EnergyAwareOptions,
// Yang2017Options for the validation split, ChannelPruningOptions for channel pruning).
using Topiary.Pruning.Channels;

namespace Topiary.Recipes;

/// <summary>Scalpel (Yu et al. 2017): the technique per layer is chosen from the target hardware's parallelism.</summary>
public sealed record ScalpelSpec
{
    /// <summary>Target hardware: <c>host</c> (SIMD-aware FC + node-pruned conv), <c>cortex-m4</c> (SIMD-aware everywhere,
    /// groups of 2) or <c>gpu</c> (node pruning only). YAML <c>hardware</c>, default host.</summary>
    public string Hardware { get; init; } = "host";

    /// <summary>SIMD group width of the SIMD-aware layers (2, 4, 8 or 16); null = the hardware's default. YAML <c>simd_width</c>.</summary>
    public int? SimdWidth { get; init; }
}

/// <summary>Energy-aware pruning (Yang et al. 2017): layers in order of estimated energy, restoration, refit, fine-tune.</summary>
public sealed record EnergyAwareSpec
{
    /// <summary>Largest validation-accuracy drop a step may leave, as a fraction in [0, 1] (0.005 = 0.5 points). YAML <c>tolerance</c>.</summary>
    public double Tolerance { get; init; } = 0.005;

    /// <summary>Passes of (all layers in energy order, then fine-tune), ≥ 1. YAML <c>passes</c>, default 1.</summary>
    public int Passes { get; init; } = 1;

    /// <summary>Global fine-tuning epochs with fixed masks after each pass, ≥ 0. YAML <c>fine_tune_epochs</c>, default 2.</summary>
    public int FineTuneEpochs { get; init; } = 2;

    /// <summary>Fine-tuning learning rate as a multiple of the training rate, &gt; 0. YAML <c>lr_scale</c>, default 0.1.</summary>
    public double LrScale { get; init; } = 0.1;

    /// <summary>Measure the drop from each layer's starting accuracy (drops add up). YAML <c>per_layer_tolerance</c>.</summary>
    public bool PerLayerTolerance { get; init; }

    /// <summary>A layer ends when its halved step fraction falls below this, in (0, 0.5]. YAML <c>min_step</c>, default 0.1.</summary>
    public double MinStep { get; init; } = 0.1;

    /// <summary>Training images held out (the last ones) as the validation set, ≥ 1. YAML <c>validation_images</c>, default 5000.</summary>
    public int ValidationImages { get; init; } = 5000;

    /// <summary>Images of the feature-map sample the refits use, ≥ 1. YAML <c>sample_images</c>, default 1000.</summary>
    public int SampleImages { get; init; } = 1000;

    /// <summary>Layers to prune; null = every weight layer. YAML <c>layers</c> (a list of names).</summary>
    public RecipeList? Layers { get; init; }
}

/// <summary>
/// Structured (channel) pruning through the graph's dependency groups, with physical removal. The schedule keys
/// (<c>schedule</c>, <c>rounds</c>, <c>retrain.epochs_per_round</c>, <c>final_epochs</c>, <c>lr_scale</c>) are the
/// prune section's own; iterative rounds follow a cubic ramp to the target.
/// </summary>
public sealed record ChannelSpec
{
    /// <summary>How channels are ranked. YAML <c>criterion</c>: l1 | l2 | bn-scale | taylor | random, default l1.</summary>
    public ChannelCriterion Criterion { get; init; } = ChannelCriterion.L1;

    /// <summary>Target: forward MACs fall by this factor (&gt; 1). YAML <c>macs_reduction</c>; exactly one target is given.</summary>
    public double? MacsReduction { get; init; }

    /// <summary>Target: this fraction of the prunable channels goes, in (0, 1). YAML <c>channel_sparsity</c>.</summary>
    public double? ChannelSparsity { get; init; }

    /// <summary>Kept channel counts are multiples of this (e.g. the SIMD width), ≥ 1. YAML <c>round_to</c>, default 1.</summary>
    public int RoundTo { get; init; } = 1;

    /// <summary>At most this fraction of any group's channels goes, in (0, 1). YAML <c>max_ratio</c>, default 0.9.</summary>
    public double MaxRatio { get; init; } = 0.9;

    /// <summary>Global or per-layer ranking. YAML <c>ranking</c>, default global.</summary>
    public RankingKind Ranking { get; init; } = RankingKind.Global;

    /// <summary>Layers whose output channels are kept: stem, classifier, or layer names. YAML <c>protect</c> (a list).</summary>
    public RecipeList? Protect { get; init; }

    /// <summary>L1 penalty on BatchNorm scales while fine-tuning (network slimming), ≥ 0. YAML <c>bn_penalty</c>, default 0.</summary>
    public double BnPenalty { get; init; }

    /// <summary>Batches the Taylor criterion averages, ≥ 1. YAML <c>taylor_batches</c>, default 16.</summary>
    public int TaylorBatches { get; init; } = 16;
}
