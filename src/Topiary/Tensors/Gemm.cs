// Gemm: the public entry point of single-precision matrix multiply.
//   C[m,n] = alpha * op(A)[m,k] * op(B)[k,n] + beta * C[m,n]
// op(X) is X or Xᵀ. Row-major storage with leading dimensions lda, ldb, ldc.
// Validates, picks the widest SIMD tier the hardware accelerates and a thread count (serial below
// ParallelThreshold multiply-adds), then runs the packed, register-blocked GemmDriver with that
// tier's micro-kernel. Results are bitwise independent of the thread count. GemmReference is the
// scalar twin used as the test oracle and benchmark baseline.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Topiary.Tensors;

/// <summary>Single-precision general matrix multiply (row-major, BLAS-like contract).</summary>
public static partial class Gemm
{
    /// <summary>Problems with fewer multiply-adds (m·n·k) than this run on one thread.</summary>
    internal const long ParallelThreshold = 1L << 22;

    /// <summary>Weights (n·k) from which a single-row product splits its rows between threads: a megabyte of weights
    /// is read from memory in tens of microseconds, far above a parallel region's cost (MobileNet-v2's and ResNet-50's
    /// classifiers, 1.3 and 2 M weights, ran on one thread below the GEMM's 4 M threshold).</summary>
    internal const long GemvParallelThreshold = 1L << 18;

    /// <summary>
    /// C = alpha·op(A)·op(B) + beta·C, with op(A) of shape [m,k] and op(B) of shape [k,n], row-major.
    /// When <paramref name="beta"/> is 0, C is overwritten (NaNs in C do not propagate).
    /// Large problems use up to <see cref="Threading.MaxDegreeOfParallelism"/> threads; the result is
    /// bitwise the same for any thread count.
    /// </summary>
    /// <exception cref="ArgumentException">A dimension is negative, a leading dimension is too small, or a span is too short.</exception>
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        if (m == 1 && (!transA || lda == 1) && k > 0)
        {
            // A single row (batch-1 inference): packing B would cost more than the product itself.
            Validate(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
            if (transB && (long)n * k >= GemvParallelThreshold && Threading.MaxDegreeOfParallelism > 1 && n >= 64)
                GemvRowsParallel(n, k, alpha, a[..k], b, ldb, beta, c[..n], Threading.MaxDegreeOfParallelism);
            else
                Gemv(transB, n, k, alpha, a[..k], b, ldb, beta, c[..n]);
            return;
        }
        int threads = (long)m * n * k >= ParallelThreshold ? Threading.MaxDegreeOfParallelism : 1;
        Sgemm(GemmTiers.Best, threads, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }

    // Four dot products at a time: each 16-float chunk of a is loaded once and multiplied into four rows
    // of B (batch-1 Linear: W[out, in]·x), so the loads of x and the per-call overhead are shared. Returns the
    // number of rows done (a multiple of 4); the caller finishes the rest.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int DotRows4(int n, int k, ReadOnlySpan<float> a, ReadOnlySpan<float> b, int ldb, float alpha, float beta, Span<float> c)
    {
        ref float x = ref MemoryMarshal.GetReference(a);
        ref float b0 = ref MemoryMarshal.GetReference(b);
        int full = k & ~15, j = 0;
        for (; j + 4 <= n; j += 4)
        {
            ref float r0 = ref Unsafe.Add(ref b0, (nint)j * ldb);
            ref float r1 = ref Unsafe.Add(ref r0, ldb);
            ref float r2 = ref Unsafe.Add(ref r1, ldb);
            ref float r3 = ref Unsafe.Add(ref r2, ldb);
            Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default;
            for (int p = 0; p < full; p += 16)
            {
                var xv = Vector512.LoadUnsafe(ref x, (nuint)p);
                s0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref r0, (nuint)p), xv, s0);
                s1 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref r1, (nuint)p), xv, s1);
                s2 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref r2, (nuint)p), xv, s2);
                s3 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref r3, (nuint)p), xv, s3);
            }
            float d0 = Vector512.Sum(s0), d1 = Vector512.Sum(s1), d2 = Vector512.Sum(s2), d3 = Vector512.Sum(s3);
            for (int p = full; p < k; p++)
            {
                float xp = Unsafe.Add(ref x, p);
                d0 += Unsafe.Add(ref r0, p) * xp;
                d1 += Unsafe.Add(ref r1, p) * xp;
                d2 += Unsafe.Add(ref r2, p) * xp;
                d3 += Unsafe.Add(ref r3, p) * xp;
            }
            Store(c, j, alpha * d0, beta);
            Store(c, j + 1, alpha * d1, beta);
            Store(c, j + 2, alpha * d2, beta);
            Store(c, j + 3, alpha * d3, beta);
        }
        return j;

        static void Store(Span<float> c, int i, float v, float beta) => c[i] = beta == 0 ? v : v + beta * c[i];
    }

    // c[j] = alpha·(a · B[j,:]) + beta·c[j] for the n rows of B [n, k].
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void GemvRows(int n, int k, float alpha, ReadOnlySpan<float> a, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c)
    {
        int j = Vector512.IsHardwareAccelerated && k >= 16 ? DotRows4(n, k, a, b, ldb, alpha, beta, c) : 0;
        for (; j < n; j++)
        {
            float dot = alpha * TensorPrimitives.Dot(a, b.Slice(j * ldb, k));
            c[j] = beta == 0 ? dot : dot + beta * c[j];
        }
    }

    // A large batch-1 product is bound by reading B: its rows are split into one contiguous range per thread (multiples
    // of 4, so every row is computed exactly as in the serial call: the same bits for any thread count).
    internal static unsafe void GemvRowsParallel(int n, int k, float alpha, ReadOnlySpan<float> a, ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int threads)
    {
        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
        {
            nint ia = (nint)pa, ib = (nint)pb, ic = (nint)pc;
            long bLength = b.Length;
            Threading.For(0, threads, threads, t =>
            {
                int r0 = n / 4 * t / threads * 4, r1 = t == threads - 1 ? n : n / 4 * (t + 1) / threads * 4;
                if (r1 <= r0) return;
                long start = (long)r0 * ldb, end = Math.Min(bLength, (long)(r1 - 1) * ldb + k);
                GemvRows(r1 - r0, k, alpha, new ReadOnlySpan<float>((float*)ia, k), new ReadOnlySpan<float>((float*)ib + start, (int)(end - start)),
                    ldb, beta, new Span<float>((float*)ic + r0, r1 - r0));
            });
        }
    }

    // c[1,n] = alpha·a[1,k]·op(B) + beta·c. transB: B is [n,k] → one dot product per output; otherwise B is
    // [k,n] → c accumulates a[p]·B[p,:] row by row, skipping zero inputs (post-ReLU activations often are).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Gemv(bool transB, int n, int k, float alpha, ReadOnlySpan<float> a, ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c)
    {
        if (transB)
        {
            GemvRows(n, k, alpha, a, b, ldb, beta, c);
            return;
        }
        if (beta == 0) c.Clear();
        else if (beta != 1) TensorPrimitives.Multiply(c, beta, c);
        for (int p = 0; p < k; p++)
        {
            float ap = alpha * a[p];
            if (ap != 0) TensorPrimitives.MultiplyAdd(b.Slice(p * ldb, n), ap, c, c);
        }
    }

    /// <summary>
    /// As the public overload with an explicit SIMD tier and thread count (tests force lower tiers and
    /// thread counts; benchmarks compare them).
    /// </summary>
    /// <exception cref="ArgumentException">As the public overload; also an unsupported tier or threads &lt; 1.</exception>
    internal static unsafe void Sgemm(GemmTier tier, int threads, bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        Validate(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        if (!GemmTiers.IsSupported(tier))
            throw new ArgumentException($"GEMM tier {tier} is not hardware-accelerated on this machine.", nameof(tier));
        if (threads < 1)
            throw new ArgumentException($"GEMM thread count must be at least 1 (was {threads}).", nameof(threads));
        if (m == 0 || n == 0) return;

        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
            Run(tier, threads, transA, transB, m, n, k, alpha, pa, lda, pb, ldb, default, beta, pc, ldc);
    }

    // C = beta·C when there is no product (k = 0 or alpha = 0), else the tier's driver on op(A) and op(B) — B read from
    // pb, or packed panel by panel from `source` when it is set.
    private static unsafe void Run(GemmTier tier, int threads, bool transA, bool transB, int m, int n, int k, float alpha, float* pa, int lda,
        float* pb, int ldb, GemmBSource source, float beta, float* pc, int ldc)
    {
        if (k == 0 || alpha == 0)
        {
            ScaleC(m, n, beta, pc, ldc);
            return;
        }
        switch (tier)
        {
            case GemmTier.Vector512: GemmDriver<GemmKernel512>.Run(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc, threads, bSource: source); break;
            case GemmTier.Vector256: GemmDriver<GemmKernel256>.Run(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc, threads, bSource: source); break;
            case GemmTier.Vector128: GemmDriver<GemmKernel128>.Run(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc, threads, bSource: source); break;
            default: GemmDriver<GemmKernelScalar>.Run(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc, threads, bSource: source); break;
        }
    }

    /// <summary>C = beta·C (C = 0 when beta is 0): the whole product when k = 0 or alpha = 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void ScaleC(int m, int n, float beta, float* c, nint ldc)
    {
        for (int i = 0; i < m; i++)
        {
            var row = new Span<float>(c + i * ldc, n);
            if (beta == 0) row.Clear();
            else if (beta != 1) TensorPrimitives.Multiply(row, beta, row);
        }
    }

    /// <summary>
    /// op(B) [k, n] (B is [n, k] when <paramref name="transB"/>) packed once for <paramref name="tier"/>'s micro-kernel:
    /// products with it (<see cref="Sgemm(int, bool, int, float, ReadOnlySpan{float}, int, GemmPackedB, float, Span{float}, int, GemmEpilogue)"/>)
    /// skip packing B and give the same bits as with the unpacked matrix — unless <paramref name="oneKBlock"/>: then k
    /// is one K block (for a batch read in place, at most OneKBlockMax deep: no partial sums of C written and re-read,
    /// one kernel call per tile; the sums run in another order than the unpacked product's).
    /// </summary>
    /// <exception cref="ArgumentException">A dimension is negative, ldb too small, the span too short, or an unsupported tier.</exception>
    internal static GemmPackedB PackB(bool transB, int n, int k, ReadOnlySpan<float> b, int ldb, GemmTier? tier = null, bool oneKBlock = false)
    {
        var t = tier ?? GemmTiers.Best;
        Validate(false, transB, 1, n, k, k, k, b.Length, ldb, n, n);
        if (!GemmTiers.IsSupported(t)) throw new ArgumentException($"GEMM tier {t} is not hardware-accelerated on this machine.", nameof(tier));
        var (nr, kcBlock, data) = PackPanels(t, PackedOperand.B, transB, n, k, b, ldb, oneKBlock && k <= OneKBlockMax ? k : 0);
        return new GemmPackedB(t, k, n, nr, kcBlock, data);
    }

    /// <summary>The deepest single K block PackB makes: eight rows of A read in place (32 KB) fit L1 beside B's stream.</summary>
    internal const int OneKBlockMax = 1024;

    /// <summary>
    /// C = alpha·op(A)·B + beta·C with B pre-packed (<see cref="PackB"/>); A is [m, k] (or [k, m] when transA). With an
    /// <paramref name="epilogue"/> that has a residual or bias, C = clamp(init + alpha·op(A)·B) (beta is ignored), as
    /// for a pre-packed A.
    /// </summary>
    /// <exception cref="ArgumentException">A span is too short, a leading dimension too small, or threads &lt; 1.</exception>
    internal static unsafe void Sgemm(int threads, bool transA, int m, float alpha, ReadOnlySpan<float> a, int lda, GemmPackedB b,
        float beta, Span<float> c, int ldc, GemmEpilogue epilogue = default)
    {
        ArgumentNullException.ThrowIfNull(b);
        if (epilogue.StartsFromInit) beta = 1f;
        int n = b.N, k = b.K;
        Validate(transA, false, m, n, k, a.Length, lda, k * n, n, c.Length, ldc);
        if (threads < 1) throw new ArgumentException($"GEMM thread count must be at least 1 (was {threads}).", nameof(threads));
        if (m == 0 || n == 0) return;
        fixed (float* pa = a)
        fixed (float* pb = b.Data)
        fixed (float* pc = c)
        {
            if (k == 0 || alpha == 0)
            {
                EpilogueAlone(m, n, beta, pc, ldc, epilogue);
                return;
            }
            switch (b.Tier)
            {
                case GemmTier.Vector512: GemmDriver<GemmKernel512>.Run(transA, false, m, n, k, alpha, pa, lda, null, n, beta, pc, ldc, threads, pb, null, epilogue, b.KcBlock); break;
                case GemmTier.Vector256: GemmDriver<GemmKernel256>.Run(transA, false, m, n, k, alpha, pa, lda, null, n, beta, pc, ldc, threads, pb, null, epilogue, b.KcBlock); break;
                case GemmTier.Vector128: GemmDriver<GemmKernel128>.Run(transA, false, m, n, k, alpha, pa, lda, null, n, beta, pc, ldc, threads, pb, null, epilogue, b.KcBlock); break;
                default: GemmDriver<GemmKernelScalar>.Run(transA, false, m, n, k, alpha, pa, lda, null, n, beta, pc, ldc, threads, pb, null, epilogue, b.KcBlock); break;
            }
        }
    }

    // No product (k = 0 or alpha = 0): C = init (the epilogue's residual + bias) or beta·C, then the clamp.
    private static unsafe void EpilogueAlone(int m, int n, float beta, float* pc, int ldc, in GemmEpilogue epilogue)
    {
        if (epilogue.StartsFromInit) epilogue.Initialise(0, 0, m, n, pc, ldc);
        else ScaleC(m, n, beta, pc, ldc);
        if (epilogue.AddsLast && epilogue.Initialises) epilogue.Finish(0, 0, m, n, pc, ldc, addInitial: true);
        else if (epilogue.Clamps) epilogue.ApplyClamp(m, n, pc, ldc);
    }

    /// <summary>
    /// op(A) [m, k] (A is [k, m] when <paramref name="transA"/>) packed once for <paramref name="tier"/>'s micro-kernel:
    /// products with it (<see cref="Sgemm(int, GemmPackedA, bool, int, float, ReadOnlySpan{float}, int, float, Span{float}, int)"/>)
    /// skip packing A and give the same bits as with the unpacked matrix.
    /// </summary>
    /// <remarks><paramref name="into"/>: an operand of the same tier and shape whose panels are overwritten (a weight
    /// packed again after each update) instead of new ones allocated; it is returned.</remarks>
    /// <exception cref="ArgumentException">A dimension is negative, lda too small, the span too short, or an unsupported tier.</exception>
    internal static GemmPackedA PackA(bool transA, int m, int k, ReadOnlySpan<float> a, int lda, GemmTier? tier = null, GemmPackedA? into = null)
    {
        var t = tier ?? GemmTiers.Best;
        Validate(transA, false, m, 1, k, a.Length, lda, k, 1, m, 1);
        if (!GemmTiers.IsSupported(t)) throw new ArgumentException($"GEMM tier {t} is not hardware-accelerated on this machine.", nameof(tier));
        bool reuse = into is not null && into.Tier == t && into.M == m && into.K == k;
        var (mr, kcBlock, data) = PackPanels(t, PackedOperand.A, transA, m, k, a, lda, into: reuse ? into!.Data : null);
        return reuse ? into! : new GemmPackedA(t, m, k, mr, kcBlock, data);
    }

    private enum PackedOperand
    {
        A,
        B,
    }

    // The whole operand packed once for tier t's kernel: `count` rows of A (micro-panels of Mr) or columns of B
    // (micro-panels of Nr) over k, in pinned memory; returns the panel width and the kc block with the data.
    // into: a pinned array of the operand's packed size to overwrite (same tier, count and k), or null for a new one.
    private static (int Width, int KcBlock, float[] Data) PackPanels(GemmTier t, PackedOperand operand, bool trans, int count, int k,
        ReadOnlySpan<float> source, int ld, int kcBlock = 0, float[]? into = null) => t switch
    {
        GemmTier.Vector512 => PackPanels<GemmKernel512>(operand, trans, count, k, source, ld, kcBlock, into),
        GemmTier.Vector256 => PackPanels<GemmKernel256>(operand, trans, count, k, source, ld, kcBlock, into),
        GemmTier.Vector128 => PackPanels<GemmKernel128>(operand, trans, count, k, source, ld, kcBlock, into),
        _ => PackPanels<GemmKernelScalar>(operand, trans, count, k, source, ld, kcBlock, into),
    };

    private static unsafe (int Width, int KcBlock, float[] Data) PackPanels<TKernel>(PackedOperand operand, bool trans, int count, int k,
        ReadOnlySpan<float> source, int ld, int kcBlock, float[]? into) where TKernel : struct, IGemmKernel
    {
        if (kcBlock <= 0) kcBlock = GemmDriver<TKernel>.KcBlock(Math.Max(k, 1));
        int width = operand == PackedOperand.A ? TKernel.Mr : TKernel.Nr;
        // The padding lanes of a reused array are zero from its allocation: packing writes only real rows or columns.
        var data = into ?? GC.AllocateArray<float>(Math.Max(1, k * ((count + width - 1) / width * width)), pinned: true);
        if (count > 0 && k > 0)
            fixed (float* src = source)
            fixed (float* dest = data)
            {
                if (operand == PackedOperand.A) GemmDriver<TKernel>.PackAll(trans, count, k, src, ld, dest);
                else GemmDriver<TKernel>.Pack(trans, count, k, src, ld, dest, kcBlock);
            }
        return (width, kcBlock, data);
    }

    /// <summary>C = alpha·A·op(B) + beta·C with A pre-packed (<see cref="PackA"/>); B is [k, n] (or [n, k] when transB).</summary>
    /// <exception cref="ArgumentException">A span is too short, a leading dimension too small, or threads &lt; 1.</exception>
    internal static void Sgemm(int threads, GemmPackedA a, bool transB, int n, float alpha, ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc) => Sgemm(threads, a, transB, n, alpha, b, ldb, beta, c, ldc, default);

    /// <summary>
    /// C = clamp(init + alpha·A·op(B)) with A pre-packed, where init is the epilogue's residual + bias (then
    /// <paramref name="beta"/> is ignored: the product accumulates onto init), or beta·C when it has neither.
    /// </summary>
    /// <exception cref="ArgumentException">A span is too short, a leading dimension too small, or threads &lt; 1.</exception>
    internal static unsafe void Sgemm(int threads, GemmPackedA a, bool transB, int n, float alpha, ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc, GemmEpilogue epilogue)
    {
        if (epilogue.StartsFromInit) beta = 1f;
        ArgumentNullException.ThrowIfNull(a);
        int m = a.M, k = a.K;
        Validate(false, transB, m, n, k, m * k, Math.Max(1, k), b.Length, ldb, c.Length, ldc);
        if (threads < 1) throw new ArgumentException($"GEMM thread count must be at least 1 (was {threads}).", nameof(threads));
        if (m == 0 || n == 0) return;
        fixed (float* pb = b)
        fixed (float* pc = c)
            RunPackedA(threads, a, transB, n, alpha, pb, ldb, default, beta, pc, ldc, epilogue);
    }

    /// <summary>
    /// As the packed-A overload with epilogue, B [k, n] packed panel by panel from <paramref name="b"/> (an image read as
    /// its im2col column matrix: <see cref="Im2ColPanels"/>) instead of read from a matrix.
    /// </summary>
    /// <exception cref="ArgumentException">C is too short, its leading dimension too small, the source not set, or threads &lt; 1.</exception>
    internal static unsafe void Sgemm(int threads, GemmPackedA a, int n, float alpha, GemmBSource b, float beta, Span<float> c, int ldc,
        GemmEpilogue epilogue)
    {
        if (epilogue.StartsFromInit) beta = 1f;
        ArgumentNullException.ThrowIfNull(a);
        if (!b.IsSet) throw new ArgumentException("GEMM B source is not set.", nameof(b));
        if (n < 0) throw new ArgumentException($"GEMM dimensions must be non-negative (n={n}).", nameof(n));
        CheckOperand("C", a.M, n, c.Length, ldc);
        if (threads < 1) throw new ArgumentException($"GEMM thread count must be at least 1 (was {threads}).", nameof(threads));
        if (a.M == 0 || n == 0) return;
        fixed (float* pc = c)
            RunPackedA(threads, a, false, n, alpha, null, Math.Max(1, n), b, beta, pc, ldc, epilogue);
    }

    /// <summary>
    /// C = alpha·op(A)·B + beta·C with B [k, n] packed panel by panel from <paramref name="b"/> (an image read as the
    /// transpose of its im2col matrix: <see cref="Im2ColPanels"/>) instead of read from a matrix; <paramref name="tier"/>:
    /// the micro-kernel (default the best this host runs).
    /// </summary>
    /// <exception cref="ArgumentException">A or C is too short, a leading dimension too small, the source not set, threads &lt; 1, or an unsupported tier.</exception>
    internal static unsafe void Sgemm(int threads, bool transA, int m, int n, int k, float alpha, ReadOnlySpan<float> a, int lda,
        GemmBSource b, float beta, Span<float> c, int ldc, GemmTier? tier = null)
    {
        var t = tier ?? GemmTiers.Best;
        if (!GemmTiers.IsSupported(t)) throw new ArgumentException($"GEMM tier {t} is not hardware-accelerated on this machine.", nameof(tier));
        if (!b.IsSet) throw new ArgumentException("GEMM B source is not set.", nameof(b));
        if (m < 0 || n < 0 || k < 0) throw new ArgumentException($"GEMM dimensions must be non-negative (m={m}, n={n}, k={k}).");
        CheckOperand("A", transA ? k : m, transA ? m : k, a.Length, lda);
        CheckOperand("C", m, n, c.Length, ldc);
        if (threads < 1) throw new ArgumentException($"GEMM thread count must be at least 1 (was {threads}).", nameof(threads));
        if (m == 0 || n == 0) return;
        fixed (float* pa = a)
        fixed (float* pc = c)
            Run(t, threads, transA, false, m, n, k, alpha, pa, lda, null, Math.Max(1, n), b, beta, pc, ldc);
    }

    private static unsafe void RunPackedA(int threads, GemmPackedA a, bool transB, int n, float alpha, float* pb, int ldb, GemmBSource source,
        float beta, float* pc, int ldc, GemmEpilogue epilogue)
    {
        int m = a.M, k = a.K;
        if (k == 0 || alpha == 0)
        {
            EpilogueAlone(m, n, beta, pc, ldc, epilogue);
            return;
        }
        fixed (float* pa = a.Data)
            switch (a.Tier)
            {
                case GemmTier.Vector512: GemmDriver<GemmKernel512>.Run(false, transB, m, n, k, alpha, null, k, pb, ldb, beta, pc, ldc, threads, null, pa, epilogue, 0, source); break;
                case GemmTier.Vector256: GemmDriver<GemmKernel256>.Run(false, transB, m, n, k, alpha, null, k, pb, ldb, beta, pc, ldc, threads, null, pa, epilogue, 0, source); break;
                case GemmTier.Vector128: GemmDriver<GemmKernel128>.Run(false, transB, m, n, k, alpha, null, k, pb, ldb, beta, pc, ldc, threads, null, pa, epilogue, 0, source); break;
                default: GemmDriver<GemmKernelScalar>.Run(false, transB, m, n, k, alpha, null, k, pb, ldb, beta, pc, ldc, threads, null, pa, epilogue, 0, source); break;
            }
    }

    internal static void Validate(bool transA, bool transB, int m, int n, int k,
        int aLength, int lda, int bLength, int ldb, int cLength, int ldc)
    {
        if (m < 0 || n < 0 || k < 0)
            throw new ArgumentException($"GEMM dimensions must be non-negative (m={m}, n={n}, k={k}).");
        int aRows = transA ? k : m, aCols = transA ? m : k;
        int bRows = transB ? n : k, bCols = transB ? k : n;
        CheckOperand("A", aRows, aCols, aLength, lda);
        CheckOperand("B", bRows, bCols, bLength, ldb);
        CheckOperand("C", m, n, cLength, ldc);
    }

    private static void CheckOperand(string name, int rows, int cols, int length, int ld)
    {
        if (ld < Math.Max(1, cols))
            throw new ArgumentException($"GEMM leading dimension of {name} is {ld}; it must be at least {Math.Max(1, cols)}.");
        if (rows > 0 && cols > 0 && (long)(rows - 1) * ld + cols > length)
            throw new ArgumentException($"GEMM operand {name} ({rows}x{cols}, ld={ld}) needs {(long)(rows - 1) * ld + cols} elements; the span has {length}.");
    }
}
