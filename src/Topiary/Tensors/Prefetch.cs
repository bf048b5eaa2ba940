// Prefetch: software prefetches into L2 for data a kernel will read soon but the hardware prefetchers will not foresee
// (one short run from each of many rows far apart; the next plane while this one is computed). A hint only: results
// never depend on it, and without SSE (other CPUs, intrinsics disabled) it does nothing.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Topiary.Tensors;

/// <summary>Software prefetch of float runs into L2.</summary>
internal static unsafe class Prefetch
{
    /// <summary>Asks for every 64-byte line holding p[0 .. length) to be brought into L2.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(float* p, int length)
    {
        if (!Sse.IsSupported || length <= 0) return;
        nint line = (nint)p & ~(nint)63, end = (nint)(p + length);
        for (; line < end; line += 64) Sse.Prefetch1((void*)line);
    }
}
