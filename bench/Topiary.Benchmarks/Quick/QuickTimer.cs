// QuickTimer: best-of-N wall-clock timing for the quick mode. Each sample repeats the action
// until it has run for at least the sample time; the best (smallest) per-call time is returned,
// which is the most stable statistic on a shared, noisy machine (many short samples give the best
// chance of catching a window where no other process competes for the cores).
using System.Diagnostics;

namespace Topiary.Benchmarks.Quick;

/// <summary>Best-of-N timing helper.</summary>
public static class QuickTimer
{
    /// <summary>Best seconds per call of <paramref name="action"/> over <paramref name="samples"/> samples.</summary>
    public static double BestSeconds(Action action, double sampleSeconds = 0.03, int samples = 15)
    {
        action(); // warm-up (JIT, buffers, caches)
        action();
        // Calibrate the repetition count so one sample lasts about sampleSeconds.
        var sw = Stopwatch.StartNew();
        int calls = 0;
        do { action(); calls++; } while (sw.Elapsed.TotalSeconds < sampleSeconds / 4);
        int reps = Math.Max(1, (int)(calls * sampleSeconds / sw.Elapsed.TotalSeconds));

        double best = double.MaxValue;
        for (int s = 0; s < samples; s++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < reps; i++) action();
            double perCall = Stopwatch.GetElapsedTime(start).TotalSeconds / reps;
            best = Math.Min(best, perCall);
        }
        return best;
    }
}
