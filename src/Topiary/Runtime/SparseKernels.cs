// SparseKernels: CSR matrix products for pruned inference, each with a plain scalar twin (test oracle and
// benchmark baseline).
//   SpMV  y[r]    = Σ_j A[r, j]·x[j]                       A [rows, cols], x [cols], y [rows]
//   SpMM  Y[i, r] = Σ_j X[i, j]·A[r, j]   (Y = X·Aᵀ)        X [n, cols], Y [n, rows] — the Linear layout
//   CsrTimesDense  C[r, p] = Σ_j A[r, j]·B[j, p]           B [cols, p] (row stride ldb), C [rows, p] (internal; sparse conv)
// Vectorised paths: SpMV gathers 8 x values per step with AVX2 (Avx2.GatherVector256; .NET exposes no
// 512-bit float gather) and two accumulators; SpMM transposes a block of 8 examples so every non-zero is one
// 8-wide multiply-add across the block. Remainders run scalar. Summation order depends only on the shapes and
// the hardware tier, never on timing, so results are deterministic; vector and scalar twins agree up to
// rounding (different summation order). Optional bias (added after the sum) and ReLU (max(v, 0), NaN kept)
// are fused for the inference plan.
using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Topiary.Runtime;

/// <summary>Sparse (CSR) × dense kernels with scalar twins.</summary>
public static class SparseKernels
{
    private const int Block = 8;

    /// <summary>y = A·x. A [rows, cols], x [cols], y [rows] (overwritten).</summary>
    /// <exception cref="ArgumentException">A span is shorter than the matrix shape requires.</exception>
    public static void SpMV(CsrMatrix a, ReadOnlySpan<float> x, Span<float> y)
    {
        ArgumentNullException.ThrowIfNull(a);
        CheckLength(nameof(x), x.Length, a.Cols);
        CheckLength(nameof(y), y.Length, a.Rows);
        SpMVFused(a, x, y, default, false);
    }

    /// <summary>
    /// y = A·x computed column by column from <paramref name="transposed"/> = Aᵀ in CSR (i.e. A in CSC): for every
    /// non-zero input x[j], y += x[j]·A[:, j]. Work is proportional to nnz(A) × the input's density, so sparse
    /// activations (MNIST pixels, post-ReLU features) skip whole columns — EIE's dataflow. Overwrites y.
    /// </summary>
    /// <exception cref="ArgumentException">A span is shorter than the matrix shape requires.</exception>
    public static void SpMVColumns(CsrMatrix transposed, ReadOnlySpan<float> x, Span<float> y)
    {
        ArgumentNullException.ThrowIfNull(transposed);
        CheckLength(nameof(x), x.Length, transposed.Rows);
        CheckLength(nameof(y), y.Length, transposed.Cols);
        float[] v = transposed.Values;
        int[] ri = transposed.ColumnIndices, cp = transposed.RowPointers;
        y[..transposed.Cols].Clear();
        for (int j = 0; j < transposed.Rows; j++)
        {
            float xj = x[j];
            if (xj == 0) continue;
            for (int k = cp[j], end = cp[j + 1]; k < end; k++) y[ri[k]] += v[k] * xj;
        }
    }

    /// <summary>The scalar twin of <see cref="SpMV"/>: y = A·x, one row at a time in storage order.</summary>
    /// <exception cref="ArgumentException">A span is shorter than the matrix shape requires.</exception>
    public static void SpMVScalar(CsrMatrix a, ReadOnlySpan<float> x, Span<float> y)
    {
        ArgumentNullException.ThrowIfNull(a);
        CheckLength(nameof(x), x.Length, a.Cols);
        CheckLength(nameof(y), y.Length, a.Rows);
        float[] v = a.Values;
        int[] ci = a.ColumnIndices, rp = a.RowPointers;
        for (int r = 0; r < a.Rows; r++)
        {
            float sum = 0;
            for (int j = rp[r]; j < rp[r + 1]; j++) sum += v[j] * x[ci[j]];
            y[r] = sum;
        }
    }

    /// <summary>
    /// Y = X·Aᵀ for a batch: X [n, cols] row-major (rows are examples), Y [n, rows] (overwritten).
    /// This is <c>Linear</c>'s layout with weight A.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="n"/> is negative or a span is too short.</exception>
    public static void SpMM(CsrMatrix a, ReadOnlySpan<float> x, int n, Span<float> y)
    {
        ArgumentNullException.ThrowIfNull(a);
        CheckBatch(a, x.Length, n, y.Length);
        SpMMFused(a, x, n, y, default, false);
    }

    /// <summary>The scalar twin of <see cref="SpMM"/>: <see cref="SpMVScalar"/> for each example row.</summary>
    /// <exception cref="ArgumentException"><paramref name="n"/> is negative or a span is too short.</exception>
    public static void SpMMScalar(CsrMatrix a, ReadOnlySpan<float> x, int n, Span<float> y)
    {
        ArgumentNullException.ThrowIfNull(a);
        CheckBatch(a, x.Length, n, y.Length);
        for (int i = 0; i < n; i++)
            SpMVScalar(a, x.Slice(i * a.Cols, a.Cols), y.Slice(i * a.Rows, a.Rows));
    }

    /// <summary>y = act(A·x + bias): bias empty = none; relu = max(·, 0). Lengths are the caller's responsibility.</summary>
    internal static unsafe void SpMVFused(CsrMatrix a, ReadOnlySpan<float> x, Span<float> y, ReadOnlySpan<float> bias, bool relu)
    {
        System.Diagnostics.Debug.Assert(x.Length >= a.Cols && y.Length >= a.Rows && (bias.IsEmpty || bias.Length >= a.Rows));
        bool hasBias = !bias.IsEmpty;
        bool gather = Avx2.IsSupported;
        int rows = a.Rows;
        fixed (float* pv = a.Values)
        fixed (int* pc = a.ColumnIndices)
        fixed (int* prp = a.RowPointers)
        fixed (float* px = x)
        {
            for (int r = 0; r < rows; r++)
            {
                int start = prp[r], end = prp[r + 1];
                float sum = gather && end - start >= Block ? RowGather(pv, pc, px, start, end) : RowScalar(pv, pc, px, start, end);
                if (hasBias) sum += bias[r];
                if (relu) sum = Math.Max(sum, 0f);
                y[r] = sum;
            }
        }
    }

    /// <summary>Y = act(X·Aᵀ + bias) for n examples. Lengths are the caller's responsibility.</summary>
    internal static unsafe void SpMMFused(CsrMatrix a, ReadOnlySpan<float> x, int n, Span<float> y, ReadOnlySpan<float> bias, bool relu)
    {
        int rows = a.Rows, cols = a.Cols;
        if (n < 4 || !Vector256.IsHardwareAccelerated)
        {
            for (int i = 0; i < n; i++)
                SpMVFused(a, x.Slice(i * cols, cols), y.Slice(i * rows, rows), bias, relu);
            return;
        }
        float[] scratch = ArrayPool<float>.Shared.Rent(cols * Block);
        try
        {
            fixed (float* pv = a.Values)
            fixed (int* pc = a.ColumnIndices)
            fixed (int* prp = a.RowPointers)
            fixed (float* pt = scratch)
            {
                for (int i0 = 0; i0 < n; i0 += Block)
                {
                    int nb = Math.Min(Block, n - i0);
                    // Transpose the block: xt[c·8 + e] = X[i0 + e, c]; missing examples are zero.
                    if (nb < Block) new Span<float>(pt, cols * Block).Clear();
                    for (int e = 0; e < nb; e++)
                    {
                        var row = x.Slice((i0 + e) * cols, cols);
                        for (int c = 0; c < cols; c++) pt[c * Block + e] = row[c];
                    }
                    for (int r = 0; r < rows; r++)
                    {
                        var acc = Vector256<float>.Zero;
                        for (int j = prp[r], end = prp[r + 1]; j < end; j++)
                            acc = MultiplyAdd(Vector256.Create(pv[j]), Vector256.Load(pt + pc[j] * Block), acc);
                        if (!bias.IsEmpty) acc += Vector256.Create(bias[r]);
                        if (relu) acc = Vector256.Max(acc, Vector256<float>.Zero);
                        for (int e = 0; e < nb; e++) y[(i0 + e) * rows + r] = acc.GetElement(e);
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
    /// C[r, 0..p) = act(Σ_j A[r, j]·B[j, 0..p) + bias[r]): sparse weights times a dense column matrix
    /// (B row stride <paramref name="ldb"/>, C row stride <paramref name="ldc"/>). Each non-zero is one axpy over a row of B.
    /// </summary>
    internal static void CsrTimesDense(CsrMatrix a, ReadOnlySpan<float> b, int ldb, int p, Span<float> c, int ldc,
        ReadOnlySpan<float> bias, bool relu)
    {
        float[] v = a.Values;
        int[] ci = a.ColumnIndices, rp = a.RowPointers;
        for (int r = 0; r < a.Rows; r++)
        {
            var dst = c.Slice(r * ldc, p);
            dst.Clear();
            for (int j = rp[r]; j < rp[r + 1]; j++)
                TensorPrimitives.MultiplyAdd(b.Slice(ci[j] * ldb, p), v[j], dst, dst);
            if (!bias.IsEmpty) TensorPrimitives.Add(dst, bias[r], dst);
            if (relu) TensorPrimitives.Max(dst, 0f, dst);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe float RowScalar(float* v, int* ci, float* x, int start, int end)
    {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int j = start;
        for (; j + 4 <= end; j += 4)
        {
            s0 += v[j] * x[ci[j]];
            s1 += v[j + 1] * x[ci[j + 1]];
            s2 += v[j + 2] * x[ci[j + 2]];
            s3 += v[j + 3] * x[ci[j + 3]];
        }
        for (; j < end; j++) s0 += v[j] * x[ci[j]];
        return (s0 + s1) + (s2 + s3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe float RowGather(float* v, int* ci, float* x, int start, int end)
    {
        var acc0 = Vector256<float>.Zero;
        var acc1 = Vector256<float>.Zero;
        int j = start;
        for (; j + 2 * Block <= end; j += 2 * Block)
        {
            acc0 = MultiplyAdd(Vector256.Load(v + j), Avx2.GatherVector256(x, Vector256.Load(ci + j), 4), acc0);
            acc1 = MultiplyAdd(Vector256.Load(v + j + Block), Avx2.GatherVector256(x, Vector256.Load(ci + j + Block), 4), acc1);
        }
        if (j + Block <= end)
        {
            acc0 = MultiplyAdd(Vector256.Load(v + j), Avx2.GatherVector256(x, Vector256.Load(ci + j), 4), acc0);
            j += Block;
        }
        float sum = Vector256.Sum(acc0 + acc1);
        for (; j < end; j++) sum += v[j] * x[ci[j]];
        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) =>
        Fma.IsSupported ? Fma.MultiplyAdd(a, b, c) : a * b + c;

    private static void CheckLength(string name, int length, int needed)
    {
        if (length < needed)
            throw new ArgumentException($"Span '{name}' has {length} elements; the matrix shape needs {needed}.", name);
    }

    private static void CheckBatch(CsrMatrix a, int xLength, int n, int yLength)
    {
        if (n < 0) throw new ArgumentException($"Batch size must be non-negative (was {n}).", nameof(n));
        CheckLength("x", xLength, n * a.Cols);
        CheckLength("y", yLength, n * a.Rows);
    }
}
