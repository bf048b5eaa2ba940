// GemmTier: the SIMD width a GEMM call runs with. The best supported tier is detected once at
// start-up from Vector512/256/128.IsHardwareAccelerated; tests force lower tiers through the
// internal Gemm.Sgemm overload (a tier the hardware lacks is reported unsupported, never emulated).
using System.Runtime.Intrinsics;

namespace Topiary.Tensors;

/// <summary>SIMD tier of the packed GEMM micro-kernel.</summary>
internal enum GemmTier
{
    /// <summary>Plain scalar 4x4 register tile (no SIMD).</summary>
    Scalar,
    /// <summary>Vector128 6x8 tile (SSE/NEON).</summary>
    Vector128,
    /// <summary>Vector256 6x16 tile (AVX2+FMA).</summary>
    Vector256,
    /// <summary>Vector512 8x48 tile (AVX-512).</summary>
    Vector512,
}

/// <summary>Detection of the GEMM tiers this process can run.</summary>
internal static class GemmTiers
{
    /// <summary>The widest tier the hardware accelerates.</summary>
    public static readonly GemmTier Best =
        Vector512.IsHardwareAccelerated ? GemmTier.Vector512 :
        Vector256.IsHardwareAccelerated ? GemmTier.Vector256 :
        Vector128.IsHardwareAccelerated ? GemmTier.Vector128 : GemmTier.Scalar;

    /// <summary>The micro-kernel's register tile of <paramref name="tier"/>: Mr rows of C × Nr columns.</summary>
    public static (int Mr, int Nr) Tile(GemmTier tier) => tier switch
    {
        GemmTier.Vector512 => (GemmKernel512.Mr, GemmKernel512.Nr),
        GemmTier.Vector256 => (GemmKernel256.Mr, GemmKernel256.Nr),
        GemmTier.Vector128 => (GemmKernel128.Mr, GemmKernel128.Nr),
        _ => (GemmKernelScalar.Mr, GemmKernelScalar.Nr),
    };

    /// <summary>The widest right edge <paramref name="tier"/>'s kernel runs as a column strip (IGemmKernel.RunStrip; 0: none).</summary>
    public static int StripColumns(GemmTier tier) => tier == GemmTier.Vector512 ? GemmKernel512.StripColumns : 0;

    /// <summary>True when <paramref name="tier"/> runs on real hardware support here.</summary>
    public static bool IsSupported(GemmTier tier) => tier switch
    {
        GemmTier.Scalar => true,
        GemmTier.Vector128 => Vector128.IsHardwareAccelerated,
        GemmTier.Vector256 => Vector256.IsHardwareAccelerated,
        GemmTier.Vector512 => Vector512.IsHardwareAccelerated,
        _ => false,
    };
}
