// CoreLatencySection (`quick --only core-latency`): the round trip of a cache line between cores 0 and 1, through the
// library's Topiary.Hardware.CoreLatency (two pinned threads passing a counter; median of 9 samples of 20,000 round
// trips). Every parallel region hands lines between cores, so this prices the multi-thread rows of the run; on a
// virtual machine it moves with where the host runs the cores (on the development VM 55–83 ns, and 500–700 ns while
// the host runs them far apart), so the run prints it beside its figures. No row on a single processor.
using Topiary.Hardware;

namespace Topiary.Benchmarks.Quick;

/// <summary>Measures the core-to-core round trip of a cache line (ns).</summary>
public sealed class CoreLatencySection : IQuickSection
{
    public string Name => "core-latency";

    public IReadOnlyList<QuickRow> Run(QuickContext context)
    {
        if (context.Threads == 1 || CoreLatency.RoundTripNanoseconds(samples: 9) is not double ns) return [];
        context.Set("core.round_trip_ns", ns);
        return [new QuickRow(Name, "cache-line round trip, core 0 to core 1 and back", ns, "ns")];
    }
}
