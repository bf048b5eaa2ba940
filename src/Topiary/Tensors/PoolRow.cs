// PoolRow: max and average pooling at inference, in two phases per output row, for an operation TOp (PoolMax: IEEE
// maximum; PoolSum: addition). Rows: m[j] = x[y0][j] ∘ x[y0 + 1][j] ∘ … (row y0 first, then each next one in turn).
// Columns: out[j] = p[j·S] ∘ p[j·S + 1] ∘ … ∘ p[j·S + K − 1] over a row p that holds the rows' result, padded where
// windows hang over the image (−∞ for the maximum, 0 for the sum: the caller's).
//   stride 1: one vector operation per tap over the shifted row (unaligned loads)
//   stride 2: per tap, the even lanes of p[2j + k ..], then a vector operation — no gathered copy per tap. With
//             AVX-512, taps 2m and 2m + 1 share two loads at 2j + 2m, the even and the odd lanes each picked by one
//             two-register permute (64 × 111 × 111, 3 × 3: 130–146 → 128–131 µs); otherwise two consecutive floats
//             are read as one 64-bit lane and narrowed to the first, as Stride2 does
//   a leftover narrower than a vector: one more vector ending at the row's end (overlapping outputs get the same value)
//   any other stride, rows narrower than a vector, and tails the loads cannot reach: the scalar loop (the twin)
// Every path applies the operations to each output in the same order, so the vector paths equal the scalar loop bit for
// bit. Max is IEEE maximum (MathF.Max, Vector.Max): NaN propagates, +0 beats −0.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Topiary.Tensors;

/// <summary>The operation a pooling row applies.</summary>
internal interface IPoolOp
{
    /// <summary>a ∘ b.</summary>
    static abstract float Apply(float a, float b);
    /// <summary>a ∘ b per lane.</summary>
    static abstract Vector512<float> Apply(Vector512<float> a, Vector512<float> b);
    /// <summary>a ∘ b per lane.</summary>
    static abstract Vector256<float> Apply(Vector256<float> a, Vector256<float> b);
}

/// <summary>IEEE maximum (max pooling).</summary>
internal readonly struct PoolMax : IPoolOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Apply(float a, float b) => MathF.Max(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Apply(Vector512<float> a, Vector512<float> b) => Vector512.Max(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Apply(Vector256<float> a, Vector256<float> b) => NativeClamp.Max(a, b);
}

/// <summary>Addition (average pooling's sums).</summary>
internal readonly struct PoolSum : IPoolOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Apply(float a, float b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Apply(Vector512<float> a, Vector512<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Apply(Vector256<float> a, Vector256<float> b) => a + b;
}

/// <summary>Window maximum or sum along one padded row (oracle: the scalar loop).</summary>
internal static class PoolRow
{
    /// <summary>out[j] = p[j·stride] ∘ … ∘ p[j·stride + <paramref name="kernel"/> − 1] (TOp's ∘).</summary>
    /// <exception cref="ArgumentException"><paramref name="p"/> is shorter than the last window's end.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Columns<TOp>(ReadOnlySpan<float> p, int stride, int kernel, Span<float> output, bool vectorise = true) where TOp : struct, IPoolOp
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
                    for (; j + 16 <= n; j += 16) Unit1_512<TOp>(ref src, j, kernel).StoreUnsafe(ref dst, (nuint)j);
                if (Vector256.IsHardwareAccelerated)
                    for (; j + 8 <= n; j += 8) Unit1_256<TOp>(ref src, j, kernel).StoreUnsafe(ref dst, (nuint)j);
                if (j < n && n >= 16 && Vector512.IsHardwareAccelerated)
                {
                    Unit1_512<TOp>(ref src, n - 16, kernel).StoreUnsafe(ref dst, (nuint)(n - 16));
                    j = n;
                }
                else if (j < n && n >= 8 && Vector256.IsHardwareAccelerated)
                {
                    Unit1_256<TOp>(ref src, n - 8, kernel).StoreUnsafe(ref dst, (nuint)(n - 8));
                    j = n;
                }
            }
            else if (stride == 2)
            {
                if (Vector512.IsHardwareAccelerated)
                    for (; j + 16 <= n && 2 * j + 32 + kernel - 1 <= p.Length; j += 16) Unit2_512<TOp>(ref src, j, kernel).StoreUnsafe(ref dst, (nuint)j);
                if (Vector256.IsHardwareAccelerated)
                    for (; j + 8 <= n && 2 * j + 16 + kernel - 1 <= p.Length; j += 8) Unit2_256<TOp>(ref src, j, kernel).StoreUnsafe(ref dst, (nuint)j);
                if (j < n && n >= 16 && 2 * n + kernel - 1 <= p.Length && Vector512.IsHardwareAccelerated)
                {
                    Unit2_512<TOp>(ref src, n - 16, kernel).StoreUnsafe(ref dst, (nuint)(n - 16));
                    j = n;
                }
                else if (j < n && n >= 8 && 2 * n + kernel - 1 <= p.Length && Vector256.IsHardwareAccelerated)
                {
                    Unit2_256<TOp>(ref src, n - 8, kernel).StoreUnsafe(ref dst, (nuint)(n - 8));
                    j = n;
                }
            }
        }
        for (; j < n; j++)
        {
            float best = Unsafe.Add(ref src, j * stride);
            for (int k = 1; k < kernel; k++) best = TOp.Apply(best, Unsafe.Add(ref src, j * stride + k));
            Unsafe.Add(ref dst, j) = best;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static Vector512<float> Unit1_512<TOp>(ref float src, int j, int kernel) where TOp : struct, IPoolOp
    {
        var best = Vector512.LoadUnsafe(ref src, (nuint)j);
        for (int k = 1; k < kernel; k++) best = TOp.Apply(best, Vector512.LoadUnsafe(ref src, (nuint)(j + k)));
        return best;
    }

    /// <summary>
    /// The row phase: m[j] = TOp over rows r in [<paramref name="y0"/>, <paramref name="y1"/>) of x[r·w + j] for
    /// j &lt; m.Length (row y0 first, then each next one in turn); vectors of 16 or 8 lanes, the leftover by one more
    /// vector ending at the row's end; rows narrower than a vector by the scalar loop (the twin).
    /// </summary>
    /// <exception cref="ArgumentException">No rows, or <paramref name="x"/> is shorter than the last row's end.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Rows<TOp>(ReadOnlySpan<float> x, int w, int y0, int y1, Span<float> m, bool vectorise = true) where TOp : struct, IPoolOp
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
            for (; j + 16 <= n; j += 16) Row512<TOp>(ref src, w, rows, j).StoreUnsafe(ref dst, (nuint)j);
            if (j < n) Row512<TOp>(ref src, w, rows, n - 16).StoreUnsafe(ref dst, (nuint)(n - 16));
            return;
        }
        if (vectorise && Vector256.IsHardwareAccelerated && n >= 8)
        {
            for (; j + 8 <= n; j += 8) Row256<TOp>(ref src, w, rows, j).StoreUnsafe(ref dst, (nuint)j);
            if (j < n) Row256<TOp>(ref src, w, rows, n - 8).StoreUnsafe(ref dst, (nuint)(n - 8));
            return;
        }
        for (; j < n; j++)
        {
            float best = Unsafe.Add(ref src, j);
            for (int r = 1; r < rows; r++) best = TOp.Apply(best, Unsafe.Add(ref src, r * w + j));
            Unsafe.Add(ref dst, j) = best;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static Vector512<float> Row512<TOp>(ref float src, int w, int rows, int j) where TOp : struct, IPoolOp
    {
        var best = Vector512.LoadUnsafe(ref src, (nuint)j);
        for (int r = 1; r < rows; r++) best = TOp.Apply(best, Vector512.LoadUnsafe(ref src, (nuint)(r * w + j)));
        return best;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static Vector256<float> Row256<TOp>(ref float src, int w, int rows, int j) where TOp : struct, IPoolOp
    {
        var best = Vector256.LoadUnsafe(ref src, (nuint)j);
        for (int r = 1; r < rows; r++) best = TOp.Apply(best, Vector256.LoadUnsafe(ref src, (nuint)(r * w + j)));
        return best;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static Vector256<float> Unit1_256<TOp>(ref float src, int j, int kernel) where TOp : struct, IPoolOp
    {
        var best = Vector256.LoadUnsafe(ref src, (nuint)j);
        for (int k = 1; k < kernel; k++) best = TOp.Apply(best, Vector256.LoadUnsafe(ref src, (nuint)(j + k)));
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

    // Tap k of 16 stride-2 windows is the even lanes of p[2j + k ..]: with AVX-512, taps 2m and 2m + 1 share one pair
    // of loads at 2j + 2m, the even and the odd lanes picked by one two-register permute each (vpermt2ps); otherwise
    // each tap narrows its own two loads.
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static Vector512<float> Unit2_512<TOp>(ref float src, int j, int kernel) where TOp : struct, IPoolOp
    {
        if (!Avx512F.IsSupported)
        {
            var narrowed = Evens512(ref src, 2 * j);
            for (int k = 1; k < kernel; k++) narrowed = TOp.Apply(narrowed, Evens512(ref src, 2 * j + k));
            return narrowed;
        }
        var even = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
        var odd = even + Vector512<int>.One;
        Vector512<float> best = default;
        for (int k = 0; k < kernel; k += 2)
        {
            var lo = Vector512.LoadUnsafe(ref src, (nuint)(2 * j + k));
            var hi = Vector512.LoadUnsafe(ref src, (nuint)(2 * j + k + 16));
            var tap = Avx512F.PermuteVar16x32x2(lo, even, hi);
            best = k == 0 ? tap : TOp.Apply(best, tap);
            if (k + 1 < kernel) best = TOp.Apply(best, Avx512F.PermuteVar16x32x2(lo, odd, hi));
        }
        return best;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static Vector256<float> Unit2_256<TOp>(ref float src, int j, int kernel) where TOp : struct, IPoolOp
    {
        var best = Evens256(ref src, 2 * j);
        for (int k = 1; k < kernel; k++) best = TOp.Apply(best, Evens256(ref src, 2 * j + k));
        return best;
    }
}
