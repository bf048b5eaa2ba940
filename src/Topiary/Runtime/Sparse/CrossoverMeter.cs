// CrossoverMeter: "kernel choice by quick measurement" (Scalpel: latency of each layer dense vs sparse as
// sparsity grows). For each sparsity it builds a seeded random matrix of the spec's pattern, stores it in each
// format, and times one product (Linear: Multiply with bias + ReLU on Batch examples; conv: MultiplyColumns over
// p columns). Formats are sampled round-robin (same machine load for all) after warm-up until each has spent the
// per-point budget; median and best per-call times are reported, speedups use the spec's Statistic. Dense is
// timed at every sparsity in the same run and is the reference of every speedup. Single-threaded like the
// kernels; progress via IProgress; cancellable between sparsities.
using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Topiary.Runtime.Sparse;

/// <summary>Measures dense-vs-sparse latency crossovers on this machine.</summary>
public static class CrossoverMeter
{
    private const int MinSamples = 3;
    private const int MaxSamples = 1001;

    /// <summary>Runs the measurement described by <paramref name="spec"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="spec"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A dimension, batch, sparsity or budget is out of range.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static CrossoverResult Measure(CrossoverSpec spec, IProgress<CrossoverProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(spec.Rows, nameof(spec.Rows));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(spec.Cols, nameof(spec.Cols));
        ArgumentOutOfRangeException.ThrowIfNegative(spec.ConvColumns, nameof(spec.ConvColumns));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(spec.Batch, nameof(spec.Batch));
        if (spec.BudgetPerPoint < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(spec), spec.BudgetPerPoint, "BudgetPerPoint must be non-negative.");
        foreach (double s in spec.Sparsities)
            if (!(s >= 0 && s < 1)) throw new ArgumentOutOfRangeException(nameof(spec), s, "Every sparsity must be in [0, 1).");

        var formats = new List<SparseFormat> { SparseFormat.Dense };
        foreach (var f in spec.Formats) if (!formats.Contains(f)) formats.Add(f);
        int rows = spec.Rows, cols = spec.Cols, p = spec.ConvColumns, n = spec.Batch;
        var x = SparsityPatterns.RandomVector(p > 0 ? cols * p : n * cols, spec.Seed + 1);
        var y = new float[p > 0 ? rows * p : n * rows];
        var bias = SparsityPatterns.RandomVector(rows, spec.Seed + 2);

        var records = new List<CrossoverRecord>();
        int total = spec.Sparsities.Count * formats.Count, done = 0;
        for (int si = 0; si < spec.Sparsities.Count; si++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            double sparsity = spec.Sparsities[si];
            var dense = SparsityPatterns.RandomMatrix(rows, cols, spec.Pattern, sparsity, spec.Seed + 1000 + (ulong)si);
            var weights = formats.Select(f => SparseWeight.Create(f, dense, rows, cols, spec.Options)).ToArray();
            var calls = weights.Select(w => p > 0
                ? (Action)(() => w.MultiplyColumns(x, p, p, y, p, bias, true))
                : () => w.Multiply(x, n, y, bias, true)).ToArray();
            var times = Time(calls, spec.BudgetPerPoint);
            double Pick(int k) => spec.Statistic == CrossoverStatistic.Best ? times[k].Best : times[k].Median;
            for (int k = 0; k < formats.Count; k++)
            {
                double us = Pick(k);
                var record = new CrossoverRecord(formats[k], sparsity, weights[k].Density, times[k].Median, times[k].Best,
                    weights[k].StorageBytes, k == 0 || us <= 0 ? 1 : Pick(0) / us);
                records.Add(record);
                progress?.Report(new CrossoverProgress(++done, total, record));
            }
        }
        return new CrossoverResult(records, BreakEven(records, formats));
    }

    /// <summary>Lowest sparsity from which every higher measured sparsity is also faster than dense (null if none).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static Dictionary<SparseFormat, double?> BreakEven(IReadOnlyList<CrossoverRecord> records, IEnumerable<SparseFormat> formats)
    {
        var result = new Dictionary<SparseFormat, double?>();
        foreach (var f in formats)
        {
            if (f == SparseFormat.Dense) continue;
            double? from = null;
            foreach (var r in records.Where(r => r.Format == f).OrderByDescending(r => r.Sparsity))
            {
                if (r.SpeedupVsDense > 1) from = r.Sparsity;
                else break;
            }
            result[f] = from;
        }
        return result;
    }

    // (median, best) µs per call of each action. The actions are sampled round-robin (one sample of each in turn)
    // so that they see the same machine load; each sample repeats its action a calibrated number of times lasting
    // about budget/40 (short samples are more often undisturbed on a shared machine), until each action has had
    // its budget and at least MinSamples samples.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (double Median, double Best)[] Time(Action[] calls, TimeSpan budget)
    {
        var reps = new int[calls.Length];
        double sampleSeconds = budget.TotalSeconds / 40;
        for (int k = 0; k < calls.Length; k++)
        {
            calls[k]();
            calls[k]();
            long t0 = Stopwatch.GetTimestamp();
            calls[k]();
            double once = Math.Max(Stopwatch.GetElapsedTime(t0).TotalSeconds, 1e-8);
            reps[k] = Math.Max(1, (int)Math.Min(1_000_000, sampleSeconds / once));
        }
        var samples = calls.Select(_ => new List<double>()).ToArray();
        var clock = Stopwatch.StartNew();
        var total = budget * calls.Length;
        while (samples[0].Count < MinSamples || (samples[0].Count < MaxSamples && clock.Elapsed < total))
        {
            for (int k = 0; k < calls.Length; k++)
            {
                long start = Stopwatch.GetTimestamp();
                for (int i = 0; i < reps[k]; i++) calls[k]();
                samples[k].Add(Stopwatch.GetElapsedTime(start).TotalSeconds / reps[k]);
            }
        }
        var result = new (double, double)[calls.Length];
        for (int k = 0; k < calls.Length; k++)
        {
            var s = samples[k];
            s.Sort();
            int m = s.Count / 2;
            double median = s.Count % 2 == 1 ? s[m] : 0.5 * (s[m - 1] + s[m]);
            result[k] = (median * 1e6, s[0] * 1e6);
        }
        return result;
    }
}
