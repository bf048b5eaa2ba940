// GemmDriver<TKernel>: the GotoBLAS/BLIS loop nest around one micro-kernel.
//   for jc in steps of Nc:                     (B block Kc x Nc lives in L2/L3)
//     for pc over balanced Kc blocks:          (the only blocking that fixes summation order)
//       [shared mode] pack B[pc.., jc..] into Nr-wide panels (split over threads)
//       for each work item (an Mc-row block of C x a range of B panels), in parallel:
//         pack A[ic.., pc..] into Mr-tall panels (thread-local; Mc x Kc sits in L2)
//         for each group of the item's B panels (up to 8 Kc x Nr micro-panels, about 256 KiB: L2; the group two
//         ahead prefetched when B is packed just in time):
//           [just-in-time mode] pack the group's B micro-panels into a thread-local buffer
//           for ir over the A panels: for jr over the group: micro-kernel on an Mr x Nr tile of C
//             (a kernel that StoresColumns takes the group's full tiles of one A panel in one call: RunPanels)
// (the group makes C's stores Mr streams of a group's width, not Mc streams of one panel's, which matters when Kc is
// small — a pointwise convolution with few input channels — and the stores are most of the work).
// When all of m fits one row block, every B panel is used by exactly one item, so it is packed
// just in time into an L1-sized buffer (no round trip of a packed B block through memory, no
// shared packing phase); so too with several threads when m fits one row block per thread (a
// convolution at batch 1): rows or columns are split once, each item runs every K block, and the
// only synchronisation is the end of one parallel region (per K block, the shared mode's two
// barriers cost more than a thread's share of B packing). Otherwise the packed B block is shared
// by the row blocks. A B operand packed once ahead (GemmPackedB: weights) replaces both: its panels
// are read where they lie. An A operand packed once ahead (GemmPackedA: a convolution's weights)
// replaces the per-item packing of A the same way. A B operand with no matrix behind it (GemmBSource: an image read as its
// im2col columns) is packed panel by panel by its own function wherever a matrix B's panels would be copied. A row-major
// A against pre-packed B or a B source (a Linear layer's batch against its packed weights, a channels-last 1×1
// convolution's positions, Winograd's tiles, a weight gradient's dY against colᵀ) is not packed at all: the kernels' *Rows
// variants read its rows in place (GemmOperandA; packing 64 rows of 784 took 4 % of such a product, and a channels-last
// layer's input with few channels is a pass as long as the product), except a last tile of fewer than Mr rows, which is
// packed as before. (It used to be read in place only up to Mc rows or against up to 64 columns of B; at every size,
// 784 × 128 × 128 ran 1.19x and MobileNet-v2 1.05x faster, measured in one process on AVX2. Against a B packed per call
// it did not pay: 1024³ 0.91x, 64 × 500 × 800 0.88x.)
// While a row tile's full tiles compute, the kernel prefetches into L2 what comes next from an operand packed ahead (the
// weights: the next group of B panels, or the next A panel), which the hardware's prefetchers would leave the first tile
// to wait for (PrefetchRange); a right edge of a few columns runs after the group's tiles as one column strip over
// several row tiles (IGemmKernel.RunStrip) when A is packed.
// Every C element is written by exactly one work item, and its value is
//   ((beta·C + alpha·S0) + alpha·S1) + ...   with S_t the in-order sum over the t-th K block,
// where the K blocks depend only on k (never on threads): results are bitwise reproducible for any
// thread count, partition or schedule. Edge tiles run the same kernel (or its left half, when at most
// Nr/2 columns are valid) on zero-padded panels into a scratch tile and write back valid elements only. An epilogue
// (GemmEpilogue: bias, residual, clamp) is applied per B panel and tile: the panel's initial values for all of the item's
// rows just before its first K block, the clamp on each tile of the last K block — in the kernel's registers before its
// store for a full tile (RunEpilogue), right after it for an edge tile; with a single K block the initial values are
// added there instead (the same bits: one rounded addition either way).
using System.Runtime.CompilerServices;

namespace Topiary.Tensors;

/// <summary>Blocked, packed, optionally parallel SGEMM driver for one micro-kernel.</summary>
internal static unsafe class GemmDriver<TKernel> where TKernel : struct, IGemmKernel
{
    /// <summary>C = alpha·op(A)·op(B) + beta·C on validated, pinned operands; m, n, k &gt; 0, alpha ≠ 0.</summary>
    /// <remarks><paramref name="bPacked"/>: op(B) already packed (<see cref="Pack"/>; then <paramref name="b"/> is not read);
    /// <paramref name="aPacked"/>: op(A) already packed (<see cref="PackAll"/>; then <paramref name="a"/> is not read);
    /// <paramref name="kcBlock"/>: the K block depth (0: <see cref="KcBlock"/>(k); a pre-packed B's own when it has one);
    /// <paramref name="bSource"/>: packs op(B)'s panels instead of copying them from <paramref name="b"/> (not read then).</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(bool transA, bool transB, int m, int n, int k, float alpha,
        float* a, nint lda, float* b, nint ldb, float beta, float* c, nint ldc, int threads, float* bPacked = null,
        float* aPacked = null, GemmEpilogue epilogue = default, int kcBlock = 0, GemmBSource bSource = default)
    {
        int mr = TKernel.Mr, nr = TKernel.Nr;
        var job = new Job
        {
            TransA = transA, TransB = transB, M = m, Alpha = alpha,
            A = a, Lda = lda, B = b, Ldb = ldb, C = c, Ldc = ldc,
            BPacked = bPacked, NPadded = RoundUp(n, nr),
            APacked = aPacked, MPadded = RoundUp(m, mr), Epilogue = epilogue,
            RowsA = aPacked == null && (bPacked != null || bSource.IsSet) && !transA, BSource = bSource,
        };

        if (kcBlock <= 0) kcBlock = KcBlock(k);

        // Row blocks of at most Mc rows, balanced. With several threads: up to 4 row blocks per thread
        // (but no thinner than 8 Mr-panels), so a thread slowed by another process hands work to the
        // others; a multiple of the thread count; and when rows are too few, split the columns instead.
        int mBlocks = CeilDiv(m, TKernel.Mc);
        int nSplits = 1;
        int ncMax = Math.Min(TKernel.Nc, RoundUp(n, nr));
        bool oneRegion = false;
        if (threads > 1 && mBlocks <= threads)
        {
            // Few rows (a convolution's output channels at batch 1): one parallel region with no barrier per K block —
            // the rows or the columns split once between the threads, whichever leaves the busiest thread the fewest
            // micro-panels (columns on a tie: then nothing is packed twice), each item running every K block and
            // packing its own B panels just in time. A column split keeps all rows in one block (at most Mc).
            int pm = CeilDiv(m, mr), pn = CeilDiv(n, nr);
            // A B source gathers its panels (implicit im2col): split rows only when that balances much better, since
            // each row block packs every panel again.
            double rowShare = (double)CeilDiv(pm, threads) / pm, colShare = (double)CeilDiv(pn, threads) / pn;
            if (bSource.IsSet) rowShare *= 1.25;
            // Panels count alike, but a last panel may hold a column or two: 49 positions are a 48-column panel and a
            // 1-column one, a column split 48 : 1. Rows then, when a column split leaves the busiest thread a quarter
            // more columns than its share.
            if (rowShare < colShare || mBlocks > 1 || BusiestColumns(n, nr, Math.Min(threads, pn)) > 1.25 * n / threads) mBlocks = Math.Min(threads, pm);
            else nSplits = Math.Min(threads, pn);
            oneRegion = true;
        }
        else if (threads > 1)
        {
            mBlocks = Math.Max(mBlocks, Math.Min(4 * threads, m / (8 * mr)));
            if (mBlocks >= threads) mBlocks = RoundUp(mBlocks, threads);
            else nSplits = Math.Min(CeilDiv(threads, mBlocks), CeilDiv(ncMax, nr));
        }
        job.Mc = RoundUp(CeilDiv(m, mBlocks), mr);
        job.MBlocks = CeilDiv(m, job.Mc);
        job.NSplits = nSplits;
        job.K = k;
        job.KcBlock = kcBlock;
        job.Beta0 = beta;

        if (job.MBlocks == 1 || oneRegion)
        {
            // Just-in-time B: items share nothing, so each runs all of n-range x k in one parallel region.
            job.JustInTimeB = true;
            job.Jc = 0;
            job.Nc = n;
            job.NPanels = CeilDiv(n, nr);
            int items = job.MBlocks * job.NSplits;
            if (threads == 1 || items == 1)
            {
                for (int item = 0; item < items; item++) job.ComputeAllK(item); // no delegate: no allocation
            }
            else
            {
                Threading.For(0, items, threads, job.ComputeAllK);
            }
            return;
        }

        if (bPacked != null)
        {
            RunShared(ref job, n, k, kcBlock, beta, threads);
            return;
        }
        float[] bBuffer = GemmBuffers.RentPackB(Math.Min(kcBlock, k) * ncMax, out job.BPack);
        try
        {
            RunShared(ref job, n, k, kcBlock, beta, threads);
        }
        finally
        {
            GemmBuffers.ReturnPackB(bBuffer);
        }
    }

    /// <summary>K blocks: as few as Kc allows, of equal size (a multiple of 8), so no block is a sliver; depends on k only.</summary>
    public static int KcBlock(int k)
    {
        int kBlocks = CeilDiv(k, TKernel.Kc);
        return Math.Min(RoundUp(CeilDiv(k, kBlocks), 8), TKernel.Kc);
    }

    /// <summary>
    /// op(B) [k, n] packed as Run packs it: for each K block (pc, kc), its column panels at dest + pc·PaddedN (panel q at
    /// + q·Nr·kc), zero-padded to whole panels. <paramref name="dest"/> holds k · RoundUp(n, Nr) floats.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Pack(bool transB, int n, int k, float* b, nint ldb, float* dest, int kcBlock = 0)
    {
        if (kcBlock <= 0) kcBlock = KcBlock(k);
        int nPadded = RoundUp(n, TKernel.Nr);
        for (int pc = 0; pc < k; pc += kcBlock)
            GemmPacking.PackB(transB, b, ldb, pc, Math.Min(kcBlock, k - pc), 0, n, dest + (nint)pc * nPadded, TKernel.Nr, 0, CeilDiv(n, TKernel.Nr));
    }

    /// <summary>
    /// op(A) [m, k] packed as Run packs it: for each K block (pc, kc), its row panels at dest + pc·PaddedM (rows i.. at
    /// + i·kc), zero-padded to whole panels. <paramref name="dest"/> holds k · RoundUp(m, Mr) floats.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackAll(bool transA, int m, int k, float* a, nint lda, float* dest)
    {
        int kcBlock = KcBlock(k), mPadded = RoundUp(m, TKernel.Mr);
        for (int pc = 0; pc < k; pc += kcBlock)
            GemmPacking.PackA(transA, a, lda, 0, m, pc, Math.Min(kcBlock, k - pc), dest + (nint)pc * mPadded, TKernel.Mr);
    }

    /// <summary>Shared-B mode: the jc/pc loops, packing each B block once for all row blocks.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunShared(ref Job job, int n, int k, int kcBlock, float beta, int threads)
    {
        int nr = TKernel.Nr;
        for (int jc = 0; jc < n; jc += TKernel.Nc)
        {
            job.Jc = jc;
            job.Nc = Math.Min(TKernel.Nc, n - jc);
            job.NPanels = CeilDiv(job.Nc, nr);
            for (int pc = 0; pc < k; pc += kcBlock)
            {
                job.Pc = pc;
                job.Kc = Math.Min(kcBlock, k - pc);
                job.Beta = pc == 0 ? beta : 1f;
                if (threads == 1)
                {
                    if (job.BPacked == null) job.PackB(0, job.NPanels);
                    for (int item = 0; item < job.MBlocks * job.NSplits; item++) job.Compute(item);
                }
                else
                {
                    RunParallel(job, threads);
                }
            }
        }
    }

    private static void RunParallel(Job job, int threads)
    {
        // Phase 1: pack the shared B block, panels split evenly over the threads.
        int packers = Math.Min(threads, job.NPanels);
        if (job.BPacked != null)
        {
            // pre-packed: nothing to pack
        }
        else if (packers > 1 && (long)job.Kc * job.Nc >= 1 << 14)
        {
            Threading.For(0, packers, threads, t =>
                job.PackB(job.NPanels * t / packers, job.NPanels * (t + 1) / packers));
        }
        else
        {
            job.PackB(0, job.NPanels);
        }
        // Phase 2: every (row block, panel range) item is independent.
        Threading.For(0, job.MBlocks * job.NSplits, threads, job.Compute);
    }

    /// <summary>
    /// B panels per group: as many as fit about 256 KiB (at most 8), so a group stays in L2 while every row tile passes, and
    /// each A panel, read once per group, is read as few times as L2 allows. (At 64 KiB an AVX-512 group at Kc = 256 was one
    /// 48-column panel, and a 1024-row A block was streamed from L3 again for every panel: 1024³ ran 1.12x faster, ResNet-50
    /// and VGG-16 at batch 1 1.05x, in one process on an Ice Lake core; the AVX2 tier the same there.)
    /// </summary>
    internal static int GroupPanels(int kc) => Math.Clamp((1 << 16) / (kc * TKernel.Nr), 1, 8);

    // The kernel on a full tile (or its left half) from a packed A panel, or from A's rows in place.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Full(bool inPlace, int kc, float* a, nint lda, float* b, float* c, nint ldc, float alpha, float beta)
    {
        if (inPlace) TKernel.RunRows(kc, a, lda, b, c, ldc, alpha, beta);
        else TKernel.Run(kc, a, b, c, ldc, alpha, beta);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Half(bool inPlace, int kc, float* a, nint lda, float* b, float* c, nint ldc, float alpha, float beta)
    {
        if (inPlace) TKernel.RunHalfRows(kc, a, lda, b, c, ldc, alpha, beta);
        else TKernel.RunHalf(kc, a, b, c, ldc, alpha, beta);
    }

    // The most columns one of `splits` items gets when n columns in Nr-wide panels are split by panels (as Compute splits).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int BusiestColumns(int n, int nr, int splits)
    {
        int panels = CeilDiv(n, nr), most = 0;
        for (int t = 0; t < splits; t++)
            most = Math.Max(most, Math.Min(n, panels * (t + 1) / splits * nr) - panels * t / splits * nr);
        return most;
    }

    private static int CeilDiv(int x, int y) => (x + y - 1) / y;
    private static int RoundUp(int x, int y) => CeilDiv(x, y) * y;

    /// <summary>Operands and the current (jc, pc) block; copied by value into parallel bodies.</summary>
    private struct Job
    {
        public bool TransA, TransB, JustInTimeB, RowsA;
        public int M, Mc, MBlocks, NSplits;
        public int Jc, Nc, NPanels, Pc, Kc, K, KcBlock;
        public float Alpha, Beta, Beta0;
        public float* A, B, C, BPack, BPacked, APacked;
        public nint Lda, Ldb, Ldc, NPadded, MPadded;
        public GemmEpilogue Epilogue;
        public GemmBSource BSource;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public readonly void PackB(int panelStart, int panelEnd)
        {
            if (!BSource.IsSet)
            {
                GemmPacking.PackB(TransB, B, Ldb, Pc, Kc, Jc, Nc, BPack, TKernel.Nr, panelStart, panelEnd);
                return;
            }
            int nr = TKernel.Nr;
            for (int q = panelStart; q < panelEnd; q++)
                BSource.Pack(BSource.State, Pc, Kc, Jc + q * nr, Math.Min(nr, Nc - q * nr), BPack + (nint)q * nr * Kc, nr);
        }

        /// <summary>
        /// The first floats of the item's next group of pre-packed B panels (from panel <paramref name="next"/>, else the
        /// next K block's first group) and their count; null when nothing follows.
        /// </summary>
        private readonly float* NextPackedGroup(int next, int panelStart, int panelEnd, int group, out int floats)
        {
            int nr = TKernel.Nr;
            if (next < panelEnd)
            {
                floats = Math.Min(group, panelEnd - next) * Kc * nr;
                return BPacked + (nint)Pc * NPadded + (nint)(Jc + next * nr) * Kc;
            }
            if (Pc + Kc < K)
            {
                int kcNext = Math.Min(KcBlock, K - Pc - Kc);
                floats = Math.Min(GroupPanels(kcNext), panelEnd - panelStart) * kcNext * nr;
                return BPacked + (nint)(Pc + Kc) * NPadded + (nint)(Jc + panelStart * nr) * kcNext;
            }
            floats = 0;
            return null;
        }

        /// <summary>
        /// Operands packed ahead smaller than this (512 KiB: a Zen 3 core's L2) are left to the caches: prefetching lines
        /// already there cost the AVX2 kernel 2–6 % (the pointer's arithmetic) where it gains nothing.
        /// </summary>
        private const long PrefetchAboveFloats = 1 << 17;

        /// <summary>
        /// The lines row tile <paramref name="ir"/>'s full tiles prefetch (0, 0: none). Weights packed ahead are read from
        /// L3 or memory by the first tile that needs them, and the hardware's prefetchers, which stay within a page and a
        /// few lines ahead, leave that tile waiting: a 7 × 7 image's product ran at 0.58 of the FMA peak with B's panels
        /// in L3, 0.75 with them in L2. So each row tile asks for its share of what comes next while it computes: of the
        /// next group of B panels when B is packed ahead (each tile a further PrefetchLines(kc) per panel), the next A panel
        /// (this block's next tile, else the next K block's first) when A is, in the item's first group only (later groups
        /// find the A block in L2).
        /// </summary>
        private readonly (nint First, nint Last) PrefetchRange(int ir, int mc, int kc, int wholePanels, bool firstGroup, float* aPack, int i0,
            float* nextGroup, int nextGroupFloats)
        {
            int lines = TKernel.PrefetchLines(kc), mr = TKernel.Mr;
            if (lines == 0) return (0, 0);
            float* from;
            int floats;
            if (nextGroup != null)
            {
                long skip = (long)(ir / mr) * wholePanels * lines * 16;
                if (skip >= nextGroupFloats) return (0, 0);
                from = nextGroup + skip;
                floats = nextGroupFloats - (int)skip;
            }
            else if (APacked != null && firstGroup && (long)K * MPadded > PrefetchAboveFloats)
            {
                if (ir + mr < mc) from = aPack + (nint)(ir + mr) * kc;
                else if (Pc + kc < K) from = APacked + (nint)(Pc + kc) * MPadded + (nint)i0 * Math.Min(KcBlock, K - Pc - kc);
                else return (0, 0);
                floats = mr * kc;
            }
            else
            {
                return (0, 0);
            }
            return ((nint)from, ((nint)(from + floats) - 1) & ~(nint)63);
        }

        /// <summary>Just-in-time mode: computes item <paramref name="item"/> over every K block in order.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public readonly void ComputeAllK(int item)
        {
            Job block = this; // a private copy: parallel items must not share the mutable block fields
            for (int pc = 0; pc < K; pc += KcBlock)
            {
                block.Pc = pc;
                block.Kc = Math.Min(KcBlock, K - pc);
                block.Beta = pc == 0 ? Beta0 : 1f;
                block.Compute(item);
            }
        }

        /// <summary>Computes work item <paramref name="item"/> = (row block, panel range) of the current block.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public readonly void Compute(int item)
        {
            int mr = TKernel.Mr, nr = TKernel.Nr;
            int mb = item / NSplits, split = item % NSplits;
            int i0 = mb * Mc;
            int mc = Math.Min(Mc, M - i0);
            if (mc <= 0) return;
            int panelStart = NPanels * split / NSplits, panelEnd = NPanels * (split + 1) / NSplits;
            if (panelStart >= panelEnd) return;

            int kc = Kc;
            float* aPack;
            // In place: full row tiles read A's rows where they lie; a last partial tile is packed alone (aPack is then
            // that tile's panel minus its offset, so aPack + ir·kc still finds it).
            int inPlaceRows = RowsA ? mc / mr * mr : 0;
            if (APacked != null)
            {
                aPack = APacked + (nint)Pc * MPadded + (nint)i0 * kc;
            }
            else if (RowsA)
            {
                aPack = GemmBuffers.PackA(mr * kc) - (nint)inPlaceRows * kc;
                if (inPlaceRows < mc)
                    GemmPacking.PackA(false, A, Lda, i0 + inPlaceRows, mc - inPlaceRows, Pc, kc, aPack + (nint)inPlaceRows * kc, mr);
            }
            else
            {
                aPack = GemmBuffers.PackA(Mc * kc);
                GemmPacking.PackA(TransA, A, Lda, i0, mc, Pc, kc, aPack, mr);
            }
            float* tile = GemmBuffers.Tile(mr * nr);
            float* bPanel = JustInTimeB && BPacked == null ? GemmBuffers.PanelB(GroupPanels(kc) * kc * nr) : null;
            float alpha = Alpha, beta = Beta;
            nint ldc = Ldc;
            bool first = Pc == 0, last = Pc + kc >= K;
            // One K block: the initial values are added after the product instead (β = 0: C is not read before the
            // kernel), round(acc + init) being round(init + acc); several: written first, the product accumulating —
            // unless the epilogue adds them last (AddsLast: after the last K block, β as the caller gave it).
            bool startsFromInit = Epilogue.StartsFromInit;
            bool addAfter = last && Epilogue.Initialises && (first || !startsFromInit), initialise = first && !last && startsFromInit;
            bool finish = last && (Epilogue.Clamps || addAfter);
            if (addAfter && startsFromInit) beta = 0f;

            // Panels in groups: for each Mr-row tile, the group's panels left to right, so C is written in Mr streams of
            // whole group widths (not Mc streams of one panel's 128 bytes, which defeats the prefetchers when kc is
            // small and the stores dominate); the epilogue finishes each tile in registers or while it is in L1.
            int group = GroupPanels(kc);
            float** panels = stackalloc float*[group];
            for (int q0 = panelStart; q0 < panelEnd; q0 += group)
            {
                int g = Math.Min(group, panelEnd - q0);
                // A matrix B's group packed together (row by row when it is row-major: GemmPacking.PackB).
                if (JustInTimeB && BPacked == null && !BSource.IsSet)
                    GemmPacking.PackB(TransB, B, Ldb, Pc, kc, Jc + q0 * nr, Nc - q0 * nr, bPanel, nr, 0, g);
                for (int qi = 0; qi < g; qi++)
                {
                    int jr = (q0 + qi) * nr, ncols = Math.Min(nr, Nc - jr);
                    if (BPacked != null)
                    {
                        panels[qi] = BPacked + (nint)Pc * NPadded + (nint)(Jc + jr) * kc;
                    }
                    else if (JustInTimeB)
                    {
                        panels[qi] = bPanel + (nint)qi * kc * nr;
                        if (BSource.IsSet) BSource.Pack(BSource.State, Pc, kc, Jc + jr, ncols, panels[qi], nr);
                    }
                    else
                    {
                        panels[qi] = BPack + (nint)jr * kc;
                    }
                    // The panel's initial values for all of the item's rows at once: the stores' cache misses overlap,
                    // and are done before the first tile's kernel loads them.
                    if (initialise) Epilogue.Initialise(i0, Jc + jr, mc, ncols, C + Jc + jr + i0 * ldc, ldc);
                }
                if (JustInTimeB && BPacked == null && !BSource.IsSet)
                {
                    // Two groups ahead (the first group also the next one): ResNet-50's 1 × 1 layers at batch 16 read their
                    // inputs from memory (51 MB a layer), and one group ahead left part of that latency exposed (1.012x
                    // for the whole network in-process, 1.000x at batch 1).
                    int from = q0 == panelStart ? q0 + g : q0 + 2 * g, upto = Math.Min(panelEnd, q0 + 3 * g);
                    if (from < upto)
                        GemmPacking.PrefetchB(TransB, B, Ldb, Pc, kc, Jc + from * nr, Math.Min((upto - from) * nr, Nc - from * nr));
                }
                // The group's full panels (all but a last one narrower than Nr at C's right edge).
                int wholePanels = Math.Min(g, (Nc - q0 * nr) / nr);
                float* nextGroup = null;
                int nextGroupFloats = 0;
                if (BPacked != null && TKernel.PrefetchLines(kc) > 0 && (long)K * NPadded > PrefetchAboveFloats)
                    nextGroup = NextPackedGroup(q0 + g, panelStart, panelEnd, group, out nextGroupFloats);
                // A narrow right edge in this group, A packed: its column strip for as many full row tiles as the strip
                // kernel takes at once, after the tiles (RunStrip); the rest tile by tile.
                int stripPanel = -1, stripRows = 0;
                if (TKernel.StripColumns > 0 && inPlaceRows == 0 && wholePanels < g)
                {
                    int edgeCols = Nc - (q0 + wholePanels) * nr, step = TKernel.StripTiles(edgeCols);
                    if (edgeCols <= TKernel.StripColumns && mc / mr >= step)
                    {
                        stripPanel = wholePanels;
                        stripRows = mc / mr / step * step * mr;
                    }
                }
                for (int ir = 0; ir < mc; ir += mr)
                {
                    int nrows = Math.Min(mr, mc - ir);
                    bool inPlace = ir < inPlaceRows;
                    float* ap = inPlace ? A + (i0 + ir) * Lda + Pc : aPack + (nint)ir * kc;
                    int qFirst = 0;
                    if (nrows == mr && wholePanels > 0 && TKernel.StoresColumns)
                    {
                        // Full tiles in one kernel call (the epilogue in registers), the group's panels being consecutive; they
                        // prefetch what comes next from L3 or memory (PrefetchRange).
                        var (prefetch, prefetchLast) = PrefetchRange(ir, mc, kc, wholePanels, q0 == panelStart, aPack, i0, nextGroup, nextGroupFloats);
                        fixed (GemmEpilogue* e = &Epilogue)
                            TKernel.RunPanels(kc, ap, Lda, inPlace, panels[0], wholePanels, C + Jc + q0 * nr + (i0 + ir) * ldc, ldc, alpha, beta,
                                finish ? e : null, i0 + ir, Jc + q0 * nr, addAfter, prefetch, prefetchLast);
                        qFirst = wholePanels;
                    }
                    for (int qi = qFirst; qi < g; qi++)
                    {
                        if (qi == stripPanel && ir < stripRows) continue;
                        int jr = (q0 + qi) * nr, ncols = Math.Min(nr, Nc - jr);
                        float* bp = panels[qi];
                        float* cp = C + Jc + jr + (i0 + ir) * ldc;
                        if (nrows == mr && ncols == nr)
                        {
                            // A full tile here means a kernel without RunPanels (StoresColumns took every full tile above).
                            if (finish && !inPlace)
                            {
                                // The epilogue in the kernel's registers (bitwise Run + Finish).
                                TKernel.RunEpilogue(kc, ap, bp, cp, ldc, alpha, beta, Epilogue, i0 + ir, Jc + jr, addAfter);
                                continue;
                            }
                            Full(inPlace, kc, ap, Lda, bp, cp, ldc, alpha, beta);
                        }
                        else if (nrows < mr && TKernel.StoresColumns && !inPlace)
                        {
                            // A bottom-edge tile: its rows only, stored in place, the epilogue in registers.
                            fixed (GemmEpilogue* e = &Epilogue)
                                TKernel.RunBottom(kc, ap, bp, cp, ldc, alpha, beta, finish ? e : null, i0 + ir, Jc + jr, addAfter, nrows, ncols);
                            continue;
                        }
                        else if (ncols * 2 <= nr && nrows == mr && TKernel.StoresColumns && (finish || ncols * 2 < nr))
                        {
                            // A narrow right-edge tile: the left half's kernel stores its columns in place, masked, the
                            // epilogue in registers.
                            fixed (GemmEpilogue* e = &Epilogue)
                                TKernel.RunColumns(kc, ap, Lda, inPlace, bp, cp, ldc, alpha, beta, finish ? e : null, i0 + ir, Jc + jr, addAfter, ncols);
                            continue;
                        }
                        else if (ncols * 2 <= nr)
                        {
                            if (nrows == mr && ncols * 2 == nr)
                            {
                                Half(inPlace, kc, ap, Lda, bp, cp, ldc, alpha, beta);
                            }
                            else
                            {
                                Half(inPlace, kc, ap, Lda, bp, tile, nr, 1f, 0f);
                                GemmTile.Store(tile, nr, nrows, ncols, cp, ldc, alpha, beta);
                            }
                        }
                        else if (nrows == mr && TKernel.StoresColumns)
                        {
                            // A right-edge tile stored in place, masked, the epilogue in registers.
                            fixed (GemmEpilogue* e = &Epilogue)
                                TKernel.RunColumns(kc, ap, Lda, inPlace, bp, cp, ldc, alpha, beta, finish ? e : null, i0 + ir, Jc + jr, addAfter, ncols);
                            continue;
                        }
                        else
                        {
                            Full(inPlace, kc, ap, Lda, bp, tile, nr, 1f, 0f);
                            GemmTile.Store(tile, nr, nrows, ncols, cp, ldc, alpha, beta);
                        }
                        if (finish) Epilogue.Finish(i0 + ir, Jc + jr, nrows, ncols, cp, ldc, addAfter);
                    }
                }
                if (stripPanel >= 0)
                {
                    int jr = (q0 + stripPanel) * nr;
                    fixed (GemmEpilogue* e = &Epilogue)
                        TKernel.RunStrip(kc, aPack, stripRows / mr, panels[stripPanel], C + Jc + jr + i0 * ldc, ldc, alpha, beta, finish ? e : null,
                            i0, Jc + jr, addAfter, Nc - jr);
                }
            }
        }
    }
}
