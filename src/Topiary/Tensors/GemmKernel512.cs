// GemmKernel512: the Vector512 micro-kernel, an 8x48 register tile (24 accumulators of 16 floats).
// Contract: see IGemmKernel. Per k step it loads 3 vectors of the packed B micro-panel (48 floats a row), broadcasts 8
// values of A (a packed micro-panel; in RunRows/RunHalfRows Mr rows read in place, GemmOperandA), and issues 24 fused
// multiply-adds: 11 loads for 24 FMAs. The 8x32 tile it had before (16 FMAs for 10 loads) ran at 0.70-0.78 of the FMA
// peak on an Ice Lake server core, whose two 512-bit FMA units the loads did not keep fed; 8x48 at 0.84-0.86 in the
// same driver order (BENCHMARKS.md, "An 8 × 48 AVX-512 tile"). Every accumulator sums p = 0..kc-1 in order, whatever the
// tile's width, so the width changes no bits.
// Right-edge tiles run narrower kernels on the same 48-wide panels, bitwise equal per element: Two (8x32: up to 32 valid
// columns; also RunHalf's left Nr/2 = 24 columns) and Half (8x16: up to 16), storing their valid columns with masked
// loads and stores and the GEMM epilogue (bias, residual, clamp) in registers (a channels-last convolution with 24 output
// channels is all edge). RunBottom computes a bottom-edge tile's valid rows only, one at a time (a 7x7 image's 49
// positions leave one row in its last tile); a right edge of up to 8 columns with A packed runs as a column strip over
// several row tiles (GemmKernel512.Strip.cs). Full tiles prefetch a line of what the driver reads next every two steps
// (RunPanels' range).
// Written out by hand-style unrolling (one local per accumulator) so RyuJIT keeps them in registers.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Topiary.Tensors;

/// <summary>Vector512 8x48 SGEMM micro-kernel over packed panels.</summary>
internal readonly unsafe partial struct GemmKernel512 : IGemmKernel
{
    public static int Mr => 8;
    public static int Nr => S;
    public static int Kc => 256;
    public static int Mc => 256;
    public static int Nc => 4032;

    // The B micro-panel's row stride (Nr): every kernel here, narrow ones included, steps through 48-float rows.
    private const int S = 48;

    public static void Run(int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta) =>
        Core<PanelA>(kc, a, 0, b, c, ldc, alpha, beta, null, 0, 0, false);

    /// <summary>As <see cref="Run"/> reading A's rows in place (<see cref="RowsA"/>: row r at a + r·lda).</summary>
    public static void RunRows(int kc, float* a, nint lda, float* b, float* c, nint ldc, float alpha, float beta) =>
        Core<RowsA>(kc, a, lda, b, c, ldc, alpha, beta, null, 0, 0, false);

    /// <summary>The left Nr/2 = 24 columns of the tile (see <see cref="IGemmKernel.RunHalf"/>), by the 8x32 kernel.</summary>
    public static void RunHalf(int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta) =>
        Two<PanelA>(kc, a, 0, b, c, ldc, alpha, beta, null, 0, 0, false, S / 2);

    /// <summary>As <see cref="RunHalf"/> reading A's rows in place (<see cref="RowsA"/>).</summary>
    public static void RunHalfRows(int kc, float* a, nint lda, float* b, float* c, nint ldc, float alpha, float beta) =>
        Two<RowsA>(kc, a, lda, b, c, ldc, alpha, beta, null, 0, 0, false, S / 2);

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

    /// <summary>Full tiles side by side (see <see cref="IGemmKernel.RunPanels"/>), each tile prefetching the next kc / 2 lines
    /// of the range.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RunPanels(int kc, float* a, nint lda, bool rowsA, float* b, int count, float* c, nint ldc, float alpha, float beta,
        GemmEpilogue* epilogue, int i0, int j0, bool addInitial, nint prefetch, nint prefetchLast)
    {
        for (int t = 0; t < count; t++)
        {
            if (rowsA) Core<RowsA>(kc, a, lda, b + (nint)t * kc * S, c + t * S, ldc, alpha, beta, epilogue, i0, j0 + t * S, addInitial, prefetch, prefetchLast);
            else Core<PanelA>(kc, a, 0, b + (nint)t * kc * S, c + t * S, ldc, alpha, beta, epilogue, i0, j0 + t * S, addInitial, prefetch, prefetchLast);
            if (prefetch != 0) prefetch = Math.Min(prefetch + PrefetchLines(kc) * 64, prefetchLast);
        }
    }

    /// <summary>Lines a full tile of depth <paramref name="kc"/> prefetches: one every two steps.</summary>
    public static int PrefetchLines(int kc) => kc / 2;

    /// <summary>Run on a right-edge tile storing its first <paramref name="cols"/> columns (see <see cref="IGemmKernel.RunColumns"/>):
    /// up to 16 by the 8x16 kernel, up to 32 by the 8x32 one.</summary>
    public static void RunColumns(int kc, float* a, nint lda, bool rowsA, float* b, float* c, nint ldc, float alpha, float beta,
        GemmEpilogue* epilogue, int i0, int j0, bool addInitial, int cols)
    {
        if (cols <= 16)
        {
            if (rowsA) Half<RowsA>(kc, a, lda, b, c, ldc, alpha, beta, epilogue, i0, j0, addInitial, cols);
            else Half<PanelA>(kc, a, 0, b, c, ldc, alpha, beta, epilogue, i0, j0, addInitial, cols);
        }
        else if (cols <= 32)
        {
            if (rowsA) Two<RowsA>(kc, a, lda, b, c, ldc, alpha, beta, epilogue, i0, j0, addInitial, cols);
            else Two<PanelA>(kc, a, 0, b, c, ldc, alpha, beta, epilogue, i0, j0, addInitial, cols);
        }
        else if (cols < S)
        {
            Edge(kc, a, lda, rowsA, b, c, ldc, alpha, beta, epilogue, i0, j0, addInitial, cols);
        }
        else if (rowsA) Core<RowsA>(kc, a, lda, b, c, ldc, alpha, beta, epilogue, i0, j0, addInitial);
        else Core<PanelA>(kc, a, 0, b, c, ldc, alpha, beta, epilogue, i0, j0, addInitial);
    }

    // A right-edge tile of 33-47 columns: the full kernel into a scratch tile (alpha 1, beta 0: the accumulators exactly),
    // then its valid columns stored as the kernel would have (StoreMasked: the same operations, so the same bits).
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Edge(int kc, float* a, nint lda, bool rowsA, float* b, float* c, nint ldc, float alpha, float beta,
        GemmEpilogue* epilogue, int i0, int j0, bool addInitial, int cols)
    {
        float* tile = stackalloc float[8 * S];
        if (rowsA) Core<RowsA>(kc, a, lda, b, tile, S, 1f, 0f, null, 0, 0, false);
        else Core<PanelA>(kc, a, 0, b, tile, S, 1f, 0f, null, 0, 0, false);
        var lane = Vector512<int>.Indices;
        var m2 = Vector512.LessThan(lane, Vector512.Create(cols - 32)).AsSingle();
        var all = Vector512<float>.AllBitsSet;
        Vector512<float> va = Vector512.Create(alpha);
        for (int r = 0; r < 8; r++)
        {
            float* t = tile + r * S, row = c + r * ldc;
            StoreMasked(row, Vector512.Load(t), all, va, beta, epilogue, i0 + r, j0, addInitial);
            StoreMasked(row + 16, Vector512.Load(t + 16), all, va, beta, epilogue, i0 + r, j0 + 16, addInitial);
            StoreMasked(row + 32, Vector512.Load(t + 32), m2, va, beta, epilogue, i0 + r, j0 + 32, addInitial);
        }
    }

    /// <summary>The first <paramref name="rows"/> rows of a tile, row by row (see <see cref="IGemmKernel.RunBottom"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RunBottom(int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta, GemmEpilogue* epilogue,
        int i0, int j0, bool addInitial, int rows, int cols)
    {
        var lane = Vector512<int>.Indices;
        var m0 = Vector512.LessThan(lane, Vector512.Create(cols)).AsSingle();
        var m1 = Vector512.LessThan(lane, Vector512.Create(cols - 16)).AsSingle();
        var m2 = Vector512.LessThan(lane, Vector512.Create(cols - 32)).AsSingle();
        Vector512<float> va = Vector512.Create(alpha);
        for (int r = 0; r < rows; r++)
        {
            // Row r of the tile: the same in-order sum per element as the full kernel's, three accumulators for 48 columns.
            Vector512<float> c0 = default, c1 = default, c2 = default;
            float* ap = a + r, bp = b;
            for (int p = 0; p < kc; p++)
            {
                Vector512<float> x = Vector512.Create(*ap);
                c0 = Vector512.FusedMultiplyAdd(x, Vector512.Load(bp), c0);
                c1 = Vector512.FusedMultiplyAdd(x, Vector512.Load(bp + 16), c1);
                c2 = Vector512.FusedMultiplyAdd(x, Vector512.Load(bp + 32), c2);
                ap += 8;
                bp += S;
            }
            float* row = c + r * ldc;
            StoreMasked(row, c0, m0, va, beta, epilogue, i0 + r, j0, addInitial);
            if (cols > 16) StoreMasked(row + 16, c1, m1, va, beta, epilogue, i0 + r, j0 + 16, addInitial);
            if (cols > 32) StoreMasked(row + 32, c2, m2, va, beta, epilogue, i0 + r, j0 + 32, addInitial);
        }
    }

    // The full 8x48 tile, through the epilogue when e is set. Its edge variant is Edge: this method's size must stay
    // within the JIT's inlining budget, or its stores become calls and its loops spill the accumulators.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Core<TA>(int kc, float* a, nint lda, float* b, float* c, nint ldc, float alpha, float beta, GemmEpilogue* e,
        int i0, int j0, bool addInitial, nint prefetch = 0, nint prefetchLast = 0) where TA : struct, IOperandA
    {
        Vector512<float> c00 = default, c01 = default, c02 = default;
        Vector512<float> c10 = default, c11 = default, c12 = default;
        Vector512<float> c20 = default, c21 = default, c22 = default;
        Vector512<float> c30 = default, c31 = default, c32 = default;
        Vector512<float> c40 = default, c41 = default, c42 = default;
        Vector512<float> c50 = default, c51 = default, c52 = default;
        Vector512<float> c60 = default, c61 = default, c62 = default;
        Vector512<float> c70 = default, c71 = default, c72 = default;
        // No lines to prefetch: the first line of this tile's B panel, already on its way, stands in (no branch in the loop).
        if (prefetch == 0) prefetch = prefetchLast = (nint)b;
        int p = 0;
        for (; p <= kc - 2; p += 2)
        {
            // One line of what the driver reads next into L2 every two steps (loads here are one a cycle for the FMAs' 12:
            // the slot is free), then the last line again once the range is done.
            if (Sse.IsSupported) Sse.Prefetch1((void*)prefetch);
            prefetch += ((prefetch - prefetchLast) >> 63) & 64;
            {
                Vector512<float> b0 = Vector512.Load(b + 0 * S + 0);
                Vector512<float> b1 = Vector512.Load(b + 0 * S + 16);
                Vector512<float> b2 = Vector512.Load(b + 0 * S + 32);
                Vector512<float> x0 = Vector512.Create(TA.At(a, lda, 8, 0, 0));
                c00 = Vector512.FusedMultiplyAdd(x0, b0, c00);
                c01 = Vector512.FusedMultiplyAdd(x0, b1, c01);
                c02 = Vector512.FusedMultiplyAdd(x0, b2, c02);
                Vector512<float> x1 = Vector512.Create(TA.At(a, lda, 8, 1, 0));
                c10 = Vector512.FusedMultiplyAdd(x1, b0, c10);
                c11 = Vector512.FusedMultiplyAdd(x1, b1, c11);
                c12 = Vector512.FusedMultiplyAdd(x1, b2, c12);
                Vector512<float> x2 = Vector512.Create(TA.At(a, lda, 8, 2, 0));
                c20 = Vector512.FusedMultiplyAdd(x2, b0, c20);
                c21 = Vector512.FusedMultiplyAdd(x2, b1, c21);
                c22 = Vector512.FusedMultiplyAdd(x2, b2, c22);
                Vector512<float> x3 = Vector512.Create(TA.At(a, lda, 8, 3, 0));
                c30 = Vector512.FusedMultiplyAdd(x3, b0, c30);
                c31 = Vector512.FusedMultiplyAdd(x3, b1, c31);
                c32 = Vector512.FusedMultiplyAdd(x3, b2, c32);
                Vector512<float> x4 = Vector512.Create(TA.At(a, lda, 8, 4, 0));
                c40 = Vector512.FusedMultiplyAdd(x4, b0, c40);
                c41 = Vector512.FusedMultiplyAdd(x4, b1, c41);
                c42 = Vector512.FusedMultiplyAdd(x4, b2, c42);
                Vector512<float> x5 = Vector512.Create(TA.At(a, lda, 8, 5, 0));
                c50 = Vector512.FusedMultiplyAdd(x5, b0, c50);
                c51 = Vector512.FusedMultiplyAdd(x5, b1, c51);
                c52 = Vector512.FusedMultiplyAdd(x5, b2, c52);
                Vector512<float> x6 = Vector512.Create(TA.At(a, lda, 8, 6, 0));
                c60 = Vector512.FusedMultiplyAdd(x6, b0, c60);
                c61 = Vector512.FusedMultiplyAdd(x6, b1, c61);
                c62 = Vector512.FusedMultiplyAdd(x6, b2, c62);
                Vector512<float> x7 = Vector512.Create(TA.At(a, lda, 8, 7, 0));
                c70 = Vector512.FusedMultiplyAdd(x7, b0, c70);
                c71 = Vector512.FusedMultiplyAdd(x7, b1, c71);
                c72 = Vector512.FusedMultiplyAdd(x7, b2, c72);
            }
            {
                Vector512<float> b0 = Vector512.Load(b + 1 * S + 0);
                Vector512<float> b1 = Vector512.Load(b + 1 * S + 16);
                Vector512<float> b2 = Vector512.Load(b + 1 * S + 32);
                Vector512<float> x0 = Vector512.Create(TA.At(a, lda, 8, 0, 1));
                c00 = Vector512.FusedMultiplyAdd(x0, b0, c00);
                c01 = Vector512.FusedMultiplyAdd(x0, b1, c01);
                c02 = Vector512.FusedMultiplyAdd(x0, b2, c02);
                Vector512<float> x1 = Vector512.Create(TA.At(a, lda, 8, 1, 1));
                c10 = Vector512.FusedMultiplyAdd(x1, b0, c10);
                c11 = Vector512.FusedMultiplyAdd(x1, b1, c11);
                c12 = Vector512.FusedMultiplyAdd(x1, b2, c12);
                Vector512<float> x2 = Vector512.Create(TA.At(a, lda, 8, 2, 1));
                c20 = Vector512.FusedMultiplyAdd(x2, b0, c20);
                c21 = Vector512.FusedMultiplyAdd(x2, b1, c21);
                c22 = Vector512.FusedMultiplyAdd(x2, b2, c22);
                Vector512<float> x3 = Vector512.Create(TA.At(a, lda, 8, 3, 1));
                c30 = Vector512.FusedMultiplyAdd(x3, b0, c30);
                c31 = Vector512.FusedMultiplyAdd(x3, b1, c31);
                c32 = Vector512.FusedMultiplyAdd(x3, b2, c32);
                Vector512<float> x4 = Vector512.Create(TA.At(a, lda, 8, 4, 1));
                c40 = Vector512.FusedMultiplyAdd(x4, b0, c40);
                c41 = Vector512.FusedMultiplyAdd(x4, b1, c41);
                c42 = Vector512.FusedMultiplyAdd(x4, b2, c42);
                Vector512<float> x5 = Vector512.Create(TA.At(a, lda, 8, 5, 1));
                c50 = Vector512.FusedMultiplyAdd(x5, b0, c50);
                c51 = Vector512.FusedMultiplyAdd(x5, b1, c51);
                c52 = Vector512.FusedMultiplyAdd(x5, b2, c52);
                Vector512<float> x6 = Vector512.Create(TA.At(a, lda, 8, 6, 1));
                c60 = Vector512.FusedMultiplyAdd(x6, b0, c60);
                c61 = Vector512.FusedMultiplyAdd(x6, b1, c61);
                c62 = Vector512.FusedMultiplyAdd(x6, b2, c62);
                Vector512<float> x7 = Vector512.Create(TA.At(a, lda, 8, 7, 1));
                c70 = Vector512.FusedMultiplyAdd(x7, b0, c70);
                c71 = Vector512.FusedMultiplyAdd(x7, b1, c71);
                c72 = Vector512.FusedMultiplyAdd(x7, b2, c72);
            }
            a += TA.Advance(8, 2);
            b += 2 * S;
        }
        for (; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.Load(b + 0 * S + 0);
            Vector512<float> b1 = Vector512.Load(b + 0 * S + 16);
            Vector512<float> b2 = Vector512.Load(b + 0 * S + 32);
            Vector512<float> x0 = Vector512.Create(TA.At(a, lda, 8, 0, 0));
            c00 = Vector512.FusedMultiplyAdd(x0, b0, c00);
            c01 = Vector512.FusedMultiplyAdd(x0, b1, c01);
            c02 = Vector512.FusedMultiplyAdd(x0, b2, c02);
            Vector512<float> x1 = Vector512.Create(TA.At(a, lda, 8, 1, 0));
            c10 = Vector512.FusedMultiplyAdd(x1, b0, c10);
            c11 = Vector512.FusedMultiplyAdd(x1, b1, c11);
            c12 = Vector512.FusedMultiplyAdd(x1, b2, c12);
            Vector512<float> x2 = Vector512.Create(TA.At(a, lda, 8, 2, 0));
            c20 = Vector512.FusedMultiplyAdd(x2, b0, c20);
            c21 = Vector512.FusedMultiplyAdd(x2, b1, c21);
            c22 = Vector512.FusedMultiplyAdd(x2, b2, c22);
            Vector512<float> x3 = Vector512.Create(TA.At(a, lda, 8, 3, 0));
            c30 = Vector512.FusedMultiplyAdd(x3, b0, c30);
            c31 = Vector512.FusedMultiplyAdd(x3, b1, c31);
            c32 = Vector512.FusedMultiplyAdd(x3, b2, c32);
            Vector512<float> x4 = Vector512.Create(TA.At(a, lda, 8, 4, 0));
            c40 = Vector512.FusedMultiplyAdd(x4, b0, c40);
            c41 = Vector512.FusedMultiplyAdd(x4, b1, c41);
            c42 = Vector512.FusedMultiplyAdd(x4, b2, c42);
            Vector512<float> x5 = Vector512.Create(TA.At(a, lda, 8, 5, 0));
            c50 = Vector512.FusedMultiplyAdd(x5, b0, c50);
            c51 = Vector512.FusedMultiplyAdd(x5, b1, c51);
            c52 = Vector512.FusedMultiplyAdd(x5, b2, c52);
            Vector512<float> x6 = Vector512.Create(TA.At(a, lda, 8, 6, 0));
            c60 = Vector512.FusedMultiplyAdd(x6, b0, c60);
            c61 = Vector512.FusedMultiplyAdd(x6, b1, c61);
            c62 = Vector512.FusedMultiplyAdd(x6, b2, c62);
            Vector512<float> x7 = Vector512.Create(TA.At(a, lda, 8, 7, 0));
            c70 = Vector512.FusedMultiplyAdd(x7, b0, c70);
            c71 = Vector512.FusedMultiplyAdd(x7, b1, c71);
            c72 = Vector512.FusedMultiplyAdd(x7, b2, c72);
            a += TA.Advance(8, 1);
            b += S;
        }

        Vector512<float> va = Vector512.Create(alpha);
        if (e != null)
        {
            StoreFull(c + 0 * ldc + 0, c00, va, beta, e, i0 + 0, j0 + 0, addInitial);
            StoreFull(c + 0 * ldc + 16, c01, va, beta, e, i0 + 0, j0 + 16, addInitial);
            StoreFull(c + 0 * ldc + 32, c02, va, beta, e, i0 + 0, j0 + 32, addInitial);
            StoreFull(c + 1 * ldc + 0, c10, va, beta, e, i0 + 1, j0 + 0, addInitial);
            StoreFull(c + 1 * ldc + 16, c11, va, beta, e, i0 + 1, j0 + 16, addInitial);
            StoreFull(c + 1 * ldc + 32, c12, va, beta, e, i0 + 1, j0 + 32, addInitial);
            StoreFull(c + 2 * ldc + 0, c20, va, beta, e, i0 + 2, j0 + 0, addInitial);
            StoreFull(c + 2 * ldc + 16, c21, va, beta, e, i0 + 2, j0 + 16, addInitial);
            StoreFull(c + 2 * ldc + 32, c22, va, beta, e, i0 + 2, j0 + 32, addInitial);
            StoreFull(c + 3 * ldc + 0, c30, va, beta, e, i0 + 3, j0 + 0, addInitial);
            StoreFull(c + 3 * ldc + 16, c31, va, beta, e, i0 + 3, j0 + 16, addInitial);
            StoreFull(c + 3 * ldc + 32, c32, va, beta, e, i0 + 3, j0 + 32, addInitial);
            StoreFull(c + 4 * ldc + 0, c40, va, beta, e, i0 + 4, j0 + 0, addInitial);
            StoreFull(c + 4 * ldc + 16, c41, va, beta, e, i0 + 4, j0 + 16, addInitial);
            StoreFull(c + 4 * ldc + 32, c42, va, beta, e, i0 + 4, j0 + 32, addInitial);
            StoreFull(c + 5 * ldc + 0, c50, va, beta, e, i0 + 5, j0 + 0, addInitial);
            StoreFull(c + 5 * ldc + 16, c51, va, beta, e, i0 + 5, j0 + 16, addInitial);
            StoreFull(c + 5 * ldc + 32, c52, va, beta, e, i0 + 5, j0 + 32, addInitial);
            StoreFull(c + 6 * ldc + 0, c60, va, beta, e, i0 + 6, j0 + 0, addInitial);
            StoreFull(c + 6 * ldc + 16, c61, va, beta, e, i0 + 6, j0 + 16, addInitial);
            StoreFull(c + 6 * ldc + 32, c62, va, beta, e, i0 + 6, j0 + 32, addInitial);
            StoreFull(c + 7 * ldc + 0, c70, va, beta, e, i0 + 7, j0 + 0, addInitial);
            StoreFull(c + 7 * ldc + 16, c71, va, beta, e, i0 + 7, j0 + 16, addInitial);
            StoreFull(c + 7 * ldc + 32, c72, va, beta, e, i0 + 7, j0 + 32, addInitial);
        }
        else if (beta == 0)
        {
            Vector512.Store(c00 * va, c + 0 * ldc + 0);
            Vector512.Store(c01 * va, c + 0 * ldc + 16);
            Vector512.Store(c02 * va, c + 0 * ldc + 32);
            Vector512.Store(c10 * va, c + 1 * ldc + 0);
            Vector512.Store(c11 * va, c + 1 * ldc + 16);
            Vector512.Store(c12 * va, c + 1 * ldc + 32);
            Vector512.Store(c20 * va, c + 2 * ldc + 0);
            Vector512.Store(c21 * va, c + 2 * ldc + 16);
            Vector512.Store(c22 * va, c + 2 * ldc + 32);
            Vector512.Store(c30 * va, c + 3 * ldc + 0);
            Vector512.Store(c31 * va, c + 3 * ldc + 16);
            Vector512.Store(c32 * va, c + 3 * ldc + 32);
            Vector512.Store(c40 * va, c + 4 * ldc + 0);
            Vector512.Store(c41 * va, c + 4 * ldc + 16);
            Vector512.Store(c42 * va, c + 4 * ldc + 32);
            Vector512.Store(c50 * va, c + 5 * ldc + 0);
            Vector512.Store(c51 * va, c + 5 * ldc + 16);
            Vector512.Store(c52 * va, c + 5 * ldc + 32);
            Vector512.Store(c60 * va, c + 6 * ldc + 0);
            Vector512.Store(c61 * va, c + 6 * ldc + 16);
            Vector512.Store(c62 * va, c + 6 * ldc + 32);
            Vector512.Store(c70 * va, c + 7 * ldc + 0);
            Vector512.Store(c71 * va, c + 7 * ldc + 16);
            Vector512.Store(c72 * va, c + 7 * ldc + 32);
        }
        else
        {
            Vector512<float> vb = Vector512.Create(beta);
            Vector512.Store(Vector512.FusedMultiplyAdd(vb, Vector512.Load(c + 0 * ldc + 0), c00 * va), c + 0 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(vb, Vector512.Load(c + 0 * ldc + 16), c01 * va), c + 0 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(vb, Vector512.Load(c + 0 * ldc + 32), c02 * va), c + 0 * ldc + 32);
            Vector512.Store(Vector512.FusedMultiplyAdd(vb, Vector512.Load(c + 1 * ldc + 0), c10 * va), c + 1 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(vb, Vector512.Load(c + 1 * ldc + 16), c11 * va), c + 1 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(vb, Vector512.Load(c + 1 * ldc + 32), c12 * va), c + 1 * ldc + 32);
            Vector512.Store(Vector512.FusedMultiplyAdd(vb, Vector512.Load(c + 2 * ldc + 0), c20 * va), c + 2 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(vb, Vector512.Load(c + 2 * ldc + 16), c21 * va), c + 2 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(vb, Vector512.Load(c + 2 * ldc + 32), c22 * va), c + 2 * ldc + 32);
            Vector512.Store(Vector512.FusedMultiplyAdd(vb, Vector512.Load(c + 3 * ldc + 0), c30 * va), c + 3 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(vb, Vector512.Load(c + 3 * ldc + 16), c31 * va), c + 3 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(vb, Vector512.Load(c + 3 * ldc + 32), c32 * va), c + 3 * ldc + 32);
            Vector512.Store(Vector512.FusedMultiplyAdd(vb, Vector512.Load(c + 4 * ldc + 0), c40 * va), c + 4 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(vb, Vector512.Load(c + 4 * ldc + 16), c41 * va), c + 4 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(vb, Vector512.Load(c + 4 * ldc + 32), c42 * va), c + 4 * ldc + 32);
            Vector512.Store(Vector512.FusedMultiplyAdd(vb, Vector512.Load(c + 5 * ldc + 0), c50 * va), c + 5 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(vb, Vector512.Load(c + 5 * ldc + 16), c51 * va), c + 5 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(vb, Vector512.Load(c + 5 * ldc + 32), c52 * va), c + 5 * ldc + 32);
            Vector512.Store(Vector512.FusedMultiplyAdd(vb, Vector512.Load(c + 6 * ldc + 0), c60 * va), c + 6 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(vb, Vector512.Load(c + 6 * ldc + 16), c61 * va), c + 6 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(vb, Vector512.Load(c + 6 * ldc + 32), c62 * va), c + 6 * ldc + 32);
            Vector512.Store(Vector512.FusedMultiplyAdd(vb, Vector512.Load(c + 7 * ldc + 0), c70 * va), c + 7 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(vb, Vector512.Load(c + 7 * ldc + 16), c71 * va), c + 7 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(vb, Vector512.Load(c + 7 * ldc + 32), c72 * va), c + 7 * ldc + 32);
        }
    }

    // The left 8x32 of the tile (up to 32 valid columns), bitwise Core's on those columns.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Two<TA>(int kc, float* a, nint lda, float* b, float* c, nint ldc, float alpha, float beta, GemmEpilogue* e,
        int i0, int j0, bool addInitial, int cols) where TA : struct, IOperandA
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
                Vector512<float> b0 = Vector512.Load(b + 0 * S + 0);
                Vector512<float> b1 = Vector512.Load(b + 0 * S + 16);
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
                Vector512<float> b0 = Vector512.Load(b + 1 * S + 0);
                Vector512<float> b1 = Vector512.Load(b + 1 * S + 16);
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
                Vector512<float> b0 = Vector512.Load(b + 2 * S + 0);
                Vector512<float> b1 = Vector512.Load(b + 2 * S + 16);
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
                Vector512<float> b0 = Vector512.Load(b + 3 * S + 0);
                Vector512<float> b1 = Vector512.Load(b + 3 * S + 16);
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
            b += 4 * S;
        }
        for (; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.Load(b + 0 * S + 0);
            Vector512<float> b1 = Vector512.Load(b + 0 * S + 16);
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
            b += S;
        }

        Vector512<float> va = Vector512.Create(alpha);
        if (cols < 32)
        {
            // The lanes of each 16-column part of the tile that are C's columns.
            var lane = Vector512<int>.Indices;
            var m0 = Vector512.LessThan(lane, Vector512.Create(cols - 0)).AsSingle();
            var m1 = Vector512.LessThan(lane, Vector512.Create(cols - 16)).AsSingle();
            StoreMasked(c + 0 * ldc + 0, c00, m0, va, beta, e, i0 + 0, j0 + 0, addInitial);
            StoreMasked(c + 0 * ldc + 16, c01, m1, va, beta, e, i0 + 0, j0 + 16, addInitial);
            StoreMasked(c + 1 * ldc + 0, c10, m0, va, beta, e, i0 + 1, j0 + 0, addInitial);
            StoreMasked(c + 1 * ldc + 16, c11, m1, va, beta, e, i0 + 1, j0 + 16, addInitial);
            StoreMasked(c + 2 * ldc + 0, c20, m0, va, beta, e, i0 + 2, j0 + 0, addInitial);
            StoreMasked(c + 2 * ldc + 16, c21, m1, va, beta, e, i0 + 2, j0 + 16, addInitial);
            StoreMasked(c + 3 * ldc + 0, c30, m0, va, beta, e, i0 + 3, j0 + 0, addInitial);
            StoreMasked(c + 3 * ldc + 16, c31, m1, va, beta, e, i0 + 3, j0 + 16, addInitial);
            StoreMasked(c + 4 * ldc + 0, c40, m0, va, beta, e, i0 + 4, j0 + 0, addInitial);
            StoreMasked(c + 4 * ldc + 16, c41, m1, va, beta, e, i0 + 4, j0 + 16, addInitial);
            StoreMasked(c + 5 * ldc + 0, c50, m0, va, beta, e, i0 + 5, j0 + 0, addInitial);
            StoreMasked(c + 5 * ldc + 16, c51, m1, va, beta, e, i0 + 5, j0 + 16, addInitial);
            StoreMasked(c + 6 * ldc + 0, c60, m0, va, beta, e, i0 + 6, j0 + 0, addInitial);
            StoreMasked(c + 6 * ldc + 16, c61, m1, va, beta, e, i0 + 6, j0 + 16, addInitial);
            StoreMasked(c + 7 * ldc + 0, c70, m0, va, beta, e, i0 + 7, j0 + 0, addInitial);
            StoreMasked(c + 7 * ldc + 16, c71, m1, va, beta, e, i0 + 7, j0 + 16, addInitial);
        }
        else if (e != null)
        {
            StoreFull(c + 0 * ldc + 0, c00, va, beta, e, i0 + 0, j0 + 0, addInitial);
            StoreFull(c + 0 * ldc + 16, c01, va, beta, e, i0 + 0, j0 + 16, addInitial);
            StoreFull(c + 1 * ldc + 0, c10, va, beta, e, i0 + 1, j0 + 0, addInitial);
            StoreFull(c + 1 * ldc + 16, c11, va, beta, e, i0 + 1, j0 + 16, addInitial);
            StoreFull(c + 2 * ldc + 0, c20, va, beta, e, i0 + 2, j0 + 0, addInitial);
            StoreFull(c + 2 * ldc + 16, c21, va, beta, e, i0 + 2, j0 + 16, addInitial);
            StoreFull(c + 3 * ldc + 0, c30, va, beta, e, i0 + 3, j0 + 0, addInitial);
            StoreFull(c + 3 * ldc + 16, c31, va, beta, e, i0 + 3, j0 + 16, addInitial);
            StoreFull(c + 4 * ldc + 0, c40, va, beta, e, i0 + 4, j0 + 0, addInitial);
            StoreFull(c + 4 * ldc + 16, c41, va, beta, e, i0 + 4, j0 + 16, addInitial);
            StoreFull(c + 5 * ldc + 0, c50, va, beta, e, i0 + 5, j0 + 0, addInitial);
            StoreFull(c + 5 * ldc + 16, c51, va, beta, e, i0 + 5, j0 + 16, addInitial);
            StoreFull(c + 6 * ldc + 0, c60, va, beta, e, i0 + 6, j0 + 0, addInitial);
            StoreFull(c + 6 * ldc + 16, c61, va, beta, e, i0 + 6, j0 + 16, addInitial);
            StoreFull(c + 7 * ldc + 0, c70, va, beta, e, i0 + 7, j0 + 0, addInitial);
            StoreFull(c + 7 * ldc + 16, c71, va, beta, e, i0 + 7, j0 + 16, addInitial);
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

    // The left 8x16 of the tile (up to 16 valid columns), bitwise Core's on those columns.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Half<TA>(int kc, float* a, nint lda, float* b, float* c, nint ldc, float alpha, float beta, GemmEpilogue* e,
        int i0, int j0, bool addInitial, int cols) where TA : struct, IOperandA
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
                Vector512<float> b0 = Vector512.Load(b + 0 * S + 0);
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
                Vector512<float> b0 = Vector512.Load(b + 1 * S + 0);
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
                Vector512<float> b0 = Vector512.Load(b + 2 * S + 0);
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
                Vector512<float> b0 = Vector512.Load(b + 3 * S + 0);
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
            b += 4 * S;
        }
        for (; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.Load(b + 0 * S + 0);
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
            b += S;
        }

        Vector512<float> va = Vector512.Create(alpha);
        if (cols < 16)
        {
            // The lanes of each 16-column part of the tile that are C's columns.
            var lane = Vector512<int>.Indices;
            var m0 = Vector512.LessThan(lane, Vector512.Create(cols - 0)).AsSingle();
            StoreMasked(c + 0 * ldc + 0, c00, m0, va, beta, e, i0 + 0, j0 + 0, addInitial);
            StoreMasked(c + 1 * ldc + 0, c10, m0, va, beta, e, i0 + 1, j0 + 0, addInitial);
            StoreMasked(c + 2 * ldc + 0, c20, m0, va, beta, e, i0 + 2, j0 + 0, addInitial);
            StoreMasked(c + 3 * ldc + 0, c30, m0, va, beta, e, i0 + 3, j0 + 0, addInitial);
            StoreMasked(c + 4 * ldc + 0, c40, m0, va, beta, e, i0 + 4, j0 + 0, addInitial);
            StoreMasked(c + 5 * ldc + 0, c50, m0, va, beta, e, i0 + 5, j0 + 0, addInitial);
            StoreMasked(c + 6 * ldc + 0, c60, m0, va, beta, e, i0 + 6, j0 + 0, addInitial);
            StoreMasked(c + 7 * ldc + 0, c70, m0, va, beta, e, i0 + 7, j0 + 0, addInitial);
        }
        else if (e != null)
        {
            StoreFull(c + 0 * ldc + 0, c00, va, beta, e, i0 + 0, j0 + 0, addInitial);
            StoreFull(c + 1 * ldc + 0, c10, va, beta, e, i0 + 1, j0 + 0, addInitial);
            StoreFull(c + 2 * ldc + 0, c20, va, beta, e, i0 + 2, j0 + 0, addInitial);
            StoreFull(c + 3 * ldc + 0, c30, va, beta, e, i0 + 3, j0 + 0, addInitial);
            StoreFull(c + 4 * ldc + 0, c40, va, beta, e, i0 + 4, j0 + 0, addInitial);
            StoreFull(c + 5 * ldc + 0, c50, va, beta, e, i0 + 5, j0 + 0, addInitial);
            StoreFull(c + 6 * ldc + 0, c60, va, beta, e, i0 + 6, j0 + 0, addInitial);
            StoreFull(c + 7 * ldc + 0, c70, va, beta, e, i0 + 7, j0 + 0, addInitial);
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

    // 16 columns of a row of C (row i, columns j..j+15) where `mask` is set: alpha·acc (+ beta·C), + (residual + bias)
    // when the epilogue adds its initial values, clamped; C, the bias and the residual read and written masked.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreMasked(float* at, Vector512<float> x, Vector512<float> mask, Vector512<float> va, float beta, GemmEpilogue* e,
        int i, int j, bool addInitial)
    {
        Vector512<float> v = x * va;
        if (beta != 0) v = Vector512.FusedMultiplyAdd(Vector512.Create(beta), Avx512F.MaskLoad(at, mask, Vector512<float>.Zero), v);
        if (e != null && addInitial)
        {
            Vector512<float> bias = e->BiasPerColumn ? Avx512F.MaskLoad(e->Bias + j, mask, Vector512<float>.Zero)
                : Vector512.Create(e->Bias == null ? 0f : e->Bias[i]);
            float* r = e->Residual == null ? null : e->Residual + i * e->LdResidual + j;
            v += r == null ? bias : Avx512F.MaskLoad(r, mask, Vector512<float>.Zero) + bias;
        }
        if (e != null && e->Clamps) v = Clamp(v, e);
        Avx512F.MaskStore(at, mask, v);
    }

    // As StoreMasked on all 16 columns, with an epilogue (e is set).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreFull(float* at, Vector512<float> x, Vector512<float> va, float beta, GemmEpilogue* e, int i, int j, bool addInitial)
    {
        Vector512<float> v = x * va;
        if (beta != 0) v = Vector512.FusedMultiplyAdd(Vector512.Create(beta), Vector512.Load(at), v);
        if (addInitial)
        {
            Vector512<float> bias = e->BiasPerColumn ? Vector512.Load(e->Bias + j) : Vector512.Create(e->Bias == null ? 0f : e->Bias[i]);
            float* r = e->Residual == null ? null : e->Residual + i * e->LdResidual + j;
            v += r == null ? bias : Vector512.Load(r) + bias;
        }
        if (e->Clamps) v = Clamp(v, e);
        Vector512.Store(v, at);
    }

    // The epilogue's clamp: IEEE max lo, min hi, in the native form where the bounds allow it (NativeClamp.Clamp).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Clamp(Vector512<float> v, GemmEpilogue* e) =>
        NativeClamp.Clamp(v, Vector512.Create(e->Min), Vector512.Create(e->Max), Vector512.Create(e->Bounds.Fix), e->Bounds.Applies);
}
