// CrossoverSpec / CrossoverRecord / CrossoverResult / CrossoverProgress: the inputs and outputs of
// CrossoverMeter (dense-vs-sparse latency as sparsity grows, Scalpel's method).
namespace Topiary.Runtime.Sparse;

/// <summary>What <see cref="CrossoverMeter.Measure"/> measures.</summary>
public sealed record CrossoverSpec
{
    /// <summary>Weight rows (output features / channels).</summary>
    public required int Rows { get; init; }

    /// <summary>Weight columns (input features, or in·kh·kw).</summary>
    public required int Cols { get; init; }

    /// <summary>0 = a Linear layer (Multiply with <see cref="Batch"/> examples); p &gt; 0 = a convolution (MultiplyColumns over p im2col columns).</summary>
    public int ConvColumns { get; init; }

    /// <summary>Examples per call for a Linear layer (≥ 1; ignored for convolutions).</summary>
    public int Batch { get; init; } = 1;

    /// <summary>Sparsities to measure, each in [0, 1).</summary>
    public required IReadOnlyList<double> Sparsities { get; init; }

    /// <summary>How the random mask removes weights.</summary>
    public SparsityPattern Pattern { get; init; } = SparsityPattern.Element;

    /// <summary>Formats to measure; dense is always measured as the reference.</summary>
    public IReadOnlyList<SparseFormat> Formats { get; init; } = SparseFormatNames.All;

    /// <summary>Group width / block size of the built formats (null = host defaults).</summary>
    public SparseWeightOptions? Options { get; init; }

    /// <summary>Wall time spent timing each (format, sparsity) point after warm-up.</summary>
    public TimeSpan BudgetPerPoint { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Seed of the masks, weights and inputs.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Which per-point statistic the speedups and break-evens compare (median by default; best on a shared, noisy machine).</summary>
    public CrossoverStatistic Statistic { get; init; } = CrossoverStatistic.Median;
}

/// <summary>The latency statistic compared between formats.</summary>
public enum CrossoverStatistic
{
    /// <summary>Median of the samples.</summary>
    Median,
    /// <summary>Smallest sample (the least-disturbed run on a shared machine).</summary>
    Best,
}

/// <summary>One measured point.</summary>
/// <param name="Format">The format.</param>
/// <param name="Sparsity">Requested sparsity of the mask.</param>
/// <param name="Density">Actual non-zero fraction of the matrix.</param>
/// <param name="MedianMicroseconds">Median latency of one call in µs.</param>
/// <param name="BestMicroseconds">Smallest sample's latency of one call in µs.</param>
/// <param name="StorageBytes">Bytes the format holds.</param>
/// <param name="SpeedupVsDense">Dense latency / this latency at the same sparsity, by the spec's statistic (1 for dense).</param>
public sealed record CrossoverRecord(SparseFormat Format, double Sparsity, double Density, double MedianMicroseconds, double BestMicroseconds,
    long StorageBytes, double SpeedupVsDense);

/// <summary>All points plus the break-even sparsity per format.</summary>
/// <param name="Records">Points in measurement order (sparsity-major, dense first).</param>
/// <param name="BreakEvenSparsity">
/// Per measured format: the lowest measured sparsity from which the format is faster than dense at that and at every
/// higher measured sparsity; null when it is not faster at the highest.
/// </param>
public sealed record CrossoverResult(IReadOnlyList<CrossoverRecord> Records, IReadOnlyDictionary<SparseFormat, double?> BreakEvenSparsity);

/// <summary>Progress of a crossover run.</summary>
/// <param name="Done">Points measured so far.</param>
/// <param name="Total">Points in the run.</param>
/// <param name="Last">The point just measured.</param>
public sealed record CrossoverProgress(int Done, int Total, CrossoverRecord Last);
