// SparseKernelsTests: CsrMatrix round trip; SpMV / SpMM against their scalar twins and against a dense
// double-precision product, over awkward shapes (1, 7, 17, 33, 129, 300×784) and densities
// (empty, one non-zero, 5 %, 50 %, 100 %). Tolerance: 1e-5·(1 + Σ|a·x|) per element.
using Topiary.Runtime;

namespace Topiary.Tests.Runtime;

public class SparseKernelsTests
{
    private static readonly (int Rows, int Cols)[] Shapes =
        [(1, 1), (1, 7), (7, 1), (7, 17), (17, 33), (33, 129), (129, 7), (129, 129), (300, 784)];

    private static readonly double[] Densities = [0, -1 /* exactly one non-zero */, 0.05, 0.5, 1];

    private static float[] RandomMatrix(int rows, int cols, double density, int seed)
    {
        var rng = new Random(seed);
        var a = new float[rows * cols];
        if (density < 0) { a[rng.Next(a.Length)] = 0.75f; return a; }
        for (int i = 0; i < a.Length; i++)
            if (rng.NextDouble() < density) a[i] = (float)(rng.NextDouble() * 2 - 1);
        return a;
    }

    private static float[] RandomVector(int n, int seed)
    {
        var rng = new Random(seed);
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        return x;
    }

    // Y[i, r] = Σ_c X[i, c]·A[r, c] in double, with the magnitude sum for the tolerance.
    private static (double[] Y, double[] Mag) DenseProduct(float[] a, int rows, int cols, float[] x, int n)
    {
        var y = new double[n * rows];
        var mag = new double[n * rows];
        for (int i = 0; i < n; i++)
            for (int r = 0; r < rows; r++)
            {
                double s = 0, m = 0;
                for (int c = 0; c < cols; c++) { double t = (double)a[r * cols + c] * x[i * cols + c]; s += t; m += Math.Abs(t); }
                y[i * rows + r] = s;
                mag[i * rows + r] = m;
            }
        return (y, mag);
    }

    private static void AssertClose(string what, double[] expected, double[] mag, float[] actual)
    {
        int worst = -1;
        double worstErr = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double err = Math.Abs(expected[i] - actual[i]) / (1e-5 * (1 + mag[i]));
            if (!(err <= 1) && (worst < 0 || !(err <= worstErr))) { worst = i; worstErr = err; }
        }
        Assert.True(worst < 0, $"{what}: element {worst} expected {(worst < 0 ? 0 : expected[worst])}, got {(worst < 0 ? 0 : actual[worst])} ({worstErr:G3}× tolerance).");
    }

    private static double[] ToDouble(float[] v) => v.Select(f => (double)f).ToArray();

    [Fact]
    public void Csr_round_trips_and_counts_non_zeros()
    {
        var dense = RandomMatrix(17, 33, 0.3, 1);
        var csr = CsrMatrix.FromDense(dense, 17, 33);
        Assert.Equal(dense, csr.ToDense());
        Assert.Equal(dense.Count(v => v != 0), csr.NonZeroCount);
        Assert.Equal(18, csr.RowPointers.Length);
        Assert.Throws<ArgumentException>(() => CsrMatrix.FromDense(dense, 17, 32));
    }

    [Fact]
    public void SpMV_matches_scalar_twin_and_dense()
    {
        int seed = 10;
        foreach (var (rows, cols) in Shapes)
            foreach (double d in Densities)
            {
                var a = RandomMatrix(rows, cols, d, seed++);
                var x = RandomVector(cols, seed++);
                var csr = CsrMatrix.FromDense(a, rows, cols);
                var y = new float[rows];
                var ys = new float[rows];
                y.AsSpan().Fill(float.NaN); // must be overwritten
                SparseKernels.SpMV(csr, x, y);
                SparseKernels.SpMVScalar(csr, x, ys);
                var (expected, mag) = DenseProduct(a, rows, cols, x, 1);
                string what = $"SpMV {rows}x{cols} density {d}";
                AssertClose(what, expected, mag, y);
                AssertClose(what + " (scalar)", expected, mag, ys);
                AssertClose(what + " vs scalar", ToDouble(ys), mag, y);
            }
    }

    [Fact]
    public void SpMM_matches_scalar_twin_and_dense()
    {
        int seed = 1000;
        foreach (var (rows, cols) in Shapes)
            foreach (double d in Densities)
                foreach (int n in new[] { 1, 3, 7, 8, 17 })
                {
                    if (rows * cols > 10000 && n > 8) continue;
                    var a = RandomMatrix(rows, cols, d, seed++);
                    var x = RandomVector(n * cols, seed++);
                    var csr = CsrMatrix.FromDense(a, rows, cols);
                    var y = new float[n * rows];
                    var ys = new float[n * rows];
                    y.AsSpan().Fill(float.NaN);
                    SparseKernels.SpMM(csr, x, n, y);
                    SparseKernels.SpMMScalar(csr, x, n, ys);
                    var (expected, mag) = DenseProduct(a, rows, cols, x, n);
                    string what = $"SpMM n={n} {rows}x{cols} density {d}";
                    AssertClose(what, expected, mag, y);
                    AssertClose(what + " (scalar)", expected, mag, ys);
                }
    }

    [Fact]
    public void Kernels_are_deterministic_and_validate_lengths()
    {
        var a = CsrMatrix.FromDense(RandomMatrix(300, 784, 0.08, 5), 300, 784);
        var x = RandomVector(7 * 784, 6);
        var y1 = new float[7 * 300];
        var y2 = new float[7 * 300];
        SparseKernels.SpMM(a, x, 7, y1);
        SparseKernels.SpMM(a, x, 7, y2);
        Assert.Equal(y1, y2);
        Assert.Throws<ArgumentException>(() => SparseKernels.SpMV(a, new float[783], new float[300]));
        Assert.Throws<ArgumentException>(() => SparseKernels.SpMM(a, x, 7, new float[300]));
    }
}
