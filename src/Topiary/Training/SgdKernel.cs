// SgdKernel: the common SGD step (momentum, L2 weight decay, no L1, no mask, not Nesterov) as one sweep over w, g, v:
//   d = w·wd + g   (d = g when wd = 0);   v = μ·v + d;   w = v·(−lr) + w
// — the three TensorPrimitives.MultiplyAdd passes (and the scratch d) it replaces, rounded the same way (every product
// and sum separately; RyuJIT never contracts them into FMAs), so the weights are bit for bit those of the passes.
// Long parameters run in fixed 16K-element chunks on Threading.For (element-wise: no effect on the result).
// Vector<float>; with hardware intrinsics off the scalar twin runs.
using System.Numerics;
using System.Runtime.InteropServices;
using Topiary.Tensors;

namespace Topiary.Training;

/// <summary>One fused momentum-SGD sweep, with a scalar twin.</summary>
internal static class SgdKernel
{
    private const int Chunk = 1 << 14;

    /// <summary>The step over the whole parameter, chunked over threads when it is long.</summary>
    public static void MomentumStep(float[] w, float[] g, float[] v, int length, float wd, float momentum, float lr)
    {
        int chunks = (length + Chunk - 1) / Chunk;
        if (chunks <= 2)
        {
            MomentumStep(w.AsSpan(0, length), g.AsSpan(0, length), v.AsSpan(0, length), wd, momentum, lr);
            return;
        }
        Threading.For(0, chunks, i =>
        {
            int start = i * Chunk, count = Math.Min(Chunk, length - start);
            MomentumStep(w.AsSpan(start, count), g.AsSpan(start, count), v.AsSpan(start, count), wd, momentum, lr);
        });
    }

    /// <summary>d = w·wd + g (g when wd = 0), v = μ·v + d, w = v·(−lr) + w, element-wise.</summary>
    public static void MomentumStep(Span<float> w, ReadOnlySpan<float> g, Span<float> v, float wd, float momentum, float lr)
    {
        int n = w.Length;
        if (g.Length < n || v.Length < n) throw new ArgumentException("Gradient or velocity is shorter than the weights.");
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            ref float pw = ref MemoryMarshal.GetReference(w);
            ref float pg = ref MemoryMarshal.GetReference(g);
            ref float pv = ref MemoryMarshal.GetReference(v);
            int width = Vector<float>.Count;
            Vector<float> vwd = new(wd), mu = new(momentum), step = new(-lr);
            for (; i + width <= n; i += width)
            {
                var wv = Vector.LoadUnsafe(ref pw, (nuint)i);
                var d = Vector.LoadUnsafe(ref pg, (nuint)i);
                if (wd != 0) d = wv * vwd + d;
                var vel = Vector.LoadUnsafe(ref pv, (nuint)i) * mu + d;
                vel.StoreUnsafe(ref pv, (nuint)i);
                (vel * step + wv).StoreUnsafe(ref pw, (nuint)i);
            }
        }
        MomentumStepScalar(w[i..], g[i..], v[i..], wd, momentum, lr);
    }

    /// <summary>Scalar twin of <see cref="MomentumStep(Span{float}, ReadOnlySpan{float}, Span{float}, float, float, float)"/>.</summary>
    public static void MomentumStepScalar(Span<float> w, ReadOnlySpan<float> g, Span<float> v, float wd, float momentum, float lr)
    {
        for (int i = 0; i < w.Length; i++)
        {
            float d = wd != 0 ? w[i] * wd + g[i] : g[i];
            float vel = v[i] * momentum + d;
            v[i] = vel;
            w[i] = vel * -lr + w[i];
        }
    }
}
