// QuickTimer: best-of-N wall-clock timing for the quick mode — the library's BestTime (each sample repeats the action
// until it has run for at least the sample time; the smallest per-call time is returned, the most stable statistic on
// a shared, noisy machine), with the quick mode's defaults.
namespace Topiary.Benchmarks.Quick;

/// <summary>Best-of-N timing helper.</summary>
public static class QuickTimer
{
    /// <summary>Best seconds per call of <paramref name="action"/> over <paramref name="samples"/> samples.</summary>
    public static double BestSeconds(Action action, double sampleSeconds = 0.03, int samples = 15) =>
        Topiary.Hardware.BestTime.Seconds(action, sampleSeconds, samples);
}
