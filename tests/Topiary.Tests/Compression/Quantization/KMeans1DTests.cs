// KMeans1D: recovery of known centres, the three initialisations, the no-empty-cluster guarantee under
// adversarial data, nearest-centroid assignments, determinism and the degenerate inputs.
using Topiary.Compression.Quantization;

namespace Topiary.Tests.Compression.Quantization;

public class KMeans1DTests
{
    public static TheoryData<CentroidInit> Inits => new() { CentroidInit.Linear, CentroidInit.Density, CentroidInit.Random };

    // The invariants every result must satisfy, whatever the data.
    internal static void CheckInvariants(ReadOnlySpan<float> values, int k, KMeansResult r)
    {
        int distinct = values.ToArray().Distinct().Count();
        Assert.Equal(Math.Min(k, distinct), r.EffectiveK);
        Assert.Equal(r.EffectiveK, r.Centroids.Length);
        Assert.Equal(values.Length, r.Assignments.Length);
        for (int j = 1; j < r.Centroids.Length; j++)
            Assert.True(r.Centroids[j - 1] < r.Centroids[j], $"centroids not strictly ascending at {j}: {r.Centroids[j - 1]} >= {r.Centroids[j]}");
        var counts = new int[r.EffectiveK];
        for (int i = 0; i < values.Length; i++)
        {
            int a = r.Assignments[i];
            Assert.InRange(a, 0, r.EffectiveK - 1);
            counts[a]++;
            double own = Math.Abs((double)values[i] - r.Centroids[a]);
            for (int j = 0; j < r.Centroids.Length; j++)
            {
                double other = Math.Abs((double)values[i] - r.Centroids[j]);
                Assert.True(own <= other, $"value {values[i]} assigned to centroid {a} ({r.Centroids[a]}) but centroid {j} ({r.Centroids[j]}) is nearer");
            }
        }
        Assert.Equal(counts, r.Counts);
        Assert.All(counts, c => Assert.True(c >= 1, "empty cluster"));
    }

    private static float[] Blobs(int seed, params (float Centre, int Count)[] blobs)
    {
        var rng = new Random(seed);
        var list = new List<float>();
        foreach (var (centre, count) in blobs)
            for (int i = 0; i < count; i++) list.Add(centre + (float)(rng.NextDouble() - 0.5) * 0.2f);
        return list.OrderBy(_ => rng.Next()).ToArray();
    }

    [Theory]
    [MemberData(nameof(Inits))]
    public void Recovers_well_separated_centres(CentroidInit init)
    {
        var x = Blobs(1, (-5f, 200), (0f, 300), (7f, 100));
        var r = KMeans1D.Fit(x, 3, init, seed: 3);
        CheckInvariants(x, 3, r);
        Assert.True(r.Converged);
        float[] expected = [-5f, 0f, 7f];
        for (int j = 0; j < 3; j++) Assert.True(Math.Abs(r.Centroids[j] - expected[j]) < 0.05, $"centroid {j} = {r.Centroids[j]}, expected ~{expected[j]}");
        Assert.Equal([200, 300, 100], r.Counts);
    }

    [Fact]
    public void Linear_init_spaces_centroids_evenly_between_min_and_max()
    {
        float[] x = Enumerable.Range(0, 11).Select(i => (float)i).ToArray();
        var r = KMeans1D.Fit(x, 3, CentroidInit.Linear, maxIterations: 0);
        Assert.Equal([0f, 5f, 10f], r.Centroids);
        Assert.Equal(0, r.Iterations);
    }

    [Fact]
    public void Density_init_spaces_centroids_evenly_on_the_cdf()
    {
        // Skewed data: quantiles (j + ½)/4 of 0..99 are the values 12, 37, 62, 87 after squaring.
        float[] x = Enumerable.Range(0, 100).Select(i => (float)(i * i)).Reverse().ToArray();
        var r = KMeans1D.Fit(x, 4, CentroidInit.Density, maxIterations: 0);
        Assert.Equal([144f, 1369f, 3844f, 7569f], r.Centroids);
    }

    [Fact]
    public void Random_init_picks_distinct_data_points_from_the_seed()
    {
        var x = new float[200];
        for (int i = 0; i < x.Length; i++) x[i] = i % 50;   // 50 distinct values, each 4 times
        var a = KMeans1D.Fit(x, 10, CentroidInit.Random, seed: 7, maxIterations: 0);
        var b = KMeans1D.Fit(x, 10, CentroidInit.Random, seed: 7, maxIterations: 0);
        var c = KMeans1D.Fit(x, 10, CentroidInit.Random, seed: 8, maxIterations: 0);
        Assert.Equal(a.Centroids, b.Centroids);
        Assert.NotEqual(a.Centroids, c.Centroids);
        Assert.Equal(10, a.Centroids.Distinct().Count());
        Assert.All(a.Centroids, v => Assert.Contains(v, x));
        Assert.Equal(0, a.Reseeded);
    }

    [Fact]
    public void Linear_init_with_an_outlier_reseeds_the_empty_clusters_and_reports_it()
    {
        var x = Blobs(2, (0f, 1000)).Append(1000f).ToArray();
        var r = KMeans1D.Fit(x, 16, CentroidInit.Linear);
        CheckInvariants(x, 16, r);
        Assert.True(r.Reseeded > 0, "linear centroids in the empty gap must have been re-seeded");
        Assert.Equal(1000f, r.Centroids[^1]);
        Assert.Equal(1, r.Counts[^1]);
    }

    [Theory]
    [MemberData(nameof(Inits))]
    public void Many_duplicates_never_leave_a_cluster_empty(CentroidInit init)
    {
        // 95% of the mass on one value: density-based centroids coincide, linear ones fall in gaps.
        var x = new List<float>();
        for (int i = 0; i < 950; i++) x.Add(0.5f);
        for (int i = 0; i < 50; i++) x.Add(i * 0.37f - 3f);
        var data = x.ToArray();
        var r = KMeans1D.Fit(data, 12, init, seed: 1);
        CheckInvariants(data, 12, r);
        Assert.Equal(12, r.EffectiveK);
    }

    [Theory]
    [MemberData(nameof(Inits))]
    public void Fewer_distinct_values_than_k_reduces_k_instead_of_duplicating_centroids(CentroidInit init)
    {
        float[] x = [3f, 1f, 2f, 1f, 3f, 3f, 2f];
        var r = KMeans1D.Fit(x, 10, init);
        CheckInvariants(x, 10, r);
        Assert.Equal(3, r.EffectiveK);
        Assert.True(r.ReducedK);
        Assert.Equal([1f, 2f, 3f], r.Centroids);
        Assert.Equal([2, 0, 1, 0, 2, 2, 1], r.Assignments);
        Assert.Equal(0, r.Inertia);
    }

    [Fact]
    public void Randomised_sweep_keeps_every_invariant()
    {
        var inits = new[] { CentroidInit.Linear, CentroidInit.Density, CentroidInit.Random };
        for (int trial = 0; trial < 300; trial++)
        {
            var rng = new Random(trial);
            int n = rng.Next(1, 120);
            var x = new float[n];
            int mode = trial % 4;
            for (int i = 0; i < n; i++)
            {
                x[i] = mode switch
                {
                    0 => (float)rng.NextDouble(),
                    1 => rng.Next(0, 6) * 0.25f,                                         // heavy duplicates
                    2 => rng.Next(10) == 0 ? rng.Next(-1000, 1000) : (float)rng.NextDouble(), // outliers
                    _ => (float)Math.Round(rng.NextDouble() * 3, 1) * (rng.Next(2) * 2 - 1),
                };
            }
            int k = rng.Next(1, 25);
            var init = inits[trial % 3];
            var r = KMeans1D.Fit(x, k, init, seed: trial, maxIterations: rng.Next(0, 30));
            CheckInvariants(x, k, r);
        }
    }

    [Fact]
    public void Lloyd_steps_that_empty_a_cluster_are_repaired()
    {
        // From centroids near (-0.1, 0.05, 20), the middle cluster {0, 10} moves to 5, whose cell holds no data.
        float[] x = [-0.1f, 0f, 10f, 10.1f, -0.1f, 10.1f];
        foreach (var init in new[] { CentroidInit.Linear, CentroidInit.Density, CentroidInit.Random })
        {
            for (int k = 1; k <= 5; k++)
            {
                var r = KMeans1D.Fit(x, k, init, seed: k);
                CheckInvariants(x, k, r);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Inits))]
    public void Is_deterministic(CentroidInit init)
    {
        var x = Blobs(5, (-1f, 500), (0.3f, 400), (2f, 100));
        var a = KMeans1D.Fit(x, 7, init, seed: 11);
        var b = KMeans1D.Fit(x, 7, init, seed: 11);
        Assert.Equal(a.Centroids, b.Centroids);
        Assert.Equal(a.Assignments, b.Assignments);
        Assert.Equal(a.Iterations, b.Iterations);
        Assert.Equal(a.Reseeded, b.Reseeded);
    }

    [Fact]
    public void Empty_input_gives_no_centroids()
    {
        var r = KMeans1D.Fit([], 4);
        Assert.Empty(r.Centroids);
        Assert.Empty(r.Assignments);
        Assert.Equal(0, r.EffectiveK);
        Assert.Equal(4, r.RequestedK);
    }

    [Theory]
    [MemberData(nameof(Inits))]
    public void All_equal_values_give_one_centroid(CentroidInit init)
    {
        var x = Enumerable.Repeat(-0.75f, 33).ToArray();
        var r = KMeans1D.Fit(x, 5, init);
        CheckInvariants(x, 5, r);
        Assert.Equal([-0.75f], r.Centroids);
        Assert.All(r.Assignments, a => Assert.Equal(0, a));
    }

    [Theory]
    [MemberData(nameof(Inits))]
    public void K_of_one_is_the_mean(CentroidInit init)
    {
        float[] x = [1f, 2f, 3f, 10f];
        var r = KMeans1D.Fit(x, 1, init);
        Assert.Equal([4f], r.Centroids);
        Assert.True(r.Converged);
        Assert.Equal(9 + 4 + 1 + 36, r.Inertia, 6);
    }

    [Fact]
    public void Large_inputs_converge_within_the_tolerance()
    {
        var rng = new Random(3);
        var x = new float[200_000];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(Math.Tanh(rng.NextDouble() * 4 - 2) * 0.1);
        var r = KMeans1D.Fit(x, 255, CentroidInit.Linear);
        Assert.Equal(255, r.EffectiveK);
        Assert.All(r.Counts, c => Assert.True(c >= 1));
        Assert.True(r.Converged, $"not converged after {r.Iterations} iterations");
        // A tighter tolerance keeps lowering the error.
        var tight = KMeans1D.Fit(x, 255, CentroidInit.Linear, maxIterations: 1000, tolerance: 0);
        Assert.True(tight.Inertia <= r.Inertia * (1 + 1e-9), $"inertia {r.Inertia} → {tight.Inertia} ({tight.Iterations} iterations, converged {tight.Converged})");
    }

    [Fact]
    public void Rejects_bad_arguments()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => KMeans1D.Fit([1f], 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => KMeans1D.Fit([1f], 2, maxIterations: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => KMeans1D.Fit([1f], 2, tolerance: double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => KMeans1D.Fit([1f], 2, (CentroidInit)42));
        var e = Assert.Throws<ArgumentException>(() => KMeans1D.Fit([1f, float.NaN], 2));
        Assert.Contains("values[1]", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => KMeans1D.Fit([float.PositiveInfinity], 2));
    }
}
