// BestTime on a clock that advances in coarse ticks (as some virtual machines' clocks do): a sample that
// finishes between two ticks must not yield a zero time (an infinite bandwidth), and the per-call time must
// still be of the right size.
using System.Diagnostics;
using Topiary.Hardware;

namespace Topiary.Tests.Hardware;

public class BestTimeTests
{
    [Fact]
    public void A_coarse_clock_never_gives_a_zero_time()
    {
        const double tick = 0.004; // 4 ms ticks, the timer of a HZ=250 kernel
        double Coarse() => Math.Floor(Stopwatch.GetTimestamp() / (double)Stopwatch.Frequency / tick) * tick;
        var data = new float[4096];
        double sink = 0;
        void Work() { foreach (float v in data) sink += v; }

        double seconds = BestTime.Seconds(Work, sampleSeconds: 0.001, samples: 3, Coarse);
        Assert.True(double.IsFinite(seconds) && seconds > 0, $"{seconds}");
        double fine = BestTime.Seconds(Work, sampleSeconds: 0.02, samples: 3);
        // The coarse reading spans at least one tick over many calls; it cannot be below the true time by more than
        // the tick's share, and on a loaded machine it can be above it. Orders of magnitude are what is asserted.
        Assert.InRange(seconds / fine, 0.05, 50);
        GC.KeepAlive(sink);
    }
}
