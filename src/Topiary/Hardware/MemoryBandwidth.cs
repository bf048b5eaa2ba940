// MemoryBandwidth: sustained bandwidth on arrays that should be far larger than the caches: a vector read
// (sum) and a copy (counted as read + write bytes), on one thread and on `threads` threads (each thread
// streams its own contiguous slice). GB/s = bytes / best seconds per pass / 1e9. An array that fits in the
// last-level cache measures cache bandwidth instead; the result records the array size so a report can say so.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Topiary.Hardware;

/// <summary>Read and copy bandwidth (GB/s, 1e9 bytes/s) on one and on several threads.</summary>
/// <param name="ArrayBytes">Bytes of each array (source and destination).</param>
/// <param name="Threads">Threads of the multi-threaded figures.</param>
/// <param name="Read1T">Read bandwidth, one thread.</param>
/// <param name="ReadMT">Read bandwidth, <paramref name="Threads"/> threads.</param>
/// <param name="Copy1T">Copy bandwidth (read + write bytes), one thread.</param>
/// <param name="CopyMT">Copy bandwidth (read + write bytes), <paramref name="Threads"/> threads.</param>
public sealed record MemoryBandwidthResult(long ArrayBytes, int Threads, double Read1T, double ReadMT, double Copy1T, double CopyMT);

/// <summary>Measures memory bandwidth with large-array read and copy passes.</summary>
public static class MemoryBandwidth
{
    /// <summary>
    /// Measures read and copy bandwidth over two arrays of <paramref name="floats"/> float32 each, each figure
    /// the best of <paramref name="samples"/> samples of about <paramref name="sampleSeconds"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">floats, threads or samples is less than 1, or sampleSeconds is not positive.</exception>
    public static MemoryBandwidthResult Measure(int floats, int threads, double sampleSeconds, int samples)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(floats, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 1);
        if (!(sampleSeconds > 0)) throw new ArgumentOutOfRangeException(nameof(sampleSeconds), sampleSeconds, "Sample time must be positive.");
        var src = GC.AllocateUninitializedArray<float>(floats, pinned: true);
        var dst = GC.AllocateUninitializedArray<float>(floats, pinned: true);
        src.AsSpan().Fill(1f);
        dst.AsSpan().Clear();
        double bytes = floats * 4.0;

        double read1 = bytes / BestTime.Seconds(() => Sum(src, 0, floats), sampleSeconds, samples) / 1e9;
        double readN = bytes / BestTime.Seconds(() => Split(floats, threads, (s, e) => Sum(src, s, e)), sampleSeconds, samples) / 1e9;
        double copy1 = 2 * bytes / BestTime.Seconds(() => src.AsSpan().CopyTo(dst), sampleSeconds, samples) / 1e9;
        double copyN = 2 * bytes / BestTime.Seconds(
            () => Split(floats, threads, (s, e) => src.AsSpan(s, e - s).CopyTo(dst.AsSpan(s, e - s))), sampleSeconds, samples) / 1e9;
        return new MemoryBandwidthResult(floats * 4L, threads, read1, readN, copy1, copyN);
    }

    private static void Split(int floats, int threads, Action<int, int> body) =>
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads },
            t => body((int)((long)floats * t / threads), (int)((long)floats * (t + 1) / threads)));

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float Sum(float[] data, int start, int end)
    {
        if (!Vector256.IsHardwareAccelerated) return TensorPrimitives.Sum(data.AsSpan(start, end - start));
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
