// GemmReference: the plain scalar twin of Gemm. Obviously correct, slow; the oracle for tests
// and the baseline for benchmarks. Accumulates in double to be a trustworthy reference.
using System.Runtime.CompilerServices;

namespace Topiary.Tensors;

/// <summary>Scalar reference SGEMM (same contract as <c>Gemm.Sgemm</c>).</summary>
public static class GemmReference
{
    /// <summary>C = alpha·op(A)·op(B) + beta·C computed with scalar double accumulation.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++)
                {
                    float av = transA ? a[p * lda + i] : a[i * lda + p];
                    float bv = transB ? b[j * ldb + p] : b[p * ldb + j];
                    sum += (double)av * bv;
                }
                float prev = beta == 0 ? 0 : beta * c[i * ldc + j];
                c[i * ldc + j] = (float)(alpha * sum) + prev;
            }
        }
    }
}
