// Gemm: the public entry point of single-precision matrix multiply.
//   C[m,n] = alpha * op(A)[m,k] * op(B)[k,n] + beta * C[m,n]
// op(X) is X or Xᵀ. Row-major storage with leading dimensions lda, ldb, ldc.
// The optimized, packed, register-blocked kernels live beside this file; GemmReference is the
// scalar twin used as the test oracle and benchmark baseline.
namespace Topiary.Tensors;

/// <summary>Single-precision general matrix multiply (row-major, BLAS-like contract).</summary>
public static partial class Gemm
{
    /// <summary>
    /// C = alpha·op(A)·op(B) + beta·C, with op(A) of shape [m,k] and op(B) of shape [k,n], row-major.
    /// When <paramref name="beta"/> is 0, C is overwritten (NaNs in C do not propagate).
    /// </summary>
    /// <exception cref="ArgumentException">A dimension is negative, a leading dimension is too small, or a span is too short.</exception>
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        Validate(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        GemmReference.Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
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
