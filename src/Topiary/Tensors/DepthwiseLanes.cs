// DepthwiseLanes: the handful of float operations DepthwiseConv3x3's kernel and DepthwiseConv's row chunks are written in, as static members of
// small structs — one per SIMD width (Vector512, Vector256, Vector128) and a scalar one (a lane is a float) — so the
// kernel is one generic method that the JIT specialises per width (the operator pattern of TensorPrimitives).
// The scalar lanes are the kernel's twin: the same operations in the same order, one output at a time.
//   Fma(a, b, c) = a·b + c rounded once;  Max/Min are IEEE 754:2019 maximum/minimum (NaN propagates, −0 < +0),
//   the semantics of MathF.Max/Min and TensorPrimitives.Max/Min.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Topiary.Tensors;

/// <summary>Float operations on <typeparamref name="TV"/>, a vector of <see cref="Count"/> lanes (or one float).</summary>
internal interface IDepthwiseLanes<TV> where TV : struct
{
    /// <summary>Lanes per value.</summary>
    static abstract int Count { get; }

    /// <summary>Every lane v.</summary>
    static abstract TV Broadcast(float v);

    /// <summary>Count floats from p + i.</summary>
    static abstract TV Load(ref float p, nuint i);

    /// <summary>Stores Count floats at p + i.</summary>
    static abstract void Store(TV v, ref float p, nuint i);

    /// <summary>a·b + c, one rounding.</summary>
    static abstract TV Fma(TV a, TV b, TV c);

    /// <summary>a + b.</summary>
    static abstract TV Add(TV a, TV b);

    /// <summary>IEEE maximum.</summary>
    static abstract TV Max(TV a, TV b);

    /// <summary>IEEE minimum.</summary>
    static abstract TV Min(TV a, TV b);

    /// <summary>a &gt; b ? a : b per lane (x86 maxps: b when either is NaN; a platform whose native maximum is IEEE's gives
    /// the same results wherever DepthwiseConv3x3 uses it).</summary>
    static abstract TV MaxNative(TV a, TV b);

    /// <summary>a &lt; b ? a : b per lane (as <see cref="MaxNative"/>).</summary>
    static abstract TV MinNative(TV a, TV b);

    /// <summary>v with lanes n and above set to 0.</summary>
    static abstract TV KeepFirst(TV v, int n);

    /// <summary>v where <paramref name="mask"/>'s lane is all ones, +0 where it is all zeros (a bitwise and).</summary>
    static abstract TV And(TV v, TV mask);

    /// <summary>Every lane all ones (<paramref name="on"/>) or all zeros, as a mask for <see cref="And"/>.</summary>
    static abstract float MaskLane(bool on);

    /// <summary>The Count floats from p + i, p + i + 1 and p + i + 2 (may read up to p + i + 2·Count − 1).</summary>
    static abstract void Load3(ref float p, nuint i, out TV a, out TV b, out TV c);

    /// <summary>The even-indexed and odd-indexed floats of the 2·Count floats lo, hi (in order).</summary>
    static abstract void Deinterleave(TV lo, TV hi, out TV even, out TV odd);
}

/// <summary>16 lanes (Vector512).</summary>
internal readonly struct DepthwiseLanes512 : IDepthwiseLanes<Vector512<float>>
{
    public static int Count => 16;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Broadcast(float v) => Vector512.Create(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Load(ref float p, nuint i) => Vector512.LoadUnsafe(ref p, i);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector512<float> v, ref float p, nuint i) => v.StoreUnsafe(ref p, i);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Fma(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Vector512.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Max(Vector512<float> a, Vector512<float> b) => Vector512.Max(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Min(Vector512<float> a, Vector512<float> b) => Vector512.Min(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> MaxNative(Vector512<float> a, Vector512<float> b) => Vector512.MaxNative(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> MinNative(Vector512<float> a, Vector512<float> b) => Vector512.MinNative(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> And(Vector512<float> v, Vector512<float> mask) => v & mask;
    public static float MaskLane(bool on) => on ? BitConverter.Int32BitsToSingle(-1) : 0f;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> KeepFirst(Vector512<float> v, int n) =>
        Vector512.ConditionalSelect(Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(n)).AsSingle(), v, Vector512<float>.Zero);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Load3(ref float p, nuint i, out Vector512<float> a, out Vector512<float> b, out Vector512<float> c)
    {
        if (Avx512F.IsSupported)
        {
            // Two loads and two lane shifts (valignd) instead of three loads, two of them straddling cache lines.
            var lo = Vector512.LoadUnsafe(ref p, i);
            var hi = Vector512.LoadUnsafe(ref p, i + 16);
            a = lo;
            b = Avx512F.AlignRight32(hi.AsInt32(), lo.AsInt32(), 1).AsSingle();
            c = Avx512F.AlignRight32(hi.AsInt32(), lo.AsInt32(), 2).AsSingle();
            return;
        }
        a = Vector512.LoadUnsafe(ref p, i);
        b = Vector512.LoadUnsafe(ref p, i + 1);
        c = Vector512.LoadUnsafe(ref p, i + 2);
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Deinterleave(Vector512<float> lo, Vector512<float> hi, out Vector512<float> even, out Vector512<float> odd)
    {
        if (Avx512F.IsSupported)
        {
            var e = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
            even = Avx512F.PermuteVar16x32x2(lo, e, hi);
            odd = Avx512F.PermuteVar16x32x2(lo, e + Vector512<int>.One, hi);
            return;
        }
        even = Vector512.Narrow(lo.AsUInt64(), hi.AsUInt64()).AsSingle();
        odd = Vector512.Narrow(Vector512.ShiftRightLogical(lo.AsUInt64(), 32), Vector512.ShiftRightLogical(hi.AsUInt64(), 32)).AsSingle();
    }
}

/// <summary>8 lanes (Vector256).</summary>
internal readonly struct DepthwiseLanes256 : IDepthwiseLanes<Vector256<float>>
{
    public static int Count => 8;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Broadcast(float v) => Vector256.Create(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Load(ref float p, nuint i) => Vector256.LoadUnsafe(ref p, i);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector256<float> v, ref float p, nuint i) => v.StoreUnsafe(ref p, i);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Fma(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Vector256.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Max(Vector256<float> a, Vector256<float> b) => Vector256.Max(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Min(Vector256<float> a, Vector256<float> b) => Vector256.Min(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> MaxNative(Vector256<float> a, Vector256<float> b) => Vector256.MaxNative(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> MinNative(Vector256<float> a, Vector256<float> b) => Vector256.MinNative(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> And(Vector256<float> v, Vector256<float> mask) => v & mask;
    public static float MaskLane(bool on) => on ? BitConverter.Int32BitsToSingle(-1) : 0f;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> KeepFirst(Vector256<float> v, int n) =>
        Vector256.ConditionalSelect(Vector256.LessThan(Vector256<int>.Indices, Vector256.Create(n)).AsSingle(), v, Vector256<float>.Zero);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Load3(ref float p, nuint i, out Vector256<float> a, out Vector256<float> b, out Vector256<float> c)
    {
        a = Vector256.LoadUnsafe(ref p, i);
        b = Vector256.LoadUnsafe(ref p, i + 1);
        c = Vector256.LoadUnsafe(ref p, i + 2);
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Deinterleave(Vector256<float> lo, Vector256<float> hi, out Vector256<float> even, out Vector256<float> odd)
    {
        even = Vector256.Narrow(lo.AsUInt64(), hi.AsUInt64()).AsSingle();
        odd = Vector256.Narrow(Vector256.ShiftRightLogical(lo.AsUInt64(), 32), Vector256.ShiftRightLogical(hi.AsUInt64(), 32)).AsSingle();
    }
}

/// <summary>4 lanes (Vector128).</summary>
internal readonly struct DepthwiseLanes128 : IDepthwiseLanes<Vector128<float>>
{
    public static int Count => 4;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Broadcast(float v) => Vector128.Create(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Load(ref float p, nuint i) => Vector128.LoadUnsafe(ref p, i);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector128<float> v, ref float p, nuint i) => v.StoreUnsafe(ref p, i);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Fma(Vector128<float> a, Vector128<float> b, Vector128<float> c) => Vector128.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Add(Vector128<float> a, Vector128<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Max(Vector128<float> a, Vector128<float> b) => Vector128.Max(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Min(Vector128<float> a, Vector128<float> b) => Vector128.Min(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> MaxNative(Vector128<float> a, Vector128<float> b) => Vector128.MaxNative(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> MinNative(Vector128<float> a, Vector128<float> b) => Vector128.MinNative(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> And(Vector128<float> v, Vector128<float> mask) => v & mask;
    public static float MaskLane(bool on) => on ? BitConverter.Int32BitsToSingle(-1) : 0f;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> KeepFirst(Vector128<float> v, int n) =>
        Vector128.ConditionalSelect(Vector128.LessThan(Vector128<int>.Indices, Vector128.Create(n)).AsSingle(), v, Vector128<float>.Zero);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Load3(ref float p, nuint i, out Vector128<float> a, out Vector128<float> b, out Vector128<float> c)
    {
        a = Vector128.LoadUnsafe(ref p, i);
        b = Vector128.LoadUnsafe(ref p, i + 1);
        c = Vector128.LoadUnsafe(ref p, i + 2);
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Deinterleave(Vector128<float> lo, Vector128<float> hi, out Vector128<float> even, out Vector128<float> odd)
    {
        even = Vector128.Narrow(lo.AsUInt64(), hi.AsUInt64()).AsSingle();
        odd = Vector128.Narrow(Vector128.ShiftRightLogical(lo.AsUInt64(), 32), Vector128.ShiftRightLogical(hi.AsUInt64(), 32)).AsSingle();
    }
}

/// <summary>One lane (a float): the scalar twin of the vector widths.</summary>
internal readonly struct DepthwiseLanesScalar : IDepthwiseLanes<float>
{
    public static int Count => 1;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Broadcast(float v) => v;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Load(ref float p, nuint i) => Unsafe.Add(ref p, i);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(float v, ref float p, nuint i) => Unsafe.Add(ref p, i) = v;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Fma(float a, float b, float c) => MathF.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Add(float a, float b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Max(float a, float b) => MathF.Max(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Min(float a, float b) => MathF.Min(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float MaxNative(float a, float b) => a > b ? a : b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float MinNative(float a, float b) => a < b ? a : b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float KeepFirst(float v, int n) => n > 0 ? v : 0f;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float And(float v, float mask) =>
        BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(v) & BitConverter.SingleToInt32Bits(mask));
    public static float MaskLane(bool on) => on ? BitConverter.Int32BitsToSingle(-1) : 0f;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Load3(ref float p, nuint i, out float a, out float b, out float c)
    {
        a = Unsafe.Add(ref p, i);
        b = Unsafe.Add(ref p, i + 1);
        c = Unsafe.Add(ref p, i + 2);
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Deinterleave(float lo, float hi, out float even, out float odd)
    {
        even = lo;
        odd = hi;
    }
}
