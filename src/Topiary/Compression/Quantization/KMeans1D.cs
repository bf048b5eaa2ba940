// KMeans1D: Lloyd's algorithm on scalar data (Deep Compression's weight sharing, Han, Mao, Dally 2016 §3).
// Contract:
//   - The data is sorted once (O(n log n)); a 1-D Voronoi cell is an interval, so each cluster is a
//     contiguous run of the sorted data and an assignment is K−1 boundaries, found by binary search at
//     the midpoints (c_j + c_{j+1})/2 (O(K log n) per iteration). A value exactly on a midpoint goes to
//     the lower centroid; equal values always share a cluster.
//   - Means come from prefix sums (O(K) per update) and are clamped into their run, so centroids stay
//     strictly ascending.
//   - No silent empty clusters: an emptied cluster is dropped and the cluster with the largest squared
//     error (among those holding ≥ 2 distinct values) is split at its median; each such re-seed is counted
//     in Reseeded. Re-seeding strictly lowers the squared error, so it cannot cycle.
//   - Fewer distinct values d than k: k is reduced to d (EffectiveK) and each distinct value is a centroid.
//   - Deterministic: the only randomness (Forgy init) is a SplitMix64 stream fixed by the seed.
//   - n = 0 gives no centroids (EffectiveK 0); non-finite values throw ArgumentException.
namespace Topiary.Compression.Quantization;

/// <summary>One-dimensional k-means (Lloyd's algorithm on sorted data).</summary>
public static class KMeans1D
{
    // Repair passes after the iteration budget before giving up; unreachable in exact arithmetic (each pass
    // strictly lowers the squared error over a finite set of partitions), a guard against rounding only.
    private const int MaxRepairPasses = 10_000;

    /// <summary>
    /// Clusters <paramref name="values"/> into at most <paramref name="k"/> centroids minimising
    /// <c>Σ_i (x_i − c_{a(i)})²</c>.
    /// </summary>
    /// <param name="values">The data (any order; not modified).</param>
    /// <param name="k">Requested number of clusters (≥ 1); reduced to the number of distinct values when larger.</param>
    /// <param name="init">Initial centroid placement.</param>
    /// <param name="seed">Seed of the <see cref="CentroidInit.Random"/> initialisation (ignored by the others).</param>
    /// <param name="maxIterations">Upper bound on Lloyd iterations (≥ 0). Each costs O(k log n), so the default is generous:
    /// 1-D Lloyd creeps, e.g. 255 centroids over 200k smooth values reach the exact fixed point after ~330 iterations.</param>
    /// <param name="tolerance">Stop when no centroid moves more than <c>tolerance·(max − min)</c> in one iteration (≥ 0; 0 = run to the
    /// exact fixed point); the loop always stops once the assignment is unchanged. Per-iteration moves are small while
    /// the total drift is not, so loose tolerances (≥ 1e-4) stop early with a visibly larger error.</param>
    /// <returns>Ascending centroids, per-value assignments and diagnostics; see <see cref="KMeansResult"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> &lt; 1, negative <paramref name="maxIterations"/>, a negative or NaN <paramref name="tolerance"/>, or an unknown <paramref name="init"/>.</exception>
    /// <exception cref="ArgumentException">A value is NaN or infinite (the message names its index).</exception>
    public static KMeansResult Fit(ReadOnlySpan<float> values, int k, CentroidInit init = CentroidInit.Linear, int seed = 0,
        int maxIterations = 1000, double tolerance = 1e-6)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(maxIterations);
        if (!(tolerance >= 0)) throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, "Tolerance must be non-negative.");
        if (!Enum.IsDefined(init)) throw new ArgumentOutOfRangeException(nameof(init), init, "Unknown centroid initialisation.");
        for (int i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
                throw new ArgumentException($"values[{i}] is {values[i]}; k-means needs finite values.", nameof(values));
        }

        int n = values.Length;
        if (n == 0) return new KMeansResult([], [], [], k, 0, 0, true, 0, 0);

        float[] x = values.ToArray();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Array.Sort(x, order);

        int distinct = 1;
        for (int i = 1; i < n; i++) if (x[i] != x[i - 1]) distinct++;
        int K = Math.Min(k, distinct);
        var c = new float[K];
        var starts = new int[K + 1];   // cluster j is the sorted run [starts[j], starts[j+1])
        int iterations = 0, reseeded = 0;
        bool converged = true;

        if (distinct <= k)
        {
            // Every distinct value is its own centroid: the exact optimum (zero error), no iteration needed.
            for (int i = 0, j = 0; i < n; i++)
            {
                if (i > 0 && x[i] == x[i - 1]) continue;
                starts[j] = i;
                c[j++] = x[i];
            }
            starts[K] = n;
        }
        else
        {
            var sums = new PrefixSums(x);
            Initialise(x, c, init, seed, distinct);
            starts[K] = n;
            Assign(x, c, starts);
            reseeded += Repair(x, sums, c, starts);
            double limit = tolerance * ((double)x[n - 1] - x[0]);
            converged = false;
            while (iterations < maxIterations)
            {
                iterations++;
                double shift = UpdateMeans(sums, x, c, starts);
                bool changed = Assign(x, c, starts);
                int repaired = Repair(x, sums, c, starts);
                reseeded += repaired;
                if (repaired == 0 && (!changed || shift <= limit))
                {
                    converged = true;
                    break;
                }
            }
            // Out of iterations right after a re-seed: the centroids are means of the repaired runs but the
            // runs are not yet their Voronoi cells. Reassign until that holds with no empty cluster.
            for (int pass = 0; !converged; pass++)
            {
                if (pass == MaxRepairPasses)
                    throw new InvalidOperationException($"k-means (k = {K}, n = {n}) could not reach an assignment without empty clusters after {MaxRepairPasses} re-seeding passes.");
                Assign(x, c, starts);
                int repaired = Repair(x, sums, c, starts);
                reseeded += repaired;
                if (repaired == 0) break;
            }
        }

        var assignments = new int[n];
        var counts = new int[K];
        double inertia = 0;
        for (int j = 0; j < K; j++)
        {
            counts[j] = starts[j + 1] - starts[j];
            for (int i = starts[j]; i < starts[j + 1]; i++)
            {
                assignments[order[i]] = j;
                double d = (double)x[i] - c[j];
                inertia += d * d;
            }
        }
        return new KMeansResult(c, assignments, counts, k, K, iterations, converged, reseeded, inertia);
    }

    // Initial centroids, non-decreasing (duplicates are allowed: the empty cells they cause are re-seeded).
    private static void Initialise(float[] x, float[] c, CentroidInit init, int seed, int distinct)
    {
        int n = x.Length, K = c.Length;
        double min = x[0], max = x[n - 1];
        switch (init)
        {
            case CentroidInit.Linear:
                if (K == 1) c[0] = (float)((min + max) / 2);
                else for (int j = 0; j < K; j++) c[j] = (float)(min + (max - min) * j / (K - 1));
                break;
            case CentroidInit.Density:
                for (int j = 0; j < K; j++) c[j] = x[Math.Min(n - 1, (int)((j + 0.5) * n / K))];
                break;
            case CentroidInit.Random:
                Forgy(x, c, seed, distinct);
                break;
        }
        // Rounding to float can break monotonicity by an ulp in the linear case; keep the invariant explicit.
        for (int j = 1; j < K; j++) if (c[j] < c[j - 1]) c[j] = c[j - 1];
    }

    // Forgy: walk a seeded Fisher-Yates shuffle of the (sorted) points, keeping the first K distinct values.
    private static void Forgy(float[] x, float[] c, int seed, int distinct)
    {
        int n = x.Length, K = c.Length;
        var rank = new int[n];   // distinct-value rank of each sorted point
        for (int i = 1; i < n; i++) rank[i] = rank[i - 1] + (x[i] != x[i - 1] ? 1 : 0);
        var taken = new bool[distinct];
        var perm = new int[n];
        for (int i = 0; i < n; i++) perm[i] = i;
        var rng = new SplitMix64(((ulong)(uint)seed << 32) ^ 0xC0DEB00C5EEDUL);
        int found = 0;
        for (int i = 0; i < n && found < K; i++)
        {
            int j = i + (int)rng.NextBelow((uint)(n - i));
            (perm[i], perm[j]) = (perm[j], perm[i]);
            int p = perm[i];
            if (taken[rank[p]]) continue;
            taken[rank[p]] = true;
            c[found++] = x[p];
        }
        Array.Sort(c);
    }

    // Nearest-centroid assignment of sorted data to non-decreasing centroids: run j ends at the last value
    // <= (c_j + c_{j+1})/2 (ties to the lower centroid). Returns whether any boundary moved.
    private static bool Assign(float[] x, float[] c, int[] starts)
    {
        bool changed = false;
        int K = c.Length;
        starts[0] = 0;
        for (int j = 0; j < K - 1; j++)
        {
            double mid = ((double)c[j] + c[j + 1]) * 0.5;
            int s = UpperBound(x, starts[j], mid);
            if (s != starts[j + 1]) changed = true;
            starts[j + 1] = s;
        }
        return changed;
    }

    // First index i >= from with x[i] > value (x ascending).
    private static int UpperBound(float[] x, int from, double value)
    {
        int lo = from, hi = x.Length;
        while (lo < hi)
        {
            int m = lo + ((hi - lo) >> 1);
            if (x[m] <= value) lo = m + 1;
            else hi = m;
        }
        return lo;
    }

    // c_j = mean of run j (runs are non-empty here); returns the largest move.
    private static double UpdateMeans(PrefixSums sums, float[] x, float[] c, int[] starts)
    {
        double shift = 0;
        for (int j = 0; j < c.Length; j++)
        {
            float m = sums.Mean(x, starts[j], starts[j + 1]);
            shift = Math.Max(shift, Math.Abs((double)m - c[j]));
            c[j] = m;
        }
        return shift;
    }

    // Replaces every empty run by splitting the run with the largest squared error at its median, then sets
    // every centroid to its run's mean. Returns the number of re-seeded clusters.
    private static int Repair(float[] x, PrefixSums sums, float[] c, int[] starts)
    {
        int K = c.Length;
        var runs = new List<(int Start, int End)>(K);
        for (int j = 0; j < K; j++) if (starts[j + 1] > starts[j]) runs.Add((starts[j], starts[j + 1]));
        int missing = K - runs.Count;
        if (missing == 0) return 0;

        while (runs.Count < K)
        {
            int best = -1;
            double bestError = -1;
            for (int r = 0; r < runs.Count; r++)
            {
                var (s, e) = runs[r];
                if (x[s] == x[e - 1]) continue;   // a single distinct value cannot be split
                double error = sums.SquaredError(s, e);
                if (error > bestError) { bestError = error; best = r; }
            }
            // Unreachable: fewer than K runs cover at least K distinct values, so one holds two of them.
            if (best < 0) throw new InvalidOperationException("k-means re-seeding found no cluster to split.");
            var (start, end) = runs[best];
            int split = MedianBoundary(x, start, end);
            runs[best] = (start, split);
            runs.Insert(best + 1, (split, end));
        }
        for (int j = 0; j < K; j++)
        {
            starts[j] = runs[j].Start;
            c[j] = sums.Mean(x, runs[j].Start, runs[j].End);
        }
        starts[K] = runs[K - 1].End;
        return missing;
    }

    // The value boundary p (start < p < end, x[p−1] < x[p]) closest to the run's median index; lower on ties.
    private static int MedianBoundary(float[] x, int start, int end)
    {
        int median = start + (end - start) / 2;
        int up = Math.Max(median, start + 1);
        while (up < end && x[up - 1] == x[up]) up++;
        int down = Math.Min(median, end - 1);
        while (down > start && x[down - 1] == x[down]) down--;
        bool upOk = up < end, downOk = down > start;
        if (upOk && downOk) return median - down <= up - median ? down : up;
        return downOk ? down : up;
    }

    // Prefix sums of (x − μ) and (x − μ)² (centred on the global mean to limit cancellation).
    private sealed class PrefixSums
    {
        private readonly double _offset;
        private readonly double[] _s1, _s2;

        public PrefixSums(float[] x)
        {
            int n = x.Length;
            double total = 0;
            foreach (float v in x) total += v;
            _offset = total / n;
            _s1 = new double[n + 1];
            _s2 = new double[n + 1];
            for (int i = 0; i < n; i++)
            {
                double d = x[i] - _offset;
                _s1[i + 1] = _s1[i] + d;
                _s2[i + 1] = _s2[i] + d * d;
            }
        }

        // Mean of x[start..end) rounded to float and clamped into [x[start], x[end−1]] (keeps centroids ordered).
        public float Mean(float[] x, int start, int end)
        {
            double mean = _offset + (_s1[end] - _s1[start]) / (end - start);
            float m = (float)mean;
            return Math.Clamp(m, x[start], x[end - 1]);
        }

        public double SquaredError(int start, int end)
        {
            double s1 = _s1[end] - _s1[start];
            return Math.Max(0, _s2[end] - _s2[start] - s1 * s1 / (end - start));
        }
    }
}
