// GemmKernel512: the Vector512 micro-kernel, a 8x32 register tile (16 accumulators of 16 floats).
// Contract: see IGemmKernel. Per k step it loads 2 vector(s) of the packed B micro-panel,
// broadcasts 8 values of A (a packed micro-panel;
// in RunRows/RunHalfRows Mr rows read in place, GemmOperandA), and issues 16 fused multiply-adds.
// The k loop is unrolled 4x; every accumulator sums p = 0..kc-1 in order. RunHalf is the
// same kernel on the left 8x16 half (for narrow right-edge panels), bitwise equal per element. RunEpilogue applies the
// GEMM epilogue (bias, residual, clamp) to the accumulators before the store; RunColumns stores a right-edge tile's
// valid columns with masked loads and stores (a channels-last convolution with 24 output channels is all edge; up to
// 16 columns through RunHalf's kernel), and
// RunBottom computes a bottom-edge tile's valid rows only, one at a time (a 7×7 image's 49 positions leave one row in
// its last tile).
// Written out by hand-style unrolling (one local per accumulator) so RyuJIT keeps them in registers.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Topiary.Tensors;

/// <summary>Vector512 8x32 SGEMM micro-kernel over packed panels.</summary>
internal readonly unsafe struct GemmKernel512 : IGemmKernel
{
    public static int Mr => 8;
    public static int Nr => 32;
    public static int Kc => 256;
    public static int Mc => 256;
    public static int Nc => 4096;

    public static void Run(int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta) =>
        Core<PanelA>(kc, a, 0, b, c, ldc, alpha, beta, null, 0, 0, false);

    /// <summary>As <see cref="Run"/> reading A's rows in place (<see cref="RowsA"/>: row r at a + r·lda).</summary>
    public static void RunRows(int kc, float* a, nint lda, float* b, float* c, nint ldc, float alpha, float beta) =>
        Core<RowsA>(kc, a, lda, b, c, ldc, alpha, beta, null, 0, 0, false);

    /// <summary>
    /// Run with the epilogue applied in registers before the store (see <see cref="IGemmKernel.RunEpilogue"/>):
    /// per row, + (residual + bias) when <paramref name="addInitial"/>, then the clamp — the operations of
    /// Run followed by <see cref="GemmEpilogue.Finish"/>, in the same order, so the same bits without C's round trip.
    /// </summary>
    public static void RunEpilogue(int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta, in GemmEpilogue epilogue,
        int i0, int j0, bool addInitial)
    {
        fixed (GemmEpilogue* e = &epilogue) Core<PanelA>(kc, a, 0, b, c, ldc, alpha, beta, e, i0, j0, addInitial);
    }

    public static bool StoresColumns => true;

    /// <summary>Full tiles side by side (see <see cref="IGemmKernel.RunPanels"/>), one <see cref="RunColumns"/> each.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RunPanels(int kc, float* a, nint lda, bool rowsA, float* b, int count, float* c, nint ldc, float alpha, float beta,
        GemmEpilogue* epilogue, int i0, int j0, bool addInitial)
    {
        for (int t = 0; t < count; t++)
            RunColumns(kc, a, lda, rowsA, b + (nint)t * kc * Nr, c + t * Nr, ldc, alpha, beta, epilogue, i0, j0 + t * Nr, addInitial, Nr);
    }

    /// <summary>Run on a right-edge tile storing its first <paramref name="cols"/> columns (see <see cref="IGemmKernel.RunColumns"/>).</summary>
    public static void RunColumns(int kc, float* a, nint lda, bool rowsA, float* b, float* c, nint ldc, float alpha, float beta,
        GemmEpilogue* epilogue, int i0, int j0, bool addInitial, int cols)
    {
        if (cols <= 16)
        {
            // The left half's kernel, its first cols columns stored through the epilogue in registers.
            if (rowsA) Half<RowsA>(kc, a, lda, b, c, ldc, alpha, beta, epilogue, i0, j0, addInitial, cols);
            else Half<PanelA>(kc, a, 0, b, c, ldc, alpha, beta, epilogue, i0, j0, addInitial, cols);
            return;
        }
        if (rowsA) Core<RowsA>(kc, a, lda, b, c, ldc, alpha, beta, epilogue, i0, j0, addInitial, cols);
        else Core<PanelA>(kc, a, 0, b, c, ldc, alpha, beta, epilogue, i0, j0, addInitial, cols);
    }

    /// <summary>The first <paramref name="rows"/> rows of a tile, row by row (see <see cref="IGemmKernel.RunBottom"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RunBottom(int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta, GemmEpilogue* epilogue,
        int i0, int j0, bool addInitial, int rows, int cols)
    {
        var lane = Vector512<int>.Indices;
        var m0 = Vector512.LessThan(lane, Vector512.Create(cols)).AsSingle();
        var m1 = Vector512.LessThan(lane, Vector512.Create(cols - 16)).AsSingle();
        Vector512<float> va = Vector512.Create(alpha);
        for (int r = 0; r < rows; r++)
        {
            // Row r of the tile: the same in-order sum per element as the full kernel's, two accumulators for 32 columns.
            Vector512<float> c0 = default, c1 = default;
            float* ap = a + r, bp = b;
            for (int p = 0; p < kc; p++)
            {
                Vector512<float> x = Vector512.Create(*ap);
                c0 = Vector512.FusedMultiplyAdd(x, Vector512.Load(bp), c0);
                c1 = Vector512.FusedMultiplyAdd(x, Vector512.Load(bp + 16), c1);
                ap += 8;
                bp += 32;
            }
            StoreColumns(c + r * ldc, c0, c1, m0, m1, va, beta, epilogue, i0 + r, j0, addInitial);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Core<TA>(int kc, float* a, nint lda, float* b, float* c, nint ldc, float alpha, float beta, GemmEpilogue* e,
        int i0, int j0, bool addInitial, int cols = 32) where TA : struct, IOperandA
    {
        Vector512<float> c00 = default, c01 = default;
        Vector512<float> c10 = default, c11 = default;
        Vector512<float> c20 = default, c21 = default;
        Vector512<float> c30 = default, c31 = default;
        Vector512<float> c40 = default, c41 = default;
        Vector512<float> c50 = default, c51 = default;
        Vector512<float> c60 = default, c61 = default;
        Vector512<float> c70 = default, c71 = default;
        int p = 0;
        for (; p <= kc - 4; p += 4)
        {
            {
                Vector512<float> b0 = Vector512.Load(b + 0);
                Vector512<float> b1 = Vector512.Load(b + 16);
                Vector512<float> x0 = Vector512.Create(TA.At(a, lda, 8, 0, 0));
                c00 = Vector512.FusedMultiplyAdd(x0, b0, c00);
                c01 = Vector512.FusedMultiplyAdd(x0, b1, c01);
                Vector512<float> x1 = Vector512.Create(TA.At(a, lda, 8, 1, 0));
                c10 = Vector512.FusedMultiplyAdd(x1, b0, c10);
                c11 = Vector512.FusedMultiplyAdd(x1, b1, c11);
                Vector512<float> x2 = Vector512.Create(TA.At(a, lda, 8, 2, 0));
                c20 = Vector512.FusedMultiplyAdd(x2, b0, c20);
                c21 = Vector512.FusedMultiplyAdd(x2, b1, c21);
                Vector512<float> x3 = Vector512.Create(TA.At(a, lda, 8, 3, 0));
                c30 = Vector512.FusedMultiplyAdd(x3, b0, c30);
                c31 = Vector512.FusedMultiplyAdd(x3, b1, c31);
                Vector512<float> x4 = Vector512.Create(TA.At(a, lda, 8, 4, 0));
                c40 = Vector512.FusedMultiplyAdd(x4, b0, c40);
                c41 = Vector512.FusedMultiplyAdd(x4, b1, c41);
                Vector512<float> x5 = Vector512.Create(TA.At(a, lda, 8, 5, 0));
                c50 = Vector512.FusedMultiplyAdd(x5, b0, c50);
                c51 = Vector512.FusedMultiplyAdd(x5, b1, c51);
                Vector512<float> x6 = Vector512.Create(TA.At(a, lda, 8, 6, 0));
                c60 = Vector512.FusedMultiplyAdd(x6, b0, c60);
                c61 = Vector512.FusedMultiplyAdd(x6, b1, c61);
                Vector512<float> x7 = Vector512.Create(TA.At(a, lda, 8, 7, 0));
                c70 = Vector512.FusedMultiplyAdd(x7, b0, c70);
                c71 = Vector512.FusedMultiplyAdd(x7, b1, c71);
            }
            {
                Vector512<float> b0 = Vector512.Load(b + 32);
                Vector512<float> b1 = Vector512.Load(b + 48);
                Vector512<float> x0 = Vector512.Create(TA.At(a, lda, 8, 0, 1));
                c00 = Vector512.FusedMultiplyAdd(x0, b0, c00);
                c01 = Vector512.FusedMultiplyAdd(x0, b1, c01);
                Vector512<float> x1 = Vector512.Create(TA.At(a, lda, 8, 1, 1));
                c10 = Vector512.FusedMultiplyAdd(x1, b0, c10);
                c11 = Vector512.FusedMultiplyAdd(x1, b1, c11);
                Vector512<float> x2 = Vector512.Create(TA.At(a, lda, 8, 2, 1));
                c20 = Vector512.FusedMultiplyAdd(x2, b0, c20);
                c21 = Vector512.FusedMultiplyAdd(x2, b1, c21);
                Vector512<float> x3 = Vector512.Create(TA.At(a, lda, 8, 3, 1));
                c30 = Vector512.FusedMultiplyAdd(x3, b0, c30);
                c31 = Vector512.FusedMultiplyAdd(x3, b1, c31);
                Vector512<float> x4 = Vector512.Create(TA.At(a, lda, 8, 4, 1));
                c40 = Vector512.FusedMultiplyAdd(x4, b0, c40);
                c41 = Vector512.FusedMultiplyAdd(x4, b1, c41);
                Vector512<float> x5 = Vector512.Create(TA.At(a, lda, 8, 5, 1));
                c50 = Vector512.FusedMultiplyAdd(x5, b0, c50);
                c51 = Vector512.FusedMultiplyAdd(x5, b1, c51);
                Vector512<float> x6 = Vector512.Create(TA.At(a, lda, 8, 6, 1));
                c60 = Vector512.FusedMultiplyAdd(x6, b0, c60);
                c61 = Vector512.FusedMultiplyAdd(x6, b1, c61);
                Vector512<float> x7 = Vector512.Create(TA.At(a, lda, 8, 7, 1));
                c70 = Vector512.FusedMultiplyAdd(x7, b0, c70);
                c71 = Vector512.FusedMultiplyAdd(x7, b1, c71);
            }
            {
                Vector512<float> b0 = Vector512.Load(b + 64);
                Vector512<float> b1 = Vector512.Load(b + 80);
                Vector512<float> x0 = Vector512.Create(TA.At(a, lda, 8, 0, 2));
                c00 = Vector512.FusedMultiplyAdd(x0, b0, c00);
                c01 = Vector512.FusedMultiplyAdd(x0, b1, c01);
                Vector512<float> x1 = Vector512.Create(TA.At(a, lda, 8, 1, 2));
                c10 = Vector512.FusedMultiplyAdd(x1, b0, c10);
                c11 = Vector512.FusedMultiplyAdd(x1, b1, c11);
                Vector512<float> x2 = Vector512.Create(TA.At(a, lda, 8, 2, 2));
                c20 = Vector512.FusedMultiplyAdd(x2, b0, c20);
                c21 = Vector512.FusedMultiplyAdd(x2, b1, c21);
                Vector512<float> x3 = Vector512.Create(TA.At(a, lda, 8, 3, 2));
                c30 = Vector512.FusedMultiplyAdd(x3, b0, c30);
                c31 = Vector512.FusedMultiplyAdd(x3, b1, c31);
                Vector512<float> x4 = Vector512.Create(TA.At(a, lda, 8, 4, 2));
                c40 = Vector512.FusedMultiplyAdd(x4, b0, c40);
                c41 = Vector512.FusedMultiplyAdd(x4, b1, c41);
                Vector512<float> x5 = Vector512.Create(TA.At(a, lda, 8, 5, 2));
                c50 = Vector512.FusedMultiplyAdd(x5, b0, c50);
                c51 = Vector512.FusedMultiplyAdd(x5, b1, c51);
                Vector512<float> x6 = Vector512.Create(TA.At(a, lda, 8, 6, 2));
                c60 = Vector512.FusedMultiplyAdd(x6, b0, c60);
                c61 = Vector512.FusedMultiplyAdd(x6, b1, c61);
                Vector512<float> x7 = Vector512.Create(TA.At(a, lda, 8, 7, 2));
                c70 = Vector512.FusedMultiplyAdd(x7, b0, c70);
                c71 = Vector512.FusedMultiplyAdd(x7, b1, c71);
            }
            {
                Vector512<float> b0 = Vector512.Load(b + 96);
                Vector512<float> b1 = Vector512.Load(b + 112);
                Vector512<float> x0 = Vector512.Create(TA.At(a, lda, 8, 0, 3));
                c00 = Vector512.FusedMultiplyAdd(x0, b0, c00);
                c01 = Vector512.FusedMultiplyAdd(x0, b1, c01);
                Vector512<float> x1 = Vector512.Create(TA.At(a, lda, 8, 1, 3));
                c10 = Vector512.FusedMultiplyAdd(x1, b0, c10);
                c11 = Vector512.FusedMultiplyAdd(x1, b1, c11);
                Vector512<float> x2 = Vector512.Create(TA.At(a, lda, 8, 2, 3));
                c20 = Vector512.FusedMultiplyAdd(x2, b0, c20);
                c21 = Vector512.FusedMultiplyAdd(x2, b1, c21);
                Vector512<float> x3 = Vector512.Create(TA.At(a, lda, 8, 3, 3));
                c30 = Vector512.FusedMultiplyAdd(x3, b0, c30);
                c31 = Vector512.FusedMultiplyAdd(x3, b1, c31);
                Vector512<float> x4 = Vector512.Create(TA.At(a, lda, 8, 4, 3));
                c40 = Vector512.FusedMultiplyAdd(x4, b0, c40);
                c41 = Vector512.FusedMultiplyAdd(x4, b1, c41);
                Vector512<float> x5 = Vector512.Create(TA.At(a, lda, 8, 5, 3));
                c50 = Vector512.FusedMultiplyAdd(x5, b0, c50);
                c51 = Vector512.FusedMultiplyAdd(x5, b1, c51);
                Vector512<float> x6 = Vector512.Create(TA.At(a, lda, 8, 6, 3));
                c60 = Vector512.FusedMultiplyAdd(x6, b0, c60);
                c61 = Vector512.FusedMultiplyAdd(x6, b1, c61);
                Vector512<float> x7 = Vector512.Create(TA.At(a, lda, 8, 7, 3));
                c70 = Vector512.FusedMultiplyAdd(x7, b0, c70);
                c71 = Vector512.FusedMultiplyAdd(x7, b1, c71);
            }
            a += TA.Advance(8, 4);
            b += 128;
        }
        for (; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.Load(b + 0);
            Vector512<float> b1 = Vector512.Load(b + 16);
            Vector512<float> x0 = Vector512.Create(TA.At(a, lda, 8, 0, 0));
            c00 = Vector512.FusedMultiplyAdd(x0, b0, c00);
            c01 = Vector512.FusedMultiplyAdd(x0, b1, c01);
            Vector512<float> x1 = Vector512.Create(TA.At(a, lda, 8, 1, 0));
            c10 = Vector512.FusedMultiplyAdd(x1, b0, c10);
            c11 = Vector512.FusedMultiplyAdd(x1, b1, c11);
            Vector512<float> x2 = Vector512.Create(TA.At(a, lda, 8, 2, 0));
            c20 = Vector512.FusedMultiplyAdd(x2, b0, c20);
            c21 = Vector512.FusedMultiplyAdd(x2, b1, c21);
            Vector512<float> x3 = Vector512.Create(TA.At(a, lda, 8, 3, 0));
            c30 = Vector512.FusedMultiplyAdd(x3, b0, c30);
            c31 = Vector512.FusedMultiplyAdd(x3, b1, c31);
            Vector512<float> x4 = Vector512.Create(TA.At(a, lda, 8, 4, 0));
            c40 = Vector512.FusedMultiplyAdd(x4, b0, c40);
            c41 = Vector512.FusedMultiplyAdd(x4, b1, c41);
            Vector512<float> x5 = Vector512.Create(TA.At(a, lda, 8, 5, 0));
            c50 = Vector512.FusedMultiplyAdd(x5, b0, c50);
            c51 = Vector512.FusedMultiplyAdd(x5, b1, c51);
            Vector512<float> x6 = Vector512.Create(TA.At(a, lda, 8, 6, 0));
            c60 = Vector512.FusedMultiplyAdd(x6, b0, c60);
            c61 = Vector512.FusedMultiplyAdd(x6, b1, c61);
            Vector512<float> x7 = Vector512.Create(TA.At(a, lda, 8, 7, 0));
            c70 = Vector512.FusedMultiplyAdd(x7, b0, c70);
            c71 = Vector512.FusedMultiplyAdd(x7, b1, c71);
            a += TA.Advance(8, 1);
            b += 32;
        }

        Vector512<float> va = Vector512.Create(alpha);
        if (cols < 32)
        {
            // Lanes of the tile's two halves that are C's columns.
            var lane = Vector512<int>.Indices;
            var m0 = Vector512.LessThan(lane, Vector512.Create(cols)).AsSingle();
            var m1 = Vector512.LessThan(lane, Vector512.Create(cols - 16)).AsSingle();
            StoreColumns(c + 0 * ldc, c00, c01, m0, m1, va, beta, e, i0 + 0, j0, addInitial);
            StoreColumns(c + 1 * ldc, c10, c11, m0, m1, va, beta, e, i0 + 1, j0, addInitial);
            StoreColumns(c + 2 * ldc, c20, c21, m0, m1, va, beta, e, i0 + 2, j0, addInitial);
            StoreColumns(c + 3 * ldc, c30, c31, m0, m1, va, beta, e, i0 + 3, j0, addInitial);
            StoreColumns(c + 4 * ldc, c40, c41, m0, m1, va, beta, e, i0 + 4, j0, addInitial);
            StoreColumns(c + 5 * ldc, c50, c51, m0, m1, va, beta, e, i0 + 5, j0, addInitial);
            StoreColumns(c + 6 * ldc, c60, c61, m0, m1, va, beta, e, i0 + 6, j0, addInitial);
            StoreColumns(c + 7 * ldc, c70, c71, m0, m1, va, beta, e, i0 + 7, j0, addInitial);
        }
        else if (e != null)
        {
            StoreRow(c + 0 * ldc, c00, c01, va, beta, e, i0 + 0, j0, addInitial);
            StoreRow(c + 1 * ldc, c10, c11, va, beta, e, i0 + 1, j0, addInitial);
            StoreRow(c + 2 * ldc, c20, c21, va, beta, e, i0 + 2, j0, addInitial);
            StoreRow(c + 3 * ldc, c30, c31, va, beta, e, i0 + 3, j0, addInitial);
            StoreRow(c + 4 * ldc, c40, c41, va, beta, e, i0 + 4, j0, addInitial);
            StoreRow(c + 5 * ldc, c50, c51, va, beta, e, i0 + 5, j0, addInitial);
            StoreRow(c + 6 * ldc, c60, c61, va, beta, e, i0 + 6, j0, addInitial);
            StoreRow(c + 7 * ldc, c70, c71, va, beta, e, i0 + 7, j0, addInitial);
        }
        else if (beta == 0)
        {
            Vector512.Store(c00 * va, c + 0 * ldc + 0);
            Vector512.Store(c01 * va, c + 0 * ldc + 16);
            Vector512.Store(c10 * va, c + 1 * ldc + 0);
            Vector512.Store(c11 * va, c + 1 * ldc + 16);
            Vector512.Store(c20 * va, c + 2 * ldc + 0);
            Vector512.Store(c21 * va, c + 2 * ldc + 16);
            Vector512.Store(c30 * va, c + 3 * ldc + 0);
            Vector512.Store(c31 * va, c + 3 * ldc + 16);
            Vector512.Store(c40 * va, c + 4 * ldc + 0);
            Vector512.Store(c41 * va, c + 4 * ldc + 16);
            Vector512.Store(c50 * va, c + 5 * ldc + 0);
            Vector512.Store(c51 * va, c + 5 * ldc + 16);
            Vector512.Store(c60 * va, c + 6 * ldc + 0);
            Vector512.Store(c61 * va, c + 6 * ldc + 16);
            Vector512.Store(c70 * va, c + 7 * ldc + 0);
            Vector512.Store(c71 * va, c + 7 * ldc + 16);
        }
        else
        {
            Vector512<float> vb = Vector512.Create(beta);
            Vector512.Store(Vector512.FusedMultiplyAdd(vb, Vector512.Load(c + 0 * ldc + 0), c00 * va), c + 0 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(vb, Vector512.Load(c + 0 * ldc + 16), c01 * va), c + 0 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(vb, Vector512.Load(c + 1 * ldc + 0), c10 * va), c + 1 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(vb, Vector512.Load(c + 1 * ldc + 16), c11 * va), c + 1 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(vb, Vector512.Load(c + 2 * ldc + 0), c20 * va), c + 2 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(vb, Vector512.Load(c + 2 * ldc + 16), c21 * va), c + 2 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(vb, Vector512.Load(c + 3 * ldc + 0), c30 * va), c + 3 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(vb, Vector512.Load(c + 3 * ldc + 16), c31 * va), c + 3 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(vb, Vector512.Load(c + 4 * ldc + 0), c40 * va), c + 4 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(vb, Vector512.Load(c + 4 * ldc + 16), c41 * va), c + 4 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(vb, Vector512.Load(c + 5 * ldc + 0), c50 * va), c + 5 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(vb, Vector512.Load(c + 5 * ldc + 16), c51 * va), c + 5 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(vb, Vector512.Load(c + 6 * ldc + 0), c60 * va), c + 6 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(vb, Vector512.Load(c + 6 * ldc + 16), c61 * va), c + 6 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(vb, Vector512.Load(c + 7 * ldc + 0), c70 * va), c + 7 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(vb, Vector512.Load(c + 7 * ldc + 16), c71 * va), c + 7 * ldc + 16);
        }
    }

    // One row of a right-edge tile: the lanes of m0 (columns 0–15) and m1 (16–31) only, loaded and stored masked; then
    // as StoreRow (alpha·acc (+ beta·C), with an epilogue + (residual + bias), max lo, min hi).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreColumns(float* row, Vector512<float> x0, Vector512<float> x1, Vector512<float> m0, Vector512<float> m1,
        Vector512<float> va, float beta, GemmEpilogue* e, int i, int j0, bool addInitial)
    {
        Vector512<float> v0 = x0 * va, v1 = x1 * va;
        if (beta != 0)
        {
            Vector512<float> vb = Vector512.Create(beta);
            v0 = Vector512.FusedMultiplyAdd(vb, Avx512F.MaskLoad(row, m0, Vector512<float>.Zero), v0);
            v1 = Vector512.FusedMultiplyAdd(vb, Avx512F.MaskLoad(row + 16, m1, Vector512<float>.Zero), v1);
        }
        if (e != null && addInitial)
        {
            Vector512<float> bias0, bias1;
            if (e->BiasPerColumn)
            {
                bias0 = Avx512F.MaskLoad(e->Bias + j0, m0, Vector512<float>.Zero);
                bias1 = Avx512F.MaskLoad(e->Bias + j0 + 16, m1, Vector512<float>.Zero);
            }
            else
            {
                bias0 = bias1 = Vector512.Create(e->Bias == null ? 0f : e->Bias[i]);
            }
            float* r = e->Residual == null ? null : e->Residual + i * e->LdResidual + j0;
            v0 += r == null ? bias0 : Avx512F.MaskLoad(r, m0, Vector512<float>.Zero) + bias0;
            v1 += r == null ? bias1 : Avx512F.MaskLoad(r + 16, m1, Vector512<float>.Zero) + bias1;
        }
        if (e != null && e->Clamps)
        {
            Vector512<float> lo = Vector512.Create(e->Min), hi = Vector512.Create(e->Max);
            if (e->Bounds.Applies)
            {
                Vector512<float> fix = Vector512.Create(e->Bounds.Fix);
                v0 = NativeClamp.Apply(v0, lo, hi, fix);
                v1 = NativeClamp.Apply(v1, lo, hi, fix);
            }
            else
            {
                v0 = Vector512.Min(Vector512.Max(v0, lo), hi);
                v1 = Vector512.Min(Vector512.Max(v1, lo), hi);
            }
        }
        Avx512F.MaskStore(row, m0, v0);
        Avx512F.MaskStore(row + 16, m1, v1);
    }

    // One row of the tile through the epilogue: alpha·acc (+ beta·C), + (residual + bias), max lo, min hi, stored.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(float* row, Vector512<float> x0, Vector512<float> x1, Vector512<float> va, float beta, GemmEpilogue* e,
        int i, int j0, bool addInitial)
    {
        Vector512<float> v0 = x0 * va, v1 = x1 * va;
        if (beta != 0)
        {
            Vector512<float> vb = Vector512.Create(beta);
            v0 = Vector512.FusedMultiplyAdd(vb, Vector512.Load(row), v0);
            v1 = Vector512.FusedMultiplyAdd(vb, Vector512.Load(row + 16), v1);
        }
        if (addInitial)
        {
            Vector512<float> bias0, bias1;
            if (e->BiasPerColumn)
            {
                bias0 = Vector512.Load(e->Bias + j0);
                bias1 = Vector512.Load(e->Bias + j0 + 16);
            }
            else
            {
                bias0 = bias1 = Vector512.Create(e->Bias == null ? 0f : e->Bias[i]);
            }
            float* r = e->Residual == null ? null : e->Residual + i * e->LdResidual + j0;
            v0 += r == null ? bias0 : Vector512.Load(r) + bias0;
            v1 += r == null ? bias1 : Vector512.Load(r + 16) + bias1;
        }
        if (e->Clamps)
        {
            Vector512<float> lo = Vector512.Create(e->Min), hi = Vector512.Create(e->Max);
            if (e->Bounds.Applies)
            {
                Vector512<float> fix = Vector512.Create(e->Bounds.Fix);
                v0 = NativeClamp.Apply(v0, lo, hi, fix);
                v1 = NativeClamp.Apply(v1, lo, hi, fix);
            }
            else
            {
                v0 = Vector512.Min(Vector512.Max(v0, lo), hi);
                v1 = Vector512.Min(Vector512.Max(v1, lo), hi);
            }
        }
        Vector512.Store(v0, row);
        Vector512.Store(v1, row + 16);
    }

    public static void RunHalf(int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta) =>
        Half<PanelA>(kc, a, 0, b, c, ldc, alpha, beta);

    /// <summary>As <see cref="RunHalf"/> reading A's rows in place (<see cref="RowsA"/>).</summary>
    public static void RunHalfRows(int kc, float* a, nint lda, float* b, float* c, nint ldc, float alpha, float beta) =>
        Half<RowsA>(kc, a, lda, b, c, ldc, alpha, beta);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Half<TA>(int kc, float* a, nint lda, float* b, float* c, nint ldc, float alpha, float beta,
        GemmEpilogue* e = null, int i0 = 0, int j0 = 0, bool addInitial = false, int cols = 16)
        where TA : struct, IOperandA
    {
        Vector512<float> c00 = default;
        Vector512<float> c10 = default;
        Vector512<float> c20 = default;
        Vector512<float> c30 = default;
        Vector512<float> c40 = default;
        Vector512<float> c50 = default;
        Vector512<float> c60 = default;
        Vector512<float> c70 = default;
        int p = 0;
        for (; p <= kc - 4; p += 4)
        {
            {
                Vector512<float> b0 = Vector512.Load(b + 0);
                Vector512<float> x0 = Vector512.Create(TA.At(a, lda, 8, 0, 0));
                c00 = Vector512.FusedMultiplyAdd(x0, b0, c00);
                Vector512<float> x1 = Vector512.Create(TA.At(a, lda, 8, 1, 0));
                c10 = Vector512.FusedMultiplyAdd(x1, b0, c10);
                Vector512<float> x2 = Vector512.Create(TA.At(a, lda, 8, 2, 0));
                c20 = Vector512.FusedMultiplyAdd(x2, b0, c20);
                Vector512<float> x3 = Vector512.Create(TA.At(a, lda, 8, 3, 0));
                c30 = Vector512.FusedMultiplyAdd(x3, b0, c30);
                Vector512<float> x4 = Vector512.Create(TA.At(a, lda, 8, 4, 0));
                c40 = Vector512.FusedMultiplyAdd(x4, b0, c40);
                Vector512<float> x5 = Vector512.Create(TA.At(a, lda, 8, 5, 0));
                c50 = Vector512.FusedMultiplyAdd(x5, b0, c50);
                Vector512<float> x6 = Vector512.Create(TA.At(a, lda, 8, 6, 0));
                c60 = Vector512.FusedMultiplyAdd(x6, b0, c60);
                Vector512<float> x7 = Vector512.Create(TA.At(a, lda, 8, 7, 0));
                c70 = Vector512.FusedMultiplyAdd(x7, b0, c70);
            }
            {
                Vector512<float> b0 = Vector512.Load(b + 32);
                Vector512<float> x0 = Vector512.Create(TA.At(a, lda, 8, 0, 1));
                c00 = Vector512.FusedMultiplyAdd(x0, b0, c00);
                Vector512<float> x1 = Vector512.Create(TA.At(a, lda, 8, 1, 1));
                c10 = Vector512.FusedMultiplyAdd(x1, b0, c10);
                Vector512<float> x2 = Vector512.Create(TA.At(a, lda, 8, 2, 1));
                c20 = Vector512.FusedMultiplyAdd(x2, b0, c20);
                Vector512<float> x3 = Vector512.Create(TA.At(a, lda, 8, 3, 1));
                c30 = Vector512.FusedMultiplyAdd(x3, b0, c30);
                Vector512<float> x4 = Vector512.Create(TA.At(a, lda, 8, 4, 1));
                c40 = Vector512.FusedMultiplyAdd(x4, b0, c40);
                Vector512<float> x5 = Vector512.Create(TA.At(a, lda, 8, 5, 1));
                c50 = Vector512.FusedMultiplyAdd(x5, b0, c50);
                Vector512<float> x6 = Vector512.Create(TA.At(a, lda, 8, 6, 1));
                c60 = Vector512.FusedMultiplyAdd(x6, b0, c60);
                Vector512<float> x7 = Vector512.Create(TA.At(a, lda, 8, 7, 1));
                c70 = Vector512.FusedMultiplyAdd(x7, b0, c70);
            }
            {
                Vector512<float> b0 = Vector512.Load(b + 64);
                Vector512<float> x0 = Vector512.Create(TA.At(a, lda, 8, 0, 2));
                c00 = Vector512.FusedMultiplyAdd(x0, b0, c00);
                Vector512<float> x1 = Vector512.Create(TA.At(a, lda, 8, 1, 2));
                c10 = Vector512.FusedMultiplyAdd(x1, b0, c10);
                Vector512<float> x2 = Vector512.Create(TA.At(a, lda, 8, 2, 2));
                c20 = Vector512.FusedMultiplyAdd(x2, b0, c20);
                Vector512<float> x3 = Vector512.Create(TA.At(a, lda, 8, 3, 2));
                c30 = Vector512.FusedMultiplyAdd(x3, b0, c30);
                Vector512<float> x4 = Vector512.Create(TA.At(a, lda, 8, 4, 2));
                c40 = Vector512.FusedMultiplyAdd(x4, b0, c40);
                Vector512<float> x5 = Vector512.Create(TA.At(a, lda, 8, 5, 2));
                c50 = Vector512.FusedMultiplyAdd(x5, b0, c50);
                Vector512<float> x6 = Vector512.Create(TA.At(a, lda, 8, 6, 2));
                c60 = Vector512.FusedMultiplyAdd(x6, b0, c60);
                Vector512<float> x7 = Vector512.Create(TA.At(a, lda, 8, 7, 2));
                c70 = Vector512.FusedMultiplyAdd(x7, b0, c70);
            }
            {
                Vector512<float> b0 = Vector512.Load(b + 96);
                Vector512<float> x0 = Vector512.Create(TA.At(a, lda, 8, 0, 3));
                c00 = Vector512.FusedMultiplyAdd(x0, b0, c00);
                Vector512<float> x1 = Vector512.Create(TA.At(a, lda, 8, 1, 3));
                c10 = Vector512.FusedMultiplyAdd(x1, b0, c10);
                Vector512<float> x2 = Vector512.Create(TA.At(a, lda, 8, 2, 3));
                c20 = Vector512.FusedMultiplyAdd(x2, b0, c20);
                Vector512<float> x3 = Vector512.Create(TA.At(a, lda, 8, 3, 3));
                c30 = Vector512.FusedMultiplyAdd(x3, b0, c30);
                Vector512<float> x4 = Vector512.Create(TA.At(a, lda, 8, 4, 3));
                c40 = Vector512.FusedMultiplyAdd(x4, b0, c40);
                Vector512<float> x5 = Vector512.Create(TA.At(a, lda, 8, 5, 3));
                c50 = Vector512.FusedMultiplyAdd(x5, b0, c50);
                Vector512<float> x6 = Vector512.Create(TA.At(a, lda, 8, 6, 3));
                c60 = Vector512.FusedMultiplyAdd(x6, b0, c60);
                Vector512<float> x7 = Vector512.Create(TA.At(a, lda, 8, 7, 3));
                c70 = Vector512.FusedMultiplyAdd(x7, b0, c70);
            }
            a += TA.Advance(8, 4);
            b += 128;
        }
        for (; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.Load(b + 0);
            Vector512<float> x0 = Vector512.Create(TA.At(a, lda, 8, 0, 0));
            c00 = Vector512.FusedMultiplyAdd(x0, b0, c00);
            Vector512<float> x1 = Vector512.Create(TA.At(a, lda, 8, 1, 0));
            c10 = Vector512.FusedMultiplyAdd(x1, b0, c10);
            Vector512<float> x2 = Vector512.Create(TA.At(a, lda, 8, 2, 0));
            c20 = Vector512.FusedMultiplyAdd(x2, b0, c20);
            Vector512<float> x3 = Vector512.Create(TA.At(a, lda, 8, 3, 0));
            c30 = Vector512.FusedMultiplyAdd(x3, b0, c30);
            Vector512<float> x4 = Vector512.Create(TA.At(a, lda, 8, 4, 0));
            c40 = Vector512.FusedMultiplyAdd(x4, b0, c40);
            Vector512<float> x5 = Vector512.Create(TA.At(a, lda, 8, 5, 0));
            c50 = Vector512.FusedMultiplyAdd(x5, b0, c50);
            Vector512<float> x6 = Vector512.Create(TA.At(a, lda, 8, 6, 0));
            c60 = Vector512.FusedMultiplyAdd(x6, b0, c60);
            Vector512<float> x7 = Vector512.Create(TA.At(a, lda, 8, 7, 0));
            c70 = Vector512.FusedMultiplyAdd(x7, b0, c70);
            a += TA.Advance(8, 1);
            b += 32;
        }

        Vector512<float> va = Vector512.Create(alpha);
        if (e != null || cols < 16)
        {
            // Columns [0, cols) only (the upper vector of StoreColumns masked off entirely), through the epilogue.
            var m0 = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(cols)).AsSingle();
            var none = Vector512<float>.Zero;
            StoreColumns(c + 0 * ldc, c00, none, m0, none, va, beta, e, i0 + 0, j0, addInitial);
            StoreColumns(c + 1 * ldc, c10, none, m0, none, va, beta, e, i0 + 1, j0, addInitial);
            StoreColumns(c + 2 * ldc, c20, none, m0, none, va, beta, e, i0 + 2, j0, addInitial);
            StoreColumns(c + 3 * ldc, c30, none, m0, none, va, beta, e, i0 + 3, j0, addInitial);
            StoreColumns(c + 4 * ldc, c40, none, m0, none, va, beta, e, i0 + 4, j0, addInitial);
            StoreColumns(c + 5 * ldc, c50, none, m0, none, va, beta, e, i0 + 5, j0, addInitial);
            StoreColumns(c + 6 * ldc, c60, none, m0, none, va, beta, e, i0 + 6, j0, addInitial);
            StoreColumns(c + 7 * ldc, c70, none, m0, none, va, beta, e, i0 + 7, j0, addInitial);
        }
        else if (beta == 0)
        {
            Vector512.Store(c00 * va, c + 0 * ldc + 0);
            Vector512.Store(c10 * va, c + 1 * ldc + 0);
            Vector512.Store(c20 * va, c + 2 * ldc + 0);
            Vector512.Store(c30 * va, c + 3 * ldc + 0);
            Vector512.Store(c40 * va, c + 4 * ldc + 0);
            Vector512.Store(c50 * va, c + 5 * ldc + 0);
            Vector512.Store(c60 * va, c + 6 * ldc + 0);
            Vector512.Store(c70 * va, c + 7 * ldc + 0);
        }
        else
        {
            Vector512<float> vb = Vector512.Create(beta);
            Vector512.Store(Vector512.FusedMultiplyAdd(vb, Vector512.Load(c + 0 * ldc + 0), c00 * va), c + 0 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(vb, Vector512.Load(c + 1 * ldc + 0), c10 * va), c + 1 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(vb, Vector512.Load(c + 2 * ldc + 0), c20 * va), c + 2 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(vb, Vector512.Load(c + 3 * ldc + 0), c30 * va), c + 3 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(vb, Vector512.Load(c + 4 * ldc + 0), c40 * va), c + 4 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(vb, Vector512.Load(c + 5 * ldc + 0), c50 * va), c + 5 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(vb, Vector512.Load(c + 6 * ldc + 0), c60 * va), c + 6 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(vb, Vector512.Load(c + 7 * ldc + 0), c70 * va), c + 7 * ldc + 0);
        }
    }
}
