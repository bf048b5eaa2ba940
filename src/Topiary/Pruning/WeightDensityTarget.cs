// WeightDensityTarget: keep a fraction of a layer's WEIGHTS (not groups) — Mao et al. 2017 compare
// granularities at equal density counted in weights. Groups are kept in descending score order
// (ties: lower group index first); group g (of n_g still-unmasked weights) is kept while
//   kept + n_g / 2 ≤ density · weights,
// and the walk stops at the first group that fails. Hence |kept − density·weights| ≤ n_max / 2: the
// target is hit within one group even when groups differ in size (an FC row's short last segment).
// Groups already pruned never come back (masks only remove).
namespace Topiary.Pruning;

/// <summary>Keep the fraction <c>Density</c> ∈ [0, 1] of the layer's weights, counted in weights, within one group.</summary>
/// <remarks>Creating the target with a density outside [0, 1] throws <see cref="ArgumentOutOfRangeException"/>.</remarks>
public sealed record WeightDensityTarget(double Density) : PruningTarget
{
    /// <summary>Fraction of the layer's weights (all of them, pruned or not) that stays unmasked.</summary>
    public double Density { get; } = Guard.Fraction(Density, "Density", "density");

    /// <summary>
    /// Which groups to keep: walking <paramref name="order"/> (best first), keep group g while
    /// <c>kept + size[g]/2 ≤ density·totalWeights</c>; stop at the first that fails.
    /// </summary>
    internal bool[] SelectGroups(int[] order, int[] size, long totalWeights)
    {
        var keep = new bool[size.Length];
        double target = Density * totalWeights;
        long kept = 0;
        foreach (int g in order)
        {
            if (size[g] == 0) continue;
            if (kept + size[g] / 2.0 > target) break;
            keep[g] = true;
            kept += size[g];
        }
        return keep;
    }
}
