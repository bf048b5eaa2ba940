// CsrKernels: CSR products generic over the column-index type (int for Csr, ushort for Csr16), used by
// CsrWeight and Csr16Weight.
//   Batch 1 (and n < 4): per row, AVX2 gathers of 8 x values (16-bit indices are zero-extended with one
//   vpmovzxwd) into two accumulators, two rows in flight; short rows and non-AVX2 hardware run a 4-way scalar loop.
//   n ≥ 4: a block of 8 examples is transposed (xt[c·8 + e] = X[e, c]) so each non-zero is one 8-wide FMA.
//   Columns (conv): per row, one axpy over p for every non-zero.
// Summation order depends only on shapes and the hardware tier (deterministic).
using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Topiary.Runtime.Sparse;

/// <summary>Vectorised CSR products over pinned arrays.</summary>
internal static unsafe class CsrKernels
{
    private const int Block = 8;

    /// <summary>Y[i, r] = act(Σ_j v[j]·X[i, ci[j]] + bias[r]) over row r's entries; x [n, cols], y [n, rows].</summary>
    public static void Multiply<TIndex>(float* v, TIndex* ci, int* rp, int rows, int cols, float* x, int n, float* y, float* bias, bool relu)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
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
                    if (nb < Block) new Span<float>(pt, cols * Block).Clear();
                    for (int e = 0; e < nb; e++)
                    {
                        float* row = x + (nint)(i0 + e) * cols;
                        for (int c = 0; c < cols; c++) pt[c * Block + e] = row[c];
                    }
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
                        if (relu) acc0 = Vector256.Max(acc0, Vector256<float>.Zero);
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

    /// <summary>C[r, 0..p) = act(Σ_j v[j]·B[ci[j], 0..p) + bias[r]).</summary>
    public static void MultiplyColumns<TIndex>(float[] v, TIndex[] ci, int[] rp, int rows, ReadOnlySpan<float> b, int ldb, int p,
        Span<float> c, int ldc, ReadOnlySpan<float> bias, bool relu)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        for (int r = 0; r < rows; r++)
        {
            var dst = c.Slice(r * ldc, p);
            dst.Clear();
            for (int j = rp[r]; j < rp[r + 1]; j++)
                TensorPrimitives.MultiplyAdd(b.Slice(int.CreateTruncating(ci[j]) * ldb, p), v[j], dst, dst);
            if (!bias.IsEmpty) TensorPrimitives.Add(dst, bias[r], dst);
            if (relu) TensorPrimitives.Max(dst, 0f, dst);
        }
    }

    private static void SpMV<TIndex>(float* v, TIndex* ci, int* rp, int rows, float* x, float* y, float* bias, bool relu)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        bool gather = Avx2.IsSupported;
        for (int r = 0; r < rows; r++)
        {
            int start = rp[r], end = rp[r + 1];
            float sum = gather && end - start >= Block ? RowGather(v, ci, x, start, end) : RowScalar(v, ci, x, start, end);
            if (bias is not null) sum += bias[r];
            y[r] = relu ? Math.Max(sum, 0f) : sum;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float RowScalar<TIndex>(float* v, TIndex* ci, float* x, int start, int end)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> LoadIndices<TIndex>(TIndex* p) where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        if (typeof(TIndex) == typeof(ushort)) return Avx2.ConvertToVector256Int32((ushort*)p);
        return Avx.LoadVector256((int*)p);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float RowGather<TIndex>(float* v, TIndex* ci, float* x, int start, int end)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        var acc0 = Vector256<float>.Zero;
        var acc1 = Vector256<float>.Zero;
        int j = start;
        for (; j + 2 * Block <= end; j += 2 * Block)
        {
            acc0 = Fma.MultiplyAdd(Avx.LoadVector256(v + j), Avx2.GatherVector256(x, LoadIndices(ci + j), 4), acc0);
            acc1 = Fma.MultiplyAdd(Avx.LoadVector256(v + j + Block), Avx2.GatherVector256(x, LoadIndices(ci + j + Block), 4), acc1);
        }
        if (j + Block <= end)
        {
            acc0 = Fma.MultiplyAdd(Avx.LoadVector256(v + j), Avx2.GatherVector256(x, LoadIndices(ci + j), 4), acc0);
            j += Block;
        }
        float sum = Vector256.Sum(acc0 + acc1);
        for (; j < end; j++) sum += v[j] * x[nint.CreateTruncating(ci[j])];
        return sum;
    }
}
