// GroupLanes: the vector operations the group kernels need, as static struct operators (one per group width),
// so one generic kernel (GroupKernels) is specialised by the JIT for each width without copying the loops:
//   Lanes16 → Vector512, Lanes8 → Vector256, Lanes4 → Vector128, Lanes2 → the low half of a Vector128
//   (64-bit loads; the upper lanes stay zero). Loads are unaligned and read exactly Width floats.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Topiary.Runtime.Sparse;

/// <summary>Vector operations over one group of <see cref="Width"/> consecutive floats.</summary>
internal unsafe interface IGroupLanes<TVec> where TVec : struct
{
    /// <summary>Floats per group.</summary>
    static abstract int Width { get; }

    /// <summary>All zeros.</summary>
    static abstract TVec Zero { get; }

    /// <summary>Loads Width floats from <paramref name="p"/> (unaligned; reads nothing past p + Width).</summary>
    static abstract TVec Load(float* p);

    /// <summary>a·b + c (fused where the hardware has FMA).</summary>
    static abstract TVec MultiplyAdd(TVec a, TVec b, TVec c);

    /// <summary>a + b.</summary>
    static abstract TVec Add(TVec a, TVec b);

    /// <summary>Sum of the lanes.</summary>
    static abstract float Sum(TVec v);
}

internal readonly unsafe struct Lanes16 : IGroupLanes<Vector512<float>>
{
    public static int Width => 16;
    public static Vector512<float> Zero => Vector512<float>.Zero;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Load(float* p) => Vector512.Load(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> MultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Vector512.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(Vector512<float> v) => Vector512.Sum(v);
}

internal readonly unsafe struct Lanes8 : IGroupLanes<Vector256<float>>
{
    public static int Width => 8;
    public static Vector256<float> Zero => Vector256<float>.Zero;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Load(float* p) => Vector256.Load(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Vector256.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(Vector256<float> v) => Vector256.Sum(v);
}

internal readonly unsafe struct Lanes4 : IGroupLanes<Vector128<float>>
{
    public static int Width => 4;
    public static Vector128<float> Zero => Vector128<float>.Zero;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Load(float* p) => Vector128.Load(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> MultiplyAdd(Vector128<float> a, Vector128<float> b, Vector128<float> c) => Vector128.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Add(Vector128<float> a, Vector128<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(Vector128<float> v) => Vector128.Sum(v);
}

internal readonly unsafe struct Lanes2 : IGroupLanes<Vector128<float>>
{
    public static int Width => 2;
    public static Vector128<float> Zero => Vector128<float>.Zero;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Load(float* p) => Vector128.CreateScalar(Unsafe.ReadUnaligned<double>(p)).AsSingle();
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> MultiplyAdd(Vector128<float> a, Vector128<float> b, Vector128<float> c) => Vector128.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Add(Vector128<float> a, Vector128<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(Vector128<float> v) => Vector128.Sum(v);
}
