// CoreLatency: a round trip between two cores takes a positive, plausible time on a machine with two processors, none is
// measured on one, bad arguments are rejected, and two round trips more than twofold apart mean the cores moved.
using Topiary.Hardware;

namespace Topiary.Tests.Hardware;

public class CoreLatencyTests
{
    [Fact]
    public void Two_cores_pass_a_cache_line_back_and_forth_in_a_plausible_time()
    {
        double? ns = CoreLatency.RoundTripNanoseconds(roundTrips: 2_000, samples: 3);
        if (Environment.ProcessorCount < 2)
        {
            Assert.Null(ns);
            return;
        }
        // A round trip is two line transfers: tens of ns on one die, hundreds across sockets; a shared CI runner's
        // preemption can stretch a sample, never to a millisecond per round trip over a median of three.
        Assert.NotNull(ns);
        Assert.InRange(ns.Value, 1.0, 1e6);
    }

    [Theory]
    [InlineData(60, 70, false)]
    [InlineData(60, 119, false)]
    [InlineData(60, 600, true)]
    [InlineData(700, 55, true)]
    [InlineData(0, 600, false)]
    public void Moved_means_the_round_trips_differ_more_than_twofold(double before, double after, bool moved) =>
        Assert.Equal(moved, CoreLatency.Moved(before, after));

    [Theory]
    [InlineData(0, 3)]
    [InlineData(100, 0)]
    public void Bad_arguments_are_rejected(int roundTrips, int samples) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => CoreLatency.RoundTripNanoseconds(roundTrips, samples));
}
