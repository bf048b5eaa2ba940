// BatchNormKernel: the per-span passes of batch normalisation (BatchNorm.cs holds the formulas), each one sweep over
// memory instead of the two or three TensorPrimitives calls it replaces:
//   SquaredDeviation  Σ (x − μ)²                                  (the variance pass; nothing written)
//   Normalize         y = x̂·γ + β,  x̂ = (x − μ)·inv
//   Affine            y = x·a + b                                  (evaluation)
//   SumAndDot         Σ g and Σ g·x̂                                (backward statistics)
//   InputGradient     dx = ((x̂·(−m₁) + g) + (−m₀))·a              (backward, m₀ = mean g, m₁ = mean g·x̂)
// The backward passes recompute x̂ from x (the same two roundings as Normalize, so the same x̂ bits a stored copy would
// hold: nothing is written in the forward but y) and take g = dy, or dy below a ReLU that follows the layer
// (g = r > 0 ? dy : 0 from its output r, as ReLU's backward computes it), so a BN + ReLU pair reads and writes its
// tensors once.
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

    /// <summary>y[i] = ((x[i] − mean)·inv)·gamma + beta.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Normalize(ReadOnlySpan<float> x, float mean, float inv, float gamma, float beta, Span<float> y)
    {
        int n = x.Length;
        if (y.Length < n) throw new ArgumentException("Destination span is shorter than the input.");
        if (!Vectorised)
        {
            NormalizeScalar(x, mean, inv, gamma, beta, y);
            return;
        }
        ref float px = ref MemoryMarshal.GetReference(x);
        ref float py = ref MemoryMarshal.GetReference(y);
        int w = Vector<float>.Count, i = 0;
        Vector<float> m = new(mean), s = new(inv), g = new(gamma), b = new(beta);
        for (; i + w <= n; i += w) Store((Load(ref px, i) - m) * s * g + b, ref py, i);
        NormalizeScalar(x[i..], mean, inv, gamma, beta, y[i..]);
    }

    /// <summary>Scalar twin of <see cref="Normalize"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void NormalizeScalar(ReadOnlySpan<float> x, float mean, float inv, float gamma, float beta, Span<float> y)
    {
        for (int i = 0; i < x.Length; i++) y[i] = (x[i] - mean) * inv * gamma + beta;
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

    /// <summary>sum = Σ g[i], dot = Σ g[i]·x̂[i], with x̂[i] = (x[i] − mean)·inv and g = dy, or, when <paramref name="relu"/>
    /// is not empty, g[i] = relu[i] &gt; 0 ? dy[i] : 0 (the gradient through a ReLU whose output is <paramref name="relu"/>).</summary>
    public static void SumAndDot(ReadOnlySpan<float> dy, ReadOnlySpan<float> relu, ReadOnlySpan<float> x, float mean, float inv,
        out float sum, out float dot)
    {
        CheckGradientSpans(dy, relu, x, dy);
        if (relu.IsEmpty) SumAndDot<Plain>(dy, dy, x, mean, inv, out sum, out dot);
        else SumAndDot<BelowReLU>(dy, relu, x, mean, inv, out sum, out dot);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SumAndDot<TG>(ReadOnlySpan<float> dy, ReadOnlySpan<float> relu, ReadOnlySpan<float> x, float mean, float inv,
        out float sum, out float dot) where TG : struct, IGradient
    {
        if (!Vectorised)
        {
            SumAndDotScalar<TG>(dy, relu, x, mean, inv, out sum, out dot);
            return;
        }
        ref float pd = ref MemoryMarshal.GetReference(dy);
        ref float pr = ref MemoryMarshal.GetReference(relu);
        ref float px = ref MemoryMarshal.GetReference(x);
        int n = dy.Length, w = Vector<float>.Count, i = 0;
        Vector<float> m = new(mean), sc = new(inv), s = default, d = default;
        for (; i + w <= n; i += w)
        {
            var g = TG.At(ref pd, ref pr, i);
            s += g;
            d += g * ((Load(ref px, i) - m) * sc);
        }
        SumAndDotScalar<TG>(dy[i..], relu[i..], x[i..], mean, inv, out sum, out dot);
        sum += Vector.Sum(s);
        dot += Vector.Sum(d);
    }

    /// <summary>Scalar twin of
    /// <see cref="SumAndDot(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, float, float, out float, out float)"/>.</summary>
    public static void SumAndDotScalar(ReadOnlySpan<float> dy, ReadOnlySpan<float> relu, ReadOnlySpan<float> x, float mean, float inv,
        out float sum, out float dot)
    {
        CheckGradientSpans(dy, relu, x, dy);
        if (relu.IsEmpty) SumAndDotScalar<Plain>(dy, dy, x, mean, inv, out sum, out dot);
        else SumAndDotScalar<BelowReLU>(dy, relu, x, mean, inv, out sum, out dot);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SumAndDotScalar<TG>(ReadOnlySpan<float> dy, ReadOnlySpan<float> relu, ReadOnlySpan<float> x, float mean, float inv,
        out float sum, out float dot) where TG : struct, IGradient
    {
        sum = 0;
        dot = 0;
        for (int i = 0; i < dy.Length; i++)
        {
            float g = TG.At(dy[i], relu[i]);
            sum += g;
            dot += g * ((x[i] - mean) * inv);
        }
    }

    /// <summary>dx[i] = ((x̂[i]·(−meanDyX) + g[i]) + (−meanDy))·a, with x̂ and g as in
    /// <see cref="SumAndDot(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, float, float, out float, out float)"/>.</summary>
    public static void InputGradient(ReadOnlySpan<float> dy, ReadOnlySpan<float> relu, ReadOnlySpan<float> x, float mean, float inv,
        float meanDy, float meanDyX, float a, Span<float> dx)
    {
        CheckGradientSpans(dy, relu, x, dx);
        if (relu.IsEmpty) InputGradient<Plain>(dy, dy, x, mean, inv, meanDy, meanDyX, a, dx);
        else InputGradient<BelowReLU>(dy, relu, x, mean, inv, meanDy, meanDyX, a, dx);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void InputGradient<TG>(ReadOnlySpan<float> dy, ReadOnlySpan<float> relu, ReadOnlySpan<float> x, float mean, float inv,
        float meanDy, float meanDyX, float a, Span<float> dx) where TG : struct, IGradient
    {
        if (!Vectorised)
        {
            InputGradientScalar<TG>(dy, relu, x, mean, inv, meanDy, meanDyX, a, dx);
            return;
        }
        ref float pd = ref MemoryMarshal.GetReference(dy);
        ref float pr = ref MemoryMarshal.GetReference(relu);
        ref float px = ref MemoryMarshal.GetReference(x);
        ref float po = ref MemoryMarshal.GetReference(dx);
        int n = dy.Length, w = Vector<float>.Count, i = 0;
        Vector<float> m = new(mean), sc = new(inv), m0 = new(-meanDy), m1 = new(-meanDyX), va = new(a);
        for (; i + w <= n; i += w)
            Store(((Load(ref px, i) - m) * sc * m1 + TG.At(ref pd, ref pr, i) + m0) * va, ref po, i);
        InputGradientScalar<TG>(dy[i..], relu[i..], x[i..], mean, inv, meanDy, meanDyX, a, dx[i..]);
    }

    /// <summary>Scalar twin of <see cref="InputGradient(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, float,
    /// float, float, float, float, Span{float})"/>.</summary>
    public static void InputGradientScalar(ReadOnlySpan<float> dy, ReadOnlySpan<float> relu, ReadOnlySpan<float> x, float mean, float inv,
        float meanDy, float meanDyX, float a, Span<float> dx)
    {
        CheckGradientSpans(dy, relu, x, dx);
        if (relu.IsEmpty) InputGradientScalar<Plain>(dy, dy, x, mean, inv, meanDy, meanDyX, a, dx);
        else InputGradientScalar<BelowReLU>(dy, relu, x, mean, inv, meanDy, meanDyX, a, dx);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void InputGradientScalar<TG>(ReadOnlySpan<float> dy, ReadOnlySpan<float> relu, ReadOnlySpan<float> x, float mean, float inv,
        float meanDy, float meanDyX, float a, Span<float> dx) where TG : struct, IGradient
    {
        for (int i = 0; i < dy.Length; i++) dx[i] = ((x[i] - mean) * inv * -meanDyX + TG.At(dy[i], relu[i]) + -meanDy) * a;
    }

    private static void CheckGradientSpans(ReadOnlySpan<float> dy, ReadOnlySpan<float> relu, ReadOnlySpan<float> x, ReadOnlySpan<float> dx)
    {
        int n = dy.Length;
        if (x.Length < n || dx.Length < n || (!relu.IsEmpty && relu.Length < n))
            throw new ArgumentException(
                $"x ({x.Length}), relu ({relu.Length}, or empty) and dx ({dx.Length}) must be at least as long as dy ({n}).");
    }

    // Where the backward passes take an element's gradient from: dy itself, or dy below a ReLU whose output is r.
    private interface IGradient
    {
        static abstract Vector<float> At(ref float dy, ref float r, int i);

        static abstract float At(float dy, float r);
    }

    private readonly struct Plain : IGradient
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector<float> At(ref float dy, ref float r, int i) => Load(ref dy, i);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float At(float dy, float r) => dy;
    }

    // As ReLU's backward: r > 0 ? dy : 0 (NaN in r gives 0).
    private readonly struct BelowReLU : IGradient
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector<float> At(ref float dy, ref float r, int i) =>
            Vector.ConditionalSelect(Vector.GreaterThan(Load(ref r, i), Vector<float>.Zero), Load(ref dy, i), Vector<float>.Zero);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float At(float dy, float r) => r > 0 ? dy : 0f;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> Load(ref float p, int i) => Vector.LoadUnsafe(ref p, (nuint)i);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Vector<float> v, ref float p, int i) => v.StoreUnsafe(ref p, (nuint)i);
}
