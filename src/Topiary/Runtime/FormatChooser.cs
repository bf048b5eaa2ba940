// FormatChooser: picks the storage format of one weight layer of an InferencePlan.
//   Rule (default), from the weight's structure, with break-even densities measured on the host at batch 1
//   (`bench -- quick --only sparse-crossover`, BENCHMARKS.md):
//     block  4×L  when the non-zeros fill ≥ 75% of their 4×L blocks (L = host float lanes) and density < 0.8
//     simd-group w  (w = 16, 8, 4: the widest whose aligned groups the non-zeros fill ≥ 75%) when density < 0.5
//     sell  for a Linear layer at batch ≤ 4 with unstructured sparsity below PlanOptions.SellDensityThreshold, on AVX-512 hosts
//           (its permute kernel needs two 16-lane registers; elsewhere and for conv it would walk slots one by one);
//           InferencePlan then reorders its rows (SellRowOrder) when it feeds another Linear
//     csr   when density < PlanOptions.SparseDensityThreshold (unstructured sparsity)
//     dense otherwise.
//   Measure: every candidate (dense, csr16 — csr only past 65,536 columns: the same kernels with twice the index bytes,
//   from memory up to 2x slower at VGG-16's fc6 — simd-group at 16/8/4, block 4×L, sell on AVX-512) is built and timed on the layer's
//   real weight at the plan's batch size on a seeded random input (interleaved, LatencyMeter.Compare) and the fastest
//   wins. Conv layers are timed as weights × im2col columns. With PlanOptions.WeightsFromMemory the candidates are timed
//   with the caches emptied before each round (LatencyMeter.CompareFromMemory): warm, AlexNet's 25 %-dense fc8 chose
//   the 4×8 blocks (every block kept: a dense matrix, 16 MB) that a pass of the network then streamed from memory at
//   1.5 ms, where CSR16's 6 MB take 0.6–0.9 ms.
using Topiary.Runtime.Sparse;

namespace Topiary.Runtime;

/// <summary>Chooses a storage format for a weight matrix.</summary>
public static class FormatChooser
{
    private const double StructuredFill = 0.75;

    /// <summary>Default of <see cref="PlanOptions.SellDensityThreshold"/>.</summary>
    public const double SellDensity = 0.6;

    /// <summary>The format (and its options) for a [rows, cols] weight under <paramref name="options"/>.</summary>
    /// <param name="dense">The weight, row-major.</param>
    /// <param name="rows">Output units.</param>
    /// <param name="cols">Inputs per unit.</param>
    /// <param name="columns">Columns of the im2col matrix for a conv layer (0 for a Linear layer).</param>
    /// <param name="batch">The plan's batch size.</param>
    /// <param name="options">Plan options.</param>
    /// <param name="layer">Layer name (for per-layer overrides).</param>
    public static SparseWeight Choose(ReadOnlySpan<float> dense, int rows, int cols, int columns, int batch, PlanOptions options, string layer)
    {
        ArgumentNullException.ThrowIfNull(options);
        double density = Density(dense);
        if (options.LayerFormats?.TryGetValue(layer, out var forcedHere) == true)
            return SparseWeight.Create(forcedHere, dense, rows, cols, options.WeightOptions);
        if (options.Format is SparseFormat forced)
            return SparseWeight.Create(forced != SparseFormat.Dense && density < 1 ? forced : SparseFormat.Dense, dense, rows, cols, options.WeightOptions);
        if (density >= 1 || columns > 0 && !options.SparseConv) return new DenseWeight(dense, rows, cols);
        if (options.Measure) return Fastest(Candidates(dense, rows, cols), rows, cols, columns, batch, options);

        int lanes = SparseWeightOptions.HostLanes;
        if (density < 0.8 && Fill(dense, rows, cols, 4, lanes) >= StructuredFill)
            return new BlockSparseWeight(dense, rows, cols, 4, lanes);
        if (density < 0.5)
            foreach (int w in (int[])[16, 8, 4])
                if (w <= lanes && Fill(dense, rows, cols, 1, w) >= StructuredFill) return new SimdGroupWeight(dense, rows, cols, w);
        if (columns == 0 && batch <= 4 && density < options.SellDensityThreshold && System.Runtime.Intrinsics.X86.Avx512F.IsSupported)
            return new SellWeight(dense, rows, cols);
        return density < options.SparseDensityThreshold ? new CsrWeight(dense, rows, cols) : new DenseWeight(dense, rows, cols);
    }

    /// <summary>Non-zeros / stored entries when the weight is cut into aligned <paramref name="br"/>×<paramref name="bc"/> blocks (1 when all zero).</summary>
    public static double Fill(ReadOnlySpan<float> dense, int rows, int cols, int br, int bc)
    {
        long nnz = 0, stored = 0;
        for (int r0 = 0; r0 < rows; r0 += br)
        {
            int h = Math.Min(br, rows - r0);
            for (int c0 = 0; c0 < cols; c0 += bc)
            {
                int w = Math.Min(bc, cols - c0), count = 0;
                for (int r = r0; r < r0 + h; r++)
                    for (int c = c0; c < c0 + w; c++)
                        if (dense[r * cols + c] != 0) count++;
                if (count == 0) continue;
                nnz += count;
                stored += (long)h * w;
            }
        }
        return stored == 0 ? 1 : (double)nnz / stored;
    }

    /// <summary>The formats <see cref="PlanOptions.Measure"/> times for a [rows, cols] weight.</summary>
    internal static List<SparseWeight> Candidates(ReadOnlySpan<float> dense, int rows, int cols)
    {
        int lanes = SparseWeightOptions.HostLanes;
        var list = new List<SparseWeight>
        {
            new DenseWeight(dense, rows, cols),
            cols <= Csr16Weight.MaxCols ? new Csr16Weight(dense, rows, cols) : new CsrWeight(dense, rows, cols),
        };
        foreach (int w in (int[])[16, 8, 4])
            if (w <= lanes) list.Add(new SimdGroupWeight(dense, rows, cols, w));
        list.Add(new BlockSparseWeight(dense, rows, cols, 4, lanes));
        if (System.Runtime.Intrinsics.X86.Avx512F.IsSupported) list.Add(new SellWeight(dense, rows, cols));
        return list;
    }

    private static SparseWeight Fastest(List<SparseWeight> candidates, int rows, int cols, int columns, int batch, PlanOptions options)
    {
        int n = columns > 0 ? 1 : batch;
        int inner = columns > 0 ? columns : 1;
        var x = SparsityPatterns.RandomVector(cols * n * inner, 0x5EED);
        for (int i = 0; i < x.Length; i += 2) x[i] = 0; // half the inputs zero, like post-ReLU activations
        var y = new float[rows * n * inner];
        var actions = candidates.Select<SparseWeight, Action>(w => columns > 0
            ? () => w.MultiplyColumns(x, inner, inner, y, inner, default, false)
            : () => w.Multiply(x, n, y, default, false)).ToArray();
        long evict = 3 * CacheSizes.Host.LastLevelBytes / 2;
        var times = options.WeightsFromMemory && evict > 0
            ? LatencyMeter.CompareFromMemory(actions, evict, options.MeasureSeconds)
            : LatencyMeter.Compare(actions, options.MeasureSeconds, warmup: 5, sliceSeconds: 0.005); // one thread: short slices are safe
        int best = 0;
        for (int i = 1; i < times.Count; i++) if (times[i].MedianUs < times[best].MedianUs) best = i;
        return candidates[best];
    }

    private static double Density(ReadOnlySpan<float> w)
    {
        if (w.IsEmpty) return 0;
        int nnz = 0;
        foreach (float v in w) if (v != 0) nnz++;
        return (double)nnz / w.Length;
    }
}
