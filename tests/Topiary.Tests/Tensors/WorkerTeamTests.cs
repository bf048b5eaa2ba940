// WorkerTeam (the spinning threads behind Threading.For): every index runs exactly once whatever the count and thread
// budget, also after the workers fell asleep; a body's exception reaches the caller (AggregateException, as
// Parallel.For) and the team stays usable; a body's own Threading.For and callers on several threads at once (the
// team busy: the thread pool takes over) still run every index once; a worker that cannot start (its core busy
// elsewhere) does not hold a region up: the caller runs it alone, and the worker stays out of it when it comes back; a
// worker runs a region under the caller's Threading.Limit (and flows it into its bodies' own regions), and the next
// region without a limit sees the process-wide degree again.
using Topiary.Tensors;

namespace Topiary.Tests.Tensors;

public class WorkerTeamTests
{
    [Theory]
    [InlineData(2, 2)]
    [InlineData(3, 2)]
    [InlineData(1000, 2)]
    [InlineData(17, 4)]
    [InlineData(5, 64)]
    public void Every_index_runs_exactly_once(int count, int threads)
    {
        for (int round = 0; round < 200; round++)
        {
            var hits = new int[count];
            bool ran = WorkerTeam.TryRun(count, threads, 0, i => Interlocked.Increment(ref hits[i]));
            if (ran) Assert.All(hits, h => Assert.Equal(1, h));
            else Assert.All(hits, h => Assert.Equal(0, h)); // busy (another test's region): nothing ran
        }
    }

    [Fact]
    public void Workers_that_fell_asleep_are_woken()
    {
        for (int round = 0; round < 3; round++)
        {
            Thread.Sleep(WorkerTeam.SpinMicroseconds / 1000 + 20); // past the spin: the workers sleep
            var hits = new int[64];
            Threading.For(0, 64, 2, i => Interlocked.Increment(ref hits[i]));
            Assert.All(hits, h => Assert.Equal(1, h));
        }
    }

    [Fact]
    public void A_body_exception_reaches_the_caller_and_the_team_stays_usable()
    {
        var ex = Assert.Throws<AggregateException>(() =>
            Threading.For(0, 100, 2, i => { if (i == 37) throw new InvalidOperationException("index 37"); }));
        Assert.Contains(ex.InnerExceptions, e => e is InvalidOperationException { Message: "index 37" });
        var hits = new int[100];
        Threading.For(0, 100, 2, i => Interlocked.Increment(ref hits[i]));
        Assert.All(hits, h => Assert.Equal(1, h));
    }

    [Fact]
    public void Nested_regions_and_concurrent_callers_run_every_index_once()
    {
        var hits = new int[8 * 40 * 30];
        Parallel.For(0, 8, caller =>
        {
            for (int round = 0; round < 40; round++)
                Threading.For(0, 30, 2, i =>
                {
                    // A region inside a body runs elsewhere (the team is taken), once per index.
                    int slot = (caller * 40 + round) * 30 + i;
                    Threading.For(0, 2, 2, j => { if (j == 0) Interlocked.Increment(ref hits[slot]); });
                });
        });
        Assert.All(hits, h => Assert.Equal(1, h));
    }

    [Fact]
    public void Workers_take_on_the_callers_limit_for_the_region_only()
    {
        // 5 and 6: values no other test or the process-wide default uses. Other tests' regions may hold the team, so
        // try until a worker has run part of each kind of region (a 2-core host has one worker).
        bool limited = false, unlimited = false;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!(limited && unlimited) && clock.Elapsed < TimeSpan.FromMinutes(1))
        {
            var seen = new int[256];
            var nested = new int[256];
            var onWorker = new bool[256];
            if (!WorkerTeam.TryRun(256, 2, limited ? 0 : 5, i =>
            {
                onWorker[i] = Thread.CurrentThread.Name?.StartsWith("Topiary worker", StringComparison.Ordinal) == true;
                seen[i] = Threading.MaxDegreeOfParallelism;
                Threading.For(0, 2, 2, j => { if (j == 1) nested[i] = Threading.MaxDegreeOfParallelism; });
                Thread.SpinWait(2000); // long enough that a spinning worker joins in
            }))
            {
                Thread.Yield();
                continue;
            }
            if (!onWorker.Contains(true)) continue;
            // The caller's own indices read its own flow (no limit here); the worker's read the limit it was handed.
            var workers = Enumerable.Range(0, 256).Where(i => onWorker[i]).ToArray();
            if (!limited)
            {
                Assert.All(workers, i => Assert.Equal(5, seen[i]));
                Assert.All(workers, i => Assert.Equal(5, nested[i]));
                limited = true;
            }
            else
            {
                Assert.All(workers, i => Assert.NotEqual(5, seen[i]));
                unlimited = true;
            }
        }
        Assert.True(limited && unlimited, "no worker ever joined a region");
        using (Threading.Limit(6))
        {
            var seen = new int[64];
            Threading.For(0, 64, 2, i => seen[i] = Threading.MaxDegreeOfParallelism);
            Assert.All(seen, v => Assert.Equal(6, v));
        }
    }

    [Fact]
    public void A_start_offset_is_honoured()
    {
        var hits = new int[50];
        Threading.For(20, 50, 2, i => Interlocked.Increment(ref hits[i]));
        Assert.All(hits.Take(20), h => Assert.Equal(0, h));
        Assert.All(hits.Skip(20), h => Assert.Equal(1, h));
    }

    [Fact]
    public async Task A_worker_that_cannot_start_does_not_hold_a_region_up()
    {
        using var hold = new ManualResetEventSlim(false);
        int regions = 0;
        WorkerTeam.HoldForTest = hold;
        try
        {
            // With the workers held before they get in, a region that waited for them would never end.
            var run = Task.Run(() =>
            {
                // Other tests run regions in parallel with this one: try for up to a minute, not a number of rounds
                // (2,000 busy rounds passed in 33 ms under the full suite).
                var clock = System.Diagnostics.Stopwatch.StartNew();
                while (regions < 20 && clock.Elapsed < TimeSpan.FromMinutes(1))
                {
                    var hits = new int[64];
                    if (!WorkerTeam.TryRun(64, 2, 0, i => Interlocked.Increment(ref hits[i])))
                    {
                        Thread.Yield(); // busy: another test's region
                        continue;
                    }
                    Assert.All(hits, h => Assert.Equal(1, h));
                    regions++;
                }
            });
            Assert.True(await Task.WhenAny(run, Task.Delay(TimeSpan.FromMinutes(2))) == run, "a region waited for a worker that had not started");
            await run;
            Assert.True(regions > 0, "the team was never free");
        }
        finally
        {
            WorkerTeam.HoldForTest = null;
            hold.Set();
        }
        // Released, the held workers find their regions closed and leave them alone: the team works on.
        var after = new int[1000];
        Threading.For(0, 1000, 2, i => Interlocked.Increment(ref after[i]));
        Assert.All(after, h => Assert.Equal(1, h));
    }
}
