// LatencyMeter: per-call wall-clock latency of actions — warm-up, then many timed calls; median, p99, min. Calls of
// seconds (a paper network at batch 16) get a shorter warm-up and fewer timed calls, so a run ends in minutes.
// Compare() times several actions INTERLEAVED (short slices of each in turn, repeated until the budget is
// spent), so a noisy neighbour or a frequency change hits every contender alike and their ratios are honest
// on shared machines. Benchmarks and experiments report ratios of numbers measured in the same run.
// Slices are 100 ms by default, not shorter: a multi-threaded contender leaves its worker threads spinning for a
// few milliseconds after its call returns (ONNX Runtime's intra-op pool, .NET's thread pool), and on a 2-core
// machine they steal a core from whoever runs next. With 5 ms slices, ONNX Runtime's channel-pruned ResNet-20 at
// batch 64 and 2 threads measured 30.6 ms right after the dense session's turn; with 100 ms slices, 9.2 ms.
// CompareFromMemory() times each action once per round after reading a buffer larger than the caches, so every call
// finds its data in memory — as a layer of a network larger than the last-level cache finds its weights on every pass.
using System.Diagnostics;
using System.Runtime.Intrinsics;

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
    /// <summary>How many times the budget may pass before slow actions stop at 3 timed calls instead of 20.</summary>
    public const double SlowFactor = 4;

    private const double MinWarmupSeconds = 0.25;

    /// <summary>Runs <paramref name="action"/> for about <paramref name="seconds"/> after a warm-up and reports per-call latency.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="seconds"/> is negative or <paramref name="warmup"/> negative.</exception>
    public static Latency Measure(Action action, double seconds = 1.0, int warmup = 50) => Compare([action], seconds, warmup)[0];

    /// <summary>
    /// Times every action in turn, in slices of about <paramref name="sliceSeconds"/> each, until <paramref name="seconds"/>
    /// in total have passed (at least 20 calls each, or at least 3 once <see cref="SlowFactor"/> times the budget, and at
    /// least a second, has passed: a call of seconds, such as VGG-16 at batch 16, would otherwise take 70 calls of each
    /// contender); returns one <see cref="Latency"/> per action in the given order.
    /// </summary>
    /// <param name="actions">The contenders.</param>
    /// <param name="seconds">Total time budget over all actions.</param>
    /// <param name="warmup">Untimed calls of each action first; fewer (at least 2) when they take longer than the action's
    /// share of the budget (and at least a quarter of a second).</param>
    /// <param name="sliceSeconds">How long each action runs before the next one's turn; keep it well above the time
    /// worker threads spin after a parallel call (the default 0.1 s) when contenders run on several threads.</param>
    /// <exception cref="ArgumentException">No actions.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="seconds"/> or <paramref name="warmup"/> is negative, or <paramref name="sliceSeconds"/> is not positive.</exception>
    public static IReadOnlyList<Latency> Compare(IReadOnlyList<Action> actions, double seconds = 1.0, int warmup = 50, double sliceSeconds = 0.1)
    {
        ArgumentNullException.ThrowIfNull(actions);
        if (actions.Count == 0) throw new ArgumentException("Give at least one action to time.", nameof(actions));
        ArgumentOutOfRangeException.ThrowIfNegative(seconds);
        ArgumentOutOfRangeException.ThrowIfNegative(warmup);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sliceSeconds);
        double warmupSeconds = Math.Max(seconds / actions.Count, MinWarmupSeconds), slowAfter = Math.Max(SlowFactor * seconds, 1.0);
        foreach (var a in actions)
        {
            ArgumentNullException.ThrowIfNull(a, nameof(actions));
            var warming = Stopwatch.StartNew();
            for (int i = 0; i < warmup && (i < 2 || warming.Elapsed.TotalSeconds < warmupSeconds); i++) a();
        }
        var samples = actions.Select(_ => new List<double>()).ToArray();
        var total = Stopwatch.StartNew();
        long slice = Math.Max(1, (long)(Stopwatch.Frequency * sliceSeconds));
        bool Short(List<double> s) => s.Count < 20 && (s.Count < 3 || total.Elapsed.TotalSeconds < slowAfter);
        while (total.Elapsed.TotalSeconds < seconds || samples.Any(Short))
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

    /// <summary>
    /// Times every action once per round, after reading <paramref name="evictBytes"/> of other memory, so that each call
    /// starts with none of its data in the caches; rounds (each starting with the next action in turn) until
    /// <paramref name="seconds"/> have passed and at least <paramref name="minRounds"/> have run. Returns one
    /// <see cref="Latency"/> per action in the given order. The eviction reads are not timed.
    /// </summary>
    /// <param name="actions">The contenders (each timed on the calling thread).</param>
    /// <param name="evictBytes">Bytes read between rounds: more than the last-level cache (<see cref="CacheSizes.Host"/>); at
    /// most <see cref="MaxEvictBytes"/> (a buffer kept from an earlier call may make it more).</param>
    /// <param name="seconds">Time budget, eviction included.</param>
    /// <param name="minRounds">Rounds at least, whatever the budget.</param>
    /// <exception cref="ArgumentException">No actions.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="evictBytes"/> or <paramref name="minRounds"/> is not positive, or <paramref name="seconds"/> is negative.</exception>
    public static IReadOnlyList<Latency> CompareFromMemory(IReadOnlyList<Action> actions, long evictBytes, double seconds = 1.0, int minRounds = 5)
    {
        ArgumentNullException.ThrowIfNull(actions);
        if (actions.Count == 0) throw new ArgumentException("Give at least one action to time.", nameof(actions));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(evictBytes);
        ArgumentOutOfRangeException.ThrowIfNegative(seconds);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(minRounds);
        var evict = EvictionBuffer(Math.Min(evictBytes, MaxEvictBytes));
        Evict(evict); // a new buffer's zeroing left it dirty in the caches: write it back once, untimed
        foreach (var a in actions)
        {
            ArgumentNullException.ThrowIfNull(a, nameof(actions));
            a();
        }
        var samples = actions.Select(_ => new List<double>()).ToArray();
        var total = Stopwatch.StartNew();
        for (int round = 0; round < minRounds || total.Elapsed.TotalSeconds < seconds; round++)
        {
            Evict(evict);
            for (int i = 0; i < actions.Count; i++)
            {
                int k = (round + i) % actions.Count;
                long t = Stopwatch.GetTimestamp();
                actions[k]();
                samples[k].Add(Stopwatch.GetElapsedTime(t).TotalMicroseconds);
            }
        }
        return samples.Select(Summarise).ToArray();
    }

    /// <summary>The most bytes <see cref="CompareFromMemory"/> reads between rounds, whatever it is asked.</summary>
    public const long MaxEvictBytes = 512L << 20;

    private static long s_evictSink;
    private static readonly WeakReference<Vector256<long>[]?> s_evictBuffer = new(null);

    // One buffer for every measurement (a plan's layers each time their formats, tens of MB apiece), kept while memory allows.
    private static Vector256<long>[] EvictionBuffer(long bytes)
    {
        long vectors = (bytes + 31) / 32;
        lock (s_evictBuffer)
        {
            if (s_evictBuffer.TryGetTarget(out var cached) && cached!.LongLength >= vectors) return cached;
            var buffer = new Vector256<long>[vectors];
            s_evictBuffer.SetTarget(buffer);
            return buffer;
        }
    }

    // One read a cache line (two vectors of 32 bytes), summed so the reads are kept; optimized at its first call (a few
    // calls read tens of MB each).
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void Evict(Vector256<long>[] buffer)
    {
        var sum = Vector256<long>.Zero;
        for (int i = 0; i < buffer.Length; i += 2) sum += buffer[i];
        s_evictSink += Vector256.Sum(sum);
    }

    private static Latency Summarise(List<double> s)
    {
        s.Sort();
        return new Latency(s[s.Count / 2], s[Math.Min(s.Count - 1, (int)(s.Count * 0.99))], s[0], s.Count);
    }
}
