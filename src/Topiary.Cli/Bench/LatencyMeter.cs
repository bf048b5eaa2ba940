// LatencyMeter: per-call wall-clock latency of an action — warm-up, then many timed calls; median and p99.
// Benchmarks compare numbers measured in the same process run (the machines are noisy).
using System.Diagnostics;

namespace Topiary.Cli.Bench;

/// <summary>Latency statistics in microseconds.</summary>
/// <param name="MedianUs">Median per-call latency.</param>
/// <param name="P99Us">99th percentile.</param>
/// <param name="MinUs">Fastest call.</param>
/// <param name="Calls">Timed calls.</param>
public sealed record Latency(double MedianUs, double P99Us, double MinUs, int Calls);

/// <summary>Measures latencies.</summary>
public static class LatencyMeter
{
    /// <summary>Runs <paramref name="action"/> for about <paramref name="seconds"/> after a warm-up and reports per-call latency.</summary>
    public static Latency Measure(Action action, double seconds = 1.0, int warmup = 50)
    {
        ArgumentNullException.ThrowIfNull(action);
        for (int i = 0; i < warmup; i++) action();
        var samples = new List<double>();
        var total = Stopwatch.StartNew();
        while (total.Elapsed.TotalSeconds < seconds || samples.Count < 20)
        {
            long t = Stopwatch.GetTimestamp();
            action();
            samples.Add(Stopwatch.GetElapsedTime(t).TotalMicroseconds);
        }
        samples.Sort();
        return new Latency(samples[samples.Count / 2], samples[Math.Min(samples.Count - 1, (int)(samples.Count * 0.99))], samples[0], samples.Count);
    }
}
