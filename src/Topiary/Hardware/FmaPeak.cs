// FmaPeak: the machine's measured single-precision FMA peak. A register-only loop of independent fused
// multiply-adds — 16 accumulators on Vector512, 12 on Vector256 (AVX2 has 16 registers; both cover FMA latency x
// pipes on current x64 cores), 8 on Vector128 run for twice the iterations — on the widest accelerated vector type.
// Each of `threads` threads runs the loop; the best wall time of `samples` runs is kept.
// GFLOP/s = threads x iterations x FmasPerIteration x lanes x 2 / seconds / 1e9.
// Several threads start together at a barrier and, on Linux, each is pinned to its own core first
// (sched_setaffinity on the calling thread; best effort), so two threads cannot share one core while another
// sits idle. A multi-thread figure far below threads x the 1-thread one means the cores were busy, not that the
// machine does not scale; callers flag it (Scaling).
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Topiary.Hardware;

/// <summary>Measures the float32 FMA peak on one or more threads.</summary>
public static class FmaPeak
{
    /// <summary>FMAs per loop iteration (per thread): 16, or 12 on Vector256, whose 16 registers hold no more accumulators.</summary>
    public static int FmasPerIteration => Lanes == 8 ? 12 : 16;

    /// <summary>float32 lanes of the widest hardware-accelerated vector type (16, 8 or 4).</summary>
    public static int Lanes => Vector512.IsHardwareAccelerated ? 16 : Vector256.IsHardwareAccelerated ? 8 : 4;

    /// <summary>Name of the vector type the loop uses: <c>Vector512</c>, <c>Vector256</c> or <c>Vector128</c>.</summary>
    public static string Isa => Lanes == 16 ? "Vector512" : Lanes == 8 ? "Vector256" : "Vector128";

    /// <summary>
    /// Best-of-<paramref name="samples"/> FMA throughput in GFLOP/s with <paramref name="threads"/> threads each
    /// running <paramref name="iterations"/> iterations (x <see cref="FmasPerIteration"/> FMAs x <see cref="Lanes"/> lanes x 2 flops).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">threads, iterations or samples is less than 1.</exception>
    public static double Measure(int threads, long iterations, int samples)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1L);
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 1);
        double best = double.MaxValue; // seconds per iteration
        for (int s = 0; s < samples; s++)
        {
            long n = iterations;
            double seconds = TimeThreads(threads, n);
            while (seconds <= 0) seconds = TimeThreads(threads, n *= 2); // a coarse clock saw no tick: run longer
            best = Math.Min(best, seconds / n);
        }
        double flopsPerIteration = (double)FmasPerIteration * Lanes * 2 * threads;
        return flopsPerIteration / best / 1e9;
    }

    /// <summary>
    /// Multi-thread peak over <paramref name="threads"/> × the 1-thread peak: 1 when the cores scale perfectly. Below
    /// about 0.9 the measurement shared its cores with other work and ratios against it are not trustworthy.
    /// </summary>
    public static double Scaling(double peak1, double peakN, int threads) => peak1 > 0 && threads > 0 ? peakN / (peak1 * threads) : 0;

    /// <summary>Seconds one thread takes for <paramref name="iterations"/> iterations (used to fit a time budget).</summary>
    public static double SecondsPerRun(long iterations)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1L);
        Loop(Math.Min(iterations, 1000)); // JIT
        var sw = Stopwatch.StartNew();
        float sink = Loop(iterations);
        double seconds = sw.Elapsed.TotalSeconds;
        GC.KeepAlive(sink);
        return seconds;
    }

    private static double TimeThreads(int threads, long iters)
    {
        var sink = new float[threads];
        using var start = new Barrier(threads + 1);
        var workers = new Thread[threads];
        for (int t = 0; t < threads; t++)
        {
            int id = t;
            workers[t] = new Thread(() =>
            {
                if (threads > 1) CoreAffinity.PinCurrentThread(id % Environment.ProcessorCount);
                Loop(1000); // JIT + warm-up
                start.SignalAndWait();
                sink[id] = Loop(iters);
            });
            workers[t].Start();
        }
        start.SignalAndWait();
        var sw = Stopwatch.StartNew();
        foreach (var w in workers) w.Join();
        double seconds = sw.Elapsed.TotalSeconds;
        GC.KeepAlive(sink);
        return seconds;
    }

    private static float Loop(long iters) =>
        Vector512.IsHardwareAccelerated ? Loop512(iters) :
        Vector256.IsHardwareAccelerated ? Loop256(iters) : Loop128(iters);

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Loop512(long iters)
    {
        var x = Vector512.Create(0.999999f);
        var y = Vector512.Create(1e-6f);
        Vector512<float> a0 = Vector512<float>.One, a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        Vector512<float> a8 = a0, a9 = a0, a10 = a0, a11 = a0, a12 = a0, a13 = a0, a14 = a0, a15 = a0;
        for (long i = 0; i < iters; i++)
        {
            a0 = Vector512.FusedMultiplyAdd(a0, x, y); a1 = Vector512.FusedMultiplyAdd(a1, x, y);
            a2 = Vector512.FusedMultiplyAdd(a2, x, y); a3 = Vector512.FusedMultiplyAdd(a3, x, y);
            a4 = Vector512.FusedMultiplyAdd(a4, x, y); a5 = Vector512.FusedMultiplyAdd(a5, x, y);
            a6 = Vector512.FusedMultiplyAdd(a6, x, y); a7 = Vector512.FusedMultiplyAdd(a7, x, y);
            a8 = Vector512.FusedMultiplyAdd(a8, x, y); a9 = Vector512.FusedMultiplyAdd(a9, x, y);
            a10 = Vector512.FusedMultiplyAdd(a10, x, y); a11 = Vector512.FusedMultiplyAdd(a11, x, y);
            a12 = Vector512.FusedMultiplyAdd(a12, x, y); a13 = Vector512.FusedMultiplyAdd(a13, x, y);
            a14 = Vector512.FusedMultiplyAdd(a14, x, y); a15 = Vector512.FusedMultiplyAdd(a15, x, y);
        }
        var s = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)) + ((a8 + a9) + (a10 + a11)) + ((a12 + a13) + (a14 + a15));
        return Vector512.Sum(s);
    }

    // 12 accumulators: with x and y that is 14 of AVX2's 16 ymm registers (16 accumulators would spill to the stack and
    // measure the stack, not the FMA pipes: 55 instead of ~100 GFLOP/s on a Zen 3 core).
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Loop256(long iters)
    {
        var x = Vector256.Create(0.999999f);
        var y = Vector256.Create(1e-6f);
        Vector256<float> a0 = Vector256<float>.One, a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        Vector256<float> a8 = a0, a9 = a0, a10 = a0, a11 = a0;
        for (long i = 0; i < iters; i++)
        {
            a0 = Vector256.MultiplyAddEstimate(a0, x, y); a1 = Vector256.MultiplyAddEstimate(a1, x, y);
            a2 = Vector256.MultiplyAddEstimate(a2, x, y); a3 = Vector256.MultiplyAddEstimate(a3, x, y);
            a4 = Vector256.MultiplyAddEstimate(a4, x, y); a5 = Vector256.MultiplyAddEstimate(a5, x, y);
            a6 = Vector256.MultiplyAddEstimate(a6, x, y); a7 = Vector256.MultiplyAddEstimate(a7, x, y);
            a8 = Vector256.MultiplyAddEstimate(a8, x, y); a9 = Vector256.MultiplyAddEstimate(a9, x, y);
            a10 = Vector256.MultiplyAddEstimate(a10, x, y); a11 = Vector256.MultiplyAddEstimate(a11, x, y);
        }
        var s = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)) + ((a8 + a9) + (a10 + a11));
        return Vector256.Sum(s);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Loop128(long iters)
    {
        var x = Vector128.Create(0.999999f);
        var y = Vector128.Create(1e-6f);
        Vector128<float> a0 = Vector128<float>.One, a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        for (long i = 0; i < iters * 2; i++)
        {
            a0 = Vector128.MultiplyAddEstimate(a0, x, y); a1 = Vector128.MultiplyAddEstimate(a1, x, y);
            a2 = Vector128.MultiplyAddEstimate(a2, x, y); a3 = Vector128.MultiplyAddEstimate(a3, x, y);
            a4 = Vector128.MultiplyAddEstimate(a4, x, y); a5 = Vector128.MultiplyAddEstimate(a5, x, y);
            a6 = Vector128.MultiplyAddEstimate(a6, x, y); a7 = Vector128.MultiplyAddEstimate(a7, x, y);
        }
        var s = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7));
        return Vector128.Sum(s);
    }
}
