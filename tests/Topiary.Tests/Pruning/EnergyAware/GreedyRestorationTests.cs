// GreedyRestoration: the pick is the largest error reduction (hand-checked, and against a brute-force 1-D
// least squares over every candidate), the error drops by the reported amount, and masks grow only where chosen.
using Topiary.Pruning.EnergyAware;

namespace Topiary.Tests.Pruning.EnergyAware;

public class GreedyRestorationTests
{
    [Fact]
    public void Hand_checked_tiny_case_restores_the_weight_with_the_largest_reduction()
    {
        // X = diag(1, 2, 1) (3 rows, 3 inputs), y = (3, 1, 0.5): G = diag(1, 4, 1), c = (3, 2, 0.5).
        // All weights pruned: reductions c_j²/G_jj = 9, 1, 0.25 → restore input 0 with value 3 (error 10.25 → 1.25).
        float[] x = [1, 0, 0, 0, 2, 0, 0, 0, 1];
        double[] y = [3, 1, 0.5];
        var system = LayerSystem.From(new FeatureMapSample("tiny", x, y, 3, 3, 1));
        var w = new float[3];
        var mask = new float[3];
        var picks = GreedyRestoration.Restore(system, w, mask, budget: 1);
        var p = Assert.Single(picks);
        Assert.Equal((0, 0), (p.Filter, p.Index));
        Assert.Equal(3, p.Value, 9);
        Assert.Equal(9, p.Reduction, 9);
        Assert.Equal([3f, 0f, 0f], w);
        Assert.Equal([1f, 0f, 0f], mask);
        Assert.Equal(1.25, system.Error(w), 9);

        // Budget 2: then input 1 with value c_1/G_11 = 0.5 (reduction 1).
        w = new float[3];
        mask = new float[3];
        picks = GreedyRestoration.Restore(system, w, mask, budget: 2);
        Assert.Equal([0, 1], picks.Select(q => q.Index));
        Assert.Equal(0.5f, w[1]);
    }

    [Fact]
    public void Every_pick_is_the_best_single_restoration_by_brute_force()
    {
        var sample = LeastSquaresRefitTests.RandomSample(11, 40, 8, 3);
        var system = LayerSystem.From(sample);
        var (w, mask) = LeastSquaresRefitTests.RandomMasked(12, 3, 8, 0.4);
        for (int step = 0; step < 5; step++)
        {
            // Brute force: for every pruned (f, j), the 1-D least squares a* and the error it leaves.
            double before = sample.Error(w), bestDrop = 0;
            (int F, int J) best = (-1, -1);
            for (int i = 0; i < w.Length; i++)
            {
                if (mask[i] != 0) continue;
                double lo = double.MaxValue;
                foreach (double a in LineSearchCandidates(sample, w, i))
                {
                    var t = (float[])w.Clone();
                    t[i] = (float)a;
                    lo = Math.Min(lo, sample.Error(t));
                }
                if (before - lo > bestDrop + 1e-9) { bestDrop = before - lo; best = (i / 8, i % 8); }
            }
            var maskBefore = (float[])mask.Clone();
            var pick = Assert.Single(GreedyRestoration.Restore(system, w, mask, budget: 1));
            Assert.Equal(best, (pick.Filter, pick.Index));
            Assert.Equal(bestDrop, pick.Reduction, bestDrop * 1e-4);
            Assert.Equal(before - bestDrop, sample.Error(w), before * 1e-5);
            // The mask grew exactly at the pick.
            for (int i = 0; i < mask.Length; i++)
                Assert.Equal(i == pick.Filter * 8 + pick.Index ? 1f : maskBefore[i], mask[i]);
        }
    }

    // The exact 1-D minimiser along coordinate i: a = xᵢᵀ(y − Xw) / ‖xᵢ‖² per filter (computed directly).
    private static IEnumerable<double> LineSearchCandidates(FeatureMapSample s, float[] w, int i)
    {
        int f = i / s.K, j = i % s.K;
        double num = 0, den = 0;
        for (int r = 0; r < s.Rows; r++)
        {
            double pred = 0;
            for (int q = 0; q < s.K; q++) pred += w[f * s.K + q] * s.X[r * s.K + q];
            double xj = s.X[r * s.K + j];
            num += xj * (s.Y[r * s.M + f] - pred);
            den += xj * xj;
        }
        yield return den > 0 ? num / den : 0;
    }

    [Fact]
    public void Masks_only_grow_where_chosen_and_never_beyond_the_budget()
    {
        var sample = LeastSquaresRefitTests.RandomSample(21, 80, 16, 5);
        var system = LayerSystem.From(sample);
        var (w, mask) = LeastSquaresRefitTests.RandomMasked(22, 5, 16, 0.3);
        var before = (float[])mask.Clone();
        var wBefore = (float[])w.Clone();
        var picks = GreedyRestoration.Restore(system, w, mask, budget: 7);
        Assert.Equal(7, picks.Count);
        var chosen = picks.Select(p => p.Filter * 16 + p.Index).ToHashSet();
        Assert.Equal(7, chosen.Count);
        for (int i = 0; i < mask.Length; i++)
        {
            if (chosen.Contains(i)) { Assert.Equal(0f, before[i]); Assert.Equal(1f, mask[i]); }
            else { Assert.Equal(before[i], mask[i]); Assert.Equal(wBefore[i], w[i]); }
        }
        Assert.All(picks, p => Assert.True(p.Reduction > 0));
    }

    [Fact]
    public void Closed_filters_get_nothing_back_even_when_they_would_reduce_the_error_most()
    {
        var sample = LeastSquaresRefitTests.RandomSample(23, 80, 16, 5);
        var system = LayerSystem.From(sample);
        var (w, mask) = LeastSquaresRefitTests.RandomMasked(24, 5, 16, 0.5);
        // Filters 1 and 3 are dead units: no weights at all, so restoring into them would cut their error most.
        foreach (int f in new[] { 1, 3 }) { Array.Clear(w, f * 16, 16); Array.Clear(mask, f * 16, 16); }
        var open = GreedyRestoration.Restore(system, (float[])w.Clone(), (float[])mask.Clone(), budget: 12);
        Assert.Contains(open, p => p.Filter is 1 or 3);
        var picks = GreedyRestoration.Restore(system, w, mask, budget: 12, closedFilters: new HashSet<int> { 1, 3 });
        Assert.Equal(12, picks.Count);
        Assert.DoesNotContain(picks, p => p.Filter is 1 or 3);
        foreach (int f in new[] { 1, 3 }) Assert.All(mask[(f * 16)..((f + 1) * 16)], v => Assert.Equal(0f, v));
    }
}
