// CoreLatency: the round trip of one cache line between two cores. Two threads, pinned to cores 0 and 1 (CoreAffinity),
// pass a counter back and forth: one writes an odd value and spins until it reads the next even one, which the other
// writes as soon as it reads the odd one. Every parallel region hands cache lines between cores (its start and end
// flags, its work counter, and the data one thread writes and another reads), so this latency prices a region. On a
// virtual machine it is a property of where the host runs the virtual CPUs at the moment, and it moves: on the 2-core
// development VM it was 55–83 ns most of the time and 500–700 ns for stretches of seconds, and during those stretches
// a 2-thread ResNet-50 inference took 25 % longer (ONNX Runtime's about 10 %). Benchmarks measure it before and after
// timing so a reader can tell which state a multi-thread figure was taken in.
using System.Diagnostics;

namespace Topiary.Hardware;

/// <summary>Measures the core-to-core round trip of a cache line.</summary>
public static class CoreLatency
{
    // The counter's slot: 64 bytes past the array's first element, with 64 bytes of the array on either side of it.
    private const int Slot = 8, LineLongs = 24;

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The median over <paramref name="samples"/> samples of <paramref name="roundTrips"/> round trips each (after one
    /// warm-up sample) of nanoseconds per round trip between cores 0 and 1; null on a single processor, or when the two
    /// threads could not run at once (no answer within two seconds).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">roundTrips or samples is below 1.</exception>
    public static double? RoundTripNanoseconds(int roundTrips = 20_000, int samples = 5)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(roundTrips, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 1);
        if (Environment.ProcessorCount < 2) return null;
        var line = new long[LineLongs];
        var nanoseconds = new double[samples + 1];
        long deadline = Stopwatch.GetTimestamp() + (long)(Timeout.TotalSeconds * Stopwatch.Frequency);
        bool answered = true, asked = true;
        // Neither end runs on the caller's thread: pinning it would outlive the measurement.
        var answerer = new Thread(() =>
        {
            CoreAffinity.PinCurrentThread(1);
            for (long value = 1, last = 2L * roundTrips * (samples + 1); value < last; value += 2)
            {
                if (!Await(line, value, deadline))
                {
                    answered = false;
                    return;
                }
                Volatile.Write(ref line[Slot], value + 1);
            }
        }) { IsBackground = true, Name = "Topiary core latency (answer)" };
        var asker = new Thread(() =>
        {
            CoreAffinity.PinCurrentThread(0);
            long value = 1;
            for (int s = 0; s <= samples; s++)
            {
                long start = Stopwatch.GetTimestamp();
                for (int i = 0; i < roundTrips; i++, value += 2)
                {
                    Volatile.Write(ref line[Slot], value);
                    if (!Await(line, value + 1, deadline))
                    {
                        asked = false;
                        return;
                    }
                }
                nanoseconds[s] = Stopwatch.GetElapsedTime(start).TotalNanoseconds / roundTrips;
            }
        }) { IsBackground = true, Name = "Topiary core latency (ask)" };
        answerer.Start();
        asker.Start();
        asker.Join();
        answerer.Join();
        if (!answered || !asked) return null;
        var timed = nanoseconds[1..]; // the first sample warms up: threads starting, lines moving in
        Array.Sort(timed);
        return timed[timed.Length / 2];
    }

    /// <summary>Round trips further apart than this factor were taken with the cores in different places.</summary>
    public const double MovedRatio = 2.0;

    /// <summary>
    /// True when two round trips (ns) differ by more than <see cref="MovedRatio"/>: the host moved the cores between them
    /// (on the development VM 55–83 ns against 500–700 ns; measurements in one state repeat within 1.5x).
    /// </summary>
    public static bool Moved(double before, double after) =>
        before > 0 && after > 0 && Math.Max(before, after) > MovedRatio * Math.Min(before, after);

    // Spins until the slot holds value; false once the deadline has passed (checked every 4,096 reads).
    private static bool Await(long[] line, long value, long deadline)
    {
        for (int spins = 0; Volatile.Read(ref line[Slot]) != value;)
        {
            if (++spins < 4096) continue;
            spins = 0;
            if (Stopwatch.GetTimestamp() > deadline) return false;
        }
        return true;
    }
}
