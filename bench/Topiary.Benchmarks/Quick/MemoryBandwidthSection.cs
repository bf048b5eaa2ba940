// MemoryBandwidthSection: sustained memory bandwidth on arrays far larger than the caches
// (256 MiB): a vector read (sum) and a copy (counted as read + write bytes), on one thread and
// on all threads (each thread streams its own contiguous slice). Publishes "mem.read.1t" etc.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Topiary.Benchmarks.Quick;

/// <summary>Measures read and copy bandwidth (GB/s) on one and all threads.</summary>
public sealed class MemoryBandwidthSection : IQuickSection
{
    private const int Floats = 64 << 20; // 256 MiB

    public string Name => "memory";

    public IReadOnlyList<QuickRow> Run(QuickContext context)
    {
        var src = GC.AllocateUninitializedArray<float>(Floats, pinned: true);
        var dst = GC.AllocateUninitializedArray<float>(Floats, pinned: true);
        src.AsSpan().Fill(1f);
        dst.AsSpan().Clear();
        int threads = context.Threads;
        double bytes = Floats * 4.0;
        double sample = 0.1 * context.TimeScale;

        double read1 = bytes / QuickTimer.BestSeconds(() => Sum(src, 0, Floats), sample, 8) / 1e9;
        double readN = bytes / QuickTimer.BestSeconds(() => Split(threads, (s, e) => Sum(src, s, e)), sample, 8) / 1e9;
        double copy1 = 2 * bytes / QuickTimer.BestSeconds(() => src.AsSpan().CopyTo(dst), sample, 8) / 1e9;
        double copyN = 2 * bytes / QuickTimer.BestSeconds(
            () => Split(threads, (s, e) => src.AsSpan(s, e - s).CopyTo(dst.AsSpan(s, e - s))), sample, 8) / 1e9;

        context.Set("mem.read.1t", read1);
        context.Set("mem.read.mt", readN);
        context.Set("mem.copy.1t", copy1);
        context.Set("mem.copy.mt", copyN);
        return
        [
            new QuickRow(Name, "read 256 MiB, 1 thread", read1, "GB/s"),
            new QuickRow(Name, $"read 256 MiB, {threads} threads", readN, "GB/s", readN / read1, "1 thread"),
            new QuickRow(Name, "copy 256 MiB (read+write bytes), 1 thread", copy1, "GB/s"),
            new QuickRow(Name, $"copy 256 MiB (read+write bytes), {threads} threads", copyN, "GB/s", copyN / copy1, "1 thread"),
        ];
    }

    private static void Split(int threads, Action<int, int> body) =>
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads },
            t => body((int)((long)Floats * t / threads), (int)((long)Floats * (t + 1) / threads)));

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float Sum(float[] data, int start, int end)
    {
        ref float r = ref data[0];
        Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default;
        int i = start;
        for (; i + 32 <= end; i += 32)
        {
            s0 += Vector256.LoadUnsafe(ref r, (nuint)i);
            s1 += Vector256.LoadUnsafe(ref r, (nuint)(i + 8));
            s2 += Vector256.LoadUnsafe(ref r, (nuint)(i + 16));
            s3 += Vector256.LoadUnsafe(ref r, (nuint)(i + 24));
        }
        float sum = Vector256.Sum((s0 + s1) + (s2 + s3));
        for (; i < end; i++) sum += data[i];
        return sum;
    }
}
