// Cholesky, LayerSystem and LeastSquaresRefit against direct computations on small random and hand-made cases.
using Topiary.Pruning.EnergyAware;

namespace Topiary.Tests.Pruning.EnergyAware;

public class CholeskyTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(33)]
    public void Solves_random_spd_systems(int n)
    {
        var rng = new Random(n);
        var b0 = new double[n * n];
        for (int i = 0; i < b0.Length; i++) b0[i] = rng.NextDouble() - 0.5;
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double s = i == j ? n : 0;
                for (int k = 0; k < n; k++) s += b0[i * n + k] * b0[j * n + k];
                a[i * n + j] = s;
            }
        var x = Enumerable.Range(0, n).Select(i => rng.NextDouble() * 2 - 1).ToArray();
        var rhs = new double[n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) rhs[i] += a[i * n + j] * x[j];
        var l = (double[])a.Clone();
        Assert.True(Cholesky.Factor(l, n));
        Cholesky.Solve(l, n, rhs);
        for (int i = 0; i < n; i++) Assert.Equal(x[i], rhs[i], 9);
    }

    [Fact]
    public void Hand_computed_factor()
    {
        // [[4, 2], [2, 5]] = L·Lᵀ with L = [[2, 0], [1, 2]].
        double[] a = [4, 2, 2, 5];
        Assert.True(Cholesky.Factor(a, 2));
        Assert.Equal([2.0, 2, 1, 2], a);
        double[] b = [8, 12]; // A·[1, 2] = [4 + 4, 2 + 10]
        Cholesky.Solve(a, 2, b);
        Assert.Equal(1, b[0], 12);
        Assert.Equal(2, b[1], 12);
    }

    [Fact]
    public void Rejects_matrices_that_are_not_positive_definite()
    {
        double[] a = [1, 2, 2, 1];
        Assert.False(Cholesky.Factor(a, 2));
        Assert.Throws<ArgumentException>(() => Cholesky.Factor(new double[3], 2));
    }
}

public class LeastSquaresRefitTests
{
    internal static FeatureMapSample RandomSample(int seed, int rows, int k, int m, double noise = 0.3)
    {
        var rng = new Random(seed);
        var x = new float[rows * k];
        for (int i = 0; i < x.Length; i++) x[i] = rng.NextDouble() < 0.3 ? 0 : (float)(rng.NextDouble() * 2 - 1);
        var wTrue = Enumerable.Range(0, m * k).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
        var y = new double[rows * m];
        for (int r = 0; r < rows; r++)
            for (int f = 0; f < m; f++)
            {
                double s = noise * (rng.NextDouble() * 2 - 1);
                for (int j = 0; j < k; j++) s += wTrue[f * k + j] * x[r * k + j];
                y[r * m + f] = s;
            }
        return new FeatureMapSample("test", x, y, rows, k, m);
    }

    internal static (float[] W, float[] Mask) RandomMasked(int seed, int m, int k, double keep)
    {
        var rng = new Random(seed);
        var w = new float[m * k];
        var mask = new float[m * k];
        for (int i = 0; i < w.Length; i++)
        {
            mask[i] = rng.NextDouble() < keep ? 1 : 0;
            w[i] = mask[i] * (float)(rng.NextDouble() * 2 - 1);
        }
        return (w, mask);
    }

    [Fact]
    public void Layer_system_error_equals_the_direct_error()
    {
        var sample = RandomSample(1, 50, 9, 4);
        var system = LayerSystem.From(sample);
        var (w, _) = RandomMasked(2, 4, 9, 0.6);
        double direct = sample.Error(w);
        Assert.Equal(direct, system.Error(w), direct * 1e-9);
    }

    [Theory]
    [InlineData(3, 40, 7, 5, 0.5)]
    [InlineData(4, 200, 30, 6, 0.3)]
    [InlineData(5, 20, 25, 3, 0.9)] // fewer rows than inputs: rank-deficient, the ridge keeps it solvable
    [InlineData(6, 100, 12, 4, 1.0)]
    public void Refit_never_increases_any_filter_error_and_reduces_the_total(int seed, int rows, int k, int m, double keep)
    {
        var sample = RandomSample(seed, rows, k, m);
        var system = LayerSystem.From(sample);
        var (w, mask) = RandomMasked(seed + 100, m, k, keep);
        var before = Enumerable.Range(0, m).Select(f => sample.Error(Filter(w, f, k, m))).ToArray();
        var result = LeastSquaresRefit.Refit(system, w, mask);
        var after = Enumerable.Range(0, m).Select(f => sample.Error(Filter(w, f, k, m))).ToArray();
        for (int f = 0; f < m; f++) Assert.True(after[f] <= before[f] * (1 + 1e-9) + 1e-9, $"filter {f}: {before[f]} → {after[f]}");
        Assert.True(result.ErrorAfter < result.ErrorBefore, $"{result.ErrorBefore} → {result.ErrorAfter}");
        Assert.Equal(sample.Error(w), result.ErrorAfter, result.ErrorAfter * 1e-6 + 1e-9);
        for (int i = 0; i < w.Length; i++) if (mask[i] == 0) Assert.Equal(0f, w[i]);
    }

    // The weights of filter f alone (others zero), so sample.Error gives e_f.
    private static float[] Filter(float[] w, int f, int k, int m)
    {
        var only = new float[m * k];
        w.AsSpan(f * k, k).CopyTo(only.AsSpan(f * k, k));
        return only;
    }

    [Fact]
    public void Refit_matches_the_normal_equation_solution_on_a_tiny_case()
    {
        // One filter, three inputs, support {0, 2}. Solve the 2x2 normal equations by Cramer's rule from X and y.
        float[] x = [1, 2, 0, 0, 1, 1, 2, 0, 1, 1, 1, 3, 0, 2, 2];
        double[] y = [1, 2, 0.5, 4, 3];
        var sample = new FeatureMapSample("tiny", x, y, 5, 3, 1);
        double a00 = 0, a01 = 0, a11 = 0, b0 = 0, b1 = 0;
        for (int r = 0; r < 5; r++)
        {
            double u = x[r * 3], v = x[r * 3 + 2];
            a00 += u * u; a01 += u * v; a11 += v * v; b0 += u * y[r]; b1 += v * y[r];
        }
        double det = a00 * a11 - a01 * a01;
        double w0 = (b0 * a11 - a01 * b1) / det, w2 = (a00 * b1 - a01 * b0) / det;
        float[] w = [0.1f, 0f, 0.1f];
        float[] mask = [1, 0, 1];
        LeastSquaresRefit.Refit(LayerSystem.From(sample), w, mask, new RefitOptions(Ridge: 0));
        Assert.Equal(w0, w[0], 5);
        Assert.Equal(0f, w[1]);
        Assert.Equal(w2, w[2], 5);
    }

    [Fact]
    public void Filters_above_the_support_cap_are_skipped_unchanged()
    {
        var sample = RandomSample(7, 60, 10, 2);
        var (w, mask) = RandomMasked(8, 2, 10, 1.0);
        var copy = (float[])w.Clone();
        var result = LeastSquaresRefit.Refit(LayerSystem.From(sample), w, mask, new RefitOptions(MaxSupport: 5));
        Assert.Equal(2, result.Skipped);
        Assert.Equal(copy, w);
    }
}
