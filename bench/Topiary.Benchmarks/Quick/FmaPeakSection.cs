// FmaPeakSection: the machine's measured single-precision FMA peak, one core and all cores.
// A register-only loop of independent fused multiply-adds (16 accumulators, enough to cover FMA
// latency x pipes on current x64 cores) on the widest accelerated vector type. Publishes
// "fma.peak.1t" and "fma.peak.mt" (GFLOP/s, 2 flops per lane per FMA) for later sections.
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Topiary.Benchmarks.Quick;

/// <summary>Measures the FMA peak (GFLOP/s) on one core and on all cores.</summary>
public sealed class FmaPeakSection : IQuickSection
{
    private const long Iterations = 20_000_000; // x 16 FMAs per iteration

    public string Name => "fma-peak";

    public IReadOnlyList<QuickRow> Run(QuickContext context)
    {
        int lanes = Vector512.IsHardwareAccelerated ? 16 : Vector256.IsHardwareAccelerated ? 8 : 4;
        string isa = lanes == 16 ? "Vector512" : lanes == 8 ? "Vector256" : "Vector128";
        long iters = (long)(Iterations * context.TimeScale);
        double flopsPerThread = (double)iters * 16 * lanes * 2;

        double best1 = double.MaxValue;
        for (int s = 0; s < 12; s++) best1 = Math.Min(best1, TimeThreads(1, iters));
        double bestN = double.MaxValue;
        for (int s = 0; s < 12; s++) bestN = Math.Min(bestN, TimeThreads(context.Threads, iters));

        double peak1 = flopsPerThread / best1 / 1e9;
        double peakN = flopsPerThread * context.Threads / bestN / 1e9;
        context.Set("fma.peak.1t", peak1);
        context.Set("fma.peak.mt", peakN);
        return
        [
            new QuickRow(Name, $"FMA peak {isa}, 1 thread", peak1, "GFLOP/s"),
            new QuickRow(Name, $"FMA peak {isa}, {context.Threads} threads", peakN, "GFLOP/s", peakN / peak1, "1-thread peak"),
        ];
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

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Loop256(long iters)
    {
        var x = Vector256.Create(0.999999f);
        var y = Vector256.Create(1e-6f);
        Vector256<float> a0 = Vector256<float>.One, a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        Vector256<float> a8 = a0, a9 = a0, a10 = a0, a11 = a0, a12 = a0, a13 = a0, a14 = a0, a15 = a0;
        for (long i = 0; i < iters; i++)
        {
            a0 = Vector256.MultiplyAddEstimate(a0, x, y); a1 = Vector256.MultiplyAddEstimate(a1, x, y);
            a2 = Vector256.MultiplyAddEstimate(a2, x, y); a3 = Vector256.MultiplyAddEstimate(a3, x, y);
            a4 = Vector256.MultiplyAddEstimate(a4, x, y); a5 = Vector256.MultiplyAddEstimate(a5, x, y);
            a6 = Vector256.MultiplyAddEstimate(a6, x, y); a7 = Vector256.MultiplyAddEstimate(a7, x, y);
            a8 = Vector256.MultiplyAddEstimate(a8, x, y); a9 = Vector256.MultiplyAddEstimate(a9, x, y);
            a10 = Vector256.MultiplyAddEstimate(a10, x, y); a11 = Vector256.MultiplyAddEstimate(a11, x, y);
            a12 = Vector256.MultiplyAddEstimate(a12, x, y); a13 = Vector256.MultiplyAddEstimate(a13, x, y);
            a14 = Vector256.MultiplyAddEstimate(a14, x, y); a15 = Vector256.MultiplyAddEstimate(a15, x, y);
        }
        var s = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)) + ((a8 + a9) + (a10 + a11)) + ((a12 + a13) + (a14 + a15));
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
