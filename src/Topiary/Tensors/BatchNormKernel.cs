// BatchNormKernel: the per-span passes of batch normalisation (BatchNorm.cs holds the formulas), each one sweep over
// memory instead of the two or three TensorPrimitives calls it replaces:
//   SquaredDeviation  Σ (x − μ)²                                  (the variance pass; nothing written)
//   Normalize         y = x̂·γ + β,  x̂ = (x − μ)·inv               (then max(y, 0) for a fused ReLU)
//   Affine            y = x·a + b                                  (evaluation)
//   SumAndDot         Σ g and Σ g·x̂                                (backward statistics)
//   InputGradient     dx = ((x̂·(−m₁) + g) + (−m₀))·a              (backward, m₀ = mean g, m₁ = mean g·x̂)
// The backward passes recompute x̂ from x (the same two roundings as Normalize, so the same x̂ bits a stored copy would
// hold: nothing is written in the forward but y) and take g = dy, or dy below a ReLU that follows the layer
// (g = y > 0 ? dy : 0, as ReLU's backward computes it from its output max(y, 0)), with y = x̂·γ + β recomputed too, so a
// BN + ReLU pair reads only dy and x: a ResNet-20 16-channel BN's three 200 KB channel spans (dy, x, the ReLU's output)
// did not stay in a 512 KiB L2 between the two passes, its two do.
// Element-wise results are rounded exactly as the scalar twins (…Scalar) round them — a multiply, then an add, never
// fused (RyuJIT never contracts a·b + c) — so the vector and scalar paths agree bit for bit, and with the
// TensorPrimitives sequences they replace; the sums agree up to the order of float additions.
// Vector<float> (the JIT's preferred width); with hardware intrinsics off the scalar twins run.
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Topiary.Tensors;

/// <summary>The affine step γ, β of a batch normalisation whose output a fused ReLU takes (y = x̂·γ + β, then max(y, 0)).</summary>
internal readonly record struct ReLUAfter(float Gamma, float Beta);

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

    /// <summary>y[i] = ((x[i] − mean)·inv)·gamma + beta, then max(y[i], +0) when <paramref name="relu"/> (IEEE 754 maximum,
    /// as TensorPrimitives.Max: −0 becomes +0, NaN stays) — a fused ReLU in the same sweep.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Normalize(ReadOnlySpan<float> x, float mean, float inv, float gamma, float beta, Span<float> y, bool relu = false)
    {
        int n = x.Length;
        if (y.Length < n) throw new ArgumentException("Destination span is shorter than the input.");
        if (!Vectorised)
        {
            NormalizeScalar(x, mean, inv, gamma, beta, y, relu);
            return;
        }
        ref float px = ref MemoryMarshal.GetReference(x);
        ref float py = ref MemoryMarshal.GetReference(y);
        int w = Vector<float>.Count, i = 0;
        Vector<float> m = new(mean), s = new(inv), g = new(gamma), b = new(beta);
        if (relu)
            for (; i + w <= n; i += w) Store(ReLULanes.Max0((Load(ref px, i) - m) * s * g + b), ref py, i);
        else
            for (; i + w <= n; i += w) Store((Load(ref px, i) - m) * s * g + b, ref py, i);
        NormalizeScalar(x[i..], mean, inv, gamma, beta, y[i..], relu);
    }

    /// <summary>Scalar twin of <see cref="Normalize"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void NormalizeScalar(ReadOnlySpan<float> x, float mean, float inv, float gamma, float beta, Span<float> y, bool relu = false)
    {
        for (int i = 0; i < x.Length; i++)
        {
            float v = (x[i] - mean) * inv * gamma + beta;
            y[i] = relu ? ReLULanes.Max0(v) : v;
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

    /// <summary>sum = Σ g[i], dot = Σ g[i]·x̂[i], with x̂[i] = (x[i] − mean)·inv and g = dy, or, when <paramref name="relu"/>
    /// is given, g[i] = y[i] &gt; 0 ? dy[i] : 0 with y[i] = x̂[i]·γ + β (the gradient through a ReLU after the layer).</summary>
    public static void SumAndDot(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, float mean, float inv, ReLUAfter? relu,
        out float sum, out float dot)
    {
        CheckGradientSpans(dy, x, dy);
        if (relu is { } r) SumAndDot<BelowReLU>(dy, x, mean, inv, r, out sum, out dot);
        else SumAndDot<Plain>(dy, x, mean, inv, default, out sum, out dot);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SumAndDot<TG>(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, float mean, float inv, ReLUAfter relu,
        out float sum, out float dot) where TG : struct, IGradient
    {
        if (!Vectorised)
        {
            SumAndDotScalar<TG>(dy, x, mean, inv, relu, out sum, out dot);
            return;
        }
        ref float pd = ref MemoryMarshal.GetReference(dy);
        ref float px = ref MemoryMarshal.GetReference(x);
        int n = dy.Length, w = Vector<float>.Count, i = 0;
        Vector<float> m = new(mean), sc = new(inv), gamma = new(relu.Gamma), beta = new(relu.Beta), s = default, d = default;
        for (; i + w <= n; i += w)
        {
            var xHat = (Load(ref px, i) - m) * sc;
            var g = TG.At(Load(ref pd, i), xHat, gamma, beta);
            s += g;
            d += g * xHat;
        }
        SumAndDotScalar<TG>(dy[i..], x[i..], mean, inv, relu, out sum, out dot);
        sum += Vector.Sum(s);
        dot += Vector.Sum(d);
    }

    /// <summary>Scalar twin of
    /// <see cref="SumAndDot(ReadOnlySpan{float}, ReadOnlySpan{float}, float, float, ReLUAfter?, out float, out float)"/>.</summary>
    public static void SumAndDotScalar(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, float mean, float inv, ReLUAfter? relu,
        out float sum, out float dot)
    {
        CheckGradientSpans(dy, x, dy);
        if (relu is { } r) SumAndDotScalar<BelowReLU>(dy, x, mean, inv, r, out sum, out dot);
        else SumAndDotScalar<Plain>(dy, x, mean, inv, default, out sum, out dot);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SumAndDotScalar<TG>(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, float mean, float inv, ReLUAfter relu,
        out float sum, out float dot) where TG : struct, IGradient
    {
        sum = 0;
        dot = 0;
        for (int i = 0; i < dy.Length; i++)
        {
            float xHat = (x[i] - mean) * inv;
            float g = TG.At(dy[i], xHat, relu.Gamma, relu.Beta);
            sum += g;
            dot += g * xHat;
        }
    }

    /// <summary>dx[i] = ((x̂[i]·(−meanDyX) + g[i]) + (−meanDy))·a, with x̂ and g as in
    /// <see cref="SumAndDot(ReadOnlySpan{float}, ReadOnlySpan{float}, float, float, ReLUAfter?, out float, out float)"/>.</summary>
    public static void InputGradient(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, float mean, float inv, ReLUAfter? relu,
        float meanDy, float meanDyX, float a, Span<float> dx)
    {
        CheckGradientSpans(dy, x, dx);
        if (relu is { } r) InputGradient<BelowReLU>(dy, x, mean, inv, r, meanDy, meanDyX, a, dx);
        else InputGradient<Plain>(dy, x, mean, inv, default, meanDy, meanDyX, a, dx);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void InputGradient<TG>(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, float mean, float inv, ReLUAfter relu,
        float meanDy, float meanDyX, float a, Span<float> dx) where TG : struct, IGradient
    {
        if (!Vectorised)
        {
            InputGradientScalar<TG>(dy, x, mean, inv, relu, meanDy, meanDyX, a, dx);
            return;
        }
        ref float pd = ref MemoryMarshal.GetReference(dy);
        ref float px = ref MemoryMarshal.GetReference(x);
        ref float po = ref MemoryMarshal.GetReference(dx);
        int n = dy.Length, w = Vector<float>.Count, i = 0;
        Vector<float> m = new(mean), sc = new(inv), gamma = new(relu.Gamma), beta = new(relu.Beta);
        Vector<float> m0 = new(-meanDy), m1 = new(-meanDyX), va = new(a);
        for (; i + w <= n; i += w)
        {
            var xHat = (Load(ref px, i) - m) * sc;
            Store((xHat * m1 + TG.At(Load(ref pd, i), xHat, gamma, beta) + m0) * va, ref po, i);
        }
        InputGradientScalar<TG>(dy[i..], x[i..], mean, inv, relu, meanDy, meanDyX, a, dx[i..]);
    }

    /// <summary>Scalar twin of <see cref="InputGradient(ReadOnlySpan{float}, ReadOnlySpan{float}, float, float, ReLUAfter?,
    /// float, float, float, Span{float})"/>.</summary>
    public static void InputGradientScalar(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, float mean, float inv, ReLUAfter? relu,
        float meanDy, float meanDyX, float a, Span<float> dx)
    {
        CheckGradientSpans(dy, x, dx);
        if (relu is { } r) InputGradientScalar<BelowReLU>(dy, x, mean, inv, r, meanDy, meanDyX, a, dx);
        else InputGradientScalar<Plain>(dy, x, mean, inv, default, meanDy, meanDyX, a, dx);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void InputGradientScalar<TG>(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, float mean, float inv, ReLUAfter relu,
        float meanDy, float meanDyX, float a, Span<float> dx) where TG : struct, IGradient
    {
        for (int i = 0; i < dy.Length; i++)
        {
            float xHat = (x[i] - mean) * inv;
            dx[i] = (xHat * -meanDyX + TG.At(dy[i], xHat, relu.Gamma, relu.Beta) + -meanDy) * a;
        }
    }

    private static void CheckGradientSpans(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, ReadOnlySpan<float> dx)
    {
        int n = dy.Length;
        if (x.Length < n || dx.Length < n)
            throw new ArgumentException($"x ({x.Length}) and dx ({dx.Length}) must be at least as long as dy ({n}).");
    }

    // Where the backward passes take an element's gradient from: dy itself, or dy below a ReLU whose input y = x̂·γ + β is
    // recomputed as Normalize computes it (the same two roundings after x̂'s), so y > 0 exactly where the ReLU's output is.
    private interface IGradient
    {
        static abstract Vector<float> At(Vector<float> dy, Vector<float> xHat, Vector<float> gamma, Vector<float> beta);

        static abstract float At(float dy, float xHat, float gamma, float beta);
    }

    private readonly struct Plain : IGradient
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector<float> At(Vector<float> dy, Vector<float> xHat, Vector<float> gamma, Vector<float> beta) => dy;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float At(float dy, float xHat, float gamma, float beta) => dy;
    }

    // As ReLU's backward: y > 0 ? dy : 0 (NaN in y gives 0).
    private readonly struct BelowReLU : IGradient
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector<float> At(Vector<float> dy, Vector<float> xHat, Vector<float> gamma, Vector<float> beta) =>
            Vector.ConditionalSelect(Vector.GreaterThan(xHat * gamma + beta, Vector<float>.Zero), dy, Vector<float>.Zero);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float At(float dy, float xHat, float gamma, float beta) => xHat * gamma + beta > 0 ? dy : 0f;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> Load(ref float p, int i) => Vector.LoadUnsafe(ref p, (nuint)i);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Vector<float> v, ref float p, int i) => v.StoreUnsafe(ref p, (nuint)i);
}
