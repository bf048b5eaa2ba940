// GemmKernel256: the Vector256 micro-kernel, a 6x16 register tile (12 accumulators of 8 floats).
// Contract: see IGemmKernel. Per k step it loads 2 vector(s) of the packed B micro-panel,
// broadcasts 6 values of the packed A micro-panel, and issues 12 multiply-adds (fused where the hardware has FMA).
// The k loop is unrolled 4x; every accumulator sums p = 0..kc-1 in order. RunHalf is the
// same kernel on the left 6x8 half (for narrow right-edge panels), bitwise equal per element.
// Written out by hand-style unrolling (one local per accumulator) so RyuJIT keeps them in registers.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Topiary.Tensors;

/// <summary>Vector256 6x16 SGEMM micro-kernel over packed panels.</summary>
internal readonly unsafe struct GemmKernel256 : IGemmKernel
{
    public static int Mr => 6;
    public static int Nr => 16;
    public static int Kc => 256;
    public static int Mc => 192;
    public static int Nc => 4096;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta)
    {
        Vector256<float> c00 = default, c01 = default;
        Vector256<float> c10 = default, c11 = default;
        Vector256<float> c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default;
        Vector256<float> c40 = default, c41 = default;
        Vector256<float> c50 = default, c51 = default;
        int p = 0;
        for (; p <= kc - 4; p += 4)
        {
            {
                Vector256<float> b0 = Vector256.Load(b + 0);
                Vector256<float> b1 = Vector256.Load(b + 8);
                Vector256<float> x0 = Vector256.Create(a[0]);
                c00 = Vector256.MultiplyAddEstimate(x0, b0, c00);
                c01 = Vector256.MultiplyAddEstimate(x0, b1, c01);
                Vector256<float> x1 = Vector256.Create(a[1]);
                c10 = Vector256.MultiplyAddEstimate(x1, b0, c10);
                c11 = Vector256.MultiplyAddEstimate(x1, b1, c11);
                Vector256<float> x2 = Vector256.Create(a[2]);
                c20 = Vector256.MultiplyAddEstimate(x2, b0, c20);
                c21 = Vector256.MultiplyAddEstimate(x2, b1, c21);
                Vector256<float> x3 = Vector256.Create(a[3]);
                c30 = Vector256.MultiplyAddEstimate(x3, b0, c30);
                c31 = Vector256.MultiplyAddEstimate(x3, b1, c31);
                Vector256<float> x4 = Vector256.Create(a[4]);
                c40 = Vector256.MultiplyAddEstimate(x4, b0, c40);
                c41 = Vector256.MultiplyAddEstimate(x4, b1, c41);
                Vector256<float> x5 = Vector256.Create(a[5]);
                c50 = Vector256.MultiplyAddEstimate(x5, b0, c50);
                c51 = Vector256.MultiplyAddEstimate(x5, b1, c51);
            }
            {
                Vector256<float> b0 = Vector256.Load(b + 16);
                Vector256<float> b1 = Vector256.Load(b + 24);
                Vector256<float> x0 = Vector256.Create(a[6]);
                c00 = Vector256.MultiplyAddEstimate(x0, b0, c00);
                c01 = Vector256.MultiplyAddEstimate(x0, b1, c01);
                Vector256<float> x1 = Vector256.Create(a[7]);
                c10 = Vector256.MultiplyAddEstimate(x1, b0, c10);
                c11 = Vector256.MultiplyAddEstimate(x1, b1, c11);
                Vector256<float> x2 = Vector256.Create(a[8]);
                c20 = Vector256.MultiplyAddEstimate(x2, b0, c20);
                c21 = Vector256.MultiplyAddEstimate(x2, b1, c21);
                Vector256<float> x3 = Vector256.Create(a[9]);
                c30 = Vector256.MultiplyAddEstimate(x3, b0, c30);
                c31 = Vector256.MultiplyAddEstimate(x3, b1, c31);
                Vector256<float> x4 = Vector256.Create(a[10]);
                c40 = Vector256.MultiplyAddEstimate(x4, b0, c40);
                c41 = Vector256.MultiplyAddEstimate(x4, b1, c41);
                Vector256<float> x5 = Vector256.Create(a[11]);
                c50 = Vector256.MultiplyAddEstimate(x5, b0, c50);
                c51 = Vector256.MultiplyAddEstimate(x5, b1, c51);
            }
            {
                Vector256<float> b0 = Vector256.Load(b + 32);
                Vector256<float> b1 = Vector256.Load(b + 40);
                Vector256<float> x0 = Vector256.Create(a[12]);
                c00 = Vector256.MultiplyAddEstimate(x0, b0, c00);
                c01 = Vector256.MultiplyAddEstimate(x0, b1, c01);
                Vector256<float> x1 = Vector256.Create(a[13]);
                c10 = Vector256.MultiplyAddEstimate(x1, b0, c10);
                c11 = Vector256.MultiplyAddEstimate(x1, b1, c11);
                Vector256<float> x2 = Vector256.Create(a[14]);
                c20 = Vector256.MultiplyAddEstimate(x2, b0, c20);
                c21 = Vector256.MultiplyAddEstimate(x2, b1, c21);
                Vector256<float> x3 = Vector256.Create(a[15]);
                c30 = Vector256.MultiplyAddEstimate(x3, b0, c30);
                c31 = Vector256.MultiplyAddEstimate(x3, b1, c31);
                Vector256<float> x4 = Vector256.Create(a[16]);
                c40 = Vector256.MultiplyAddEstimate(x4, b0, c40);
                c41 = Vector256.MultiplyAddEstimate(x4, b1, c41);
                Vector256<float> x5 = Vector256.Create(a[17]);
                c50 = Vector256.MultiplyAddEstimate(x5, b0, c50);
                c51 = Vector256.MultiplyAddEstimate(x5, b1, c51);
            }
            {
                Vector256<float> b0 = Vector256.Load(b + 48);
                Vector256<float> b1 = Vector256.Load(b + 56);
                Vector256<float> x0 = Vector256.Create(a[18]);
                c00 = Vector256.MultiplyAddEstimate(x0, b0, c00);
                c01 = Vector256.MultiplyAddEstimate(x0, b1, c01);
                Vector256<float> x1 = Vector256.Create(a[19]);
                c10 = Vector256.MultiplyAddEstimate(x1, b0, c10);
                c11 = Vector256.MultiplyAddEstimate(x1, b1, c11);
                Vector256<float> x2 = Vector256.Create(a[20]);
                c20 = Vector256.MultiplyAddEstimate(x2, b0, c20);
                c21 = Vector256.MultiplyAddEstimate(x2, b1, c21);
                Vector256<float> x3 = Vector256.Create(a[21]);
                c30 = Vector256.MultiplyAddEstimate(x3, b0, c30);
                c31 = Vector256.MultiplyAddEstimate(x3, b1, c31);
                Vector256<float> x4 = Vector256.Create(a[22]);
                c40 = Vector256.MultiplyAddEstimate(x4, b0, c40);
                c41 = Vector256.MultiplyAddEstimate(x4, b1, c41);
                Vector256<float> x5 = Vector256.Create(a[23]);
                c50 = Vector256.MultiplyAddEstimate(x5, b0, c50);
                c51 = Vector256.MultiplyAddEstimate(x5, b1, c51);
            }
            a += 24;
            b += 64;
        }
        for (; p < kc; p++)
        {
            Vector256<float> b0 = Vector256.Load(b + 0);
            Vector256<float> b1 = Vector256.Load(b + 8);
            Vector256<float> x0 = Vector256.Create(a[0]);
            c00 = Vector256.MultiplyAddEstimate(x0, b0, c00);
            c01 = Vector256.MultiplyAddEstimate(x0, b1, c01);
            Vector256<float> x1 = Vector256.Create(a[1]);
            c10 = Vector256.MultiplyAddEstimate(x1, b0, c10);
            c11 = Vector256.MultiplyAddEstimate(x1, b1, c11);
            Vector256<float> x2 = Vector256.Create(a[2]);
            c20 = Vector256.MultiplyAddEstimate(x2, b0, c20);
            c21 = Vector256.MultiplyAddEstimate(x2, b1, c21);
            Vector256<float> x3 = Vector256.Create(a[3]);
            c30 = Vector256.MultiplyAddEstimate(x3, b0, c30);
            c31 = Vector256.MultiplyAddEstimate(x3, b1, c31);
            Vector256<float> x4 = Vector256.Create(a[4]);
            c40 = Vector256.MultiplyAddEstimate(x4, b0, c40);
            c41 = Vector256.MultiplyAddEstimate(x4, b1, c41);
            Vector256<float> x5 = Vector256.Create(a[5]);
            c50 = Vector256.MultiplyAddEstimate(x5, b0, c50);
            c51 = Vector256.MultiplyAddEstimate(x5, b1, c51);
            a += 6;
            b += 16;
        }

        Vector256<float> va = Vector256.Create(alpha);
        if (beta == 0)
        {
            Vector256.Store(c00 * va, c + 0 * ldc + 0);
            Vector256.Store(c01 * va, c + 0 * ldc + 8);
            Vector256.Store(c10 * va, c + 1 * ldc + 0);
            Vector256.Store(c11 * va, c + 1 * ldc + 8);
            Vector256.Store(c20 * va, c + 2 * ldc + 0);
            Vector256.Store(c21 * va, c + 2 * ldc + 8);
            Vector256.Store(c30 * va, c + 3 * ldc + 0);
            Vector256.Store(c31 * va, c + 3 * ldc + 8);
            Vector256.Store(c40 * va, c + 4 * ldc + 0);
            Vector256.Store(c41 * va, c + 4 * ldc + 8);
            Vector256.Store(c50 * va, c + 5 * ldc + 0);
            Vector256.Store(c51 * va, c + 5 * ldc + 8);
        }
        else
        {
            Vector256<float> vb = Vector256.Create(beta);
            Vector256.Store(Vector256.MultiplyAddEstimate(vb, Vector256.Load(c + 0 * ldc + 0), c00 * va), c + 0 * ldc + 0);
            Vector256.Store(Vector256.MultiplyAddEstimate(vb, Vector256.Load(c + 0 * ldc + 8), c01 * va), c + 0 * ldc + 8);
            Vector256.Store(Vector256.MultiplyAddEstimate(vb, Vector256.Load(c + 1 * ldc + 0), c10 * va), c + 1 * ldc + 0);
            Vector256.Store(Vector256.MultiplyAddEstimate(vb, Vector256.Load(c + 1 * ldc + 8), c11 * va), c + 1 * ldc + 8);
            Vector256.Store(Vector256.MultiplyAddEstimate(vb, Vector256.Load(c + 2 * ldc + 0), c20 * va), c + 2 * ldc + 0);
            Vector256.Store(Vector256.MultiplyAddEstimate(vb, Vector256.Load(c + 2 * ldc + 8), c21 * va), c + 2 * ldc + 8);
            Vector256.Store(Vector256.MultiplyAddEstimate(vb, Vector256.Load(c + 3 * ldc + 0), c30 * va), c + 3 * ldc + 0);
            Vector256.Store(Vector256.MultiplyAddEstimate(vb, Vector256.Load(c + 3 * ldc + 8), c31 * va), c + 3 * ldc + 8);
            Vector256.Store(Vector256.MultiplyAddEstimate(vb, Vector256.Load(c + 4 * ldc + 0), c40 * va), c + 4 * ldc + 0);
            Vector256.Store(Vector256.MultiplyAddEstimate(vb, Vector256.Load(c + 4 * ldc + 8), c41 * va), c + 4 * ldc + 8);
            Vector256.Store(Vector256.MultiplyAddEstimate(vb, Vector256.Load(c + 5 * ldc + 0), c50 * va), c + 5 * ldc + 0);
            Vector256.Store(Vector256.MultiplyAddEstimate(vb, Vector256.Load(c + 5 * ldc + 8), c51 * va), c + 5 * ldc + 8);
        }
    }

    /// <summary>Run, then the epilogue on the stored tile (see <see cref="IGemmKernel.RunEpilogue"/>).</summary>
    public static void RunEpilogue(int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta, in GemmEpilogue epilogue,
        int i0, int j0, bool addInitial)
    {
        Run(kc, a, b, c, ldc, alpha, beta);
        epilogue.Finish(i0, j0, Mr, Nr, c, ldc, addInitial);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RunHalf(int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta)
    {
        Vector256<float> c00 = default;
        Vector256<float> c10 = default;
        Vector256<float> c20 = default;
        Vector256<float> c30 = default;
        Vector256<float> c40 = default;
        Vector256<float> c50 = default;
        int p = 0;
        for (; p <= kc - 4; p += 4)
        {
            {
                Vector256<float> b0 = Vector256.Load(b + 0);
                Vector256<float> x0 = Vector256.Create(a[0]);
                c00 = Vector256.MultiplyAddEstimate(x0, b0, c00);
                Vector256<float> x1 = Vector256.Create(a[1]);
                c10 = Vector256.MultiplyAddEstimate(x1, b0, c10);
                Vector256<float> x2 = Vector256.Create(a[2]);
                c20 = Vector256.MultiplyAddEstimate(x2, b0, c20);
                Vector256<float> x3 = Vector256.Create(a[3]);
                c30 = Vector256.MultiplyAddEstimate(x3, b0, c30);
                Vector256<float> x4 = Vector256.Create(a[4]);
                c40 = Vector256.MultiplyAddEstimate(x4, b0, c40);
                Vector256<float> x5 = Vector256.Create(a[5]);
                c50 = Vector256.MultiplyAddEstimate(x5, b0, c50);
            }
            {
                Vector256<float> b0 = Vector256.Load(b + 16);
                Vector256<float> x0 = Vector256.Create(a[6]);
                c00 = Vector256.MultiplyAddEstimate(x0, b0, c00);
                Vector256<float> x1 = Vector256.Create(a[7]);
                c10 = Vector256.MultiplyAddEstimate(x1, b0, c10);
                Vector256<float> x2 = Vector256.Create(a[8]);
                c20 = Vector256.MultiplyAddEstimate(x2, b0, c20);
                Vector256<float> x3 = Vector256.Create(a[9]);
                c30 = Vector256.MultiplyAddEstimate(x3, b0, c30);
                Vector256<float> x4 = Vector256.Create(a[10]);
                c40 = Vector256.MultiplyAddEstimate(x4, b0, c40);
                Vector256<float> x5 = Vector256.Create(a[11]);
                c50 = Vector256.MultiplyAddEstimate(x5, b0, c50);
            }
            {
                Vector256<float> b0 = Vector256.Load(b + 32);
                Vector256<float> x0 = Vector256.Create(a[12]);
                c00 = Vector256.MultiplyAddEstimate(x0, b0, c00);
                Vector256<float> x1 = Vector256.Create(a[13]);
                c10 = Vector256.MultiplyAddEstimate(x1, b0, c10);
                Vector256<float> x2 = Vector256.Create(a[14]);
                c20 = Vector256.MultiplyAddEstimate(x2, b0, c20);
                Vector256<float> x3 = Vector256.Create(a[15]);
                c30 = Vector256.MultiplyAddEstimate(x3, b0, c30);
                Vector256<float> x4 = Vector256.Create(a[16]);
                c40 = Vector256.MultiplyAddEstimate(x4, b0, c40);
                Vector256<float> x5 = Vector256.Create(a[17]);
                c50 = Vector256.MultiplyAddEstimate(x5, b0, c50);
            }
            {
                Vector256<float> b0 = Vector256.Load(b + 48);
                Vector256<float> x0 = Vector256.Create(a[18]);
                c00 = Vector256.MultiplyAddEstimate(x0, b0, c00);
                Vector256<float> x1 = Vector256.Create(a[19]);
                c10 = Vector256.MultiplyAddEstimate(x1, b0, c10);
                Vector256<float> x2 = Vector256.Create(a[20]);
                c20 = Vector256.MultiplyAddEstimate(x2, b0, c20);
                Vector256<float> x3 = Vector256.Create(a[21]);
                c30 = Vector256.MultiplyAddEstimate(x3, b0, c30);
                Vector256<float> x4 = Vector256.Create(a[22]);
                c40 = Vector256.MultiplyAddEstimate(x4, b0, c40);
                Vector256<float> x5 = Vector256.Create(a[23]);
                c50 = Vector256.MultiplyAddEstimate(x5, b0, c50);
            }
            a += 24;
            b += 64;
        }
        for (; p < kc; p++)
        {
            Vector256<float> b0 = Vector256.Load(b + 0);
            Vector256<float> x0 = Vector256.Create(a[0]);
            c00 = Vector256.MultiplyAddEstimate(x0, b0, c00);
            Vector256<float> x1 = Vector256.Create(a[1]);
            c10 = Vector256.MultiplyAddEstimate(x1, b0, c10);
            Vector256<float> x2 = Vector256.Create(a[2]);
            c20 = Vector256.MultiplyAddEstimate(x2, b0, c20);
            Vector256<float> x3 = Vector256.Create(a[3]);
            c30 = Vector256.MultiplyAddEstimate(x3, b0, c30);
            Vector256<float> x4 = Vector256.Create(a[4]);
            c40 = Vector256.MultiplyAddEstimate(x4, b0, c40);
            Vector256<float> x5 = Vector256.Create(a[5]);
            c50 = Vector256.MultiplyAddEstimate(x5, b0, c50);
            a += 6;
            b += 16;
        }

        Vector256<float> va = Vector256.Create(alpha);
        if (beta == 0)
        {
            Vector256.Store(c00 * va, c + 0 * ldc + 0);
            Vector256.Store(c10 * va, c + 1 * ldc + 0);
            Vector256.Store(c20 * va, c + 2 * ldc + 0);
            Vector256.Store(c30 * va, c + 3 * ldc + 0);
            Vector256.Store(c40 * va, c + 4 * ldc + 0);
            Vector256.Store(c50 * va, c + 5 * ldc + 0);
        }
        else
        {
            Vector256<float> vb = Vector256.Create(beta);
            Vector256.Store(Vector256.MultiplyAddEstimate(vb, Vector256.Load(c + 0 * ldc + 0), c00 * va), c + 0 * ldc + 0);
            Vector256.Store(Vector256.MultiplyAddEstimate(vb, Vector256.Load(c + 1 * ldc + 0), c10 * va), c + 1 * ldc + 0);
            Vector256.Store(Vector256.MultiplyAddEstimate(vb, Vector256.Load(c + 2 * ldc + 0), c20 * va), c + 2 * ldc + 0);
            Vector256.Store(Vector256.MultiplyAddEstimate(vb, Vector256.Load(c + 3 * ldc + 0), c30 * va), c + 3 * ldc + 0);
            Vector256.Store(Vector256.MultiplyAddEstimate(vb, Vector256.Load(c + 4 * ldc + 0), c40 * va), c + 4 * ldc + 0);
            Vector256.Store(Vector256.MultiplyAddEstimate(vb, Vector256.Load(c + 5 * ldc + 0), c50 * va), c + 5 * ldc + 0);
        }
    }
}
