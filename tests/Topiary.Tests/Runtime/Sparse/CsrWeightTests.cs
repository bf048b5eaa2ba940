// CsrWeightTests: the CSR stack beyond the shared format sweep — CsrArrays round trip and its direct transpose (equal
// to the dense transpose), the batch-1 column dataflow (CscColumns) against the CSR scalar twin, bit for bit, with zero-skipping
// inputs, the vector kernels at LeNet-300-100's 300×784 shape and batch sizes around the 8-example block, determinism
// and rejected lengths.
using Topiary.Runtime.Sparse;
using static Topiary.Tests.Runtime.Sparse.SparseTestSupport;

namespace Topiary.Tests.Runtime.Sparse;

public class CsrWeightTests
{
    private static float[] Matrix(int rows, int cols, double density, int seed)
    {
        var rng = new Random(seed);
        var w = new float[rows * cols];
        for (int i = 0; i < w.Length; i++) w[i] = rng.NextDouble() < density ? (float)(rng.NextDouble() - 0.5) : 0f;
        return w;
    }

    [Fact]
    public void Arrays_round_trip_and_transpose_directly()
    {
        foreach (var (rows, cols) in Shapes)
        {
            var dense = Matrix(rows, cols, 0.3, rows * 100 + cols);
            var csr = CsrArrays<int>.FromDense(dense, rows, cols);
            Assert.Equal(rows + 1, csr.Pointers.Length);
            Assert.Equal(dense.Count(v => v != 0), csr.Values.Length);
            Assert.Equal(dense, new CsrWeight(dense, rows, cols).ToDense());

            var t = csr.Transpose();
            Assert.Equal((cols, rows), (t.Rows, t.Cols));
            var transposed = new float[dense.Length];
            t.ForEach((r, c, v) => transposed[r * rows + c] = v);
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < cols; c++) Assert.Equal(dense[r * cols + c], transposed[c * rows + r]);
            for (int j = 0; j < cols; j++) // rows increasing inside every column
                for (int k = t.Pointers[j] + 1; k < t.Pointers[j + 1]; k++) Assert.True(t.Columns[k - 1] < t.Columns[k]);
        }
        Assert.Throws<ArgumentException>(() => new CsrWeight(new float[17 * 33], 17, 32));
    }

    [Theory]
    [InlineData(1, 1, 1.0, 1.0)]
    [InlineData(7, 17, 0.3, 0.5)]
    [InlineData(300, 784, 0.06, 0.19)]
    [InlineData(33, 129, 0.5, 0.0)]
    [InlineData(10, 100, 0.25, 1.0)]
    [InlineData(5, 9, 0.0, 0.5)]
    public void Column_dataflow_with_zero_skipping_matches_the_scalar_twin(int rows, int cols, double density, double inputDensity)
    {
        var rng = new Random(rows * 31 + cols);
        var w = new CsrWeight(Matrix(rows, cols, density, rows * 7 + cols), rows, cols);
        var x = new float[cols];
        for (int j = 0; j < cols; j++) x[j] = rng.NextDouble() < inputDensity ? (float)rng.NextDouble() : 0f;
        var bias = Enumerable.Range(0, rows).Select(r => (float)(rng.NextDouble() - 0.5)).ToArray();
        foreach (bool relu in new[] { false, true })
        {
            var expected = new float[rows];
            w.MultiplyScalar(x, 1, expected, bias, relu);
            var y = Enumerable.Repeat(float.NaN, rows).ToArray(); // overwritten, not accumulated into
            w.ToColumns().Multiply(x, y, bias, relu);
            Assert.True(expected.AsSpan().SequenceEqual(y), $"relu={relu}: {string.Join(",", y.Take(6))} vs {string.Join(",", expected.Take(6))}"); // bit for bit
        }
        Assert.Throws<ArgumentException>(() => w.ToColumns().Multiply(new float[cols - 1], new float[rows], default, false));
        Assert.Throws<ArgumentException>(() => w.ToColumns().Multiply(x, new float[rows - 1], default, false));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.05)]
    [InlineData(0.5)]
    [InlineData(1.0)]
    public void Kernels_at_300x784_match_the_scalar_twin_and_are_deterministic(double density)
    {
        const int rows = 300, cols = 784;
        var dense = Matrix(rows, cols, density, (int)(density * 100));
        foreach (var w in new SparseWeight[] { new CsrWeight(dense, rows, cols), new Csr16Weight(dense, rows, cols) })
            foreach (int n in new[] { 1, 3, 7, 8, 9 })
            {
                var x = SparsityPatterns.RandomVector(n * cols, (ulong)n);
                var (expected, mag) = Linear(dense, rows, cols, x, n, null, false);
                var y = Enumerable.Repeat(float.NaN, n * rows).ToArray();
                var again = new float[n * rows];
                var scalar = new float[n * rows];
                w.Multiply(x, n, y, default, false);
                w.Multiply(x, n, again, default, false);
                w.MultiplyScalar(x, n, scalar, default, false);
                string what = $"{w.Format.ToName()} density {density} n={n}";
                AssertClose(what, expected, mag, y);
                AssertClose(what + " scalar", expected, mag, scalar);
                Assert.Equal(y, again);
                Assert.Throws<ArgumentException>(() => w.Multiply(x, n, new float[n * rows - 1], default, false));
                Assert.Throws<ArgumentException>(() => w.Multiply(x.AsSpan(1), n, y, default, false));
            }
    }
}
