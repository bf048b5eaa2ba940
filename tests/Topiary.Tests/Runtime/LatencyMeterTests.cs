using Topiary.Runtime;

namespace Topiary.Tests.Runtime;

public class LatencyMeterTests
{
    [Fact]
    public void Compare_times_every_action_in_order_with_consistent_statistics()
    {
        int a = 0, b = 0;
        var l = LatencyMeter.Compare([() => a++, () => b++], seconds: 0.02, warmup: 3);
        Assert.Equal(2, l.Count);
        Assert.Equal(a - 3, l[0].Calls);
        Assert.Equal(b - 3, l[1].Calls);
        Assert.All(l, x => Assert.True(x.Calls >= 20 && x.MinUs <= x.MedianUs && x.MedianUs <= x.P99Us));
    }

    [Fact]
    public void Bad_arguments_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => LatencyMeter.Compare([], 0.01));
        Assert.Throws<ArgumentOutOfRangeException>(() => LatencyMeter.Compare([() => { }], -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => LatencyMeter.Measure(() => { }, 0.01, warmup: -1));
    }
}
