// QuickContext: values shared between quick-mode sections of one run (e.g. "fma.peak.1t" in
// GFLOP/s, published by the FMA-peak section and read by the GEMM section), plus run options.
namespace Topiary.Benchmarks.Quick;

/// <summary>Run-wide options and named values published by earlier sections.</summary>
public sealed class QuickContext
{
    private readonly Dictionary<string, double> _values = new(StringComparer.Ordinal);

    /// <summary>Threads used by the multi-threaded measurements.</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>Multiplier on measurement time (1 = default; smaller is quicker and noisier).</summary>
    public double TimeScale { get; init; } = 1.0;

    /// <summary>Publishes a named value for later sections.</summary>
    public void Set(string key, double value) => _values[key] = value;

    /// <summary>Reads a value published earlier in this run, if any.</summary>
    public bool TryGet(string key, out double value) => _values.TryGetValue(key, out value);

    /// <summary>All published values (written to the JSON report).</summary>
    public IReadOnlyDictionary<string, double> Values => _values;
}
