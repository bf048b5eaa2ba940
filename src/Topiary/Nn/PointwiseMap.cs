// PointwiseMap: the one generic driver of Topiary's hand-written element-wise kernels,
//   destination[i] = op(a[i], b[i])
// The math is a small readonly struct operator (IBinaryPointwiseOperator) with a scalar Invoke and a Vector<float>
// Invoke; the driver runs whole vectors while they fit and the scalar Invoke on the remainder (and on every element
// when Vector is not hardware-accelerated, e.g. DOTNET_EnableHWIntrinsic=0). The JIT specialises Map per operator
// struct, so the operator costs nothing over an inlined loop. The two Invoke overloads must agree element for element.
using System.Diagnostics;
using System.Numerics;

namespace Topiary.Nn;

/// <summary>An element-wise binary operator: the scalar math and its <see cref="Vector{T}"/> twin.</summary>
internal interface IBinaryPointwiseOperator
{
    /// <summary>The result for one element.</summary>
    float Invoke(float a, float b);

    /// <summary>The result for <see cref="Vector{T}.Count"/> elements, equal to the scalar Invoke on each lane.</summary>
    Vector<float> Invoke(Vector<float> a, Vector<float> b);
}

internal static class PointwiseMap
{
    /// <summary>destination[i] = op(a[i], b[i]) for every i; the spans have one length (a and b may be the same span).</summary>
    public static void Map<TOp>(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> destination, TOp op)
        where TOp : struct, IBinaryPointwiseOperator
    {
        Debug.Assert(b.Length == a.Length && destination.Length == a.Length);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int w = Vector<float>.Count;
            for (; i <= a.Length - w; i += w)
                op.Invoke(new Vector<float>(a[i..]), new Vector<float>(b[i..])).CopyTo(destination[i..]);
        }
        for (; i < a.Length; i++) destination[i] = op.Invoke(a[i], b[i]);
    }
}
