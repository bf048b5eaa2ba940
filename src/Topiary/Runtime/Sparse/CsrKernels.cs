// CsrKernels: CSR products generic over the column-index type (int for Csr, ushort for Csr16) and over where the
// entries' values come from (EntryValues: floats, or codes looked up in a codebook), used by CsrWeight, Csr16Weight,
// CscColumns and, on AVX2 hosts without AVX-512, by a codebook weight's rows and columns (CodebookWeight, CodeColumns).
//   Batch 1 (and n < 4): per row, a software gather — eight x values assembled into a Vector256 with inserts (each
//   x load folds into an insert) times eight values (contiguous floats, or eight centroids assembled alike), two
//   accumulators; rows shorter than 16 and hardware without Vector256 run a 4-way scalar loop. The values and
//   column indices are prefetched PrefetchEntries entries ahead (x86): a large layer at batch 1 — AlexNet's fc6, 3.4 M
//   entries in 20 MB — streams them from memory on every call, and the hardware prefetcher, which stops at each 4 KB
//   page, left the loads waiting (fc6 from memory: 1.3–1.5x faster; BENCHMARKS.md). Only for matrices of more than
//   PrefetchAboveEntries entries: a small layer stays in the caches, and there the prefetches only cost. Measured at 300×784:
//   on Zen 4 (70 % sparse) inserts 16-20 µs, AVX2 vgatherdps 31 µs, 4-way scalar 25 µs, 4×Vector128 inserts no
//   better; on Zen 3 (92 % sparse) inserts 0.47-0.54 ns an entry, vgatherdps 0.71-0.79; so no hardware gather.
//   n ≥ 4: a block of 8 examples is transposed (xt[c·8 + e] = X[e, c]) so each non-zero is one 8-wide FMA.
//   Columns (conv): per row, one axpy over p for every non-zero.
//   MultiplySkippingZeroInputs (batch 1, from a column form: CscColumns, CodeColumns): per listed non-zero input, one
//   scalar axpy down its column, four rows an iteration.
// Summation order depends only on shapes and the hardware tier (deterministic).
using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Topiary.Tensors;

namespace Topiary.Runtime.Sparse;

/// <summary>Vectorised CSR products over pinned arrays.</summary>
internal static unsafe class CsrKernels
{
    private const int Block = 8;

    /// <summary>How far ahead of the batch-1 row kernel's entry the values and indices are prefetched (2 KB of floats).</summary>
    internal const int PrefetchEntries = 512;

    /// <summary>The batch-1 row kernel prefetches for a matrix of more stored entries than this (768 KB of CSR16, 1 MB of
    /// CSR: more than a core's L2 here), read from L3 or memory; in L2 the prefetches only cost (3–5 % at 300 × 784).</summary>
    internal const int PrefetchAboveEntries = 1 << 17;

    /// <summary>Y[i, r] = act(Σ_j A[r, j]·X[i, j] + bias[r]); x [n, Cols], y [n, Rows] (lengths checked by the caller).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Multiply<TIndex>(CsrArrays<TIndex> a, ReadOnlySpan<float> x, int n, Span<float> y, ReadOnlySpan<float> bias, bool relu)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        fixed (float* pv = a.Values)
        fixed (TIndex* pc = a.Columns)
        fixed (int* pr = a.Pointers)
        fixed (float* px = x)
        fixed (float* py = y)
        fixed (float* pb = bias)
            Multiply(new FloatEntries(pv), pc, pr, a.Rows, a.Cols, px, n, py, pb, relu);
    }

    /// <summary>C[r, 0..p) = act(Σ_j A[r, j]·B[j, 0..p) + bias[r]).</summary>
    public static void MultiplyColumns<TIndex>(CsrArrays<TIndex> a, ReadOnlySpan<float> b, int ldb, int p, Span<float> c, int ldc,
        ReadOnlySpan<float> bias, bool relu)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        fixed (float* values = a.Values)
            MultiplyColumns(new FloatEntries(values), a.Columns, a.Pointers, a.Rows, b, ldb, p, c, ldc, bias, relu);
    }

    /// <summary>
    /// C[r, 0..p) = act(Σ over row r's entries k of v[k]·B[columns[k], 0..p) + bias[r]), row r's entries
    /// [pointers[r], pointers[r + 1]): one axpy over p per entry.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void MultiplyColumns<TIndex, TValues>(TValues v, ReadOnlySpan<TIndex> columns, ReadOnlySpan<int> pointers, int rows,
        ReadOnlySpan<float> b, int ldb, int p, Span<float> c, int ldc, ReadOnlySpan<float> bias, bool relu)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        where TValues : struct, IEntryValues
    {
        for (int r = 0; r < rows; r++)
        {
            var dst = c.Slice(r * ldc, p);
            dst.Clear();
            for (int j = pointers[r]; j < pointers[r + 1]; j++)
                TensorPrimitives.MultiplyAdd(b.Slice(int.CreateTruncating(columns[j]) * ldb, p), v[j], dst, dst);
            if (!bias.IsEmpty) TensorPrimitives.Add(dst, bias[r], dst);
            if (relu) TensorPrimitives.Max(dst, 0f, dst);
        }
    }

    /// <summary>
    /// y += A·x over the inputs listed in <paramref name="nonZero"/> only, for A kept by columns: column j's entries are
    /// [pointers[j], pointers[j + 1]), entry k in row rows[k] with value values[k]; for each listed j, y += x[j]·A[:, j]
    /// (EIE's dataflow). x [cols], y [at least every stored row + 1]; the rows of a column are distinct.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MultiplySkippingZeroInputs<TIndex, TValues>(TValues values, TIndex* rows, int* pointers, int cols, float* x,
        ReadOnlySpan<int> nonZero, float* y)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        where TValues : struct, IEntryValues
    {
        foreach (int j in nonZero)
        {
            if ((uint)j >= (uint)cols) throw new ArgumentOutOfRangeException(nameof(nonZero), j, $"An input index must be in [0, {cols}).");
            float xj = x[j];
            int k = pointers[j], end = pointers[j + 1];
            for (; k + 4 <= end; k += 4) // the rows of a column are distinct: four independent updates
            {
                y[nint.CreateTruncating(rows[k])] += values[k] * xj;
                y[nint.CreateTruncating(rows[k + 1])] += values[k + 1] * xj;
                y[nint.CreateTruncating(rows[k + 2])] += values[k + 2] * xj;
                y[nint.CreateTruncating(rows[k + 3])] += values[k + 3] * xj;
            }
            for (; k < end; k++) y[nint.CreateTruncating(rows[k])] += values[k] * xj;
        }
    }

    /// <summary>
    /// Y[i, r] = act(Σ_j v[j]·X[i, ci[j]] + bias[r]) over row r's entries [rp[r], rp[r + 1]); x [n, cols], y [n, rows],
    /// bias [rows] or null.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Multiply<TIndex, TValues>(TValues v, TIndex* ci, int* rp, int rows, int cols, float* x, int n, float* y, float* bias, bool relu)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        where TValues : struct, IEntryValues
    {
        if (n < 4 || !Vector256.IsHardwareAccelerated)
        {
            for (int i = 0; i < n; i++) SpMV(v, ci, rp, rows, x + (nint)i * cols, y + (nint)i * rows, bias, relu);
            return;
        }
        float[] scratch = ArrayPool<float>.Shared.Rent(Math.Max(1, cols * Block));
        try
        {
            fixed (float* pt = scratch)
            {
                for (int i0 = 0; i0 < n; i0 += Block)
                {
                    int nb = Math.Min(Block, n - i0);
                    TransposeBlock(x, cols, i0, nb, pt);
                    for (int r = 0; r < rows; r++)
                    {
                        var acc0 = Vector256<float>.Zero;
                        var acc1 = Vector256<float>.Zero;
                        int j = rp[r], end = rp[r + 1];
                        for (; j + 2 <= end; j += 2)
                        {
                            acc0 = Vector256.FusedMultiplyAdd(Vector256.Create(v[j]), Vector256.Load(pt + nint.CreateTruncating(ci[j]) * Block), acc0);
                            acc1 = Vector256.FusedMultiplyAdd(Vector256.Create(v[j + 1]), Vector256.Load(pt + nint.CreateTruncating(ci[j + 1]) * Block), acc1);
                        }
                        if (j < end)
                            acc0 = Vector256.FusedMultiplyAdd(Vector256.Create(v[j]), Vector256.Load(pt + nint.CreateTruncating(ci[j]) * Block), acc0);
                        acc0 += acc1;
                        if (bias is not null) acc0 += Vector256.Create(bias[r]);
                        if (relu) acc0 = NativeClamp.Relu(acc0);
                        for (int e = 0; e < nb; e++) y[(nint)(i0 + e) * rows + r] = acc0.GetElement(e);
                    }
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(scratch);
        }
    }

    /// <summary>
    /// xt[c·8 + e] = X[first + e, c] for the <paramref name="count"/> ≤ 8 examples from <paramref name="first"/> of
    /// x [·, cols]; lanes past <paramref name="count"/> zero.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TransposeBlock(float* x, int cols, int first, int count, float* xt)
    {
        if (count < Block) new Span<float>(xt, cols * Block).Clear();
        for (int e = 0; e < count; e++)
        {
            float* row = x + (nint)(first + e) * cols;
            for (int c = 0; c < cols; c++) xt[c * Block + e] = row[c];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SpMV<TIndex, TValues>(TValues v, TIndex* ci, int* rp, int rows, float* x, float* y, float* bias, bool relu)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        where TValues : struct, IEntryValues
    {
        bool vector = Vector256.IsHardwareAccelerated, prefetch = Sse.IsSupported && rp[rows] - rp[0] > PrefetchAboveEntries;
        for (int r = 0; r < rows; r++)
        {
            int start = rp[r], end = rp[r + 1];
            float sum = !vector || end - start < 2 * Block ? RowScalar(v, ci, x, start, end)
                : prefetch ? RowInsert<TIndex, TValues, Ahead>(v, ci, x, start, end)
                : RowInsert<TIndex, TValues, NotAhead>(v, ci, x, start, end);
            if (bias is not null) sum += bias[r];
            y[r] = relu ? Math.Max(sum, 0f) : sum;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static float RowScalar<TIndex, TValues>(TValues v, TIndex* ci, float* x, int start, int end)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        where TValues : struct, IEntryValues
    {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int j = start;
        for (; j + 4 <= end; j += 4)
        {
            s0 += v[j] * x[nint.CreateTruncating(ci[j])];
            s1 += v[j + 1] * x[nint.CreateTruncating(ci[j + 1])];
            s2 += v[j + 2] * x[nint.CreateTruncating(ci[j + 2])];
            s3 += v[j + 3] * x[nint.CreateTruncating(ci[j + 3])];
        }
        for (; j < end; j++) s0 += v[j] * x[nint.CreateTruncating(ci[j])];
        return (s0 + s1) + (s2 + s3);
    }

    // Whether the row kernel prefetches (a JIT-time constant: each kernel is compiled with or without).
    private interface IPrefetch { static abstract bool On { get; } }
    private readonly struct Ahead : IPrefetch { public static bool On => true; }
    private readonly struct NotAhead : IPrefetch { public static bool On => false; }

    // Eight x values assembled with inserts (a software gather: one load per x folded into an insert), two accumulators.
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static float RowInsert<TIndex, TValues, TPrefetch>(TValues v, TIndex* ci, float* x, int start, int end)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        where TValues : struct, IEntryValues
        where TPrefetch : struct, IPrefetch
    {
        var acc0 = Vector256<float>.Zero;
        var acc1 = Vector256<float>.Zero;
        int j = start;
        for (; j + 2 * Block <= end; j += 2 * Block)
        {
            TIndex* c = ci + j;
            if (TPrefetch.On)
            {
                v.Prefetch(j + PrefetchEntries);
                Sse.Prefetch0(c + PrefetchEntries);
            }
            var x0 = Vector256.Create(x[nint.CreateTruncating(c[0])], x[nint.CreateTruncating(c[1])], x[nint.CreateTruncating(c[2])], x[nint.CreateTruncating(c[3])],
                x[nint.CreateTruncating(c[4])], x[nint.CreateTruncating(c[5])], x[nint.CreateTruncating(c[6])], x[nint.CreateTruncating(c[7])]);
            var x1 = Vector256.Create(x[nint.CreateTruncating(c[8])], x[nint.CreateTruncating(c[9])], x[nint.CreateTruncating(c[10])], x[nint.CreateTruncating(c[11])],
                x[nint.CreateTruncating(c[12])], x[nint.CreateTruncating(c[13])], x[nint.CreateTruncating(c[14])], x[nint.CreateTruncating(c[15])]);
            acc0 = Vector256.FusedMultiplyAdd(v.Eight(j), x0, acc0);
            acc1 = Vector256.FusedMultiplyAdd(v.Eight(j + Block), x1, acc1);
        }
        float sum = Vector256.Sum(acc0 + acc1);
        for (; j < end; j++) sum += v[j] * x[nint.CreateTruncating(ci[j])];
        return sum;
    }
}
