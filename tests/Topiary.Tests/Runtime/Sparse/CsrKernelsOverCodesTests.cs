// CsrKernelsOverCodesTests: the CSR kernels reading byte codes through a codebook (CodeEntries; AVX2 hosts without
// AVX-512 run every codebook layer's rows so) called directly, so every host runs them: the one-example gather path (rows shorter and longer than
// 16 entries) and the 8-example block path (batches of 4 to 17, partial blocks) against the dense float64 reference,
// with bias and ReLU, and a NaN input reaching only the rows that store its column on the one-example path.
using Topiary.Runtime.Sparse;
using static Topiary.Tests.Runtime.Sparse.SparseTestSupport;

namespace Topiary.Tests.Runtime.Sparse;

public class CsrKernelsOverCodesTests
{
    // A [rows, cols] matrix of codes (0 = not stored) at the given density, and its decoded floats.
    private static (int[] Pointers, ushort[] Columns, byte[] Codes, float[] Dense) Matrix(int rows, int cols, double density, float[] table, int seed)
    {
        var rng = new Random(seed);
        var pointers = new List<int> { 0 };
        var columns = new List<ushort>();
        var codes = new List<byte>();
        var dense = new float[rows * cols];
        for (int r = 0; r < rows; r++)
        {
            double rowDensity = r % 5 == 0 ? density / 8 : density; // some rows below 16 entries
            for (int c = 0; c < cols; c++)
                if (rng.NextDouble() < rowDensity)
                {
                    byte code = (byte)rng.Next(1, table.Length);
                    columns.Add((ushort)c);
                    codes.Add(code);
                    dense[r * cols + c] = table[code];
                }
            pointers.Add(columns.Count);
        }
        return ([.. pointers], [.. columns], [.. codes], dense);
    }

    private static unsafe void Run(int[] pointers, ushort[] columns, byte[] codes, float[] table, int rows, int cols, float[] x, int n,
        float[] y, float[]? bias, bool relu)
    {
        fixed (int* pp = pointers)
        fixed (ushort* pc = columns)
        fixed (byte* pk = codes)
        fixed (float* pt = table)
        fixed (float* px = x)
        fixed (float* py = y)
        fixed (float* pb = bias)
            CsrKernels.Multiply(new CodeEntries(pk, pt), pc, pp, rows, cols, px, n, py, pb, relu);
    }

    [Theory]
    [InlineData(15, 300, 784, 0.08)]
    [InlineData(200, 37, 129, 0.4)]
    [InlineData(3, 10, 100, 0.26)]
    [InlineData(63, 1, 1, 1.0)]
    public void Rows_and_blocks_match_the_dense_reference(int k, int rows, int cols, double density)
    {
        var table = new float[k + 1];
        for (int c = 1; c <= k; c++) table[c] = (float)Math.Sin(c * 1.7);
        var (pointers, columns, codes, dense) = Matrix(rows, cols, density, table, rows + cols + k);
        var bias = SparsityPatterns.RandomVector(rows, 3);
        foreach (int n in new[] { 1, 3, 4, 8, 9, 17 })
            foreach (bool relu in new[] { false, true })
            {
                var x = SparsityPatterns.RandomVector(n * cols, (ulong)(n + 5));
                var (expected, mag) = Linear(dense, rows, cols, x, n, bias, relu);
                var y = new float[n * rows + 1];
                y[^1] = 123f;
                Run(pointers, columns, codes, table, rows, cols, x, n, y, bias, relu);
                AssertClose($"k={k} [{rows}x{cols}] n={n} relu={relu}", expected, mag, y.AsSpan(0, n * rows));
                Assert.Equal(123f, y[^1]); // nothing written past the output
            }
    }

    [Fact]
    public void A_nan_input_reaches_only_rows_that_store_its_column()
    {
        float[] table = [0, 0.5f, -0.25f];
        var (pointers, columns, codes, dense) = Matrix(40, 70, 0.4, table, 9);
        var x = SparsityPatterns.RandomVector(70, 4);
        x[33] = float.NaN;
        var y = new float[40];
        Run(pointers, columns, codes, table, 40, 70, x, 1, y, null, false);
        for (int r = 0; r < 40; r++) Assert.Equal(dense[r * 70 + 33] != 0, float.IsNaN(y[r]));
    }
}
