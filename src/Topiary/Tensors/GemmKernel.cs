// GemmKernel (IGemmKernel): the contract of a packed GEMM micro-kernel and its cache-blocking sizes.
// A kernel computes one full Mr x Nr tile of C from packed panels:
//   a: kc steps of Mr floats (column p of the A micro-panel is a[p*Mr .. p*Mr+Mr)),
//   b: kc steps of Nr floats (row p of the B micro-panel is b[p*Nr .. p*Nr+Nr)),
//   C[r, j] = alpha * sum_p a[p*Mr+r] * b[p*Nr+j] + beta * C[r, j]   (beta == 0: C is overwritten),
// accumulating p = 0..kc-1 in order, so every element's summation order is fixed. The *Rows variants read A's rows
// where they lie instead of a packed panel (GemmOperandA), with the same arithmetic.
// The generic GemmDriver handles packing, blocking, edge tiles and threading for every kernel.
namespace Topiary.Tensors;

/// <summary>A register-blocked micro-kernel over packed panels (see file header for the layout).</summary>
internal unsafe interface IGemmKernel
{
    /// <summary>Rows of the register tile.</summary>
    static abstract int Mr { get; }
    /// <summary>Columns of the register tile (a multiple of the vector width).</summary>
    static abstract int Nr { get; }
    /// <summary>Depth of a packed block (the A micro-panel plus B micro-panel should fit in L1).</summary>
    static abstract int Kc { get; }
    /// <summary>Maximum rows of a packed A block (Mc x Kc should sit in L2); a multiple of Mr.</summary>
    static abstract int Mc { get; }
    /// <summary>Maximum columns of a packed B block (Kc x Nc should sit in L3); a multiple of Nr.</summary>
    static abstract int Nc { get; }

    /// <summary>Computes one full tile: C[0..Mr, 0..Nr] = alpha·(a·b) + beta·C, row stride <paramref name="ldc"/>.</summary>
    static abstract void Run(int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta);

    /// <summary>
    /// As <see cref="Run"/> on the left Mr x Nr/2 half of the tile only (the B panel keeps its Nr stride):
    /// for right-edge panels with at most Nr/2 valid columns. Bitwise equal to Run on those elements.
    /// </summary>
    static abstract void RunHalf(int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta);

    /// <summary>As <see cref="Run"/> with A read in place: Mr rows of a row-major matrix, row r at a + r·<paramref name="lda"/>
    /// (<see cref="RowsA"/>). Bitwise equal to Run on the packed panel of those rows.</summary>
    static abstract void RunRows(int kc, float* a, nint lda, float* b, float* c, nint ldc, float alpha, float beta);

    /// <summary>As <see cref="RunHalf"/> with A read in place (<see cref="RowsA"/>).</summary>
    static abstract void RunHalfRows(int kc, float* a, nint lda, float* b, float* c, nint ldc, float alpha, float beta);

    /// <summary>
    /// Run, then <paramref name="epilogue"/>.Finish(i0, j0, Mr, Nr, c, ldc, addInitial) on the tile (the tile is C's rows
    /// i0.. and columns j0..), bitwise; a kernel may apply the epilogue in registers before its store.
    /// </summary>
    static abstract void RunEpilogue(int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta, in GemmEpilogue epilogue,
        int i0, int j0, bool addInitial);

    /// <summary>True when the kernel implements <see cref="RunColumns"/>, <see cref="RunPanels"/> and <see cref="RunBottom"/>.</summary>
    static virtual bool StoresColumns => false;

    /// <summary>
    /// A bottom-edge tile: the first <paramref name="rows"/> (&lt; Mr) rows of a packed A panel against B, storing
    /// <paramref name="cols"/> (≤ Nr) columns, then the epilogue when <paramref name="epilogue"/> is not null — bitwise Run
    /// into a scratch tile, its valid part copied to C, then <see cref="GemmEpilogue.Finish"/>, without computing the
    /// padding rows.
    /// </summary>
    static virtual void RunBottom(int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta, GemmEpilogue* epilogue,
        int i0, int j0, bool addInitial, int rows, int cols) =>
        throw new NotSupportedException("This kernel stores whole tiles only.");

    /// <summary>
    /// <paramref name="count"/> full tiles side by side: the same Mr rows of A (packed, or in place with
    /// <paramref name="rowsA"/>) against <paramref name="count"/> consecutive B micro-panels (b, b + kc·Nr, …) into C's
    /// columns c, c + Nr, … (j0, j0 + Nr, …), the epilogue applied when <paramref name="epilogue"/> is not null — bitwise
    /// <see cref="RunColumns"/> with cols = Nr on each, in one call (with K = 16–32 the call and the tile's setup took
    /// as long as its products).
    /// </summary>
    /// <remarks>While its tiles compute, the kernel may ask for the 64-byte lines from <paramref name="prefetch"/> to
    /// <paramref name="prefetchLast"/> (0: none) to be brought into L2, <see cref="PrefetchLines"/>(kc) per tile in order: a
    /// hint for what the driver reads next, never read as data.</remarks>
    static virtual void RunPanels(int kc, float* a, nint lda, bool rowsA, float* b, int count, float* c, nint ldc, float alpha, float beta,
        GemmEpilogue* epilogue, int i0, int j0, bool addInitial, nint prefetch, nint prefetchLast) =>
        throw new NotSupportedException("This kernel stores whole tiles only.");

    /// <summary>Widest right edge <see cref="RunStrip"/> takes (0: the kernel has no strips).</summary>
    static virtual int StripColumns => 0;

    /// <summary>Row tiles a strip of <paramref name="cols"/> columns computes at once.</summary>
    static virtual int StripTiles(int cols) => 1;

    /// <summary>
    /// A right edge of <paramref name="cols"/> (≤ <see cref="StripColumns"/>) columns for <paramref name="tiles"/> (a
    /// multiple of <see cref="StripTiles"/>) full row tiles at once: packed A panels a, a + Mr·kc, … against one B
    /// micro-panel into C's rows c, c + ldc, … (i0, i0 + 1, …) — bitwise <see cref="RunColumns"/> on each tile.
    /// </summary>
    static virtual void RunStrip(int kc, float* a, int tiles, float* b, float* c, nint ldc, float alpha, float beta, GemmEpilogue* epilogue,
        int i0, int j0, bool addInitial, int cols) =>
        throw new NotSupportedException("This kernel has no right-edge strips.");

    /// <summary>Lines a full tile of depth <paramref name="kc"/> prefetches in <see cref="RunPanels"/> (0: the kernel does not).</summary>
    static virtual int PrefetchLines(int kc) => 0;

    /// <summary>
    /// A full-height tile of which the first <paramref name="cols"/> columns (1 ≤ cols ≤ Nr; up to Nr/2 by RunHalf's
    /// kernel) are C's: Run (A packed, or in place with <paramref name="rowsA"/>) storing only those columns, then the
    /// epilogue when <paramref name="epilogue"/> is not null — bitwise Run (into a scratch tile whose columns are copied
    /// to C when cols &lt; Nr), then <see cref="GemmEpilogue.Finish"/>, with the epilogue in registers and no copy.
    /// </summary>
    static virtual void RunColumns(int kc, float* a, nint lda, bool rowsA, float* b, float* c, nint ldc, float alpha, float beta,
        GemmEpilogue* epilogue, int i0, int j0, bool addInitial, int cols) =>
        throw new NotSupportedException("This kernel stores whole tiles only.");
}
