// FmaPeak on several threads (pinned one per core on Linux) still measures, and Scaling is the fraction of the
// ideal threads x 1-thread peak that the multi-thread figure reached.
using Topiary.Hardware;

namespace Topiary.Tests.Hardware;

public class FmaPeakTests
{
    [Fact]
    public void Multi_thread_measurement_runs_pinned_and_scaling_is_the_fraction_of_ideal()
    {
        int threads = Math.Max(2, Environment.ProcessorCount);
        double peak = FmaPeak.Measure(threads, 20_000, 2);
        Assert.True(double.IsFinite(peak) && peak > 0, $"{peak}");
        Assert.Equal(1.0, FmaPeak.Scaling(100, 200, 2), 12);
        Assert.Equal(0.51, FmaPeak.Scaling(100, 102, 2), 12);
        Assert.Equal(0, FmaPeak.Scaling(0, 102, 2));
    }
}
