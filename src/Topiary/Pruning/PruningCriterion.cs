// PruningCriterion: how important a group of weights is — the norm of the group's values.
// Scores are computed from the CURRENT values; masked weights are zero and so score lowest.
//   L1: Σ|w|    L2: sqrt(Σw²)    Rms: sqrt(Σw²/g)    Max: max|w|
// For single weights (element granularity) L1, L2, RMS and max all equal |w|.
namespace Topiary.Pruning;

/// <summary>A group-importance criterion (a norm of the group's weights).</summary>
public enum PruningCriterion
{
    /// <summary>Sum of absolute values (Mao et al.'s default group saliency).</summary>
    L1,
    /// <summary>Euclidean norm.</summary>
    L2,
    /// <summary>Root mean square (Scalpel's SIMD-group score).</summary>
    Rms,
    /// <summary>Largest absolute value.</summary>
    Max,
}

/// <summary>Group scoring for each <see cref="PruningCriterion"/>.</summary>
public static class Criteria
{
    /// <summary>Scores every group of <paramref name="weights"/>; <paramref name="groupOf"/>[i] is the group of weight i.</summary>
    /// <exception cref="ArgumentException">Lengths differ or a group index is out of range.</exception>
    public static double[] GroupScores(PruningCriterion criterion, ReadOnlySpan<float> weights, ReadOnlySpan<int> groupOf, int groupCount)
    {
        if (weights.Length != groupOf.Length)
            throw new ArgumentException($"{weights.Length} weights but {groupOf.Length} group indices.", nameof(groupOf));
        var acc = new double[groupCount];
        var size = new int[groupCount];
        for (int i = 0; i < weights.Length; i++)
        {
            int g = groupOf[i];
            if ((uint)g >= (uint)groupCount) throw new ArgumentException($"Group index {g} at {i} is outside [0, {groupCount}).", nameof(groupOf));
            double a = Math.Abs((double)weights[i]);
            switch (criterion)
            {
                case PruningCriterion.L1: acc[g] += a; break;
                case PruningCriterion.L2:
                case PruningCriterion.Rms: acc[g] += a * a; break;
                case PruningCriterion.Max: acc[g] = Math.Max(acc[g], a); break;
                default: throw new ArgumentOutOfRangeException(nameof(criterion), criterion, "Unknown criterion.");
            }
            size[g]++;
        }
        if (criterion == PruningCriterion.L2)
            for (int g = 0; g < groupCount; g++) acc[g] = Math.Sqrt(acc[g]);
        else if (criterion == PruningCriterion.Rms)
            for (int g = 0; g < groupCount; g++) acc[g] = size[g] == 0 ? 0 : Math.Sqrt(acc[g] / size[g]);
        return acc;
    }
}
