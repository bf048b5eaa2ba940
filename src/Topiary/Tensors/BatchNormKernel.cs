// BatchNormKernel: the per-span passes of batch normalisation (BatchNorm.cs holds the formulas), each one sweep over
// memory instead of the two or three TensorPrimitives calls it replaces:
//   SquaredDeviation  Σ (x − μ)²                                  (the variance pass; nothing written)
//   Normalize         x̂ = (x − μ)·inv,  y = x̂·γ + β               (x̂ kept for backward)
//   Affine            y = x·a + b                                  (evaluation)
//   SumAndDot         Σ dy and Σ dy·x̂                              (backward statistics)
//   InputGradient     dx = ((x̂·(−m₁) + dy) + (−m₀))·a             (backward, m₀ = mean dy, m₁ = mean dy·x̂)
// Element-wise results are rounded exactly as the scalar twins (…Scalar) round them — a multiply, then an add, never
// fused (RyuJIT never contracts a·b + c) — so the vector and scalar paths agree bit for bit, and with the
// TensorPrimitives sequences they replace; the sums agree up to the order of float additions.
// Vector<float> (the JIT's preferred width); with hardware intrinsics off the scalar twins run.
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Topiary.Tensors;

/// <summary>Single-sweep batch-normalisation passes over one span, with scalar twins.</summary>
internal static class BatchNormKernel
{
    private static bool Vectorised => Vector.IsHardwareAccelerated;

    /// <summary>Σ (x[i] − mean)².</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float SquaredDeviation(ReadOnlySpan<float> x, float mean)
    {
        if (!Vectorised) return SquaredDeviationScalar(x, mean);
        ref float px = ref MemoryMarshal.GetReference(x);
        int n = x.Length, w = Vector<float>.Count, i = 0;
        var m = new Vector<float>(mean);
        Vector<float> s0 = default, s1 = default;
        for (; i + 2 * w <= n; i += 2 * w)
        {
            var d0 = Load(ref px, i) - m;
            var d1 = Load(ref px, i + w) - m;
            s0 += d0 * d0;
            s1 += d1 * d1;
        }
        for (; i + w <= n; i += w)
        {
            var d = Load(ref px, i) - m;
            s0 += d * d;
        }
        float sum = Vector.Sum(s0 + s1);
        for (; i < n; i++)
        {
            float d = Unsafe.Add(ref px, i) - mean;
            sum += d * d;
        }
        return sum;
    }

    /// <summary>Scalar twin of <see cref="SquaredDeviation"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float SquaredDeviationScalar(ReadOnlySpan<float> x, float mean)
    {
        float sum = 0;
        foreach (float v in x)
        {
            float d = v - mean;
            sum += d * d;
        }
        return sum;
    }

    /// <summary>xhat[i] = (x[i] − mean)·inv, y[i] = xhat[i]·gamma + beta.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Normalize(ReadOnlySpan<float> x, float mean, float inv, float gamma, float beta, Span<float> xhat, Span<float> y)
    {
        int n = x.Length;
        if (xhat.Length < n || y.Length < n) throw new ArgumentException("Destination spans are shorter than the input.");
        if (!Vectorised)
        {
            NormalizeScalar(x, mean, inv, gamma, beta, xhat, y);
            return;
        }
        ref float px = ref MemoryMarshal.GetReference(x);
        ref float ph = ref MemoryMarshal.GetReference(xhat);
        ref float py = ref MemoryMarshal.GetReference(y);
        int w = Vector<float>.Count, i = 0;
        Vector<float> m = new(mean), s = new(inv), g = new(gamma), b = new(beta);
        for (; i + w <= n; i += w)
        {
            var h = (Load(ref px, i) - m) * s;
            Store(h, ref ph, i);
            Store(h * g + b, ref py, i);
        }
        NormalizeScalar(x[i..], mean, inv, gamma, beta, xhat[i..], y[i..]);
    }

    /// <summary>Scalar twin of <see cref="Normalize"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void NormalizeScalar(ReadOnlySpan<float> x, float mean, float inv, float gamma, float beta, Span<float> xhat, Span<float> y)
    {
        for (int i = 0; i < x.Length; i++)
        {
            float h = (x[i] - mean) * inv;
            xhat[i] = h;
            y[i] = h * gamma + beta;
        }
    }

    /// <summary>y[i] = x[i]·a + b.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Affine(ReadOnlySpan<float> x, float a, float b, Span<float> y)
    {
        int n = x.Length;
        if (y.Length < n) throw new ArgumentException("Destination span is shorter than the input.");
        if (!Vectorised)
        {
            AffineScalar(x, a, b, y);
            return;
        }
        ref float px = ref MemoryMarshal.GetReference(x);
        ref float py = ref MemoryMarshal.GetReference(y);
        int w = Vector<float>.Count, i = 0;
        Vector<float> va = new(a), vb = new(b);
        for (; i + w <= n; i += w) Store(Load(ref px, i) * va + vb, ref py, i);
        AffineScalar(x[i..], a, b, y[i..]);
    }

    /// <summary>Scalar twin of <see cref="Affine"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AffineScalar(ReadOnlySpan<float> x, float a, float b, Span<float> y)
    {
        for (int i = 0; i < x.Length; i++) y[i] = x[i] * a + b;
    }

    /// <summary>sum = Σ dy[i], dot = Σ dy[i]·xhat[i].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SumAndDot(ReadOnlySpan<float> dy, ReadOnlySpan<float> xhat, out float sum, out float dot)
    {
        int n = dy.Length;
        if (xhat.Length < n) throw new ArgumentException("xhat is shorter than dy.");
        if (!Vectorised)
        {
            SumAndDotScalar(dy, xhat, out sum, out dot);
            return;
        }
        ref float pd = ref MemoryMarshal.GetReference(dy);
        ref float ph = ref MemoryMarshal.GetReference(xhat);
        int w = Vector<float>.Count, i = 0;
        Vector<float> s = default, d = default;
        for (; i + w <= n; i += w)
        {
            var g = Load(ref pd, i);
            s += g;
            d += g * Load(ref ph, i);
        }
        SumAndDotScalar(dy[i..], xhat[i..], out sum, out dot);
        sum += Vector.Sum(s);
        dot += Vector.Sum(d);
    }

    /// <summary>Scalar twin of <see cref="SumAndDot"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SumAndDotScalar(ReadOnlySpan<float> dy, ReadOnlySpan<float> xhat, out float sum, out float dot)
    {
        sum = 0;
        dot = 0;
        for (int i = 0; i < dy.Length; i++)
        {
            sum += dy[i];
            dot += dy[i] * xhat[i];
        }
    }

    /// <summary>dx[i] = ((xhat[i]·(−meanDyX) + dy[i]) + (−meanDy))·a.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void InputGradient(ReadOnlySpan<float> dy, ReadOnlySpan<float> xhat, float meanDy, float meanDyX, float a, Span<float> dx)
    {
        int n = dy.Length;
        if (xhat.Length < n || dx.Length < n) throw new ArgumentException("xhat or dx is shorter than dy.");
        if (!Vectorised)
        {
            InputGradientScalar(dy, xhat, meanDy, meanDyX, a, dx);
            return;
        }
        ref float pd = ref MemoryMarshal.GetReference(dy);
        ref float ph = ref MemoryMarshal.GetReference(xhat);
        ref float po = ref MemoryMarshal.GetReference(dx);
        int w = Vector<float>.Count, i = 0;
        Vector<float> m0 = new(-meanDy), m1 = new(-meanDyX), va = new(a);
        for (; i + w <= n; i += w) Store((Load(ref ph, i) * m1 + Load(ref pd, i) + m0) * va, ref po, i);
        InputGradientScalar(dy[i..], xhat[i..], meanDy, meanDyX, a, dx[i..]);
    }

    /// <summary>Scalar twin of <see cref="InputGradient"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void InputGradientScalar(ReadOnlySpan<float> dy, ReadOnlySpan<float> xhat, float meanDy, float meanDyX, float a, Span<float> dx)
    {
        for (int i = 0; i < dy.Length; i++) dx[i] = (xhat[i] * -meanDyX + dy[i] + -meanDy) * a;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> Load(ref float p, int i) => Vector.LoadUnsafe(ref p, (nuint)i);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Vector<float> v, ref float p, int i) => v.StoreUnsafe(ref p, (nuint)i);
}
