// MemoryBandwidthSection: sustained memory bandwidth on arrays far larger than the caches (256 MiB),
// through the library's Topiary.Hardware.MemoryBandwidth: a vector read (sum) and a copy (counted as
// read + write bytes), on one thread and on all threads (each thread streams its own contiguous slice).
// Publishes "mem.read.1t" etc.
using Topiary.Hardware;

namespace Topiary.Benchmarks.Quick;

/// <summary>Measures read and copy bandwidth (GB/s) on one and all threads.</summary>
public sealed class MemoryBandwidthSection : IQuickSection
{
    private const int Floats = 64 << 20; // 256 MiB

    public string Name => "memory";

    public IReadOnlyList<QuickRow> Run(QuickContext context)
    {
        int threads = context.Threads;
        var m = MemoryBandwidth.Measure(Floats, threads, sampleSeconds: 0.1 * context.TimeScale, samples: 8);
        context.Set("mem.read.1t", m.Read1T);
        context.Set("mem.read.mt", m.ReadMT);
        context.Set("mem.copy.1t", m.Copy1T);
        context.Set("mem.copy.mt", m.CopyMT);
        return
        [
            new QuickRow(Name, "read 256 MiB, 1 thread", m.Read1T, "GB/s"),
            new QuickRow(Name, $"read 256 MiB, {threads} threads", m.ReadMT, "GB/s", m.ReadMT / m.Read1T, "1 thread"),
            new QuickRow(Name, "copy 256 MiB (read+write bytes), 1 thread", m.Copy1T, "GB/s"),
            new QuickRow(Name, $"copy 256 MiB (read+write bytes), {threads} threads", m.CopyMT, "GB/s", m.CopyMT / m.Copy1T, "1 thread"),
        ];
    }
}
