// FmaPeakSection: the machine's measured single-precision FMA peak, one core and all cores, through the
// library's Topiary.Hardware.FmaPeak (register-only loop, 16 independent FMAs per iteration on the widest
// accelerated vector type, best of 12 runs). Publishes "fma.peak.1t" and "fma.peak.mt" (GFLOP/s, 2 flops
// per lane per FMA) for later sections.
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
        double peakN = FmaPeak.Measure(context.Threads, iters, Samples);
        context.Set("fma.peak.1t", peak1);
        context.Set("fma.peak.mt", peakN);
        return
        [
            new QuickRow(Name, $"FMA peak {isa}, 1 thread", peak1, "GFLOP/s"),
            new QuickRow(Name, $"FMA peak {isa}, {context.Threads} threads", peakN, "GFLOP/s", peakN / peak1, "1-thread peak"),
        ];
    }
}
