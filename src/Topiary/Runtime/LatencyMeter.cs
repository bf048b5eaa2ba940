// LatencyMeter: per-call wall-clock latency of actions — warm-up, then many timed calls; median, p99, min.
// Compare() times several actions INTERLEAVED (short slices of each in turn, repeated until the budget is
// spent), so a noisy neighbour or a frequency change hits every contender alike and their ratios are honest
// on shared machines. Benchmarks and experiments report ratios of numbers measured in the same run.
using System.Diagnostics;

namespace Topiary.Runtime;

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
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="seconds"/> is negative or <paramref name="warmup"/> negative.</exception>
    public static Latency Measure(Action action, double seconds = 1.0, int warmup = 50) => Compare([action], seconds, warmup)[0];

    /// <summary>
    /// Times every action in turn, in slices of about 5 ms each, until <paramref name="seconds"/> in total have passed
    /// (at least 20 calls each); returns one <see cref="Latency"/> per action in the given order.
    /// </summary>
    /// <exception cref="ArgumentException">No actions.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="seconds"/> is negative or <paramref name="warmup"/> negative.</exception>
    public static IReadOnlyList<Latency> Compare(IReadOnlyList<Action> actions, double seconds = 1.0, int warmup = 50)
    {
        ArgumentNullException.ThrowIfNull(actions);
        if (actions.Count == 0) throw new ArgumentException("Give at least one action to time.", nameof(actions));
        ArgumentOutOfRangeException.ThrowIfNegative(seconds);
        ArgumentOutOfRangeException.ThrowIfNegative(warmup);
        foreach (var a in actions)
        {
            ArgumentNullException.ThrowIfNull(a, nameof(actions));
            for (int i = 0; i < warmup; i++) a();
        }
        var samples = actions.Select(_ => new List<double>()).ToArray();
        var total = Stopwatch.StartNew();
        long slice = Stopwatch.Frequency / 200;
        while (total.Elapsed.TotalSeconds < seconds || samples.Any(s => s.Count < 20))
        {
            for (int k = 0; k < actions.Count; k++)
            {
                long sliceStart = Stopwatch.GetTimestamp();
                do
                {
                    long t = Stopwatch.GetTimestamp();
                    actions[k]();
                    samples[k].Add(Stopwatch.GetElapsedTime(t).TotalMicroseconds);
                } while (Stopwatch.GetTimestamp() - sliceStart < slice);
            }
        }
        return samples.Select(Summarise).ToArray();
    }

    private static Latency Summarise(List<double> s)
    {
        s.Sort();
        return new Latency(s[s.Count / 2], s[Math.Min(s.Count - 1, (int)(s.Count * 0.99))], s[0], s.Count);
    }
}
