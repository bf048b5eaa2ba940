// GemmKernelScalar: the scalar micro-kernel, a 4x4 register tile (16 accumulators of 1 floats).
// Contract: see IGemmKernel. Per k step it loads 4 vector(s) of the packed B micro-panel,
// broadcasts 4 values of A (a packed micro-panel;
// in RunRows/RunHalfRows Mr rows read in place, GemmOperandA), and issues 16 scalar multiply-adds.
// The k loop is unrolled 1x; every accumulator sums p = 0..kc-1 in order. RunHalf is the
// same kernel on the left 4x2 half (for narrow right-edge panels), bitwise equal per element.
// Written out by hand-style unrolling (one local per accumulator) so RyuJIT keeps them in registers.
using System.Runtime.CompilerServices;

namespace Topiary.Tensors;

/// <summary>scalar 4x4 SGEMM micro-kernel over packed panels.</summary>
internal readonly unsafe struct GemmKernelScalar : IGemmKernel
{
    public static int Mr => 4;
    public static int Nr => 4;
    public static int Kc => 256;
    public static int Mc => 128;
    public static int Nc => 2048;

    public static void Run(int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta) =>
        Core<PanelA>(kc, a, 0, b, c, ldc, alpha, beta);

    /// <summary>As <see cref="Run"/> reading A's rows in place (<see cref="RowsA"/>: row r at a + r·lda).</summary>
    public static void RunRows(int kc, float* a, nint lda, float* b, float* c, nint ldc, float alpha, float beta) =>
        Core<RowsA>(kc, a, lda, b, c, ldc, alpha, beta);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Core<TA>(int kc, float* a, nint lda, float* b, float* c, nint ldc, float alpha, float beta)
        where TA : struct, IOperandA
    {
        float c00 = 0f, c01 = 0f, c02 = 0f, c03 = 0f;
        float c10 = 0f, c11 = 0f, c12 = 0f, c13 = 0f;
        float c20 = 0f, c21 = 0f, c22 = 0f, c23 = 0f;
        float c30 = 0f, c31 = 0f, c32 = 0f, c33 = 0f;
        int p = 0;
        for (; p < kc; p++)
        {
            float b0 = b[0];
            float b1 = b[1];
            float b2 = b[2];
            float b3 = b[3];
            float x0 = TA.At(a, lda, 4, 0, 0);
            c00 += x0 * b0;
            c01 += x0 * b1;
            c02 += x0 * b2;
            c03 += x0 * b3;
            float x1 = TA.At(a, lda, 4, 1, 0);
            c10 += x1 * b0;
            c11 += x1 * b1;
            c12 += x1 * b2;
            c13 += x1 * b3;
            float x2 = TA.At(a, lda, 4, 2, 0);
            c20 += x2 * b0;
            c21 += x2 * b1;
            c22 += x2 * b2;
            c23 += x2 * b3;
            float x3 = TA.At(a, lda, 4, 3, 0);
            c30 += x3 * b0;
            c31 += x3 * b1;
            c32 += x3 * b2;
            c33 += x3 * b3;
            a += TA.Advance(4, 1);
            b += 4;
        }

        if (beta == 0)
        {
            c[0 * ldc + 0] = alpha * c00;
            c[0 * ldc + 1] = alpha * c01;
            c[0 * ldc + 2] = alpha * c02;
            c[0 * ldc + 3] = alpha * c03;
            c[1 * ldc + 0] = alpha * c10;
            c[1 * ldc + 1] = alpha * c11;
            c[1 * ldc + 2] = alpha * c12;
            c[1 * ldc + 3] = alpha * c13;
            c[2 * ldc + 0] = alpha * c20;
            c[2 * ldc + 1] = alpha * c21;
            c[2 * ldc + 2] = alpha * c22;
            c[2 * ldc + 3] = alpha * c23;
            c[3 * ldc + 0] = alpha * c30;
            c[3 * ldc + 1] = alpha * c31;
            c[3 * ldc + 2] = alpha * c32;
            c[3 * ldc + 3] = alpha * c33;
        }
        else
        {
            c[0 * ldc + 0] = GemmTile.Combine(alpha * c00, beta, c[0 * ldc + 0]);
            c[0 * ldc + 1] = GemmTile.Combine(alpha * c01, beta, c[0 * ldc + 1]);
            c[0 * ldc + 2] = GemmTile.Combine(alpha * c02, beta, c[0 * ldc + 2]);
            c[0 * ldc + 3] = GemmTile.Combine(alpha * c03, beta, c[0 * ldc + 3]);
            c[1 * ldc + 0] = GemmTile.Combine(alpha * c10, beta, c[1 * ldc + 0]);
            c[1 * ldc + 1] = GemmTile.Combine(alpha * c11, beta, c[1 * ldc + 1]);
            c[1 * ldc + 2] = GemmTile.Combine(alpha * c12, beta, c[1 * ldc + 2]);
            c[1 * ldc + 3] = GemmTile.Combine(alpha * c13, beta, c[1 * ldc + 3]);
            c[2 * ldc + 0] = GemmTile.Combine(alpha * c20, beta, c[2 * ldc + 0]);
            c[2 * ldc + 1] = GemmTile.Combine(alpha * c21, beta, c[2 * ldc + 1]);
            c[2 * ldc + 2] = GemmTile.Combine(alpha * c22, beta, c[2 * ldc + 2]);
            c[2 * ldc + 3] = GemmTile.Combine(alpha * c23, beta, c[2 * ldc + 3]);
            c[3 * ldc + 0] = GemmTile.Combine(alpha * c30, beta, c[3 * ldc + 0]);
            c[3 * ldc + 1] = GemmTile.Combine(alpha * c31, beta, c[3 * ldc + 1]);
            c[3 * ldc + 2] = GemmTile.Combine(alpha * c32, beta, c[3 * ldc + 2]);
            c[3 * ldc + 3] = GemmTile.Combine(alpha * c33, beta, c[3 * ldc + 3]);
        }
    }

    /// <summary>Run, then the epilogue on the stored tile (see <see cref="IGemmKernel.RunEpilogue"/>).</summary>
    public static void RunEpilogue(int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta, in GemmEpilogue epilogue,
        int i0, int j0, bool addInitial)
    {
        Run(kc, a, b, c, ldc, alpha, beta);
        epilogue.Finish(i0, j0, Mr, Nr, c, ldc, addInitial);
    }

    public static void RunHalf(int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta) =>
        Half<PanelA>(kc, a, 0, b, c, ldc, alpha, beta);

    /// <summary>As <see cref="RunHalf"/> reading A's rows in place (<see cref="RowsA"/>).</summary>
    public static void RunHalfRows(int kc, float* a, nint lda, float* b, float* c, nint ldc, float alpha, float beta) =>
        Half<RowsA>(kc, a, lda, b, c, ldc, alpha, beta);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Half<TA>(int kc, float* a, nint lda, float* b, float* c, nint ldc, float alpha, float beta)
        where TA : struct, IOperandA
    {
        float c00 = 0f, c01 = 0f;
        float c10 = 0f, c11 = 0f;
        float c20 = 0f, c21 = 0f;
        float c30 = 0f, c31 = 0f;
        int p = 0;
        for (; p < kc; p++)
        {
            float b0 = b[0];
            float b1 = b[1];
            float x0 = TA.At(a, lda, 4, 0, 0);
            c00 += x0 * b0;
            c01 += x0 * b1;
            float x1 = TA.At(a, lda, 4, 1, 0);
            c10 += x1 * b0;
            c11 += x1 * b1;
            float x2 = TA.At(a, lda, 4, 2, 0);
            c20 += x2 * b0;
            c21 += x2 * b1;
            float x3 = TA.At(a, lda, 4, 3, 0);
            c30 += x3 * b0;
            c31 += x3 * b1;
            a += TA.Advance(4, 1);
            b += 4;
        }

        if (beta == 0)
        {
            c[0 * ldc + 0] = alpha * c00;
            c[0 * ldc + 1] = alpha * c01;
            c[1 * ldc + 0] = alpha * c10;
            c[1 * ldc + 1] = alpha * c11;
            c[2 * ldc + 0] = alpha * c20;
            c[2 * ldc + 1] = alpha * c21;
            c[3 * ldc + 0] = alpha * c30;
            c[3 * ldc + 1] = alpha * c31;
        }
        else
        {
            c[0 * ldc + 0] = GemmTile.Combine(alpha * c00, beta, c[0 * ldc + 0]);
            c[0 * ldc + 1] = GemmTile.Combine(alpha * c01, beta, c[0 * ldc + 1]);
            c[1 * ldc + 0] = GemmTile.Combine(alpha * c10, beta, c[1 * ldc + 0]);
            c[1 * ldc + 1] = GemmTile.Combine(alpha * c11, beta, c[1 * ldc + 1]);
            c[2 * ldc + 0] = GemmTile.Combine(alpha * c20, beta, c[2 * ldc + 0]);
            c[2 * ldc + 1] = GemmTile.Combine(alpha * c21, beta, c[2 * ldc + 1]);
            c[3 * ldc + 0] = GemmTile.Combine(alpha * c30, beta, c[3 * ldc + 0]);
            c[3 * ldc + 1] = GemmTile.Combine(alpha * c31, beta, c[3 * ldc + 1]);
        }
    }
}
