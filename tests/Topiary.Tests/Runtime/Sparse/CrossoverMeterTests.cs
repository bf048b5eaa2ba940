// CrossoverMeterTests: a tiny-budget run returns one record per (sparsity, format) with dense first, densities
// matching the built matrices, storage bytes matching SparseWeight, speedups consistent with the latencies,
// progress reported for every point; the break-even rule is checked on hand-made records. No timing asserted.
using Topiary.Runtime.Sparse;

namespace Topiary.Tests.Runtime.Sparse;

public class CrossoverMeterTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(6)]
    public void Tiny_run_returns_consistent_records(int convColumns)
    {
        var spec = new CrossoverSpec
        {
            Rows = 12, Cols = 37, ConvColumns = convColumns, Batch = 3, Sparsities = [0, 0.5, 0.9],
            Pattern = SparsityPattern.Group(4), Formats = [SparseFormat.Csr, SparseFormat.SimdGroup, SparseFormat.Csr],
            Options = new() { GroupWidth = 4 }, BudgetPerPoint = TimeSpan.FromMilliseconds(1), Seed = 3,
        };
        var reports = new List<CrossoverProgress>();
        var result = CrossoverMeter.Measure(spec, new SyncProgress<CrossoverProgress>(reports.Add));

        Assert.Equal(9, result.Records.Count); // dense + csr + simd-group (duplicate dropped) × 3
        Assert.Equal(Enumerable.Range(1, 9), reports.Select(r => r.Done));
        Assert.All(reports, r => Assert.Equal(9, r.Total));
        for (int si = 0; si < 3; si++)
        {
            var point = result.Records.Skip(3 * si).Take(3).ToArray();
            Assert.Equal([SparseFormat.Dense, SparseFormat.Csr, SparseFormat.SimdGroup], point.Select(r => r.Format));
            Assert.All(point, r => Assert.Equal(spec.Sparsities[si], r.Sparsity));
            var dense = SparsityPatterns.RandomMatrix(12, 37, spec.Pattern, spec.Sparsities[si], spec.Seed + 1000 + (ulong)si);
            foreach (var r in point)
            {
                var w = SparseWeight.Create(r.Format, dense, 12, 37, spec.Options);
                Assert.Equal(w.StorageBytes, r.StorageBytes);
                Assert.Equal(w.Density, r.Density, 12);
                Assert.True(r.MedianMicroseconds > 0 && r.BestMicroseconds > 0 && r.BestMicroseconds <= r.MedianMicroseconds);
                Assert.Equal(point[0].MedianMicroseconds / r.MedianMicroseconds, r.SpeedupVsDense, 9);
            }
        }
        Assert.Equal([SparseFormat.Csr, SparseFormat.SimdGroup], result.BreakEvenSparsity.Keys.Order());
    }

    [Fact]
    public void Break_even_is_the_lowest_sparsity_from_which_the_format_stays_faster()
    {
        CrossoverRecord R(SparseFormat f, double s, double speedup) => new(f, s, 1 - s, 1, 1, 0, speedup);
        var records = new[]
        {
            R(SparseFormat.Csr, 0.3, 1.2), R(SparseFormat.Csr, 0.5, 0.9), R(SparseFormat.Csr, 0.7, 1.1), R(SparseFormat.Csr, 0.9, 2),
            R(SparseFormat.Block, 0.3, 0.5), R(SparseFormat.Block, 0.5, 0.8), R(SparseFormat.Block, 0.7, 0.9), R(SparseFormat.Block, 0.9, 0.95),
            R(SparseFormat.SimdGroup, 0.3, 1.01), R(SparseFormat.SimdGroup, 0.5, 1.5), R(SparseFormat.SimdGroup, 0.7, 3), R(SparseFormat.SimdGroup, 0.9, 4),
        };
        var be = CrossoverMeter.BreakEven(records, [SparseFormat.Dense, SparseFormat.Csr, SparseFormat.Block, SparseFormat.SimdGroup]);
        Assert.Equal(0.7, be[SparseFormat.Csr]);
        Assert.Null(be[SparseFormat.Block]);
        Assert.Equal(0.3, be[SparseFormat.SimdGroup]);
        Assert.False(be.ContainsKey(SparseFormat.Dense));
    }

    [Fact]
    public void Bad_specs_throw()
    {
        var ok = new CrossoverSpec { Rows = 2, Cols = 3, Sparsities = [0.5], BudgetPerPoint = TimeSpan.Zero };
        Assert.Throws<ArgumentOutOfRangeException>(() => CrossoverMeter.Measure(ok with { Sparsities = [1.0] }));
        Assert.Throws<ArgumentOutOfRangeException>(() => CrossoverMeter.Measure(ok with { Rows = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => CrossoverMeter.Measure(ok with { Batch = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => CrossoverMeter.Measure(ok with { BudgetPerPoint = TimeSpan.FromSeconds(-1) }));
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.Throws<OperationCanceledException>(() => CrossoverMeter.Measure(ok, null, cts.Token));
        Assert.Equal(SparseFormatNames.All.Count, CrossoverMeter.Measure(ok).Records.Count); // default: every format
    }

    private sealed class SyncProgress<T>(Action<T> action) : IProgress<T>
    {
        public void Report(T value) => action(value);
    }
}
