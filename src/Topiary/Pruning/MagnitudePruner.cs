// MagnitudePruner: magnitude pruning — a group's score is a norm of its current weights (PruningCriterion), so the
// groups of smallest magnitude go (Han et al. 2015 at element granularity; Mao et al. 2017's vectors, kernels and
// filters; Scalpel's SIMD groups by RMS). The scores-to-mask logic is ScoredPruner's.
namespace Topiary.Pruning;

/// <summary>Magnitude-based pruning at a given granularity and criterion.</summary>
public sealed class MagnitudePruner : ScoredPruner
{
    /// <summary>Creates a pruner.</summary>
    public MagnitudePruner(IGranularity granularity, PruningCriterion criterion = PruningCriterion.L1) : base(granularity) =>
        Criterion = criterion;

    /// <summary>Fine-grained L1 magnitude pruning (Han et al. 2015).</summary>
    public static MagnitudePruner Elementwise { get; } = new(ElementGranularity.Instance);

    /// <summary>The group score.</summary>
    public PruningCriterion Criterion { get; }

    /// <summary>The granularity and criterion, e.g. <c>element/L1</c>.</summary>
    public override string Name => $"{Granularity.Name}/{Criterion}";

    /// <inheritdoc/>
    protected override double[] GroupScores(PrunableLayer layer, int[] groups, int count) =>
        Criteria.GroupScores(Criterion, layer.Weight.Value.Span, groups, count);
}
