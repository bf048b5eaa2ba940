// BestTime: best-of-N wall-clock timing for the host measurements. Each sample repeats the action in blocks
// (sized by a calibration run) until the sample has run for at least half the sample time by the clock; the
// smallest per-call time is returned — the most stable statistic on a shared, noisy machine. A sample never
// ends on a zero reading: on a host whose clock advances in coarse ticks (some virtual machines), a block can
// finish between two ticks, and a per-call time of zero would print an infinite bandwidth. The benchmark's
// QuickTimer calls it.
using System.Diagnostics;

namespace Topiary.Hardware;

/// <summary>Best-of-N timing helper.</summary>
internal static class BestTime
{
    /// <summary>Best seconds per call of <paramref name="action"/> over <paramref name="samples"/> samples of about <paramref name="sampleSeconds"/>; always positive.</summary>
    public static double Seconds(Action action, double sampleSeconds, int samples) =>
        Seconds(action, sampleSeconds, samples, static () => Stopwatch.GetTimestamp() / (double)Stopwatch.Frequency);

    /// <summary>As <see cref="Seconds(Action, double, int)"/>, reading time (seconds, non-decreasing) from <paramref name="clock"/>; tests pass a coarse one.</summary>
    internal static double Seconds(Action action, double sampleSeconds, int samples, Func<double> clock)
    {
        action(); // warm-up (JIT, buffers, caches)
        action();
        double begin = clock(), took;
        long calls = 0;
        do { action(); calls++; took = clock() - begin; } while (took <= 0 || took < sampleSeconds / 4);
        long block = Math.Max(1, (long)(calls * sampleSeconds / took));

        double best = double.MaxValue;
        for (int s = 0; s < samples; s++)
        {
            double start = clock();
            long done = 0;
            double elapsed;
            do
            {
                for (long i = 0; i < block; i++) action();
                done += block;
                elapsed = clock() - start;
            } while (elapsed <= 0 || elapsed < sampleSeconds / 2);
            best = Math.Min(best, elapsed / done);
        }
        return best;
    }
}
