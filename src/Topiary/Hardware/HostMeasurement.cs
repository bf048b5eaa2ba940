// HostMeasurement: measures the host within a time budget — FMA peak on 1 and N threads (FmaPeak) and
// read/copy bandwidth on 1 and N threads (MemoryBandwidth). About 40% of the budget goes to the FMA loops
// (iterations calibrated from a short run) and 60% to memory; the budget is a target, not a hard limit
// (one pass over the array is the minimum sample). Tests use a few milliseconds and a 1 MiB array (numbers
// then reflect caches); reports use ~1 s and a 64 MiB array.
namespace Topiary.Hardware;

/// <summary>Measured FMA peak and memory bandwidth of the host.</summary>
/// <param name="Threads">Threads of the multi-threaded figures.</param>
/// <param name="Isa">Vector type of the FMA loop (<c>Vector512</c>, <c>Vector256</c> or <c>Vector128</c>).</param>
/// <param name="Lanes">float32 lanes of that vector type.</param>
/// <param name="PeakGflops1T">FMA peak on one thread, GFLOP/s (2 flops per lane per FMA).</param>
/// <param name="PeakGflopsMT">FMA peak on <paramref name="Threads"/> threads, GFLOP/s.</param>
/// <param name="Memory">Read and copy bandwidth.</param>
/// <param name="Budget">The time budget asked for.</param>
public sealed record HostMeasurement(int Threads, string Isa, int Lanes, double PeakGflops1T, double PeakGflopsMT,
    MemoryBandwidthResult Memory, TimeSpan Budget)
{
    /// <summary>Default array size of the bandwidth passes (64 MiB: larger than the last-level cache of most desktop parts).</summary>
    public const long DefaultArrayBytes = 64L << 20;

    private const int Samples = 3;

    /// <summary>
    /// Measures the host in about <paramref name="budget"/>. <paramref name="threads"/> ≤ 0 means
    /// <see cref="Environment.ProcessorCount"/>; <paramref name="arrayBytes"/> is the size of each bandwidth array.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The budget is not positive, or arrayBytes is below 4 KiB or above 1 GiB.</exception>
    public static HostMeasurement Measure(TimeSpan budget, int threads = 0, long arrayBytes = DefaultArrayBytes)
    {
        if (budget <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(budget), budget, "The measurement budget must be positive.");
        if (arrayBytes < 4096 || arrayBytes > (1L << 30))
            throw new ArgumentOutOfRangeException(nameof(arrayBytes), arrayBytes, "Array size must be between 4 KiB and 1 GiB.");
        if (threads <= 0) threads = Environment.ProcessorCount;
        double seconds = budget.TotalSeconds;

        // FMA: calibrate seconds per iteration, then fit 2 x Samples timed runs into 40% of the budget.
        const long calibration = 20_000;
        double perIteration = Math.Max(FmaPeak.SecondsPerRun(calibration) / calibration, 1e-10);
        long iterations = Math.Max(1000, (long)(0.4 * seconds / (2 * Samples * perIteration)));
        double peak1 = FmaPeak.Measure(1, iterations, Samples);
        double peakN = FmaPeak.Measure(threads, iterations, Samples);

        // Memory: four figures, each ~ (Samples + 3) sample times (two warm-ups and calibration).
        double sampleSeconds = 0.6 * seconds / (4 * (Samples + 3));
        var memory = MemoryBandwidth.Measure((int)(arrayBytes / 4), threads, sampleSeconds, Samples);
        return new HostMeasurement(threads, FmaPeak.Isa, FmaPeak.Lanes, peak1, peakN, memory, budget);
    }

    /// <summary>One sentence per measured figure, for a profile's assumptions list.</summary>
    public IReadOnlyList<string> Describe() =>
    [
        $"Measured FMA peak: {PeakGflops1T:F1} GFLOP/s on 1 thread, {PeakGflopsMT:F1} GFLOP/s on {Threads} threads ({Isa}, {Lanes} lanes, register-only loop, best of {Samples}).",
        $"Measured bandwidth on a {Memory.ArrayBytes / 1048576.0:F1} MiB array: read {Memory.Read1T:F1}/{Memory.ReadMT:F1} GB/s, copy (read+write bytes) {Memory.Copy1T:F1}/{Memory.CopyMT:F1} GB/s (1/{Threads} threads).",
        $"Measurement budget {Budget.TotalSeconds:F2} s on a possibly shared machine: figures are best-of-{Samples} and may be below the true peak.",
    ];
}
