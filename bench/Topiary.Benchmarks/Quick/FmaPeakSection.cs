// FmaPeakSection: the machine's measured single-precision FMA peak, one core and all cores, through the
// library's Topiary.Hardware.FmaPeak (register-only loop, 16 independent FMAs per iteration on the widest
// accelerated vector type, best of 12 runs; all-core runs pinned one thread per core and 4x longer). Publishes
// "fma.peak.1t" and "fma.peak.mt" (GFLOP/s, 2 flops per lane per FMA) for later sections. When the all-core peak does
// not scale (below 0.9 x threads x the 1-thread peak) a warning row says so: other work held the cores.
using Topiary.Hardware;

namespace Topiary.Benchmarks.Quick;

/// <summary>Measures the FMA peak (GFLOP/s) on one core and on all cores.</summary>
public sealed class FmaPeakSection : IQuickSection
{
    private const long Iterations = 20_000_000; // x 16 FMAs per iteration
    private const int Samples = 12;

    public string Name => "fma-peak";

    public IReadOnlyList<QuickRow> Run(QuickContext context)
    {
        string isa = FmaPeak.Isa;
        long iters = (long)(Iterations * context.TimeScale);
        double peak1 = FmaPeak.Measure(1, iters, Samples);
        double peakN = context.Threads == 1 ? peak1 : FmaPeak.Measure(context.Threads, iters * 4, Samples);
        context.Set("fma.peak.1t", peak1);
        context.Set("fma.peak.mt", peakN);
        double scaling = FmaPeak.Scaling(peak1, peakN, context.Threads);
        var rows = new List<QuickRow>
        {
            new(Name, $"FMA peak {isa}, 1 thread", peak1, "GFLOP/s"),
            new(Name, $"FMA peak {isa}, {context.Threads} threads", peakN, "GFLOP/s", peakN / peak1, "1-thread peak"),
        };
        if (context.Threads > 1 && scaling < 0.9)
            rows.Add(new QuickRow(Name, $"WARNING: {context.Threads}-thread peak scaled {scaling:P0} of ideal", scaling, "of ideal",
                Note: "other work held the cores; all-core ratios below are not trustworthy"));
        return rows;
    }
}
