// MaxPoolRow: the column phase of max pooling at inference — out[j] = max_{k < KW} p[j·S + k] over a row p that already
// holds the window rows' element-wise maximum, padded with −∞ where windows hang over the image.
//   stride 1: one vector max per tap over the shifted row (unaligned loads)
//   stride 2: per tap, the even lanes of p[2j + k ..] (two consecutive floats read as one 64-bit lane and narrowed to
//             the first, as Stride2 does), then a vector max — no gathered copy per tap
//   any other stride, and tails: the scalar loop (the twin)
// Max is IEEE maximum (MathF.Max, Vector.Max): NaN propagates, +0 beats −0 — the same value on every path.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Topiary.Tensors;

/// <summary>Window maximum along one padded row (oracle: the scalar loop).</summary>
internal static class MaxPoolRow
{
    /// <summary>out[j] = max over k &lt; <paramref name="kernel"/> of p[j·stride + k].</summary>
    /// <exception cref="ArgumentException"><paramref name="p"/> is shorter than the last window's end.</exception>
    public static void Columns(ReadOnlySpan<float> p, int stride, int kernel, Span<float> output, bool vectorise = true)
    {
        int n = output.Length;
        if (n == 0) return;
        if (p.Length < (n - 1) * stride + kernel)
            throw new ArgumentException($"A row of {n} windows (kernel {kernel}, stride {stride}) needs {(n - 1) * stride + kernel} values; got {p.Length}.");
        ref float src = ref MemoryMarshal.GetReference(p);
        ref float dst = ref MemoryMarshal.GetReference(output);
        int j = 0;
        if (vectorise && BitConverter.IsLittleEndian)
        {
            // 16 lanes, then 8 for the rest (a 27-wide AlexNet row: 16 + 8 + 3 scalar).
            if (stride == 1)
            {
                if (Vector512.IsHardwareAccelerated)
                    for (; j + 16 <= n; j += 16) Unit1_512(ref src, j, kernel).StoreUnsafe(ref dst, (nuint)j);
                if (Vector256.IsHardwareAccelerated)
                    for (; j + 8 <= n; j += 8) Unit1_256(ref src, j, kernel).StoreUnsafe(ref dst, (nuint)j);
            }
            else if (stride == 2)
            {
                if (Vector512.IsHardwareAccelerated)
                    for (; j + 16 <= n && 2 * j + 32 + kernel - 1 <= p.Length; j += 16) Unit2_512(ref src, j, kernel).StoreUnsafe(ref dst, (nuint)j);
                if (Vector256.IsHardwareAccelerated)
                    for (; j + 8 <= n && 2 * j + 16 + kernel - 1 <= p.Length; j += 8) Unit2_256(ref src, j, kernel).StoreUnsafe(ref dst, (nuint)j);
            }
        }
        for (; j < n; j++)
        {
            float best = Unsafe.Add(ref src, j * stride);
            for (int k = 1; k < kernel; k++) best = MathF.Max(best, Unsafe.Add(ref src, j * stride + k));
            Unsafe.Add(ref dst, j) = best;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Unit1_512(ref float src, int j, int kernel)
    {
        var best = Vector512.LoadUnsafe(ref src, (nuint)j);
        for (int k = 1; k < kernel; k++) best = Vector512.Max(best, Vector512.LoadUnsafe(ref src, (nuint)(j + k)));
        return best;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Unit1_256(ref float src, int j, int kernel)
    {
        var best = Vector256.LoadUnsafe(ref src, (nuint)j);
        for (int k = 1; k < kernel; k++) best = Vector256.Max(best, Vector256.LoadUnsafe(ref src, (nuint)(j + k)));
        return best;
    }

    // Even lanes of p[2j + k .. 2j + k + 32): reads 32 floats (the caller checked they exist).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Evens512(ref float src, int offset)
    {
        ref ulong pairs = ref Unsafe.As<float, ulong>(ref Unsafe.Add(ref src, offset));
        return Vector512.Narrow(Vector512.LoadUnsafe(ref pairs), Vector512.LoadUnsafe(ref pairs, 8)).AsSingle();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Evens256(ref float src, int offset)
    {
        ref ulong pairs = ref Unsafe.As<float, ulong>(ref Unsafe.Add(ref src, offset));
        return Vector256.Narrow(Vector256.LoadUnsafe(ref pairs), Vector256.LoadUnsafe(ref pairs, 4)).AsSingle();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Unit2_512(ref float src, int j, int kernel)
    {
        var best = Evens512(ref src, 2 * j);
        for (int k = 1; k < kernel; k++) best = Vector512.Max(best, Evens512(ref src, 2 * j + k));
        return best;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Unit2_256(ref float src, int j, int kernel)
    {
        var best = Evens256(ref src, 2 * j);
        for (int k = 1; k < kernel; k++) best = Vector256.Max(best, Evens256(ref src, 2 * j + k));
        return best;
    }
}
