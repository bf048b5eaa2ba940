// SparseTestSupport: the format configurations every sparse test sweeps, seeded random matrices with awkward
// patterns (element / group / block masks, empty rows, all-zero, fully dense), double-precision reference
// products (Linear and conv-column layouts) and a tolerance check that reports the first failing index and
// the largest difference. Tolerance per element: 1e-5·(1 + Σ|w·x|) + |bias|·1e-6.
using Topiary.Runtime.Sparse;

namespace Topiary.Tests.Runtime.Sparse;

internal static class SparseTestSupport
{
    /// <summary>Every format with the option sets worth testing (all group widths, several block shapes).</summary>
    public static readonly (SparseFormat Format, SparseWeightOptions Options, string Name)[] Configs =
    [
        (SparseFormat.Dense, new(), "dense"),
        (SparseFormat.Csr, new(), "csr"),
        (SparseFormat.Csr16, new(), "csr16"),
        (SparseFormat.SimdGroup, new() { GroupWidth = 2 }, "simd-group w2"),
        (SparseFormat.SimdGroup, new() { GroupWidth = 4 }, "simd-group w4"),
        (SparseFormat.SimdGroup, new() { GroupWidth = 8 }, "simd-group w8"),
        (SparseFormat.SimdGroup, new() { GroupWidth = 16 }, "simd-group w16"),
        (SparseFormat.Block, new() { BlockRows = 1, BlockCols = 2 }, "block 1x2"),
        (SparseFormat.Block, new() { BlockRows = 3, BlockCols = 4 }, "block 3x4"),
        (SparseFormat.Block, new() { BlockRows = 4, BlockCols = 8 }, "block 4x8"),
        (SparseFormat.Block, new() { BlockRows = 4, BlockCols = 16 }, "block 4x16"),
        (SparseFormat.Sell, new(), "sell"),
    ];

    /// <summary>Awkward shapes: 1..40 rows, 1..70 columns, non-multiples of every width.</summary>
    public static readonly (int Rows, int Cols)[] Shapes =
    [
        (1, 1), (1, 2), (2, 3), (3, 5), (1, 16), (5, 7), (4, 8), (7, 9), (6, 15), (9, 16), (8, 17), (13, 23),
        (16, 31), (17, 32), (11, 33), (24, 47), (31, 64), (33, 65), (40, 70), (37, 49),
    ];

    /// <summary>Matrix kinds: name and builder (rows, cols, seed).</summary>
    public static readonly (string Name, Func<int, int, ulong, float[]> Build)[] Matrices =
    [
        ("element 50%", (r, c, s) => SparsityPatterns.RandomMatrix(r, c, SparsityPattern.Element, 0.5, s)),
        ("element 90%", (r, c, s) => SparsityPatterns.RandomMatrix(r, c, SparsityPattern.Element, 0.9, s)),
        ("group4 60%", (r, c, s) => SparsityPatterns.RandomMatrix(r, c, SparsityPattern.Group(4), 0.6, s)),
        ("group16 70%", (r, c, s) => SparsityPatterns.RandomMatrix(r, c, SparsityPattern.Group(16), 0.7, s)),
        ("block4x8 50%", (r, c, s) => SparsityPatterns.RandomMatrix(r, c, SparsityPattern.Block(4, 8), 0.5, s)),
        ("empty rows", EmptyRows),
        ("all zero", (r, c, s) => new float[r * c]),
        ("fully dense", (r, c, s) => SparsityPatterns.RandomMatrix(r, c, SparsityPattern.Element, 0, s)),
    ];

    // Element 30% with every third row (and the last) emptied.
    private static float[] EmptyRows(int rows, int cols, ulong seed)
    {
        var m = SparsityPatterns.RandomMatrix(rows, cols, SparsityPattern.Element, 0.3, seed);
        for (int r = 0; r < rows; r++)
            if (r % 3 == 1 || r == rows - 1) m.AsSpan(r * cols, cols).Clear();
        return m;
    }

    /// <summary>Y[i, r] = act(Σ_c X[i, c]·W[r, c] + bias[r]) in double, with the magnitude Σ|w·x| per element.</summary>
    public static (double[] Y, double[] Mag) Linear(float[] w, int rows, int cols, float[] x, int n, float[]? bias, bool relu)
    {
        var y = new double[n * rows];
        var mag = new double[n * rows];
        for (int i = 0; i < n; i++)
            for (int r = 0; r < rows; r++)
            {
                double s = bias?[r] ?? 0, m = Math.Abs(bias?[r] ?? 0);
                for (int c = 0; c < cols; c++) { double t = (double)w[r * cols + c] * x[i * cols + c]; s += t; m += Math.Abs(t); }
                y[i * rows + r] = relu ? Math.Max(s, 0) : s;
                mag[i * rows + r] = m;
            }
        return (y, mag);
    }

    /// <summary>C[r, q] = act(Σ_j W[r, j]·B[j·ldb + q] + bias[r]) for q &lt; p, in double (C packed [rows, p]).</summary>
    public static (double[] C, double[] Mag) Columns(float[] w, int rows, int cols, float[] b, int ldb, int p, float[]? bias, bool relu)
    {
        var c = new double[rows * p];
        var mag = new double[rows * p];
        for (int r = 0; r < rows; r++)
            for (int q = 0; q < p; q++)
            {
                double s = bias?[r] ?? 0, m = Math.Abs(bias?[r] ?? 0);
                for (int j = 0; j < cols; j++) { double t = (double)w[r * cols + j] * b[j * ldb + q]; s += t; m += Math.Abs(t); }
                c[r * p + q] = relu ? Math.Max(s, 0) : s;
                mag[r * p + q] = m;
            }
        return (c, mag);
    }

    /// <summary>Fails with the first out-of-tolerance index, its values and the largest relative difference.</summary>
    public static void AssertClose(string what, double[] expected, double[] mag, ReadOnlySpan<float> actual)
    {
        int first = -1;
        double worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double err = Math.Abs(expected[i] - actual[i]) / (1e-5 * (1 + mag[i]));
            if (double.IsNaN(err)) err = double.PositiveInfinity;
            if (err > 1 && first < 0) first = i;
            worst = Math.Max(worst, err);
        }
        if (first >= 0)
            Assert.Fail($"{what}: first difference at {first}: expected {expected[first]}, got {actual[first]}; largest difference {worst:G3}× tolerance.");
    }

    /// <summary>Packs C [rows, p] out of a strided buffer (row stride ldc).</summary>
    public static float[] Unstride(float[] c, int rows, int p, int ldc)
    {
        var packed = new float[rows * p];
        for (int r = 0; r < rows; r++) c.AsSpan(r * ldc, p).CopyTo(packed.AsSpan(r * p, p));
        return packed;
    }

    /// <summary>Multiply (outputs beyond n·rows untouched) and MultiplyScalar both equal the dense reference.</summary>
    // The matrix with every non-zero replaced by the nearest of k evenly spaced centroids in [-1, 1] (none zero), the
    // first k non-zeros (in row-major order) taking each centroid once so that a matrix with ≥ k non-zeros uses them all.
    public static float[] Quantize(float[] dense, int k)
    {
        var centroids = Enumerable.Range(0, k).Select(i => k == 1 ? 0.5f : -1f + 2f * i / (k - 1)).Select(c => c == 0 ? 0.01f : c).ToArray();
        var quantized = dense.Select(v => v == 0 ? 0 : centroids.MinBy(c => Math.Abs(c - v))).ToArray();
        int used = 0;
        for (int i = 0; i < quantized.Length && used < k; i++)
            if (quantized[i] != 0) quantized[i] = centroids[used++];
        return quantized;
    }

    public static void AssertMultiply(SparseWeight w, float[] dense, int rows, int cols, float[] x, int n, float[]? bias, bool relu, string what)
    {
        var (expected, mag) = Linear(dense, rows, cols, x, n, bias, relu);
        var y = new float[n * rows + 3];
        y.AsSpan().Fill(123f);
        w.Multiply(x, n, y, bias, relu);
        AssertClose(what + " vector", expected, mag, y.AsSpan(0, n * rows));
        Assert.All(y[(n * rows)..], v => Assert.Equal(123f, v));
        var ys = new float[n * rows];
        w.MultiplyScalar(x, n, ys, bias, relu);
        AssertClose(what + " scalar", expected, mag, ys);
    }
}
