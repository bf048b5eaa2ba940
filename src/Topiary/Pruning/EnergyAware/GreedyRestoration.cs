// GreedyRestoration: after magnitude removal, grow back the pruned weights that most reduce the layer's
// output-feature-map error Σ_m ‖y_m − X·w_m‖², one at a time, across all filters of the layer.
// With g = c_m − G·w_m (LayerSystem), setting a pruned weight j of filter m to its best value
// a = g_j / G_jj (the others fixed) lowers e_m by exactly g_j² / G_jj. Each pick takes the (m, j) with the
// largest reduction, sets w_mj = a and mask_mj = 1, and updates g_m −= a·G[:, j] (O(K)). Picks stop at the
// budget or when no pruned weight reduces the error (G_jj = 0: an input that is always zero in the sample).
// Ties go to the lower filter, then the lower index. Only chosen entries of the mask change (0 → 1).
// Closed filters (e.g. units removed whole by energy-aware pruning) are never grown back.
namespace Topiary.Pruning.EnergyAware;

/// <summary>One restored weight.</summary>
/// <param name="Filter">Filter (row of the [M, K] weight).</param>
/// <param name="Index">Input index within the filter.</param>
/// <param name="Value">The value it was restored to.</param>
/// <param name="Reduction">Output error removed by restoring it (g_j² / G_jj at the time of the pick).</param>
public sealed record RestoredWeight(int Filter, int Index, double Value, double Reduction);

/// <summary>Greedy restoration of pruned weights by output-error reduction.</summary>
public static class GreedyRestoration
{
    /// <summary>
    /// Restores up to <paramref name="budget"/> pruned weights of <paramref name="weights"/> [M, K] (masked by
    /// <paramref name="mask"/>, 0/1, same shape), updating both in place.
    /// </summary>
    /// <param name="system">The layer's sampled least-squares system.</param>
    /// <param name="weights">Weights [M, K], row-major.</param>
    /// <param name="mask">Mask [M, K].</param>
    /// <param name="budget">Most weights to restore.</param>
    /// <param name="closedFilters">Filters (rows) that get nothing back; null = none.</param>
    /// <returns>The restored weights in pick order.</returns>
    /// <exception cref="ArgumentException">Spans of the wrong length.</exception>
    /// <exception cref="ArgumentOutOfRangeException">Negative budget.</exception>
    public static IReadOnlyList<RestoredWeight> Restore(LayerSystem system, Span<float> weights, Span<float> mask, int budget,
        IReadOnlySet<int>? closedFilters = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentOutOfRangeException.ThrowIfNegative(budget);
        int m = system.M, k = system.K;
        if (weights.Length != (long)m * k) throw new ArgumentException($"Need {m}x{k} weights; got {weights.Length}.", nameof(weights));
        if (mask.Length != weights.Length) throw new ArgumentException($"Need {m}x{k} mask entries; got {mask.Length}.", nameof(mask));
        var picks = new List<RestoredWeight>();
        if (budget == 0) return picks;
        var gram = system.Gram;
        // Residual correlations g_m = c_m − G·w_m for every filter.
        var g = new double[(long)m * k];
        var weightsCopy = weights.ToArray();
        Tensors.Threading.For(0, m, f =>
        {
            var gf = g.AsSpan(f * k, k);
            system.Cross.AsSpan(f * k, k).CopyTo(gf);
            var wf = weightsCopy.AsSpan(f * k, k);
            for (int j = 0; j < k; j++)
            {
                if (wf[j] == 0) continue;
                double wj = wf[j];
                var col = gram.AsSpan(j * k, k); // G symmetric: row j = column j
                for (int i = 0; i < k; i++) gf[i] -= wj * col[i];
            }
        });
        var bestIndex = new int[m];
        var bestGain = new double[m];
        var maskCopy = mask.ToArray();
        for (int f = 0; f < m; f++)
            if (closedFilters is null || !closedFilters.Contains(f)) (bestIndex[f], bestGain[f]) = Best(g.AsSpan(f * k, k), maskCopy.AsSpan(f * k, k), gram, k);
        while (picks.Count < budget)
        {
            int pf = -1;
            double gain = 0;
            for (int f = 0; f < m; f++)
                if (bestGain[f] > gain) { gain = bestGain[f]; pf = f; }
            if (pf < 0) break;
            int j = bestIndex[pf];
            var gf = g.AsSpan(pf * k, k);
            double a = gf[j] / gram[(long)j * k + j];
            weights[pf * k + j] = (float)a;
            mask[pf * k + j] = 1f;
            maskCopy[pf * k + j] = 1f;
            var col = gram.AsSpan(j * k, k);
            for (int i = 0; i < k; i++) gf[i] -= a * col[i];
            picks.Add(new RestoredWeight(pf, j, a, gain));
            (bestIndex[pf], bestGain[pf]) = Best(gf, maskCopy.AsSpan(pf * k, k), gram, k);
        }
        return picks;
    }

    /// <summary>The error reduction g_j²/G_jj of restoring each pruned weight of one filter (0 for kept weights and dead inputs).</summary>
    public static double[] Reductions(LayerSystem system, ReadOnlySpan<float> filterWeights, ReadOnlySpan<float> filterMask, int filter)
    {
        ArgumentNullException.ThrowIfNull(system);
        int k = system.K;
        if (filterWeights.Length != k || filterMask.Length != k) throw new ArgumentException($"Need {k} weights and mask entries.", nameof(filterWeights));
        var g = system.Cross.AsSpan(filter * k, k).ToArray();
        for (int j = 0; j < k; j++)
        {
            if (filterWeights[j] == 0) continue;
            for (int i = 0; i < k; i++) g[i] -= filterWeights[j] * system.Gram[(long)j * k + i];
        }
        var r = new double[k];
        for (int j = 0; j < k; j++)
        {
            double d = system.Gram[(long)j * k + j];
            if (filterMask[j] == 0 && d > 0) r[j] = g[j] * g[j] / d;
        }
        return r;
    }

    private static (int Index, double Gain) Best(ReadOnlySpan<double> g, ReadOnlySpan<float> mask, double[] gram, int k)
    {
        int best = -1;
        double gain = 0;
        for (int j = 0; j < k; j++)
        {
            if (mask[j] != 0) continue;
            double d = gram[(long)j * k + j];
            if (!(d > 0)) continue;
            double r = g[j] * g[j] / d;
            if (r > gain) { gain = r; best = j; }
        }
        return (best, gain);
    }
}
