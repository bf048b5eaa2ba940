// CrossoverReport: what `topiary crossover --json` writes — the layer shape measured and, per sparse format, its
// latency and storage at every sparsity next to dense (Runtime.Sparse.CrossoverSeries, one per format and pattern).
using Topiary.Runtime.Sparse;

namespace Topiary.Cli.Reports;

/// <summary>The <c>crossover</c> command's JSON report.</summary>
/// <param name="Rows">Weight rows (output units).</param>
/// <param name="Cols">Weight columns (inputs per unit; in·kh·kw for a convolution).</param>
/// <param name="ConvColumns">im2col columns (output pixels) of a convolution; 0 for a Linear layer.</param>
/// <param name="Batch">Examples per call of a Linear layer.</param>
/// <param name="Series">Dense first, then every sparse format on the mask pattern it is made for. Each series'
/// <c>format</c> and each point's <c>format</c> is the <see cref="SparseFormat"/> as a number (0 dense, 1 csr, 2 csr16,
/// 3 simd-group, 4 block, 5 sell); point latencies are µs per call, <c>storage_bytes</c> bytes.</param>
public sealed record CrossoverReport(int Rows, int Cols, int ConvColumns, int Batch, IReadOnlyList<CrossoverSeries> Series);
