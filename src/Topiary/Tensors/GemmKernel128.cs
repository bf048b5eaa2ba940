// GemmKernel128: the Vector128 micro-kernel, a 6x8 register tile (12 accumulators of 4 floats).
// Contract: see IGemmKernel. Per k step it loads 2 vector(s) of the packed B micro-panel,
// broadcasts 6 values of A (a packed micro-panel;
// in RunRows/RunHalfRows Mr rows read in place, GemmOperandA), and issues 12 multiply-adds (fused where the hardware has FMA).
// The k loop is unrolled 4x; every accumulator sums p = 0..kc-1 in order. RunHalf is the
// same kernel on the left 6x4 half (for narrow right-edge panels), bitwise equal per element.
// Written out by hand-style unrolling (one local per accumulator) so RyuJIT keeps them in registers.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Topiary.Tensors;

/// <summary>Vector128 6x8 SGEMM micro-kernel over packed panels.</summary>
internal readonly unsafe struct GemmKernel128 : IGemmKernel
{
    public static int Mr => 6;
    public static int Nr => 8;
    public static int Kc => 256;
    public static int Mc => 192;
    public static int Nc => 4096;

    public static void Run(int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta) =>
        Core<PanelA>(kc, a, 0, b, c, ldc, alpha, beta);

    /// <summary>As <see cref="Run"/> reading A's rows in place (<see cref="RowsA"/>: row r at a + r·lda).</summary>
    public static void RunRows(int kc, float* a, nint lda, float* b, float* c, nint ldc, float alpha, float beta) =>
        Core<RowsA>(kc, a, lda, b, c, ldc, alpha, beta);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Core<TA>(int kc, float* a, nint lda, float* b, float* c, nint ldc, float alpha, float beta)
        where TA : struct, IOperandA
    {
        Vector128<float> c00 = default, c01 = default;
        Vector128<float> c10 = default, c11 = default;
        Vector128<float> c20 = default, c21 = default;
        Vector128<float> c30 = default, c31 = default;
        Vector128<float> c40 = default, c41 = default;
        Vector128<float> c50 = default, c51 = default;
        int p = 0;
        for (; p <= kc - 4; p += 4)
        {
            {
                Vector128<float> b0 = Vector128.Load(b + 0);
                Vector128<float> b1 = Vector128.Load(b + 4);
                Vector128<float> x0 = Vector128.Create(TA.At(a, lda, 6, 0, 0));
                c00 = Vector128.MultiplyAddEstimate(x0, b0, c00);
                c01 = Vector128.MultiplyAddEstimate(x0, b1, c01);
                Vector128<float> x1 = Vector128.Create(TA.At(a, lda, 6, 1, 0));
                c10 = Vector128.MultiplyAddEstimate(x1, b0, c10);
                c11 = Vector128.MultiplyAddEstimate(x1, b1, c11);
                Vector128<float> x2 = Vector128.Create(TA.At(a, lda, 6, 2, 0));
                c20 = Vector128.MultiplyAddEstimate(x2, b0, c20);
                c21 = Vector128.MultiplyAddEstimate(x2, b1, c21);
                Vector128<float> x3 = Vector128.Create(TA.At(a, lda, 6, 3, 0));
                c30 = Vector128.MultiplyAddEstimate(x3, b0, c30);
                c31 = Vector128.MultiplyAddEstimate(x3, b1, c31);
                Vector128<float> x4 = Vector128.Create(TA.At(a, lda, 6, 4, 0));
                c40 = Vector128.MultiplyAddEstimate(x4, b0, c40);
                c41 = Vector128.MultiplyAddEstimate(x4, b1, c41);
                Vector128<float> x5 = Vector128.Create(TA.At(a, lda, 6, 5, 0));
                c50 = Vector128.MultiplyAddEstimate(x5, b0, c50);
                c51 = Vector128.MultiplyAddEstimate(x5, b1, c51);
            }
            {
                Vector128<float> b0 = Vector128.Load(b + 8);
                Vector128<float> b1 = Vector128.Load(b + 12);
                Vector128<float> x0 = Vector128.Create(TA.At(a, lda, 6, 0, 1));
                c00 = Vector128.MultiplyAddEstimate(x0, b0, c00);
                c01 = Vector128.MultiplyAddEstimate(x0, b1, c01);
                Vector128<float> x1 = Vector128.Create(TA.At(a, lda, 6, 1, 1));
                c10 = Vector128.MultiplyAddEstimate(x1, b0, c10);
                c11 = Vector128.MultiplyAddEstimate(x1, b1, c11);
                Vector128<float> x2 = Vector128.Create(TA.At(a, lda, 6, 2, 1));
                c20 = Vector128.MultiplyAddEstimate(x2, b0, c20);
                c21 = Vector128.MultiplyAddEstimate(x2, b1, c21);
                Vector128<float> x3 = Vector128.Create(TA.At(a, lda, 6, 3, 1));
                c30 = Vector128.MultiplyAddEstimate(x3, b0, c30);
                c31 = Vector128.MultiplyAddEstimate(x3, b1, c31);
                Vector128<float> x4 = Vector128.Create(TA.At(a, lda, 6, 4, 1));
                c40 = Vector128.MultiplyAddEstimate(x4, b0, c40);
                c41 = Vector128.MultiplyAddEstimate(x4, b1, c41);
                Vector128<float> x5 = Vector128.Create(TA.At(a, lda, 6, 5, 1));
                c50 = Vector128.MultiplyAddEstimate(x5, b0, c50);
                c51 = Vector128.MultiplyAddEstimate(x5, b1, c51);
            }
            {
                Vector128<float> b0 = Vector128.Load(b + 16);
                Vector128<float> b1 = Vector128.Load(b + 20);
                Vector128<float> x0 = Vector128.Create(TA.At(a, lda, 6, 0, 2));
                c00 = Vector128.MultiplyAddEstimate(x0, b0, c00);
                c01 = Vector128.MultiplyAddEstimate(x0, b1, c01);
                Vector128<float> x1 = Vector128.Create(TA.At(a, lda, 6, 1, 2));
                c10 = Vector128.MultiplyAddEstimate(x1, b0, c10);
                c11 = Vector128.MultiplyAddEstimate(x1, b1, c11);
                Vector128<float> x2 = Vector128.Create(TA.At(a, lda, 6, 2, 2));
                c20 = Vector128.MultiplyAddEstimate(x2, b0, c20);
                c21 = Vector128.MultiplyAddEstimate(x2, b1, c21);
                Vector128<float> x3 = Vector128.Create(TA.At(a, lda, 6, 3, 2));
                c30 = Vector128.MultiplyAddEstimate(x3, b0, c30);
                c31 = Vector128.MultiplyAddEstimate(x3, b1, c31);
                Vector128<float> x4 = Vector128.Create(TA.At(a, lda, 6, 4, 2));
                c40 = Vector128.MultiplyAddEstimate(x4, b0, c40);
                c41 = Vector128.MultiplyAddEstimate(x4, b1, c41);
                Vector128<float> x5 = Vector128.Create(TA.At(a, lda, 6, 5, 2));
                c50 = Vector128.MultiplyAddEstimate(x5, b0, c50);
                c51 = Vector128.MultiplyAddEstimate(x5, b1, c51);
            }
            {
                Vector128<float> b0 = Vector128.Load(b + 24);
                Vector128<float> b1 = Vector128.Load(b + 28);
                Vector128<float> x0 = Vector128.Create(TA.At(a, lda, 6, 0, 3));
                c00 = Vector128.MultiplyAddEstimate(x0, b0, c00);
                c01 = Vector128.MultiplyAddEstimate(x0, b1, c01);
                Vector128<float> x1 = Vector128.Create(TA.At(a, lda, 6, 1, 3));
                c10 = Vector128.MultiplyAddEstimate(x1, b0, c10);
                c11 = Vector128.MultiplyAddEstimate(x1, b1, c11);
                Vector128<float> x2 = Vector128.Create(TA.At(a, lda, 6, 2, 3));
                c20 = Vector128.MultiplyAddEstimate(x2, b0, c20);
                c21 = Vector128.MultiplyAddEstimate(x2, b1, c21);
                Vector128<float> x3 = Vector128.Create(TA.At(a, lda, 6, 3, 3));
                c30 = Vector128.MultiplyAddEstimate(x3, b0, c30);
                c31 = Vector128.MultiplyAddEstimate(x3, b1, c31);
                Vector128<float> x4 = Vector128.Create(TA.At(a, lda, 6, 4, 3));
                c40 = Vector128.MultiplyAddEstimate(x4, b0, c40);
                c41 = Vector128.MultiplyAddEstimate(x4, b1, c41);
                Vector128<float> x5 = Vector128.Create(TA.At(a, lda, 6, 5, 3));
                c50 = Vector128.MultiplyAddEstimate(x5, b0, c50);
                c51 = Vector128.MultiplyAddEstimate(x5, b1, c51);
            }
            a += TA.Advance(6, 4);
            b += 32;
        }
        for (; p < kc; p++)
        {
            Vector128<float> b0 = Vector128.Load(b + 0);
            Vector128<float> b1 = Vector128.Load(b + 4);
            Vector128<float> x0 = Vector128.Create(TA.At(a, lda, 6, 0, 0));
            c00 = Vector128.MultiplyAddEstimate(x0, b0, c00);
            c01 = Vector128.MultiplyAddEstimate(x0, b1, c01);
            Vector128<float> x1 = Vector128.Create(TA.At(a, lda, 6, 1, 0));
            c10 = Vector128.MultiplyAddEstimate(x1, b0, c10);
            c11 = Vector128.MultiplyAddEstimate(x1, b1, c11);
            Vector128<float> x2 = Vector128.Create(TA.At(a, lda, 6, 2, 0));
            c20 = Vector128.MultiplyAddEstimate(x2, b0, c20);
            c21 = Vector128.MultiplyAddEstimate(x2, b1, c21);
            Vector128<float> x3 = Vector128.Create(TA.At(a, lda, 6, 3, 0));
            c30 = Vector128.MultiplyAddEstimate(x3, b0, c30);
            c31 = Vector128.MultiplyAddEstimate(x3, b1, c31);
            Vector128<float> x4 = Vector128.Create(TA.At(a, lda, 6, 4, 0));
            c40 = Vector128.MultiplyAddEstimate(x4, b0, c40);
            c41 = Vector128.MultiplyAddEstimate(x4, b1, c41);
            Vector128<float> x5 = Vector128.Create(TA.At(a, lda, 6, 5, 0));
            c50 = Vector128.MultiplyAddEstimate(x5, b0, c50);
            c51 = Vector128.MultiplyAddEstimate(x5, b1, c51);
            a += TA.Advance(6, 1);
            b += 8;
        }

        Vector128<float> va = Vector128.Create(alpha);
        if (beta == 0)
        {
            Vector128.Store(c00 * va, c + 0 * ldc + 0);
            Vector128.Store(c01 * va, c + 0 * ldc + 4);
            Vector128.Store(c10 * va, c + 1 * ldc + 0);
            Vector128.Store(c11 * va, c + 1 * ldc + 4);
            Vector128.Store(c20 * va, c + 2 * ldc + 0);
            Vector128.Store(c21 * va, c + 2 * ldc + 4);
            Vector128.Store(c30 * va, c + 3 * ldc + 0);
            Vector128.Store(c31 * va, c + 3 * ldc + 4);
            Vector128.Store(c40 * va, c + 4 * ldc + 0);
            Vector128.Store(c41 * va, c + 4 * ldc + 4);
            Vector128.Store(c50 * va, c + 5 * ldc + 0);
            Vector128.Store(c51 * va, c + 5 * ldc + 4);
        }
        else
        {
            Vector128<float> vb = Vector128.Create(beta);
            Vector128.Store(Vector128.MultiplyAddEstimate(vb, Vector128.Load(c + 0 * ldc + 0), c00 * va), c + 0 * ldc + 0);
            Vector128.Store(Vector128.MultiplyAddEstimate(vb, Vector128.Load(c + 0 * ldc + 4), c01 * va), c + 0 * ldc + 4);
            Vector128.Store(Vector128.MultiplyAddEstimate(vb, Vector128.Load(c + 1 * ldc + 0), c10 * va), c + 1 * ldc + 0);
            Vector128.Store(Vector128.MultiplyAddEstimate(vb, Vector128.Load(c + 1 * ldc + 4), c11 * va), c + 1 * ldc + 4);
            Vector128.Store(Vector128.MultiplyAddEstimate(vb, Vector128.Load(c + 2 * ldc + 0), c20 * va), c + 2 * ldc + 0);
            Vector128.Store(Vector128.MultiplyAddEstimate(vb, Vector128.Load(c + 2 * ldc + 4), c21 * va), c + 2 * ldc + 4);
            Vector128.Store(Vector128.MultiplyAddEstimate(vb, Vector128.Load(c + 3 * ldc + 0), c30 * va), c + 3 * ldc + 0);
            Vector128.Store(Vector128.MultiplyAddEstimate(vb, Vector128.Load(c + 3 * ldc + 4), c31 * va), c + 3 * ldc + 4);
            Vector128.Store(Vector128.MultiplyAddEstimate(vb, Vector128.Load(c + 4 * ldc + 0), c40 * va), c + 4 * ldc + 0);
            Vector128.Store(Vector128.MultiplyAddEstimate(vb, Vector128.Load(c + 4 * ldc + 4), c41 * va), c + 4 * ldc + 4);
            Vector128.Store(Vector128.MultiplyAddEstimate(vb, Vector128.Load(c + 5 * ldc + 0), c50 * va), c + 5 * ldc + 0);
            Vector128.Store(Vector128.MultiplyAddEstimate(vb, Vector128.Load(c + 5 * ldc + 4), c51 * va), c + 5 * ldc + 4);
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
        Vector128<float> c00 = default;
        Vector128<float> c10 = default;
        Vector128<float> c20 = default;
        Vector128<float> c30 = default;
        Vector128<float> c40 = default;
        Vector128<float> c50 = default;
        int p = 0;
        for (; p <= kc - 4; p += 4)
        {
            {
                Vector128<float> b0 = Vector128.Load(b + 0);
                Vector128<float> x0 = Vector128.Create(TA.At(a, lda, 6, 0, 0));
                c00 = Vector128.MultiplyAddEstimate(x0, b0, c00);
                Vector128<float> x1 = Vector128.Create(TA.At(a, lda, 6, 1, 0));
                c10 = Vector128.MultiplyAddEstimate(x1, b0, c10);
                Vector128<float> x2 = Vector128.Create(TA.At(a, lda, 6, 2, 0));
                c20 = Vector128.MultiplyAddEstimate(x2, b0, c20);
                Vector128<float> x3 = Vector128.Create(TA.At(a, lda, 6, 3, 0));
                c30 = Vector128.MultiplyAddEstimate(x3, b0, c30);
                Vector128<float> x4 = Vector128.Create(TA.At(a, lda, 6, 4, 0));
                c40 = Vector128.MultiplyAddEstimate(x4, b0, c40);
                Vector128<float> x5 = Vector128.Create(TA.At(a, lda, 6, 5, 0));
                c50 = Vector128.MultiplyAddEstimate(x5, b0, c50);
            }
            {
                Vector128<float> b0 = Vector128.Load(b + 8);
                Vector128<float> x0 = Vector128.Create(TA.At(a, lda, 6, 0, 1));
                c00 = Vector128.MultiplyAddEstimate(x0, b0, c00);
                Vector128<float> x1 = Vector128.Create(TA.At(a, lda, 6, 1, 1));
                c10 = Vector128.MultiplyAddEstimate(x1, b0, c10);
                Vector128<float> x2 = Vector128.Create(TA.At(a, lda, 6, 2, 1));
                c20 = Vector128.MultiplyAddEstimate(x2, b0, c20);
                Vector128<float> x3 = Vector128.Create(TA.At(a, lda, 6, 3, 1));
                c30 = Vector128.MultiplyAddEstimate(x3, b0, c30);
                Vector128<float> x4 = Vector128.Create(TA.At(a, lda, 6, 4, 1));
                c40 = Vector128.MultiplyAddEstimate(x4, b0, c40);
                Vector128<float> x5 = Vector128.Create(TA.At(a, lda, 6, 5, 1));
                c50 = Vector128.MultiplyAddEstimate(x5, b0, c50);
            }
            {
                Vector128<float> b0 = Vector128.Load(b + 16);
                Vector128<float> x0 = Vector128.Create(TA.At(a, lda, 6, 0, 2));
                c00 = Vector128.MultiplyAddEstimate(x0, b0, c00);
                Vector128<float> x1 = Vector128.Create(TA.At(a, lda, 6, 1, 2));
                c10 = Vector128.MultiplyAddEstimate(x1, b0, c10);
                Vector128<float> x2 = Vector128.Create(TA.At(a, lda, 6, 2, 2));
                c20 = Vector128.MultiplyAddEstimate(x2, b0, c20);
                Vector128<float> x3 = Vector128.Create(TA.At(a, lda, 6, 3, 2));
                c30 = Vector128.MultiplyAddEstimate(x3, b0, c30);
                Vector128<float> x4 = Vector128.Create(TA.At(a, lda, 6, 4, 2));
                c40 = Vector128.MultiplyAddEstimate(x4, b0, c40);
                Vector128<float> x5 = Vector128.Create(TA.At(a, lda, 6, 5, 2));
                c50 = Vector128.MultiplyAddEstimate(x5, b0, c50);
            }
            {
                Vector128<float> b0 = Vector128.Load(b + 24);
                Vector128<float> x0 = Vector128.Create(TA.At(a, lda, 6, 0, 3));
                c00 = Vector128.MultiplyAddEstimate(x0, b0, c00);
                Vector128<float> x1 = Vector128.Create(TA.At(a, lda, 6, 1, 3));
                c10 = Vector128.MultiplyAddEstimate(x1, b0, c10);
                Vector128<float> x2 = Vector128.Create(TA.At(a, lda, 6, 2, 3));
                c20 = Vector128.MultiplyAddEstimate(x2, b0, c20);
                Vector128<float> x3 = Vector128.Create(TA.At(a, lda, 6, 3, 3));
                c30 = Vector128.MultiplyAddEstimate(x3, b0, c30);
                Vector128<float> x4 = Vector128.Create(TA.At(a, lda, 6, 4, 3));
                c40 = Vector128.MultiplyAddEstimate(x4, b0, c40);
                Vector128<float> x5 = Vector128.Create(TA.At(a, lda, 6, 5, 3));
                c50 = Vector128.MultiplyAddEstimate(x5, b0, c50);
            }
            a += TA.Advance(6, 4);
            b += 32;
        }
        for (; p < kc; p++)
        {
            Vector128<float> b0 = Vector128.Load(b + 0);
            Vector128<float> x0 = Vector128.Create(TA.At(a, lda, 6, 0, 0));
            c00 = Vector128.MultiplyAddEstimate(x0, b0, c00);
            Vector128<float> x1 = Vector128.Create(TA.At(a, lda, 6, 1, 0));
            c10 = Vector128.MultiplyAddEstimate(x1, b0, c10);
            Vector128<float> x2 = Vector128.Create(TA.At(a, lda, 6, 2, 0));
            c20 = Vector128.MultiplyAddEstimate(x2, b0, c20);
            Vector128<float> x3 = Vector128.Create(TA.At(a, lda, 6, 3, 0));
            c30 = Vector128.MultiplyAddEstimate(x3, b0, c30);
            Vector128<float> x4 = Vector128.Create(TA.At(a, lda, 6, 4, 0));
            c40 = Vector128.MultiplyAddEstimate(x4, b0, c40);
            Vector128<float> x5 = Vector128.Create(TA.At(a, lda, 6, 5, 0));
            c50 = Vector128.MultiplyAddEstimate(x5, b0, c50);
            a += TA.Advance(6, 1);
            b += 8;
        }

        Vector128<float> va = Vector128.Create(alpha);
        if (beta == 0)
        {
            Vector128.Store(c00 * va, c + 0 * ldc + 0);
            Vector128.Store(c10 * va, c + 1 * ldc + 0);
            Vector128.Store(c20 * va, c + 2 * ldc + 0);
            Vector128.Store(c30 * va, c + 3 * ldc + 0);
            Vector128.Store(c40 * va, c + 4 * ldc + 0);
            Vector128.Store(c50 * va, c + 5 * ldc + 0);
        }
        else
        {
            Vector128<float> vb = Vector128.Create(beta);
            Vector128.Store(Vector128.MultiplyAddEstimate(vb, Vector128.Load(c + 0 * ldc + 0), c00 * va), c + 0 * ldc + 0);
            Vector128.Store(Vector128.MultiplyAddEstimate(vb, Vector128.Load(c + 1 * ldc + 0), c10 * va), c + 1 * ldc + 0);
            Vector128.Store(Vector128.MultiplyAddEstimate(vb, Vector128.Load(c + 2 * ldc + 0), c20 * va), c + 2 * ldc + 0);
            Vector128.Store(Vector128.MultiplyAddEstimate(vb, Vector128.Load(c + 3 * ldc + 0), c30 * va), c + 3 * ldc + 0);
            Vector128.Store(Vector128.MultiplyAddEstimate(vb, Vector128.Load(c + 4 * ldc + 0), c40 * va), c + 4 * ldc + 0);
            Vector128.Store(Vector128.MultiplyAddEstimate(vb, Vector128.Load(c + 5 * ldc + 0), c50 * va), c + 5 * ldc + 0);
        }
    }
}
