// MaxPoolRow: max pooling at inference, in two phases per output row. Rows: the element-wise maximum of the window's
// input rows. Columns: out[j] = max_{k < KW} p[j·S + k] over a row p that holds that maximum, padded with −∞ where
// windows hang over the image.
//   stride 1: one vector max per tap over the shifted row (unaligned loads)
//   stride 2: per tap, the even lanes of p[2j + k ..] (two consecutive floats read as one 64-bit lane and narrowed to
//             the first, as Stride2 does), then a vector max — no gathered copy per tap
//   a leftover narrower than a vector: one more vector ending at the row's end (overlapping outputs get the same value)
//   any other stride, rows narrower than a vector, and tails the loads cannot reach: the scalar loop (the twin)
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
            // A leftover narrower than a vector is done by one more vector ending at n (recomputing a few outputs: the
            // same values), when the row is at least that wide and (stride 2) the loads stay inside p.
            if (stride == 1)
            {
                if (Vector512.IsHardwareAccelerated)
                    for (; j + 16 <= n; j += 16) Unit1_512(ref src, j, kernel).StoreUnsafe(ref dst, (nuint)j);
                if (Vector256.IsHardwareAccelerated)
                    for (; j + 8 <= n; j += 8) Unit1_256(ref src, j, kernel).StoreUnsafe(ref dst, (nuint)j);
                if (j < n && n >= 16 && Vector512.IsHardwareAccelerated)
                {
                    Unit1_512(ref src, n - 16, kernel).StoreUnsafe(ref dst, (nuint)(n - 16));
                    j = n;
                }
                else if (j < n && n >= 8 && Vector256.IsHardwareAccelerated)
                {
                    Unit1_256(ref src, n - 8, kernel).StoreUnsafe(ref dst, (nuint)(n - 8));
                    j = n;
                }
            }
            else if (stride == 2)
            {
                if (Vector512.IsHardwareAccelerated)
                    for (; j + 16 <= n && 2 * j + 32 + kernel - 1 <= p.Length; j += 16) Unit2_512(ref src, j, kernel).StoreUnsafe(ref dst, (nuint)j);
                if (Vector256.IsHardwareAccelerated)
                    for (; j + 8 <= n && 2 * j + 16 + kernel - 1 <= p.Length; j += 8) Unit2_256(ref src, j, kernel).StoreUnsafe(ref dst, (nuint)j);
                if (j < n && n >= 16 && 2 * n + kernel - 1 <= p.Length && Vector512.IsHardwareAccelerated)
                {
                    Unit2_512(ref src, n - 16, kernel).StoreUnsafe(ref dst, (nuint)(n - 16));
                    j = n;
                }
                else if (j < n && n >= 8 && 2 * n + kernel - 1 <= p.Length && Vector256.IsHardwareAccelerated)
                {
                    Unit2_256(ref src, n - 8, kernel).StoreUnsafe(ref dst, (nuint)(n - 8));
                    j = n;
                }
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

    /// <summary>
    /// The row phase: m[j] = max over rows r in [<paramref name="y0"/>, <paramref name="y1"/>) of x[r·w + j] for
    /// j &lt; m.Length (row y0 first, then each next one in turn); vectors of 16 or 8 lanes, the leftover by one more
    /// vector ending at the row's end; rows narrower than a vector by the scalar loop (the twin).
    /// </summary>
    /// <exception cref="ArgumentException">No rows, or <paramref name="x"/> is shorter than the last row's end.</exception>
    public static void Rows(ReadOnlySpan<float> x, int w, int y0, int y1, Span<float> m, bool vectorise = true)
    {
        int n = m.Length, rows = y1 - y0;
        if (n == 0) return;
        if (rows < 1 || y0 < 0 || (long)(y1 - 1) * w + n > x.Length)
            throw new ArgumentException($"Rows [{y0}, {y1}) of width {n} (stride {w}) do not fit {x.Length} values.");
        ref float src = ref Unsafe.Add(ref MemoryMarshal.GetReference(x), y0 * w);
        ref float dst = ref MemoryMarshal.GetReference(m);
        int j = 0;
        if (vectorise && Vector512.IsHardwareAccelerated && n >= 16)
        {
            for (; j + 16 <= n; j += 16) RowMax512(ref src, w, rows, j).StoreUnsafe(ref dst, (nuint)j);
            if (j < n) RowMax512(ref src, w, rows, n - 16).StoreUnsafe(ref dst, (nuint)(n - 16));
            return;
        }
        if (vectorise && Vector256.IsHardwareAccelerated && n >= 8)
        {
            for (; j + 8 <= n; j += 8) RowMax256(ref src, w, rows, j).StoreUnsafe(ref dst, (nuint)j);
            if (j < n) RowMax256(ref src, w, rows, n - 8).StoreUnsafe(ref dst, (nuint)(n - 8));
            return;
        }
        for (; j < n; j++)
        {
            float best = Unsafe.Add(ref src, j);
            for (int r = 1; r < rows; r++) best = MathF.Max(best, Unsafe.Add(ref src, r * w + j));
            Unsafe.Add(ref dst, j) = best;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> RowMax512(ref float src, int w, int rows, int j)
    {
        var best = Vector512.LoadUnsafe(ref src, (nuint)j);
        for (int r = 1; r < rows; r++) best = Vector512.Max(best, Vector512.LoadUnsafe(ref src, (nuint)(r * w + j)));
        return best;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> RowMax256(ref float src, int w, int rows, int j)
    {
        var best = Vector256.LoadUnsafe(ref src, (nuint)j);
        for (int r = 1; r < rows; r++) best = Vector256.Max(best, Vector256.LoadUnsafe(ref src, (nuint)(r * w + j)));
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
