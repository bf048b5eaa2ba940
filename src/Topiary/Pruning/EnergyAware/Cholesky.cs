// Cholesky: in-place factorisation A = L·Lᵀ of a symmetric positive-definite n×n matrix (row-major, double)
// and the two triangular solves that give x = A⁻¹·b. Crout order, row by row:
//   L[i,j] = (A[i,j] − Σ_{k<j} L[i,k]·L[j,k]) / L[j,j]   (j < i),    L[i,i] = √(A[i,i] − Σ_{k<i} L[i,k]²)
// Each Σ is a dot product of two contiguous row prefixes (vectorised by TensorPrimitives.Dot). Cost n³/6
// multiply-adds. Only the lower triangle (diagonal included) is read and written; the upper is left as is.
namespace Topiary.Pruning.EnergyAware;

/// <summary>Dense Cholesky factorisation and solve for small symmetric positive-definite systems.</summary>
public static class Cholesky
{
    /// <summary>
    /// Overwrites the lower triangle of <paramref name="a"/> (n×n, row-major) with L such that A = L·Lᵀ.
    /// </summary>
    /// <returns>False when a pivot is not positive (A is not numerically positive definite); the lower triangle is then partly overwritten.</returns>
    /// <exception cref="ArgumentException"><paramref name="a"/> holds fewer than n² values.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> is negative.</exception>
    public static bool Factor(Span<double> a, int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        if (a.Length < (long)n * n) throw new ArgumentException($"Need {n}x{n} = {(long)n * n} values; got {a.Length}.", nameof(a));
        for (int i = 0; i < n; i++)
        {
            var rowI = a.Slice(i * n, n);
            for (int j = 0; j < i; j++)
            {
                var rowJ = a.Slice(j * n, j);
                double s = rowI[j] - TensorPrimitives.Dot<double>(rowI[..j], rowJ);
                rowI[j] = s / a[j * n + j];
            }
            double d = rowI[i] - TensorPrimitives.Dot<double>(rowI[..i], rowI[..i]);
            if (!(d > 0) || !double.IsFinite(d)) return false;
            rowI[i] = Math.Sqrt(d);
        }
        return true;
    }

    /// <summary>
    /// Solves L·Lᵀ·x = b in place (<paramref name="b"/> becomes x), with L the lower triangle left by <see cref="Factor"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A span is too short.</exception>
    public static void Solve(ReadOnlySpan<double> l, int n, Span<double> b)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        if (l.Length < (long)n * n) throw new ArgumentException($"Need {n}x{n} = {(long)n * n} values; got {l.Length}.", nameof(l));
        if (b.Length < n) throw new ArgumentException($"Need {n} right-hand-side values; got {b.Length}.", nameof(b));
        // Forward: L·z = b.
        for (int i = 0; i < n; i++)
            b[i] = (b[i] - TensorPrimitives.Dot<double>(l.Slice(i * n, i), b[..i])) / l[i * n + i];
        // Backward: Lᵀ·x = z (column i of L below the diagonal is strided).
        for (int i = n - 1; i >= 0; i--)
        {
            double s = b[i];
            for (int k = i + 1; k < n; k++) s -= l[k * n + i] * b[k];
            b[i] = s / l[i * n + i];
        }
    }
}
