// Stride2: dst[i] = src[2i] — the every-other-element gather of stride-2 im2col rows and stride-2 pooling windows.
// Two consecutive floats are read as one 64-bit lane and narrowed to its low 32 bits (the first float, little-endian),
// so a vector of 2V floats yields V gathered floats with one narrowing instruction, at every SIMD width the hardware
// accelerates. The scalar loop (the twin, and the tail) is the definition.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Topiary.Tensors;

/// <summary>Stride-2 gather.</summary>
public static class Stride2
{
    /// <summary>dst[i] = src[2i] for i &lt; dst.Length.</summary>
    /// <exception cref="ArgumentException"><paramref name="src"/> holds fewer than 2·dst.Length − 1 elements.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Gather(ReadOnlySpan<float> src, Span<float> dst)
    {
        int n = dst.Length;
        if (n == 0) return;
        if (src.Length < 2 * n - 1) throw new ArgumentException($"Stride-2 gather of {n} values needs {2 * n - 1} source values; got {src.Length}.");
        if (!BitConverter.IsLittleEndian)
        {
            GatherScalar(src, dst);
            return;
        }
        ref float s = ref MemoryMarshal.GetReference(src);
        ref uint d = ref Unsafe.As<float, uint>(ref MemoryMarshal.GetReference(dst));
        ref ulong pairs = ref Unsafe.As<float, ulong>(ref s);
        int i = 0;
        // Full pairs only: element 2i + 1 must exist for every lane read, so stop while 2(i + V) ≤ src.Length.
        if (Vector512.IsHardwareAccelerated)
            for (; i + 16 <= n && 2 * (i + 16) <= src.Length; i += 16)
                Vector512.Narrow(Vector512.LoadUnsafe(ref pairs, (nuint)i), Vector512.LoadUnsafe(ref pairs, (nuint)(i + 8))).StoreUnsafe(ref d, (nuint)i);
        if (Vector256.IsHardwareAccelerated)
            for (; i + 8 <= n && 2 * (i + 8) <= src.Length; i += 8)
                Vector256.Narrow(Vector256.LoadUnsafe(ref pairs, (nuint)i), Vector256.LoadUnsafe(ref pairs, (nuint)(i + 4))).StoreUnsafe(ref d, (nuint)i);
        if (Vector128.IsHardwareAccelerated)
            for (; i + 4 <= n && 2 * (i + 4) <= src.Length; i += 4)
                Vector128.Narrow(Vector128.LoadUnsafe(ref pairs, (nuint)i), Vector128.LoadUnsafe(ref pairs, (nuint)(i + 2))).StoreUnsafe(ref d, (nuint)i);
        GatherScalar(src[(2 * i)..], dst[i..]);
    }

    /// <summary>The scalar twin: dst[i] = src[2i].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void GatherScalar(ReadOnlySpan<float> src, Span<float> dst)
    {
        for (int i = 0; i < dst.Length; i++) dst[i] = src[2 * i];
    }
}
