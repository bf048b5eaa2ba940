// ReLULanes: max(v, +0) with TensorPrimitives.Max's bits (IEEE 754 maximum: −0 becomes +0, NaN stays) on a vector's lanes
// and on one float, and y = max(a + b, +0) in one sweep (a residual addition followed by its ReLU) with a scalar twin.
// Used inside other passes (BatchNormKernel.Normalize, Residual) so a ReLU after them is not a second sweep over memory.
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Topiary.Tensors;

/// <summary>The ReLU inside other element-wise passes.</summary>
internal static class ReLULanes
{
    /// <summary>max(v, +0) per lane: v where v &gt; 0 or v is NaN, else +0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Max0(Vector<float> v) =>
        Vector.ConditionalSelect(Vector.GreaterThan(v, Vector<float>.Zero) | ~Vector.Equals(v, v), v, Vector<float>.Zero);

    /// <summary>max(v, +0): v when v &gt; 0 or v is NaN, else +0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Max0(float v) => v > 0 || float.IsNaN(v) ? v : 0f;

    /// <summary>y[i] = max(a[i] + b[i], +0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddMax0(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y)
    {
        int n = a.Length;
        if (b.Length < n || y.Length < n) throw new ArgumentException($"b ({b.Length}) and y ({y.Length}) must be at least as long as a ({n}).");
        if (!Vector.IsHardwareAccelerated)
        {
            AddMax0Scalar(a, b, y);
            return;
        }
        ref float pa = ref MemoryMarshal.GetReference(a);
        ref float pb = ref MemoryMarshal.GetReference(b);
        ref float py = ref MemoryMarshal.GetReference(y);
        int w = Vector<float>.Count, i = 0;
        for (; i + w <= n; i += w)
            Max0(Vector.LoadUnsafe(ref pa, (nuint)i) + Vector.LoadUnsafe(ref pb, (nuint)i)).StoreUnsafe(ref py, (nuint)i);
        AddMax0Scalar(a[i..], b[i..], y[i..]);
    }

    /// <summary>Scalar twin of <see cref="AddMax0"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddMax0Scalar(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y)
    {
        for (int i = 0; i < a.Length; i++) y[i] = Max0(a[i] + b[i]);
    }
}
