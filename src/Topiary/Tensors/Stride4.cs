// Stride4: dst[i] = src[4i] — the gather of stride-4 im2col rows (AlexNet's 11×11 stride-4 first convolution, whose
// 363 × 3,025 column matrix was copied one float at a time). Stride2's narrowing applied twice: two consecutive floats
// read as one 64-bit lane and narrowed to the first gives the even floats; those, read again as pairs and narrowed,
// give every fourth. So 4V source floats yield V gathered floats with three narrowing instructions, at every SIMD width
// the hardware accelerates. The scalar loop (the twin, and the tail) is the definition.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Topiary.Tensors;

/// <summary>Stride-4 gather.</summary>
public static class Stride4
{
    /// <summary>dst[i] = src[4i] for i &lt; dst.Length.</summary>
    /// <exception cref="ArgumentException"><paramref name="src"/> holds fewer than 4·dst.Length − 3 elements.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Gather(ReadOnlySpan<float> src, Span<float> dst)
    {
        int n = dst.Length;
        if (n == 0) return;
        if (src.Length < 4 * n - 3) throw new ArgumentException($"Stride-4 gather of {n} values needs {4 * n - 3} source values; got {src.Length}.");
        int i = 0;
        if (BitConverter.IsLittleEndian)
        {
            ref ulong pairs = ref Unsafe.As<float, ulong>(ref MemoryMarshal.GetReference(src));
            ref uint d = ref Unsafe.As<float, uint>(ref MemoryMarshal.GetReference(dst));
            // Full vectors only: the last source float read, 4(i + V) − 1, must exist.
            if (Vector512.IsHardwareAccelerated)
                for (; i + 16 <= n && 4 * (i + 16) <= src.Length; i += 16)
                {
                    nuint q = (nuint)(2 * i);
                    var evens0 = Vector512.Narrow(Vector512.LoadUnsafe(ref pairs, q), Vector512.LoadUnsafe(ref pairs, q + 8));
                    var evens1 = Vector512.Narrow(Vector512.LoadUnsafe(ref pairs, q + 16), Vector512.LoadUnsafe(ref pairs, q + 24));
                    Vector512.Narrow(evens0.AsUInt64(), evens1.AsUInt64()).StoreUnsafe(ref d, (nuint)i);
                }
            if (Vector256.IsHardwareAccelerated)
                for (; i + 8 <= n && 4 * (i + 8) <= src.Length; i += 8)
                {
                    nuint q = (nuint)(2 * i);
                    var evens0 = Vector256.Narrow(Vector256.LoadUnsafe(ref pairs, q), Vector256.LoadUnsafe(ref pairs, q + 4));
                    var evens1 = Vector256.Narrow(Vector256.LoadUnsafe(ref pairs, q + 8), Vector256.LoadUnsafe(ref pairs, q + 12));
                    Vector256.Narrow(evens0.AsUInt64(), evens1.AsUInt64()).StoreUnsafe(ref d, (nuint)i);
                }
        }
        GatherScalar(src[(4 * i)..], dst[i..]);
    }

    /// <summary>The scalar twin: dst[i] = src[4i].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void GatherScalar(ReadOnlySpan<float> src, Span<float> dst)
    {
        for (int i = 0; i < dst.Length; i++) dst[i] = src[4 * i];
    }
}
