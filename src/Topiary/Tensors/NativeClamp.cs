// NativeClamp: Min(Max(v, lo), hi) with IEEE 754-2019 maximum and minimum — NaN propagates, −0 < +0: what
// Vector128/256/512.Max and Min and TensorPrimitives compute, and so the layers' own passes — in three native
// instructions. Without AVX-512 the JIT spells the IEEE Vector256.Max and Min out in about ten instructions each; a
// fused ReLU6 on a 6 × 16 GEMM tile then cost more than its 16 multiply-add steps (K = 16, a MobileNet layer).
// For bounds that are not NaN (layers refuse NaN bounds):
//   MaxNative(lo, v) is lo > v ? lo : v — v when v is NaN (it passes) or equal to lo; it differs from IEEE's Max(v, lo)
//   only for lo = +0, v = −0 (IEEE: +0). Adding z turns that −0 into +0 and changes nothing else: z = +0 when lo is +0
//   (−0 + +0 = +0, x + 0 = x otherwise), z = −0 for any other lo (x + −0 = x for every x, +0 included).
//   MinNative(hi, ·) is hi < x ? hi : x — NaN passes again; it differs from IEEE's Min(x, hi) only for hi = −0, x = +0,
//   so an upper bound of −0 takes the IEEE path (Applies is false).
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Topiary.Tensors;

/// <summary>IEEE clamp bounds ready for the three-instruction form (see file header).</summary>
internal readonly struct NativeClamp
{
    /// <summary>Bounds for <paramref name="lo"/> ≤ v ≤ <paramref name="hi"/>.</summary>
    public NativeClamp(float lo, float hi)
    {
        Lo = lo;
        Hi = hi;
        Fix = BitConverter.SingleToInt32Bits(lo) == 0 ? 0f : -0f;
        Applies = !float.IsNaN(lo) && !float.IsNaN(hi) && BitConverter.SingleToInt32Bits(hi) != BitConverter.SingleToInt32Bits(-0f);
    }

    /// <summary>The lower bound.</summary>
    public float Lo { get; }

    /// <summary>The upper bound.</summary>
    public float Hi { get; }

    /// <summary>+0 when <see cref="Lo"/> is +0, else −0: added after the native max.</summary>
    public float Fix { get; }

    /// <summary>True when the native form is exact for these bounds (neither is NaN, the upper one is not −0).</summary>
    public bool Applies { get; }

    /// <summary>IEEE Min(Max(v, lo), hi) per lane; lo, hi and fix broadcast from a clamp that <see cref="Applies"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Apply(Vector256<float> v, Vector256<float> lo, Vector256<float> hi, Vector256<float> fix) =>
        Vector256.MinNative(hi, Vector256.MaxNative(lo, v) + fix);

    /// <inheritdoc cref="Apply(Vector256{float}, Vector256{float}, Vector256{float}, Vector256{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Apply(Vector512<float> v, Vector512<float> lo, Vector512<float> hi, Vector512<float> fix) =>
        Vector512.MinNative(hi, Vector512.MaxNative(lo, v) + fix);

    /// <summary>IEEE Min(Max(v, lo), hi) per lane: the native form when <paramref name="native"/> (the clamp
    /// <see cref="Applies"/>), else Vector256's IEEE max and min. For loops with few live vectors; a kernel holding a full
    /// register tile branches once around both forms instead (in the GEMM kernels this choice per vector cost 15 %).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Clamp(Vector256<float> v, Vector256<float> lo, Vector256<float> hi, Vector256<float> fix, bool native) =>
        native ? Apply(v, lo, hi, fix) : Vector256.Min(Vector256.Max(v, lo), hi);

    /// <inheritdoc cref="Clamp(Vector256{float}, Vector256{float}, Vector256{float}, Vector256{float}, bool)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Clamp(Vector512<float> v, Vector512<float> lo, Vector512<float> hi, Vector512<float> fix, bool native) =>
        native ? Apply(v, lo, hi, fix) : Vector512.Min(Vector512.Max(v, lo), hi);

    /// <summary>
    /// IEEE Max(a, b) of two variables per lane, bitwise MathF.Max's (a when a is NaN, else b when b is; of two equal
    /// values the one that is not −0; of two NaNs a, where IEEE 754 names neither and .NET's Max has returned either), in
    /// six instructions instead of the JIT's ~11 without AVX-512: MaxNative(a, b) is right except for a NaN a (it gives b)
    /// and for equal operands (b): equal operands take a AND b (+0 if either is +0), a NaN a takes a.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Max(Vector256<float> a, Vector256<float> b)
    {
        var r = Vector256.ConditionalSelect(Vector256.Equals(a, b), a & b, Vector256.MaxNative(a, b));
        return Vector256.ConditionalSelect(Vector256.Equals(a, a), r, a);
    }

    /// <summary>IEEE Max(v, +0) per lane (a ReLU): MaxNative(+0, v) + 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Relu(Vector256<float> v) => Vector256.MaxNative(Vector256<float>.Zero, v) + Vector256<float>.Zero;
}
