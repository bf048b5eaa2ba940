// MagnitudeMethod: magnitude pruning as a registered method — the groups (any granularity) of smallest norm go,
// under any schedule (one-shot, iterative, AGP; layer targets or one global sparsity). Han et al. 2015 at element
// granularity; Mao et al. 2017's vector / kernel / filter granularities.
using Topiary.Settings;

namespace Topiary.Pruning.Methods;

/// <summary>Settings of magnitude pruning.</summary>
public sealed record MagnitudeSettings
{
    /// <summary>What is removed together. Key <c>granularity</c>, default element.</summary>
    [Setting("granularity", "What is removed together: element, row (= filter: whole neurons/filters), kernel, vector, simd (aligned groups of the host SIMD width) or simd2/4/8/16.")]
    public GranularityKind Granularity { get; init; } = GranularityKind.Element;

    /// <summary>The group score. Key <c>criterion</c>, default l1.</summary>
    [Setting("criterion", "Group score: l1, l2, rms or max of the group's weights.")]
    public PruningCriterion Criterion { get; init; } = PruningCriterion.L1;
}

/// <summary>Magnitude pruning under the shared schedule.</summary>
public sealed class MagnitudeMethod(MagnitudeSettings options) : IPruningMethod
{
    /// <inheritdoc/>
    public PruningOutcome Prune(PruningContext context) =>
        MaskSchedule.Run("magnitude", new MagnitudePruner(Granularities.Of(options.Granularity), options.Criterion), context);
}
