// GemmTile: scalar write-back of a computed register tile into C, shared by every kernel.
// Edge tiles (fewer than Mr rows or Nr columns left) are computed by the full kernel into a
// scratch tile with alpha = 1, beta = 0 and then copied here, valid elements only, with the same
// arithmetic as the kernels' full-tile store: C = alpha·t (beta == 0) or fma(beta, C, alpha·t).
using System.Runtime.CompilerServices;

namespace Topiary.Tensors;

/// <summary>Write-back helpers for GEMM register tiles.</summary>
internal static unsafe class GemmTile
{
    /// <summary>beta·c + at, fused when the hardware has FMA (matches the vector kernels' store).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Combine(float at, float beta, float c) =>
        System.Runtime.Intrinsics.X86.Fma.IsSupported || System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported
            ? MathF.FusedMultiplyAdd(beta, c, at)
            : beta * c + at;

    /// <summary>Writes the top-left <paramref name="rows"/> x <paramref name="cols"/> of a scratch tile into C.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Store(float* tile, int tileLd, int rows, int cols, float* c, nint ldc, float alpha, float beta)
    {
        for (int r = 0; r < rows; r++)
        {
            float* t = tile + r * tileLd;
            float* dst = c + r * ldc;
            if (beta == 0)
            {
                for (int j = 0; j < cols; j++) dst[j] = alpha * t[j];
            }
            else
            {
                for (int j = 0; j < cols; j++) dst[j] = Combine(alpha * t[j], beta, dst[j]);
            }
        }
    }
}
