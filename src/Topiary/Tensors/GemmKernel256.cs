// GemmKernel256: the Vector256 micro-kernel, a 6x16 register tile (12 accumulators of 8 floats).
// Contract: see IGemmKernel. Per k step it loads 2 vector(s) of the packed B micro-panel,
// broadcasts 6 values of A (a packed micro-panel;
// in RunRows/RunHalfRows Mr rows read in place, GemmOperandA), and issues 12 multiply-adds (fused where the hardware has FMA).
// The k loop is unrolled 4x; every accumulator sums p = 0..kc-1 in order. RunHalf is the
// same kernel on the left 6x8 half (for narrow right-edge panels), bitwise equal per element. RunEpilogue applies the
// GEMM epilogue (bias, residual, clamp) to the accumulators before the store; RunColumns stores a right-edge tile's
// valid columns with AVX masked loads and stores (up to 8 columns through RunHalf's kernel), and RunBottom stores a
// bottom-edge tile's valid rows only (one row computed alone, more by the full kernel) — as GemmKernel512 does. With a few input channels (a channels-last
// MobileNet layer, K = 16–32) the tile's products take ~100 cycles, and storing C, re-reading it to add the bias and
// again to clamp took half as long again. For the same reason RunPanels runs a row of full tiles in one call (the
// kernel's own tile loop), and alpha = 1 skips the scaling multiplies: 1.12x on 1122 × 96 × 16 and 784 × 192 × 32
// channels-last products, 1.04x at K = 64 (Zen 3). RunPanels also reads the common epilogues once per tile (IStore:
// a store kind fixed at JIT time) instead of through the epilogue's pointer row by row: 1.2–1.46x more at K = 16–32.
// Written out by hand-style unrolling (one local per accumulator) so RyuJIT keeps them in registers.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Topiary.Tensors;

/// <summary>Vector256 6x16 SGEMM micro-kernel over packed panels.</summary>
internal readonly unsafe struct GemmKernel256 : IGemmKernel
{
    public static int Mr => 6;
    public static int Nr => 16;
    public static int Kc => 256;
    public static int Mc => 192;
    public static int Nc => 4096;

    public static void Run(int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta) =>
        Core<PanelA, General, Six>(kc, a, 0, b, c, ldc, alpha, beta, null, 0, 0, false);

    /// <summary>As <see cref="Run"/> reading A's rows in place (<see cref="RowsA"/>: row r at a + r·lda).</summary>
    public static void RunRows(int kc, float* a, nint lda, float* b, float* c, nint ldc, float alpha, float beta) =>
        Core<RowsA, General, Six>(kc, a, lda, b, c, ldc, alpha, beta, null, 0, 0, false);

    /// <summary>
    /// Run with the epilogue applied in registers before the store (see <see cref="IGemmKernel.RunEpilogue"/>):
    /// per row, + (residual + bias) when <paramref name="addInitial"/>, then the clamp — the operations of
    /// Run followed by <see cref="GemmEpilogue.Finish"/>, in the same order, so the same bits without C's round trip.
    /// </summary>
    public static void RunEpilogue(int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta, in GemmEpilogue epilogue,
        int i0, int j0, bool addInitial)
    {
        fixed (GemmEpilogue* e = &epilogue) Core<PanelA, General, Six>(kc, a, 0, b, c, ldc, alpha, beta, e, i0, j0, addInitial);
    }

    public static bool StoresColumns => true;

    /// <summary>Full tiles side by side (see <see cref="IGemmKernel.RunPanels"/>): the kernel's tile loop, each tile
    /// prefetching the next kc / 4 lines of the range.</summary>
    public static void RunPanels(int kc, float* a, nint lda, bool rowsA, float* b, int count, float* c, nint ldc, float alpha, float beta,
        GemmEpilogue* epilogue, int i0, int j0, bool addInitial, nint prefetch, nint prefetchLast)
    {
        var e = epilogue;
        if (e != null && addInitial && beta == 0 && e->Bias != null && (!e->Clamps || e->Bounds.Applies))
        {
            // The common epilogues (a layer's bias, its residual, then its ReLU/ReLU6 or nothing) with their values read
            // once per tile: channels last (MobileNet's expansions, its projections with or without their residual),
            // channels first (a convolution + ReLU, a bottleneck's last one with its residual).
            bool residual = e->Residual != null, clamps = e->Clamps;
            if (e->BiasPerColumn && !residual && clamps) Panels<BiasColumnsClamped>(kc, a, lda, rowsA, b, count, c, ldc, alpha, beta, e, i0, j0, addInitial, prefetch, prefetchLast);
            else if (e->BiasPerColumn && !residual && !clamps) Panels<BiasColumns>(kc, a, lda, rowsA, b, count, c, ldc, alpha, beta, e, i0, j0, addInitial, prefetch, prefetchLast);
            else if (e->BiasPerColumn && !clamps) Panels<BiasColumnsResidual>(kc, a, lda, rowsA, b, count, c, ldc, alpha, beta, e, i0, j0, addInitial, prefetch, prefetchLast);
            else if (!e->BiasPerColumn && !residual && clamps) Panels<BiasRowsClamped>(kc, a, lda, rowsA, b, count, c, ldc, alpha, beta, e, i0, j0, addInitial, prefetch, prefetchLast);
            else if (!e->BiasPerColumn && !residual) Panels<BiasRows>(kc, a, lda, rowsA, b, count, c, ldc, alpha, beta, e, i0, j0, addInitial, prefetch, prefetchLast);
            else if (!e->BiasPerColumn && clamps) Panels<BiasRowsResidualClamped>(kc, a, lda, rowsA, b, count, c, ldc, alpha, beta, e, i0, j0, addInitial, prefetch, prefetchLast);
            else Panels<General>(kc, a, lda, rowsA, b, count, c, ldc, alpha, beta, e, i0, j0, addInitial, prefetch, prefetchLast);
            return;
        }
        Panels<General>(kc, a, lda, rowsA, b, count, c, ldc, alpha, beta, e, i0, j0, addInitial, prefetch, prefetchLast);
    }

    private static void Panels<TS>(int kc, float* a, nint lda, bool rowsA, float* b, int count, float* c, nint ldc, float alpha, float beta,
        GemmEpilogue* e, int i0, int j0, bool addInitial, nint prefetch, nint prefetchLast) where TS : struct, IStore
    {
        if (rowsA) Core<RowsA, TS, Six>(kc, a, lda, b, c, ldc, alpha, beta, e, i0, j0, addInitial, count: count, prefetch: prefetch, prefetchLast: prefetchLast);
        else Core<PanelA, TS, Six>(kc, a, 0, b, c, ldc, alpha, beta, e, i0, j0, addInitial, count: count, prefetch: prefetch, prefetchLast: prefetchLast);
    }

    /// <summary>Lines a full tile of depth <paramref name="kc"/> prefetches: one every four steps.</summary>
    public static int PrefetchLines(int kc) => kc / 4;

    /// <summary>How Core's full tiles apply the epilogue, fixed when the JIT compiles it: through the epilogue's pointer
    /// row by row (General), or, when Hoisted, a bias (per column or per row), the residual when Residual, β = 0, then
    /// the native clamp when Clamp — every value read before the tile's first store. Read through the pointer, every
    /// field was re-read after each row's store (a store through C may alias it): about as long as a K = 16 tile's
    /// products. Only the kinds networks use are instantiated (each is a copy of Core).</summary>
    private interface IStore
    {
        static abstract bool Hoisted { get; }
        static abstract bool PerColumn { get; }
        static abstract bool Residual { get; }
        static abstract bool Clamp { get; }
    }
    private readonly struct General : IStore
    {
        public static bool Hoisted => false; public static bool PerColumn => false; public static bool Residual => false; public static bool Clamp => false;
    }
    private readonly struct BiasColumnsClamped : IStore
    {
        public static bool Hoisted => true; public static bool PerColumn => true; public static bool Residual => false; public static bool Clamp => true;
    }
    private readonly struct BiasColumns : IStore
    {
        public static bool Hoisted => true; public static bool PerColumn => true; public static bool Residual => false; public static bool Clamp => false;
    }
    private readonly struct BiasColumnsResidual : IStore
    {
        public static bool Hoisted => true; public static bool PerColumn => true; public static bool Residual => true; public static bool Clamp => false;
    }
    private readonly struct BiasRowsClamped : IStore
    {
        public static bool Hoisted => true; public static bool PerColumn => false; public static bool Residual => false; public static bool Clamp => true;
    }
    private readonly struct BiasRows : IStore
    {
        public static bool Hoisted => true; public static bool PerColumn => false; public static bool Residual => false; public static bool Clamp => false;
    }
    private readonly struct BiasRowsResidualClamped : IStore
    {
        public static bool Hoisted => true; public static bool PerColumn => false; public static bool Residual => true; public static bool Clamp => true;
    }

    /// <summary>The rows of A Core multiplies, fixed when the JIT compiles it: 6 (the tile), or 4 or 2 for a bottom tile of
    /// at most that many (the other accumulators' FMAs skipped: 4 rows took the full tile's time, 16-row layers' third
    /// panel).</summary>
    private interface IRows
    {
        static abstract int Rows { get; }
    }
    private readonly struct Six : IRows { public static int Rows => 6; }
    private readonly struct Four : IRows { public static int Rows => 4; }
    private readonly struct Two : IRows { public static int Rows => 2; }

    /// <summary>Run on a right-edge tile storing its first <paramref name="cols"/> columns (see <see cref="IGemmKernel.RunColumns"/>).</summary>
    public static void RunColumns(int kc, float* a, nint lda, bool rowsA, float* b, float* c, nint ldc, float alpha, float beta,
        GemmEpilogue* epilogue, int i0, int j0, bool addInitial, int cols)
    {
        if (cols <= 8)
        {
            // The left half's kernel, its first cols columns stored through the epilogue in registers.
            if (rowsA) Half<RowsA>(kc, a, lda, b, c, ldc, alpha, beta, epilogue, i0, j0, addInitial, cols);
            else Half<PanelA>(kc, a, 0, b, c, ldc, alpha, beta, epilogue, i0, j0, addInitial, cols);
            return;
        }
        if (rowsA) Core<RowsA, General, Six>(kc, a, lda, b, c, ldc, alpha, beta, epilogue, i0, j0, addInitial, cols);
        else Core<PanelA, General, Six>(kc, a, 0, b, c, ldc, alpha, beta, epilogue, i0, j0, addInitial, cols);
    }

    /// <summary>
    /// The first <paramref name="rows"/> rows of a tile (see <see cref="IGemmKernel.RunBottom"/>): one row alone; more
    /// through the kernel on the zero-padded panel with the FMAs of 2, 4 or 6 rows, storing those rows only (row by row,
    /// two accumulators a row wait on the FMA latency: 4 rows took 2.7x the full tile).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RunBottom(int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta, GemmEpilogue* epilogue,
        int i0, int j0, bool addInitial, int rows, int cols)
    {
        // More rows: the kernel on the zero-padded panel, its FMAs for rows past the tile's skipped when it has at most 2
        // or 4 (the same sums: each element's chain is the full kernel's), storing the tile's rows only.
        if (rows > 4) Core<PanelA, General, Six>(kc, a, 0, b, c, ldc, alpha, beta, epilogue, i0, j0, addInitial, cols, rows);
        else if (rows > 2) Core<PanelA, General, Four>(kc, a, 0, b, c, ldc, alpha, beta, epilogue, i0, j0, addInitial, cols, rows);
        else if (rows > 1) Core<PanelA, General, Two>(kc, a, 0, b, c, ldc, alpha, beta, epilogue, i0, j0, addInitial, cols, rows);
        if (rows > 1) return;
        var (m0, m1) = ColumnMasks(cols);
        Vector256<float> va = Vector256.Create(alpha);
        for (int r = 0; r < rows; r++)
        {
            // Row r of the tile: the same in-order sum per element as the full kernel's, two accumulators for 16 columns.
            Vector256<float> c0 = default, c1 = default;
            float* ap = a + r, bp = b;
            for (int p = 0; p < kc; p++)
            {
                Vector256<float> x = Vector256.Create(*ap);
                c0 = Vector256.MultiplyAddEstimate(x, Vector256.Load(bp), c0);
                c1 = Vector256.MultiplyAddEstimate(x, Vector256.Load(bp + 8), c1);
                ap += 6;
                bp += 16;
            }
            if (alpha != 1f)
            {
                c0 *= va;
                c1 *= va;
            }
            StoreColumns(c + r * ldc, c0, c1, m0, m1, beta, epilogue, i0 + r, j0, addInitial);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Core<TA, TS, TR>(int kc, float* aStart, nint lda, float* bStart, float* cStart, nint ldc, float alpha, float beta, GemmEpilogue* e,
        int i0, int jStart, bool addInitial, int cols = 16, int rows = 6, int count = 1, nint prefetch = 0, nint prefetchLast = 0)
        where TA : struct, IOperandA where TS : struct, IStore where TR : struct, IRows
    {
        // No lines to prefetch: B's first line, already on its way, stands in (no branch in the loop).
        if (prefetch == 0) prefetch = prefetchLast = (nint)bStart;
        // `count` tiles side by side (RunPanels): the same rows of A, consecutive B panels, C's next 16 columns.
        for (int t = 0; t < count; t++)
        {
            float* a = aStart, b = bStart + (nint)t * kc * 16, c = cStart + t * 16;
            int j0 = jStart + t * 16;
            Vector256<float> c00 = default, c01 = default;
            Vector256<float> c10 = default, c11 = default;
            Vector256<float> c20 = default, c21 = default;
            Vector256<float> c30 = default, c31 = default;
            Vector256<float> c40 = default, c41 = default;
            Vector256<float> c50 = default, c51 = default;
            int p = 0;
            for (; p <= kc - 4; p += 4)
            {
                // A line of what the driver reads next into L2 every four steps (IGemmKernel.RunPanels; at two, on an Ice Lake
                // core with AVX-512 off, the pointer's arithmetic cost 6 % where everything was in L2 already).
                if (Sse.IsSupported) Sse.Prefetch1((void*)prefetch);
                prefetch += ((prefetch - prefetchLast) >> 63) & 64;
                {
                    Vector256<float> b0 = Vector256.Load(b + 0);
                    Vector256<float> b1 = Vector256.Load(b + 8);
                    Vector256<float> x0 = Vector256.Create(TA.At(a, lda, 6, 0, 0));
                    c00 = Vector256.MultiplyAddEstimate(x0, b0, c00);
                    c01 = Vector256.MultiplyAddEstimate(x0, b1, c01);
                    Vector256<float> x1 = Vector256.Create(TA.At(a, lda, 6, 1, 0));
                    c10 = Vector256.MultiplyAddEstimate(x1, b0, c10);
                    c11 = Vector256.MultiplyAddEstimate(x1, b1, c11);
                    if (TR.Rows > 2)
                    {
                        Vector256<float> x2 = Vector256.Create(TA.At(a, lda, 6, 2, 0));
                        c20 = Vector256.MultiplyAddEstimate(x2, b0, c20);
                        c21 = Vector256.MultiplyAddEstimate(x2, b1, c21);
                    }
                    if (TR.Rows > 2)
                    {
                        Vector256<float> x3 = Vector256.Create(TA.At(a, lda, 6, 3, 0));
                        c30 = Vector256.MultiplyAddEstimate(x3, b0, c30);
                        c31 = Vector256.MultiplyAddEstimate(x3, b1, c31);
                    }
                    if (TR.Rows > 4)
                    {
                        Vector256<float> x4 = Vector256.Create(TA.At(a, lda, 6, 4, 0));
                        c40 = Vector256.MultiplyAddEstimate(x4, b0, c40);
                        c41 = Vector256.MultiplyAddEstimate(x4, b1, c41);
                    }
                    if (TR.Rows > 4)
                    {
                        Vector256<float> x5 = Vector256.Create(TA.At(a, lda, 6, 5, 0));
                        c50 = Vector256.MultiplyAddEstimate(x5, b0, c50);
                        c51 = Vector256.MultiplyAddEstimate(x5, b1, c51);
                    }
                }
                {
                    Vector256<float> b0 = Vector256.Load(b + 16);
                    Vector256<float> b1 = Vector256.Load(b + 24);
                    Vector256<float> x0 = Vector256.Create(TA.At(a, lda, 6, 0, 1));
                    c00 = Vector256.MultiplyAddEstimate(x0, b0, c00);
                    c01 = Vector256.MultiplyAddEstimate(x0, b1, c01);
                    Vector256<float> x1 = Vector256.Create(TA.At(a, lda, 6, 1, 1));
                    c10 = Vector256.MultiplyAddEstimate(x1, b0, c10);
                    c11 = Vector256.MultiplyAddEstimate(x1, b1, c11);
                    if (TR.Rows > 2)
                    {
                        Vector256<float> x2 = Vector256.Create(TA.At(a, lda, 6, 2, 1));
                        c20 = Vector256.MultiplyAddEstimate(x2, b0, c20);
                        c21 = Vector256.MultiplyAddEstimate(x2, b1, c21);
                    }
                    if (TR.Rows > 2)
                    {
                        Vector256<float> x3 = Vector256.Create(TA.At(a, lda, 6, 3, 1));
                        c30 = Vector256.MultiplyAddEstimate(x3, b0, c30);
                        c31 = Vector256.MultiplyAddEstimate(x3, b1, c31);
                    }
                    if (TR.Rows > 4)
                    {
                        Vector256<float> x4 = Vector256.Create(TA.At(a, lda, 6, 4, 1));
                        c40 = Vector256.MultiplyAddEstimate(x4, b0, c40);
                        c41 = Vector256.MultiplyAddEstimate(x4, b1, c41);
                    }
                    if (TR.Rows > 4)
                    {
                        Vector256<float> x5 = Vector256.Create(TA.At(a, lda, 6, 5, 1));
                        c50 = Vector256.MultiplyAddEstimate(x5, b0, c50);
                        c51 = Vector256.MultiplyAddEstimate(x5, b1, c51);
                    }
                }
                {
                    Vector256<float> b0 = Vector256.Load(b + 32);
                    Vector256<float> b1 = Vector256.Load(b + 40);
                    Vector256<float> x0 = Vector256.Create(TA.At(a, lda, 6, 0, 2));
                    c00 = Vector256.MultiplyAddEstimate(x0, b0, c00);
                    c01 = Vector256.MultiplyAddEstimate(x0, b1, c01);
                    Vector256<float> x1 = Vector256.Create(TA.At(a, lda, 6, 1, 2));
                    c10 = Vector256.MultiplyAddEstimate(x1, b0, c10);
                    c11 = Vector256.MultiplyAddEstimate(x1, b1, c11);
                    if (TR.Rows > 2)
                    {
                        Vector256<float> x2 = Vector256.Create(TA.At(a, lda, 6, 2, 2));
                        c20 = Vector256.MultiplyAddEstimate(x2, b0, c20);
                        c21 = Vector256.MultiplyAddEstimate(x2, b1, c21);
                    }
                    if (TR.Rows > 2)
                    {
                        Vector256<float> x3 = Vector256.Create(TA.At(a, lda, 6, 3, 2));
                        c30 = Vector256.MultiplyAddEstimate(x3, b0, c30);
                        c31 = Vector256.MultiplyAddEstimate(x3, b1, c31);
                    }
                    if (TR.Rows > 4)
                    {
                        Vector256<float> x4 = Vector256.Create(TA.At(a, lda, 6, 4, 2));
                        c40 = Vector256.MultiplyAddEstimate(x4, b0, c40);
                        c41 = Vector256.MultiplyAddEstimate(x4, b1, c41);
                    }
                    if (TR.Rows > 4)
                    {
                        Vector256<float> x5 = Vector256.Create(TA.At(a, lda, 6, 5, 2));
                        c50 = Vector256.MultiplyAddEstimate(x5, b0, c50);
                        c51 = Vector256.MultiplyAddEstimate(x5, b1, c51);
                    }
                }
                {
                    Vector256<float> b0 = Vector256.Load(b + 48);
                    Vector256<float> b1 = Vector256.Load(b + 56);
                    Vector256<float> x0 = Vector256.Create(TA.At(a, lda, 6, 0, 3));
                    c00 = Vector256.MultiplyAddEstimate(x0, b0, c00);
                    c01 = Vector256.MultiplyAddEstimate(x0, b1, c01);
                    Vector256<float> x1 = Vector256.Create(TA.At(a, lda, 6, 1, 3));
                    c10 = Vector256.MultiplyAddEstimate(x1, b0, c10);
                    c11 = Vector256.MultiplyAddEstimate(x1, b1, c11);
                    if (TR.Rows > 2)
                    {
                        Vector256<float> x2 = Vector256.Create(TA.At(a, lda, 6, 2, 3));
                        c20 = Vector256.MultiplyAddEstimate(x2, b0, c20);
                        c21 = Vector256.MultiplyAddEstimate(x2, b1, c21);
                    }
                    if (TR.Rows > 2)
                    {
                        Vector256<float> x3 = Vector256.Create(TA.At(a, lda, 6, 3, 3));
                        c30 = Vector256.MultiplyAddEstimate(x3, b0, c30);
                        c31 = Vector256.MultiplyAddEstimate(x3, b1, c31);
                    }
                    if (TR.Rows > 4)
                    {
                        Vector256<float> x4 = Vector256.Create(TA.At(a, lda, 6, 4, 3));
                        c40 = Vector256.MultiplyAddEstimate(x4, b0, c40);
                        c41 = Vector256.MultiplyAddEstimate(x4, b1, c41);
                    }
                    if (TR.Rows > 4)
                    {
                        Vector256<float> x5 = Vector256.Create(TA.At(a, lda, 6, 5, 3));
                        c50 = Vector256.MultiplyAddEstimate(x5, b0, c50);
                        c51 = Vector256.MultiplyAddEstimate(x5, b1, c51);
                    }
                }
                a += TA.Advance(6, 4);
                b += 64;
            }
            for (; p < kc; p++)
            {
                Vector256<float> b0 = Vector256.Load(b + 0);
                Vector256<float> b1 = Vector256.Load(b + 8);
                Vector256<float> x0 = Vector256.Create(TA.At(a, lda, 6, 0, 0));
                c00 = Vector256.MultiplyAddEstimate(x0, b0, c00);
                c01 = Vector256.MultiplyAddEstimate(x0, b1, c01);
                Vector256<float> x1 = Vector256.Create(TA.At(a, lda, 6, 1, 0));
                c10 = Vector256.MultiplyAddEstimate(x1, b0, c10);
                c11 = Vector256.MultiplyAddEstimate(x1, b1, c11);
                if (TR.Rows > 2)
                {
                    Vector256<float> x2 = Vector256.Create(TA.At(a, lda, 6, 2, 0));
                    c20 = Vector256.MultiplyAddEstimate(x2, b0, c20);
                    c21 = Vector256.MultiplyAddEstimate(x2, b1, c21);
                }
                if (TR.Rows > 2)
                {
                    Vector256<float> x3 = Vector256.Create(TA.At(a, lda, 6, 3, 0));
                    c30 = Vector256.MultiplyAddEstimate(x3, b0, c30);
                    c31 = Vector256.MultiplyAddEstimate(x3, b1, c31);
                }
                if (TR.Rows > 4)
                {
                    Vector256<float> x4 = Vector256.Create(TA.At(a, lda, 6, 4, 0));
                    c40 = Vector256.MultiplyAddEstimate(x4, b0, c40);
                    c41 = Vector256.MultiplyAddEstimate(x4, b1, c41);
                }
                if (TR.Rows > 4)
                {
                    Vector256<float> x5 = Vector256.Create(TA.At(a, lda, 6, 5, 0));
                    c50 = Vector256.MultiplyAddEstimate(x5, b0, c50);
                    c51 = Vector256.MultiplyAddEstimate(x5, b1, c51);
                }
                a += TA.Advance(6, 1);
                b += 16;
            }

            if (alpha != 1f)
            {
                // alpha·acc before anything else, as the stores did (skipped for alpha = 1: the same bits, 12 fewer multiplies).
                Vector256<float> va = Vector256.Create(alpha);
                c00 *= va; c01 *= va; c10 *= va; c11 *= va; c20 *= va; c21 *= va;
                c30 *= va; c31 *= va; c40 *= va; c41 *= va; c50 *= va; c51 *= va;
            }
            if (cols < 16)
            {
                // A right-edge tile: its valid columns (masked) of its valid rows.
                var (m0, m1) = ColumnMasks(cols);
                StoreColumns(c + 0 * ldc, c00, c01, m0, m1, beta, e, i0 + 0, j0, addInitial);
                if (rows > 1) StoreColumns(c + 1 * ldc, c10, c11, m0, m1, beta, e, i0 + 1, j0, addInitial);
                if (rows > 2) StoreColumns(c + 2 * ldc, c20, c21, m0, m1, beta, e, i0 + 2, j0, addInitial);
                if (rows > 3) StoreColumns(c + 3 * ldc, c30, c31, m0, m1, beta, e, i0 + 3, j0, addInitial);
                if (rows > 4) StoreColumns(c + 4 * ldc, c40, c41, m0, m1, beta, e, i0 + 4, j0, addInitial);
                if (rows > 5) StoreColumns(c + 5 * ldc, c50, c51, m0, m1, beta, e, i0 + 5, j0, addInitial);
            }
            else if (TS.Hoisted)
            {
                // A full tile (RunPanels): bias, clamp bounds read before the first store; per row + bias, clamp, store.
                Vector256<float> b0 = default, b1 = default, lo = default, hi = default, fix = default;
                float r0 = 0, r1 = 0, r2 = 0, r3 = 0, r4 = 0, r5 = 0;
                if (TS.PerColumn)
                {
                    b0 = Vector256.Load(e->Bias + j0);
                    b1 = Vector256.Load(e->Bias + j0 + 8);
                }
                else
                {
                    float* rb = e->Bias + i0;
                    (r0, r1, r2, r3, r4, r5) = (rb[0], rb[1], rb[2], rb[3], rb[4], rb[5]);
                }
                if (TS.Clamp)
                {
                    lo = Vector256.Create(e->Min);
                    hi = Vector256.Create(e->Max);
                    fix = Vector256.Create(e->Bounds.Fix);
                }
                float* res = TS.Residual ? e->Residual + i0 * e->LdResidual + j0 : null;
                nint ldr = TS.Residual ? e->LdResidual : 0;
                StoreHoisted<TS>(c + 0 * ldc, c00, c01, b0, b1, r0, res + 0 * ldr, lo, hi, fix);
                StoreHoisted<TS>(c + 1 * ldc, c10, c11, b0, b1, r1, res + 1 * ldr, lo, hi, fix);
                StoreHoisted<TS>(c + 2 * ldc, c20, c21, b0, b1, r2, res + 2 * ldr, lo, hi, fix);
                StoreHoisted<TS>(c + 3 * ldc, c30, c31, b0, b1, r3, res + 3 * ldr, lo, hi, fix);
                StoreHoisted<TS>(c + 4 * ldc, c40, c41, b0, b1, r4, res + 4 * ldr, lo, hi, fix);
                StoreHoisted<TS>(c + 5 * ldc, c50, c51, b0, b1, r5, res + 5 * ldr, lo, hi, fix);
            }
            else if (e != null || rows < 6)
            {
                // Through the epilogue, or a bottom tile's valid rows.
                StoreRow(c + 0 * ldc, c00, c01, beta, e, i0 + 0, j0, addInitial);
                if (rows > 1) StoreRow(c + 1 * ldc, c10, c11, beta, e, i0 + 1, j0, addInitial);
                if (rows > 2) StoreRow(c + 2 * ldc, c20, c21, beta, e, i0 + 2, j0, addInitial);
                if (rows > 3) StoreRow(c + 3 * ldc, c30, c31, beta, e, i0 + 3, j0, addInitial);
                if (rows > 4) StoreRow(c + 4 * ldc, c40, c41, beta, e, i0 + 4, j0, addInitial);
                if (rows > 5) StoreRow(c + 5 * ldc, c50, c51, beta, e, i0 + 5, j0, addInitial);
            }
            else if (beta == 0)
            {
                Vector256.Store(c00, c + 0 * ldc + 0);
                Vector256.Store(c01, c + 0 * ldc + 8);
                Vector256.Store(c10, c + 1 * ldc + 0);
                Vector256.Store(c11, c + 1 * ldc + 8);
                Vector256.Store(c20, c + 2 * ldc + 0);
                Vector256.Store(c21, c + 2 * ldc + 8);
                Vector256.Store(c30, c + 3 * ldc + 0);
                Vector256.Store(c31, c + 3 * ldc + 8);
                Vector256.Store(c40, c + 4 * ldc + 0);
                Vector256.Store(c41, c + 4 * ldc + 8);
                Vector256.Store(c50, c + 5 * ldc + 0);
                Vector256.Store(c51, c + 5 * ldc + 8);
            }
            else
            {
                Vector256<float> vb = Vector256.Create(beta);
                Vector256.Store(Vector256.MultiplyAddEstimate(vb, Vector256.Load(c + 0 * ldc + 0), c00), c + 0 * ldc + 0);
                Vector256.Store(Vector256.MultiplyAddEstimate(vb, Vector256.Load(c + 0 * ldc + 8), c01), c + 0 * ldc + 8);
                Vector256.Store(Vector256.MultiplyAddEstimate(vb, Vector256.Load(c + 1 * ldc + 0), c10), c + 1 * ldc + 0);
                Vector256.Store(Vector256.MultiplyAddEstimate(vb, Vector256.Load(c + 1 * ldc + 8), c11), c + 1 * ldc + 8);
                Vector256.Store(Vector256.MultiplyAddEstimate(vb, Vector256.Load(c + 2 * ldc + 0), c20), c + 2 * ldc + 0);
                Vector256.Store(Vector256.MultiplyAddEstimate(vb, Vector256.Load(c + 2 * ldc + 8), c21), c + 2 * ldc + 8);
                Vector256.Store(Vector256.MultiplyAddEstimate(vb, Vector256.Load(c + 3 * ldc + 0), c30), c + 3 * ldc + 0);
                Vector256.Store(Vector256.MultiplyAddEstimate(vb, Vector256.Load(c + 3 * ldc + 8), c31), c + 3 * ldc + 8);
                Vector256.Store(Vector256.MultiplyAddEstimate(vb, Vector256.Load(c + 4 * ldc + 0), c40), c + 4 * ldc + 0);
                Vector256.Store(Vector256.MultiplyAddEstimate(vb, Vector256.Load(c + 4 * ldc + 8), c41), c + 4 * ldc + 8);
                Vector256.Store(Vector256.MultiplyAddEstimate(vb, Vector256.Load(c + 5 * ldc + 0), c50), c + 5 * ldc + 0);
                Vector256.Store(Vector256.MultiplyAddEstimate(vb, Vector256.Load(c + 5 * ldc + 8), c51), c + 5 * ldc + 8);
            }
        }
    }

    // The lanes of the tile's two halves (columns 0–7, 8–15) that are C's first cols columns.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<float>, Vector256<float>) ColumnMasks(int cols)
    {
        var lane = Vector256<int>.Indices;
        return (Vector256.LessThan(lane, Vector256.Create(cols)).AsSingle(), Vector256.LessThan(lane, Vector256.Create(cols - 8)).AsSingle());
    }

    // One row of a right-edge tile: the lanes of m0 (columns 0–7) and m1 (8–15) only, loaded and stored masked; then
    // as StoreRow (alpha·acc (+ beta·C), with an epilogue + (residual + bias), max lo, min hi).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreColumns(float* row, Vector256<float> x0, Vector256<float> x1, Vector256<float> m0, Vector256<float> m1,
        float beta, GemmEpilogue* e, int i, int j0, bool addInitial)
    {
        Vector256<float> v0 = x0, v1 = x1;
        if (beta != 0)
        {
            Vector256<float> vb = Vector256.Create(beta);
            v0 = Vector256.MultiplyAddEstimate(vb, Avx.MaskLoad(row, m0), v0);
            v1 = Vector256.MultiplyAddEstimate(vb, Avx.MaskLoad(row + 8, m1), v1);
        }
        if (e != null && addInitial)
        {
            Vector256<float> bias0, bias1;
            if (e->BiasPerColumn)
            {
                bias0 = Avx.MaskLoad(e->Bias + j0, m0);
                bias1 = Avx.MaskLoad(e->Bias + j0 + 8, m1);
            }
            else
            {
                bias0 = bias1 = Vector256.Create(e->Bias == null ? 0f : e->Bias[i]);
            }
            float* r = e->Residual == null ? null : e->Residual + i * e->LdResidual + j0;
            v0 += r == null ? bias0 : Avx.MaskLoad(r, m0) + bias0;
            v1 += r == null ? bias1 : Avx.MaskLoad(r + 8, m1) + bias1;
        }
        if (e != null && e->Clamps)
        {
            Vector256<float> lo = Vector256.Create(e->Min), hi = Vector256.Create(e->Max);
            if (e->Bounds.Applies)
            {
                Vector256<float> fix = Vector256.Create(e->Bounds.Fix);
                v0 = NativeClamp.Apply(v0, lo, hi, fix);
                v1 = NativeClamp.Apply(v1, lo, hi, fix);
            }
            else
            {
                v0 = Vector256.Min(Vector256.Max(v0, lo), hi);
                v1 = Vector256.Min(Vector256.Max(v1, lo), hi);
            }
        }
        Avx.MaskStore(row, m0, v0);
        Avx.MaskStore(row + 8, m1, v1);
    }

    // One row of the tile (its left vector only unless two): alpha·acc (+ beta·C), then with an epilogue + (residual +
    // bias), max lo, min hi; stored whole (AMD's masked stores are slow: they are kept for columns past C's edge).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(float* row, Vector256<float> x0, Vector256<float> x1, float beta, GemmEpilogue* e,
        int i, int j0, bool addInitial, bool two = true)
    {
        Vector256<float> v0 = x0, v1 = x1;
        if (beta != 0)
        {
            Vector256<float> vb = Vector256.Create(beta);
            v0 = Vector256.MultiplyAddEstimate(vb, Vector256.Load(row), v0);
            if (two) v1 = Vector256.MultiplyAddEstimate(vb, Vector256.Load(row + 8), v1);
        }
        if (e != null && addInitial)
        {
            Vector256<float> bias0, bias1;
            if (e->BiasPerColumn)
            {
                bias0 = Vector256.Load(e->Bias + j0);
                bias1 = two ? Vector256.Load(e->Bias + j0 + 8) : bias0;
            }
            else
            {
                bias0 = bias1 = Vector256.Create(e->Bias == null ? 0f : e->Bias[i]);
            }
            float* r = e->Residual == null ? null : e->Residual + i * e->LdResidual + j0;
            v0 += r == null ? bias0 : Vector256.Load(r) + bias0;
            if (two) v1 += r == null ? bias1 : Vector256.Load(r + 8) + bias1;
        }
        if (e != null && e->Clamps)
        {
            Vector256<float> lo = Vector256.Create(e->Min), hi = Vector256.Create(e->Max);
            if (e->Bounds.Applies)
            {
                Vector256<float> fix = Vector256.Create(e->Bounds.Fix);
                v0 = NativeClamp.Apply(v0, lo, hi, fix);
                v1 = NativeClamp.Apply(v1, lo, hi, fix);
            }
            else
            {
                v0 = Vector256.Min(Vector256.Max(v0, lo), hi);
                v1 = Vector256.Min(Vector256.Max(v1, lo), hi);
            }
        }
        Vector256.Store(v0, row);
        if (two) Vector256.Store(v1, row + 8);
    }

    // One row of a full tile with a hoisted epilogue (IStore.Hoisted): + (residual + bias) (the column biases b0, b1, or
    // the row's bias; the row's residual at res), the native clamp, store — StoreRow's operations for the same epilogue,
    // in the same order.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreHoisted<TS>(float* row, Vector256<float> x0, Vector256<float> x1, Vector256<float> b0, Vector256<float> b1,
        float rowBias, float* res, Vector256<float> lo, Vector256<float> hi, Vector256<float> fix) where TS : struct, IStore
    {
        if (!TS.PerColumn) b0 = b1 = Vector256.Create(rowBias);
        if (TS.Residual)
        {
            b0 = Vector256.Load(res) + b0;
            b1 = Vector256.Load(res + 8) + b1;
        }
        Vector256<float> v0 = x0 + b0, v1 = x1 + b1;
        if (TS.Clamp)
        {
            v0 = NativeClamp.Apply(v0, lo, hi, fix);
            v1 = NativeClamp.Apply(v1, lo, hi, fix);
        }
        Vector256.Store(v0, row);
        Vector256.Store(v1, row + 8);
    }

    public static void RunHalf(int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta) =>
        Half<PanelA>(kc, a, 0, b, c, ldc, alpha, beta, null, 0, 0, false);

    /// <summary>As <see cref="RunHalf"/> reading A's rows in place (<see cref="RowsA"/>).</summary>
    public static void RunHalfRows(int kc, float* a, nint lda, float* b, float* c, nint ldc, float alpha, float beta) =>
        Half<RowsA>(kc, a, lda, b, c, ldc, alpha, beta, null, 0, 0, false);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Half<TA>(int kc, float* a, nint lda, float* b, float* c, nint ldc, float alpha, float beta, GemmEpilogue* e,
        int i0, int j0, bool addInitial, int cols = 8) where TA : struct, IOperandA
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
                Vector256<float> x0 = Vector256.Create(TA.At(a, lda, 6, 0, 0));
                c00 = Vector256.MultiplyAddEstimate(x0, b0, c00);
                Vector256<float> x1 = Vector256.Create(TA.At(a, lda, 6, 1, 0));
                c10 = Vector256.MultiplyAddEstimate(x1, b0, c10);
                Vector256<float> x2 = Vector256.Create(TA.At(a, lda, 6, 2, 0));
                c20 = Vector256.MultiplyAddEstimate(x2, b0, c20);
                Vector256<float> x3 = Vector256.Create(TA.At(a, lda, 6, 3, 0));
                c30 = Vector256.MultiplyAddEstimate(x3, b0, c30);
                Vector256<float> x4 = Vector256.Create(TA.At(a, lda, 6, 4, 0));
                c40 = Vector256.MultiplyAddEstimate(x4, b0, c40);
                Vector256<float> x5 = Vector256.Create(TA.At(a, lda, 6, 5, 0));
                c50 = Vector256.MultiplyAddEstimate(x5, b0, c50);
            }
            {
                Vector256<float> b0 = Vector256.Load(b + 16);
                Vector256<float> x0 = Vector256.Create(TA.At(a, lda, 6, 0, 1));
                c00 = Vector256.MultiplyAddEstimate(x0, b0, c00);
                Vector256<float> x1 = Vector256.Create(TA.At(a, lda, 6, 1, 1));
                c10 = Vector256.MultiplyAddEstimate(x1, b0, c10);
                Vector256<float> x2 = Vector256.Create(TA.At(a, lda, 6, 2, 1));
                c20 = Vector256.MultiplyAddEstimate(x2, b0, c20);
                Vector256<float> x3 = Vector256.Create(TA.At(a, lda, 6, 3, 1));
                c30 = Vector256.MultiplyAddEstimate(x3, b0, c30);
                Vector256<float> x4 = Vector256.Create(TA.At(a, lda, 6, 4, 1));
                c40 = Vector256.MultiplyAddEstimate(x4, b0, c40);
                Vector256<float> x5 = Vector256.Create(TA.At(a, lda, 6, 5, 1));
                c50 = Vector256.MultiplyAddEstimate(x5, b0, c50);
            }
            {
                Vector256<float> b0 = Vector256.Load(b + 32);
                Vector256<float> x0 = Vector256.Create(TA.At(a, lda, 6, 0, 2));
                c00 = Vector256.MultiplyAddEstimate(x0, b0, c00);
                Vector256<float> x1 = Vector256.Create(TA.At(a, lda, 6, 1, 2));
                c10 = Vector256.MultiplyAddEstimate(x1, b0, c10);
                Vector256<float> x2 = Vector256.Create(TA.At(a, lda, 6, 2, 2));
                c20 = Vector256.MultiplyAddEstimate(x2, b0, c20);
                Vector256<float> x3 = Vector256.Create(TA.At(a, lda, 6, 3, 2));
                c30 = Vector256.MultiplyAddEstimate(x3, b0, c30);
                Vector256<float> x4 = Vector256.Create(TA.At(a, lda, 6, 4, 2));
                c40 = Vector256.MultiplyAddEstimate(x4, b0, c40);
                Vector256<float> x5 = Vector256.Create(TA.At(a, lda, 6, 5, 2));
                c50 = Vector256.MultiplyAddEstimate(x5, b0, c50);
            }
            {
                Vector256<float> b0 = Vector256.Load(b + 48);
                Vector256<float> x0 = Vector256.Create(TA.At(a, lda, 6, 0, 3));
                c00 = Vector256.MultiplyAddEstimate(x0, b0, c00);
                Vector256<float> x1 = Vector256.Create(TA.At(a, lda, 6, 1, 3));
                c10 = Vector256.MultiplyAddEstimate(x1, b0, c10);
                Vector256<float> x2 = Vector256.Create(TA.At(a, lda, 6, 2, 3));
                c20 = Vector256.MultiplyAddEstimate(x2, b0, c20);
                Vector256<float> x3 = Vector256.Create(TA.At(a, lda, 6, 3, 3));
                c30 = Vector256.MultiplyAddEstimate(x3, b0, c30);
                Vector256<float> x4 = Vector256.Create(TA.At(a, lda, 6, 4, 3));
                c40 = Vector256.MultiplyAddEstimate(x4, b0, c40);
                Vector256<float> x5 = Vector256.Create(TA.At(a, lda, 6, 5, 3));
                c50 = Vector256.MultiplyAddEstimate(x5, b0, c50);
            }
            a += TA.Advance(6, 4);
            b += 64;
        }
        for (; p < kc; p++)
        {
            Vector256<float> b0 = Vector256.Load(b + 0);
            Vector256<float> x0 = Vector256.Create(TA.At(a, lda, 6, 0, 0));
            c00 = Vector256.MultiplyAddEstimate(x0, b0, c00);
            Vector256<float> x1 = Vector256.Create(TA.At(a, lda, 6, 1, 0));
            c10 = Vector256.MultiplyAddEstimate(x1, b0, c10);
            Vector256<float> x2 = Vector256.Create(TA.At(a, lda, 6, 2, 0));
            c20 = Vector256.MultiplyAddEstimate(x2, b0, c20);
            Vector256<float> x3 = Vector256.Create(TA.At(a, lda, 6, 3, 0));
            c30 = Vector256.MultiplyAddEstimate(x3, b0, c30);
            Vector256<float> x4 = Vector256.Create(TA.At(a, lda, 6, 4, 0));
            c40 = Vector256.MultiplyAddEstimate(x4, b0, c40);
            Vector256<float> x5 = Vector256.Create(TA.At(a, lda, 6, 5, 0));
            c50 = Vector256.MultiplyAddEstimate(x5, b0, c50);
            a += TA.Advance(6, 1);
            b += 16;
        }

        if (alpha != 1f)
        {
            Vector256<float> va = Vector256.Create(alpha);
            c00 *= va; c10 *= va; c20 *= va; c30 *= va; c40 *= va; c50 *= va;
        }
        if (cols < 8)
        {
            // Through the masked row store: its second half's lanes all off.
            var (m0, m1) = ColumnMasks(cols);
            StoreColumns(c + 0 * ldc, c00, c00, m0, m1, beta, e, i0 + 0, j0, addInitial);
            StoreColumns(c + 1 * ldc, c10, c10, m0, m1, beta, e, i0 + 1, j0, addInitial);
            StoreColumns(c + 2 * ldc, c20, c20, m0, m1, beta, e, i0 + 2, j0, addInitial);
            StoreColumns(c + 3 * ldc, c30, c30, m0, m1, beta, e, i0 + 3, j0, addInitial);
            StoreColumns(c + 4 * ldc, c40, c40, m0, m1, beta, e, i0 + 4, j0, addInitial);
            StoreColumns(c + 5 * ldc, c50, c50, m0, m1, beta, e, i0 + 5, j0, addInitial);
        }
        else if (e != null)
        {
            StoreRow(c + 0 * ldc, c00, c00, beta, e, i0 + 0, j0, addInitial, two: false);
            StoreRow(c + 1 * ldc, c10, c10, beta, e, i0 + 1, j0, addInitial, two: false);
            StoreRow(c + 2 * ldc, c20, c20, beta, e, i0 + 2, j0, addInitial, two: false);
            StoreRow(c + 3 * ldc, c30, c30, beta, e, i0 + 3, j0, addInitial, two: false);
            StoreRow(c + 4 * ldc, c40, c40, beta, e, i0 + 4, j0, addInitial, two: false);
            StoreRow(c + 5 * ldc, c50, c50, beta, e, i0 + 5, j0, addInitial, two: false);
        }
        else if (beta == 0)
        {
            Vector256.Store(c00, c + 0 * ldc + 0);
            Vector256.Store(c10, c + 1 * ldc + 0);
            Vector256.Store(c20, c + 2 * ldc + 0);
            Vector256.Store(c30, c + 3 * ldc + 0);
            Vector256.Store(c40, c + 4 * ldc + 0);
            Vector256.Store(c50, c + 5 * ldc + 0);
        }
        else
        {
            Vector256<float> vb = Vector256.Create(beta);
            Vector256.Store(Vector256.MultiplyAddEstimate(vb, Vector256.Load(c + 0 * ldc + 0), c00), c + 0 * ldc + 0);
            Vector256.Store(Vector256.MultiplyAddEstimate(vb, Vector256.Load(c + 1 * ldc + 0), c10), c + 1 * ldc + 0);
            Vector256.Store(Vector256.MultiplyAddEstimate(vb, Vector256.Load(c + 2 * ldc + 0), c20), c + 2 * ldc + 0);
            Vector256.Store(Vector256.MultiplyAddEstimate(vb, Vector256.Load(c + 3 * ldc + 0), c30), c + 3 * ldc + 0);
            Vector256.Store(Vector256.MultiplyAddEstimate(vb, Vector256.Load(c + 4 * ldc + 0), c40), c + 4 * ldc + 0);
            Vector256.Store(Vector256.MultiplyAddEstimate(vb, Vector256.Load(c + 5 * ldc + 0), c50), c + 5 * ldc + 0);
        }
    }
}
