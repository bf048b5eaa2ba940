// RandomPruning: the random baseline (Blalock et al. 2020, "What is the state of neural network pruning?": every
// method should be compared against it) — groups of any granularity are removed in a seeded random order instead of
// by magnitude, under any schedule. A group's score is a hash of (seed, layer name, group index), so the order is
// fixed across rounds (iterative rounds remove nested sets) and the same on every machine. Only sparsity and
// density targets make sense for random scores; thresholds are refused.
using Topiary.Tensors;
using Topiary.Settings;

namespace Topiary.Pruning.Methods;

/// <summary>Settings of random pruning.</summary>
public sealed record RandomSettings
{
    /// <summary>What is removed together. Key <c>granularity</c>, default element.</summary>
    [Setting("granularity", "What is removed together: element, row (= filter: whole neurons/filters), kernel, vector, simd (aligned groups of the host SIMD width) or simd2/4/8/16.")]
    public GranularityKind Granularity { get; init; } = GranularityKind.Element;
}

/// <summary>Random pruning under the shared schedule (the schedule's seed orders the groups).</summary>
public sealed class RandomPruning(RandomSettings options) : IPruningMethod
{
    /// <inheritdoc/>
    public PruningOutcome Prune(PruningContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return MaskSchedule.Run("random", new RandomPruner(Granularities.Of(options.Granularity), context.Schedule.Seed), context);
    }
}

/// <summary>Removes groups in a seeded random order.</summary>
/// <param name="granularity">The grouping.</param>
/// <param name="seed">The seed of the order.</param>
public sealed class RandomPruner(IGranularity granularity, int seed) : ScoredPruner(granularity)
{
    /// <summary>The granularity and seed, e.g. <c>element/random-1</c>.</summary>
    public override string Name => $"{Granularity.Name}/random-{seed}";

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">A threshold target (random scores have no magnitude).</exception>
    public override Tensor ComputeMask(PrunableLayer layer, PruningTarget target)
    {
        if (target is StdThresholdTarget or ThresholdTarget)
            throw new ArgumentException($"Random pruning of '{layer?.Name}' takes sparsity targets, not thresholds ({target.GetType().Name}).", nameof(target));
        return base.ComputeMask(layer!, target);
    }

    /// <inheritdoc/>
    protected override double[] GroupScores(PrunableLayer layer, int[] groups, int count)
    {
        // FNV-1a of the name: string.GetHashCode differs between processes.
        ulong h = 14695981039346656037UL;
        foreach (char ch in layer.Name) h = (h ^ ch) * 1099511628211UL;
        var rng = new SplitMix64(h ^ ((ulong)(uint)seed * 0x9E3779B97F4A7C15UL));
        var scores = new double[count];
        for (int g = 0; g < count; g++) scores[g] = (rng.Next() >> 11) * (1.0 / (1UL << 53));
        return scores;
    }
}
