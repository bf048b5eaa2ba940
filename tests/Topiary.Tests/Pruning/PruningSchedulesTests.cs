using Topiary.Pruning;

namespace Topiary.Tests.Pruning;

public class PruningSchedulesTests
{
    [Fact]
    public void Iterative_schedule_shrinks_the_kept_fraction_geometrically_to_the_target()
    {
        Assert.Equal(0.92, PruningSchedules.Iterative(0.92, 5, 5), 12);
        double prevKept = 1;
        for (int r = 1; r <= 5; r++)
        {
            double kept = 1 - PruningSchedules.Iterative(0.92, r, 5);
            Assert.Equal(Math.Pow(0.08, 0.2), kept / prevKept, 9);
            prevKept = kept;
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => PruningSchedules.Iterative(0.9, 0, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => PruningSchedules.Iterative(1.0, 1, 5));
    }

    [Fact]
    public void Agp_follows_the_cubic_and_changes_only_at_pruning_events()
    {
        // s_i = 0, s_f = 0.9, start 100, n = 10 events every 10 steps.
        Assert.Equal(0.0, PruningSchedules.Agp(0, 0.9, 50, 100, 10, 10));
        Assert.Equal(0.9 * (1 - Math.Pow(0.5, 3)), PruningSchedules.Agp(0, 0.9, 150, 100, 10, 10), 12);
        Assert.Equal(PruningSchedules.Agp(0, 0.9, 150, 100, 10, 10), PruningSchedules.Agp(0, 0.9, 159, 100, 10, 10));
        Assert.Equal(0.9, PruningSchedules.Agp(0, 0.9, 200, 100, 10, 10), 12);
        Assert.Equal(0.9, PruningSchedules.Agp(0, 0.9, 10_000, 100, 10, 10), 12);
        for (long t = 101; t <= 200; t++)
            Assert.True(PruningSchedules.Agp(0, 0.9, t, 100, 10, 10) >= PruningSchedules.Agp(0, 0.9, t - 1, 100, 10, 10));
    }

    [Fact]
    public void Raised_s_grows_linearly_per_round()
    {
        Assert.Equal(0.5, PruningSchedules.RaisedS(0.5, 0.25, 1));
        Assert.Equal(1.0, PruningSchedules.RaisedS(0.5, 0.25, 3));
    }
}
