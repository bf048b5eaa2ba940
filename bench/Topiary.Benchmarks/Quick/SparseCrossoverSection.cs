// SparseCrossoverSection (`quick --only sparse-crossover`): LeNet-300-100 fc1 (300×784), batch 1, one thread,
// bias + ReLU fused. For sparsities 0–99 % it times dense and every sparse format in the same run (CrossoverMeter,
// best of samples as in QuickTimer: the least-disturbed run on a shared machine) and prints µs per format with
// the speedup over dense at that sparsity, then the break-even sparsity per format. Three masks: element-wise (plain pruning: dense, csr, csr16, simd-group, block), aligned
// groups of the host's SIMD width (Scalpel's pruning: simd-group) and aligned 4×lanes blocks (block).
using System.Globalization;
using Topiary.Runtime.Sparse;

namespace Topiary.Benchmarks.Quick;

/// <summary>Dense vs sparse-format latency crossover on 300×784 at batch 1.</summary>
public sealed class SparseCrossoverSection : IQuickSection
{
    private static readonly double[] Sparsities = [0, 0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99];

    /// <inheritdoc/>
    public string Name => "sparse-crossover";

    /// <inheritdoc/>
    public IReadOnlyList<QuickRow> Run(QuickContext context)
    {
        int lanes = SparseWeightOptions.HostLanes;
        var budget = TimeSpan.FromMilliseconds(60 * context.TimeScale);
        var runs = new (SparsityPattern Pattern, SparseFormat[] Formats)[]
        {
            (SparsityPattern.Element, [SparseFormat.Csr, SparseFormat.Csr16, SparseFormat.SimdGroup, SparseFormat.Block]),
            (SparsityPattern.Group(lanes), [SparseFormat.SimdGroup]),
            (SparsityPattern.Block(4, lanes), [SparseFormat.Block]),
        };
        var rows = new List<QuickRow>();
        foreach (var (pattern, formats) in runs)
        {
            var result = CrossoverMeter.Measure(new CrossoverSpec
            {
                Rows = 300, Cols = 784, Batch = 1, Sparsities = Sparsities, Pattern = pattern, Formats = formats,
                BudgetPerPoint = budget, Seed = 7, Statistic = CrossoverStatistic.Best,
            });
            foreach (var r in result.Records)
            {
                string name = string.Create(CultureInfo.InvariantCulture,
                    $"300x784 b1 {pattern} s={r.Sparsity:0.00} {r.Format.ToName()}");
                rows.Add(r.Format == SparseFormat.Dense
                    ? new QuickRow(Name, name, r.BestMicroseconds, "us")
                    : new QuickRow(Name, name, r.BestMicroseconds, "us", r.SpeedupVsDense, "dense (speedup)"));
                context.Set($"sparse.{pattern}.{r.Format.ToName()}.{r.Sparsity:0.00}.us", r.BestMicroseconds);
            }
            foreach (var (format, s) in result.BreakEvenSparsity)
            {
                rows.Add(new QuickRow(Name, $"break-even {pattern} {format.ToName()}", s is double v ? 100 * v : double.NaN, "% sparse"));
                context.Set($"sparse.{pattern}.{format.ToName()}.break-even", s ?? double.NaN);
            }
        }
        return rows;
    }
}
