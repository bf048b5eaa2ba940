using Topiary.Runtime;

namespace Topiary.Tests.Runtime;

public class LatencyMeterTests
{
    [Fact]
    public void Compare_times_every_action_in_order_with_consistent_statistics()
    {
        int a = 0, b = 0;
        var l = LatencyMeter.Compare([() => a++, () => b++], seconds: 0.02, warmup: 3, sliceSeconds: 0.002);
        Assert.Equal(2, l.Count);
        Assert.Equal(a - 3, l[0].Calls);
        Assert.Equal(b - 3, l[1].Calls);
        Assert.All(l, x => Assert.True(x.Calls >= 20 && x.MinUs <= x.MedianUs && x.MedianUs <= x.P99Us));
    }

    [Fact]
    public void Each_turn_lasts_at_least_one_slice_and_the_actions_alternate()
    {
        // Calls of ~20 µs: empty calls would record millions of samples a slice, and collecting them stalled turns under load.
        var order = new List<int>();
        static void Busy() { long end = System.Diagnostics.Stopwatch.GetTimestamp() + System.Diagnostics.Stopwatch.Frequency / 50_000; while (System.Diagnostics.Stopwatch.GetTimestamp() < end) { } }
        var clock = System.Diagnostics.Stopwatch.StartNew();
        LatencyMeter.Compare([() => { order.Add(0); Busy(); }, () => { order.Add(1); Busy(); }], seconds: 0.1, warmup: 0, sliceSeconds: 0.01);
        double elapsed = clock.Elapsed.TotalSeconds;
        int turns = 1;
        for (int i = 1; i < order.Count; i++) if (order[i] != order[i - 1]) turns++;
        Assert.Equal(0, order[0]);
        Assert.True(turns >= 4, $"only {turns} turns in {elapsed:F3} s");          // interleaved, not one block each
        Assert.True(turns <= elapsed / 0.01 + 2, $"{turns} turns in {elapsed:F3} s"); // no turn shorter than a slice
    }

    [Fact]
    public void Slow_actions_get_a_short_warm_up_and_three_timed_calls_once_the_budget_is_long_past()
    {
        // 80 ms a call, a 10 ms budget: 50 warm-up calls and 20 timed ones would take 5.6 s; the timed calls stop after a second.
        int calls = 0;
        var l = LatencyMeter.Measure(() => { calls++; Thread.Sleep(80); }, seconds: 0.01, warmup: 50);
        Assert.InRange(l.Calls, 3, 19);
        Assert.InRange(calls - l.Calls, 2, 49);
        Assert.True(l.MinUs >= 75_000, $"min {l.MinUs} µs for 80 ms calls");
    }

    [Fact]
    public void From_memory_each_action_runs_once_a_round_in_rotation()
    {
        var order = new List<int>();
        var l = LatencyMeter.CompareFromMemory([() => order.Add(0), () => order.Add(1), () => order.Add(2)], evictBytes: 1 << 20, seconds: 0, minRounds: 4);
        // one untimed call each, then rounds starting with the next action in turn
        Assert.Equal([0, 1, 2, 0, 1, 2, 1, 2, 0, 2, 0, 1, 0, 1, 2], order);
        Assert.All(l, x => Assert.True(x.Calls == 4 && x.MinUs <= x.MedianUs && x.MedianUs <= x.P99Us));
    }

    [Fact]
    public void Bad_arguments_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => LatencyMeter.CompareFromMemory([], 1024));
        Assert.Throws<ArgumentOutOfRangeException>(() => LatencyMeter.CompareFromMemory([() => { }], 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => LatencyMeter.CompareFromMemory([() => { }], 1024, seconds: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => LatencyMeter.CompareFromMemory([() => { }], 1024, minRounds: 0));
        Assert.Throws<ArgumentException>(() => LatencyMeter.Compare([], 0.01));
        Assert.Throws<ArgumentOutOfRangeException>(() => LatencyMeter.Compare([() => { }], -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => LatencyMeter.Measure(() => { }, 0.01, warmup: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => LatencyMeter.Compare([() => { }], 0.01, sliceSeconds: 0));
    }
}
