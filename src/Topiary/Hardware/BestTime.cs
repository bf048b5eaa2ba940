// BestTime: best-of-N wall-clock timing for the host measurements. Each sample repeats the action until
// it has run for at least the sample time; the smallest per-call time is returned — the most stable
// statistic on a shared, noisy machine. The benchmark's QuickTimer calls it.
using System.Diagnostics;

namespace Topiary.Hardware;

/// <summary>Best-of-N timing helper.</summary>
internal static class BestTime
{
    /// <summary>Best seconds per call of <paramref name="action"/> over <paramref name="samples"/> samples of about <paramref name="sampleSeconds"/>.</summary>
    public static double Seconds(Action action, double sampleSeconds, int samples)
    {
        action(); // warm-up (JIT, buffers, caches)
        action();
        var sw = Stopwatch.StartNew();
        int calls = 0;
        do { action(); calls++; } while (sw.Elapsed.TotalSeconds < sampleSeconds / 4);
        int reps = Math.Max(1, (int)(calls * sampleSeconds / sw.Elapsed.TotalSeconds));

        double best = double.MaxValue;
        for (int s = 0; s < samples; s++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < reps; i++) action();
            best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalSeconds / reps);
        }
        return best;
    }
}
