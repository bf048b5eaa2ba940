// EntryConvLanes: the float operations of EntryConvNhwc at each lane width (16, 8, 4 lanes, and one float: the scalar
// lanes), one generic kernel specialised by the JIT per width. The multiply-add is the GEMM micro-kernel's of the same
// tier, so the direct kernel reproduces the im2col + GEMM route bit for bit:
//   16 lanes  Vector512.FusedMultiplyAdd              (GemmKernel512: always one rounding)
//   8, 4      Vector256/128.MultiplyAddEstimate       (GemmKernel256/128: fused where the hardware has FMA, else a·b + c)
//   1         acc + x·w, two roundings                (GemmKernelScalar)
// Max/Min are IEEE 754:2019 maximum/minimum (NaN propagates, −0 < +0), as the GEMM epilogue's; MaxNative/MinNative the
// hardware's (x86: a > b ? a : b), which EntryConvNhwc uses only where the results are the IEEE ones.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Topiary.Tensors;

/// <summary>Float operations on <typeparamref name="TV"/>, a vector of <see cref="Count"/> lanes (or one float).</summary>
internal unsafe interface IEntryConvLanes<TV> where TV : struct
{
    /// <summary>Lanes per value.</summary>
    static abstract int Count { get; }

    /// <summary>True when <see cref="MultiplyAdd"/> rounds once (x·w + acc fused).</summary>
    static abstract bool Fused { get; }

    /// <summary>Every lane v.</summary>
    static abstract TV Broadcast(float v);

    /// <summary>Count floats from p.</summary>
    static abstract TV Load(float* p);

    /// <summary>Stores Count floats at p.</summary>
    static abstract void Store(TV v, float* p);

    /// <summary>Stores the first <paramref name="n"/> lanes at p (0 &lt; n ≤ Count); nothing is written past p + n.</summary>
    static abstract void StoreFirst(TV v, float* p, int n);

    /// <summary>x·w + acc as the GEMM micro-kernel of this width computes it.</summary>
    static abstract TV MultiplyAdd(TV x, TV w, TV acc);

    /// <summary>a + b.</summary>
    static abstract TV Add(TV a, TV b);

    /// <summary>IEEE maximum.</summary>
    static abstract TV Max(TV a, TV b);

    /// <summary>IEEE minimum.</summary>
    static abstract TV Min(TV a, TV b);

    /// <summary>a &gt; b ? a : b per lane (x86 maxps: b when either is NaN; a platform whose native maximum is IEEE's gives
    /// the same results wherever EntryConvNhwc uses it).</summary>
    static abstract TV MaxNative(TV a, TV b);

    /// <summary>a &lt; b ? a : b per lane (as <see cref="MaxNative"/>).</summary>
    static abstract TV MinNative(TV a, TV b);
}

/// <summary>16 lanes (Vector512).</summary>
internal readonly unsafe struct EntryConvLanes512 : IEntryConvLanes<Vector512<float>>
{
    public static int Count => 16;
    public static bool Fused => true;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Broadcast(float v) => Vector512.Create(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Load(float* p) => Vector512.Load(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector512<float> v, float* p) => Vector512.Store(v, p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreFirst(Vector512<float> v, float* p, int n)
    {
        if (Avx512F.IsSupported)
            Avx512F.MaskStore(p, Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(n)).AsSingle(), v);
        else
            EntryConvLanes.Spill(v, p, n);
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> MultiplyAdd(Vector512<float> x, Vector512<float> w, Vector512<float> acc) => Vector512.FusedMultiplyAdd(x, w, acc);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Max(Vector512<float> a, Vector512<float> b) => Vector512.Max(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Min(Vector512<float> a, Vector512<float> b) => Vector512.Min(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> MaxNative(Vector512<float> a, Vector512<float> b) => Vector512.MaxNative(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> MinNative(Vector512<float> a, Vector512<float> b) => Vector512.MinNative(a, b);
}

/// <summary>8 lanes (Vector256).</summary>
internal readonly unsafe struct EntryConvLanes256 : IEntryConvLanes<Vector256<float>>
{
    public static int Count => 8;
    public static bool Fused { get; } = EntryConvLanes.Rounds256Once();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Broadcast(float v) => Vector256.Create(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Load(float* p) => Vector256.Load(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector256<float> v, float* p) => Vector256.Store(v, p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreFirst(Vector256<float> v, float* p, int n)
    {
        if (Avx.IsSupported)
            Avx.MaskStore(p, Vector256.LessThan(Vector256<int>.Indices, Vector256.Create(n)).AsSingle(), v);
        else
            EntryConvLanes.Spill(v, p, n);
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MultiplyAdd(Vector256<float> x, Vector256<float> w, Vector256<float> acc) => Vector256.MultiplyAddEstimate(x, w, acc);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Max(Vector256<float> a, Vector256<float> b) => Vector256.Max(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Min(Vector256<float> a, Vector256<float> b) => Vector256.Min(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> MaxNative(Vector256<float> a, Vector256<float> b) => Vector256.MaxNative(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> MinNative(Vector256<float> a, Vector256<float> b) => Vector256.MinNative(a, b);
}

/// <summary>4 lanes (Vector128).</summary>
internal readonly unsafe struct EntryConvLanes128 : IEntryConvLanes<Vector128<float>>
{
    public static int Count => 4;
    public static bool Fused { get; } = EntryConvLanes.Rounds128Once();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Broadcast(float v) => Vector128.Create(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Load(float* p) => Vector128.Load(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector128<float> v, float* p) => Vector128.Store(v, p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreFirst(Vector128<float> v, float* p, int n)
    {
        if (Avx.IsSupported)
            Avx.MaskStore(p, Vector128.LessThan(Vector128<int>.Indices, Vector128.Create(n)).AsSingle(), v);
        else
            EntryConvLanes.Spill(v, p, n);
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> MultiplyAdd(Vector128<float> x, Vector128<float> w, Vector128<float> acc) => Vector128.MultiplyAddEstimate(x, w, acc);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Add(Vector128<float> a, Vector128<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Max(Vector128<float> a, Vector128<float> b) => Vector128.Max(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Min(Vector128<float> a, Vector128<float> b) => Vector128.Min(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> MaxNative(Vector128<float> a, Vector128<float> b) => Vector128.MaxNative(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> MinNative(Vector128<float> a, Vector128<float> b) => Vector128.MinNative(a, b);
}

/// <summary>One lane (a float), the GEMM's scalar micro-kernel's arithmetic.</summary>
internal readonly unsafe struct EntryConvLanesScalar : IEntryConvLanes<float>
{
    public static int Count => 1;
    public static bool Fused => false;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Broadcast(float v) => v;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Load(float* p) => *p;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(float v, float* p) => *p = v;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void StoreFirst(float v, float* p, int n) => *p = v;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float MultiplyAdd(float x, float w, float acc) => acc + x * w;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Add(float a, float b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Max(float a, float b) => MathF.Max(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Min(float a, float b) => MathF.Min(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float MaxNative(float a, float b) => a > b ? a : b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float MinNative(float a, float b) => a < b ? a : b;
}

/// <summary>What the lane widths share.</summary>
internal static unsafe class EntryConvLanes
{
    // (1 + 2⁻¹²)² − (1 + 2⁻¹¹) is 2⁻²⁴ with one rounding, 0 with two. Operands from a field, so the JIT folds nothing;
    // optimised code, as the kernels run.
    private static float s_probe = 1f + 1f / 4096;

    /// <summary>True when Vector256.MultiplyAddEstimate rounds once here (the hardware has FMA).</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static bool Rounds256Once() =>
        Vector256.MultiplyAddEstimate(Vector256.Create(s_probe), Vector256.Create(s_probe), Vector256.Create(-(1f + 1f / 2048))).ToScalar() != 0f;

    /// <summary>True when Vector128.MultiplyAddEstimate rounds once here (the hardware has FMA).</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static bool Rounds128Once() =>
        Vector128.MultiplyAddEstimate(Vector128.Create(s_probe), Vector128.Create(s_probe), Vector128.Create(-(1f + 1f / 2048))).ToScalar() != 0f;

    /// <summary>The first <paramref name="n"/> lanes of <paramref name="v"/> stored at p through a copy on the stack.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Spill<TV>(TV v, float* p, int n) where TV : struct
    {
        float* lanes = (float*)Unsafe.AsPointer(ref v);
        for (int i = 0; i < n; i++) p[i] = lanes[i];
    }
}
