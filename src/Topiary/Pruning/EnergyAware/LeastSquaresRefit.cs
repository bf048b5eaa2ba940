// LeastSquaresRefit: per filter, refit the kept weights to the original outputs on the sampled inputs,
//   w_S = argmin ‖y_m − X_S·w_S‖²  ⇒  (G_SS + λ·I)·w_S = c_S,   λ = Ridge · mean(diag G_SS),
// solved by Cholesky (S = the filter's unmasked indices; pruned weights stay 0). The small relative ridge
// keeps the system positive definite when X_S is rank-deficient (e.g. inputs that are always zero). A refit
// that does not lower e_m (possible only through the ridge or round-off) is discarded, so the output error of
// every filter never increases. Filters with more than MaxSupport kept weights are skipped (a Cholesky is
// |S|³/6 multiply-adds; wide fully-connected layers at low sparsity would dominate the run time) and counted.
// Filters are independent and run in parallel; results do not depend on the thread count.
namespace Topiary.Pruning.EnergyAware;

/// <summary>Options of a least-squares refit.</summary>
/// <param name="Ridge">λ relative to the mean diagonal of G_SS.</param>
/// <param name="MaxSupport">Filters with more kept weights are left unchanged.</param>
public sealed record RefitOptions(double Ridge = 1e-4, int MaxSupport = 1024);

/// <summary>Outcome of a refit.</summary>
/// <param name="ErrorBefore">Σ_m e_m before.</param>
/// <param name="ErrorAfter">Σ_m e_m after.</param>
/// <param name="Refit">Filters whose weights were replaced.</param>
/// <param name="Kept">Filters whose refit did not lower the error (weights kept).</param>
/// <param name="Skipped">Filters not refit: empty support or more than MaxSupport kept weights.</param>
public sealed record RefitResult(double ErrorBefore, double ErrorAfter, int Refit, int Kept, int Skipped);

/// <summary>Least-squares refit of each filter's kept weights.</summary>
public static class LeastSquaresRefit
{
    /// <summary>Refits <paramref name="weights"/> [M, K] in place on the support of <paramref name="mask"/>.</summary>
    /// <exception cref="ArgumentException">Spans of the wrong length.</exception>
    /// <exception cref="ArgumentOutOfRangeException">Negative ridge or MaxSupport below 1.</exception>
    public static RefitResult Refit(LayerSystem system, Span<float> weights, ReadOnlySpan<float> mask, RefitOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        var o = options ?? new RefitOptions();
        if (!(o.Ridge >= 0)) throw new ArgumentOutOfRangeException(nameof(options), o.Ridge, "Ridge must be non-negative.");
        ArgumentOutOfRangeException.ThrowIfLessThan(o.MaxSupport, 1, nameof(options));
        int m = system.M, k = system.K;
        if (weights.Length != (long)m * k) throw new ArgumentException($"Need {m}x{k} weights; got {weights.Length}.", nameof(weights));
        if (mask.Length != weights.Length) throw new ArgumentException($"Need {m}x{k} mask entries; got {mask.Length}.", nameof(mask));
        var w = weights.ToArray();
        var mk = mask.ToArray();
        var before = new double[m];
        var after = new double[m];
        var outcome = new int[m]; // 0 refit, 1 kept, 2 skipped
        Tensors.Threading.For(0, m, f => outcome[f] = RefitFilter(system, w.AsSpan(f * k, k), mk.AsSpan(f * k, k), f, o, out before[f], out after[f]));
        w.CopyTo(weights);
        return new RefitResult(before.Sum(), after.Sum(), outcome.Count(x => x == 0), outcome.Count(x => x == 1), outcome.Count(x => x == 2));
    }

    /// <summary>Refits one filter in place; returns 0 (refit), 1 (not better, unchanged) or 2 (skipped).</summary>
    private static int RefitFilter(LayerSystem system, Span<float> w, ReadOnlySpan<float> mask, int f, RefitOptions o, out double before, out double after)
    {
        int k = system.K;
        for (int j = 0; j < k; j++) if (mask[j] == 0) w[j] = 0;
        before = system.FilterError(f, w);
        after = before;
        var support = new List<int>();
        for (int j = 0; j < k; j++) if (mask[j] != 0) support.Add(j);
        int n = support.Count;
        if (n == 0 || n > o.MaxSupport) return 2;
        var a = new double[n * n];
        var b = new double[n];
        double trace = 0;
        for (int i = 0; i < n; i++)
        {
            var row = system.Gram.AsSpan(support[i] * k, k);
            for (int j = 0; j <= i; j++) a[i * n + j] = row[support[j]];
            trace += a[i * n + i];
            b[i] = system.Cross[(long)f * k + support[i]];
        }
        double lambda = o.Ridge * Math.Max(trace / n, 1e-30);
        for (int i = 0; i < n; i++) a[i * n + i] += lambda;
        if (!Cholesky.Factor(a, n)) return 1;
        Cholesky.Solve(a, n, b);
        var candidate = w.ToArray();
        for (int i = 0; i < n; i++) candidate[support[i]] = (float)b[i];
        double e = system.FilterError(f, candidate);
        if (!(e < before)) return 1;
        candidate.CopyTo(w);
        after = e;
        return 0;
    }
}
