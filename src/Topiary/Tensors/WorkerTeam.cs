// WorkerTeam: the threads behind Threading.For — a fixed team of worker threads that spin briefly between parallel
// regions, as OpenMP's and ONNX Runtime's pools do, instead of the .NET thread pool. A network at batch 1 opens a
// parallel region per layer (a hundred per inference, each tens of microseconds long) with short serial gaps between
// them; the thread pool's workers block after a few microseconds idle and take tens of microseconds to wake, so after
// a gap of 200 µs a two-item Parallel.For ran both items on the caller (measured: 104 µs for two 65 µs items).
// Protocol (one region at a time; a caller that finds the team busy, or runs inside a region, uses Parallel.For):
//   caller:  claim the team (CAS busy 0 → 1), publish body, count and its Threading.Limit, open the gate (its number:
//            a release), hand each wanted worker the region's number (its own field), wake it if it sleeps, take indices
//            itself until none are left, close the gate, then wait until every worker that got in has left.
//   worker:  spin on its own field for up to SpinMicroseconds after its last region (then sleep on a semaphore); on a
//            new number, get in (count itself inside, then check the gate still shows that number: else leave at once),
//            adopt the region's limit (so the bodies read the caller's degree of parallelism, and a body's own
//            Threading.For flows it on), take indices from the shared counter until they run out, leave.
// The caller never waits for a worker that has not started: when another process holds the worker's core, or the
// worker has not woken yet, the caller runs the region alone (a region's indices are taken dynamically), instead of
// idling for a scheduler time slice (on a 2-core machine with one busy core that stall was about 1 ms a layer:
// AlexNet's 65 µs pool took 1,074 µs). Get-in and close are a Dekker pair of full fences: either the caller sees the
// worker inside and waits for it, or the worker sees the gate closed and leaves without touching the region.
// Indices are taken in chunks of contiguous indices (an atomic counter; about eight chunks per thread), so which
// thread runs an index varies, but every index runs exactly once; Topiary's kernels make results depend on the index
// only. The first exception thrown by a body is rethrown to the caller in an AggregateException (as Parallel.For
// does) after the region ends.
using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Topiary.Tensors;

/// <summary>A fixed team of spinning worker threads for short, frequent parallel regions.</summary>
internal static class WorkerTeam
{
    /// <summary>How long an idle worker spins waiting for the next region before it sleeps.</summary>
    internal const int SpinMicroseconds = 1000;

    private static readonly object s_startLock = new();
    private static Worker[] s_workers = [];
    private static int s_busy;                 // 1 while a region owns the team
    private static long s_region;              // number of the current region
    private static long s_gate;                // the open region's number; 0 once the caller has closed it
    private static int s_inside;               // workers inside the open region
    private static Action<int>? s_body;
    private static int s_count, s_chunk, s_limit;
    private static PaddedCounter s_next;       // on its own cache line: both threads hammer it
    private static Exception? s_error;
    [ThreadStatic] private static bool t_inRegion;

    /// <summary>Tests only: while set, a worker that was handed a region waits on it before getting in (a worker whose
    /// core is busy elsewhere).</summary>
    internal static volatile ManualResetEventSlim? HoldForTest;

    /// <summary>
    /// Runs body(i) for i in [0, count) on the caller and up to <paramref name="threads"/> − 1 workers, the workers under
    /// the caller's <paramref name="limit"/> (its <see cref="Threading.Limit"/>; 0: none); false (nothing run) when the
    /// team is busy or the caller is already inside a region, so the caller falls back to another scheduler.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TryRun(int count, int threads, int limit, Action<int> body)
    {
        if (t_inRegion || Interlocked.CompareExchange(ref s_busy, 1, 0) != 0) return false;
        try
        {
            int wanted = Math.Min(Math.Min(threads, count) - 1, EnsureWorkers(Environment.ProcessorCount - 1));
            s_body = body;
            s_count = count;
            s_limit = limit;
            // Chunks of contiguous indices: fewer atomic increments on a contended line, neighbours on one core.
            s_chunk = Math.Max(1, count / (8 * (wanted + 1)));
            s_next.Value = 0;
            s_error = null;
            long region = ++s_region;
            Volatile.Write(ref s_gate, region);
            for (int w = 0; w < wanted; w++) s_workers[w].Assign(region);
            t_inRegion = true;
            try
            {
                Take();
            }
            finally
            {
                t_inRegion = false;
            }
            Interlocked.Exchange(ref s_gate, 0); // a full fence: workers not inside yet will see it closed
            var spin = new SpinWait();
            while (Volatile.Read(ref s_inside) != 0) spin.SpinOnce(sleep1Threshold: -1);
            s_body = null;
            if (s_error is { } error) throw new AggregateException(error);
            return true;
        }
        finally
        {
            Volatile.Write(ref s_busy, 0);
        }
    }

    // Takes chunks of indices from the shared counter until none are left; records the first exception and stops the others.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Take()
    {
        var body = s_body!;
        int count = s_count, chunk = s_chunk;
        for (int start = Interlocked.Add(ref s_next.Value, chunk) - chunk; start < count; start = Interlocked.Add(ref s_next.Value, chunk) - chunk)
        {
            try
            {
                for (int i = start, end = Math.Min(count, start + chunk); i < end; i++) body(i);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref s_error, e, null);
                Volatile.Write(ref s_next.Value, count); // no further indices
            }
        }
    }

    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Explicit, Size = 128)]
    private struct PaddedCounter
    {
        [System.Runtime.InteropServices.FieldOffset(64)] public int Value;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int EnsureWorkers(int wanted)
    {
        if (s_workers.Length >= wanted) return s_workers.Length;
        lock (s_startLock)
        {
            if (s_workers.Length < wanted)
            {
                var team = new Worker[wanted];
                Array.Copy(s_workers, team, s_workers.Length);
                for (int w = s_workers.Length; w < wanted; w++) team[w] = new Worker(w);
                s_workers = team;
            }
        }
        return s_workers.Length;
    }

    private sealed class Worker
    {
        private readonly SemaphoreSlim _wake = new(0);
        private long _assigned, _done;
        private int _sleeping;

        public Worker(int index) => new Thread(Loop) { IsBackground = true, Name = $"Topiary worker {index + 1}" }.Start();

        // Called by the region's owner after publishing the region: hands it to this worker, releasing it if it sleeps.
        public void Assign(long region)
        {
            Volatile.Write(ref _assigned, region);
            if (Interlocked.Exchange(ref _sleeping, 0) == 1) _wake.Release();
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Loop()
        {
            t_inRegion = true; // a body's own Threading.For runs on the thread pool, never back on the team
            while (true)
            {
                long region = _done = WaitForRegion();
                HoldForTest?.Wait();
                Interlocked.Increment(ref s_inside); // a full fence: the caller closing the gate sees this worker inside
                if (Volatile.Read(ref s_gate) == region)
                {
                    Threading.AdoptLimit(s_limit);
                    Take();
                }
                Interlocked.Decrement(ref s_inside);
            }
        }

        // Spins for SpinMicroseconds until a region is assigned, then sleeps until Assign releases it.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private long WaitForRegion()
        {
            long limit = Stopwatch.Frequency * SpinMicroseconds / 1_000_000, start = Stopwatch.GetTimestamp();
            while (true)
            {
                long region = Volatile.Read(ref _assigned);
                if (region != _done) return region;
                if (Stopwatch.GetTimestamp() - start < limit)
                {
                    Thread.SpinWait(20);
                    continue;
                }
                Interlocked.Exchange(ref _sleeping, 1); // a full fence: Assign either sees the flag or we see the region
                region = Volatile.Read(ref _assigned);
                if (region != _done)
                {
                    // Assigned meanwhile: clear the flag, or, if Assign cleared it first, take the release it made.
                    if (Interlocked.Exchange(ref _sleeping, 0) == 0) _wake.Wait();
                    return region;
                }
                _wake.Wait();
                start = Stopwatch.GetTimestamp();
            }
        }
    }
}
