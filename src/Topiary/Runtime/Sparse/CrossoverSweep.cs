// CrossoverSweep: Scalpel's per-layer latency study — dense vs every sparse format as sparsity grows, each
// sparse format measured on the sparsity pattern it is made for (the pattern its pruning method produces):
//   element mask (Han et al.)          → csr, csr16
//   aligned groups of w (SIMD-aware)   → simd-group (width w)
//   aligned 4×L blocks                 → block (4×L, L = host float lanes)
// Dense is the reference at every point (its time does not depend on the mask). One CrossoverMeter run per
// pattern; the series and their break-even sparsities feed the crossover chart and JSON.
using System.Runtime.CompilerServices;

namespace Topiary.Runtime.Sparse;

/// <summary>One curve of the crossover chart.</summary>
/// <param name="Pattern">The mask pattern ("element", "group8", "block4x16").</param>
/// <param name="Format">The format measured.</param>
/// <param name="Points">Measured points, ascending sparsity.</param>
/// <param name="BreakEvenSparsity">Lowest measured sparsity from which the format beats dense (and stays ahead), or null.</param>
public sealed record CrossoverSeries(string Pattern, SparseFormat Format, IReadOnlyList<CrossoverRecord> Points, double? BreakEvenSparsity);

/// <summary>Runs the crossover study of one layer shape over the three sparsity patterns.</summary>
public static class CrossoverSweep
{
    /// <summary>The default sparsities: 0, 30, 50, 60, 70, 80, 90, 95, 99 %.</summary>
    public static IReadOnlyList<double> DefaultSparsities { get; } = [0, 0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99];

    /// <summary>Measures dense and every sparse format of a [rows, cols] layer (conv when <paramref name="convColumns"/> &gt; 0).</summary>
    /// <param name="rows">Output units.</param>
    /// <param name="cols">Inputs per unit.</param>
    /// <param name="convColumns">im2col columns for a conv layer; 0 for a Linear layer.</param>
    /// <param name="batch">Examples per call (Linear).</param>
    /// <param name="sparsities">Sparsities in [0, 1).</param>
    /// <param name="groupWidth">SIMD group width (2, 4, 8, 16; 0 = host lanes).</param>
    /// <param name="budgetPerPoint">Timing budget per (format, sparsity) point.</param>
    /// <param name="statistic">Median (default) or best sample.</param>
    /// <param name="progress">Per-point progress.</param>
    /// <param name="cancellationToken">Cancels between points.</param>
    /// <returns>The dense curve first, then csr, csr16, sell, simd-group, block.</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static IReadOnlyList<CrossoverSeries> Run(int rows, int cols, int convColumns, int batch, IReadOnlyList<double> sparsities, int groupWidth,
        TimeSpan budgetPerPoint, CrossoverStatistic statistic = CrossoverStatistic.Median, IProgress<CrossoverProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var options = new SparseWeightOptions { GroupWidth = groupWidth, BlockRows = 4 };
        (SparsityPattern Pattern, SparseFormat[] Formats)[] runs =
        [
            (SparsityPattern.Element, [SparseFormat.Csr, SparseFormat.Csr16, SparseFormat.Sell]),
            (SparsityPattern.Group(options.ResolvedGroupWidth), [SparseFormat.SimdGroup]),
            (SparsityPattern.Block(4, options.ResolvedBlockCols), [SparseFormat.Block]),
        ];
        var series = new List<CrossoverSeries>();
        foreach (var (pattern, formats) in runs)
        {
            var result = CrossoverMeter.Measure(new CrossoverSpec
            {
                Rows = rows, Cols = cols, ConvColumns = convColumns, Batch = batch, Sparsities = sparsities, Pattern = pattern,
                Formats = [SparseFormat.Dense, .. formats], Options = options, BudgetPerPoint = budgetPerPoint, Statistic = statistic,
            }, progress, cancellationToken);
            if (series.Count == 0)
                series.Add(Series(result, pattern, SparseFormat.Dense));
            foreach (var f in formats) series.Add(Series(result, pattern, f));
        }
        return series;
    }

    private static CrossoverSeries Series(CrossoverResult result, SparsityPattern pattern, SparseFormat format) =>
        new(pattern.ToString(), format, result.Records.Where(r => r.Format == format).OrderBy(r => r.Sparsity).ToArray(),
            format == SparseFormat.Dense ? null : result.BreakEvenSparsity.GetValueOrDefault(format));
}
