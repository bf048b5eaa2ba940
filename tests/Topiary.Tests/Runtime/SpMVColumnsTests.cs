using Topiary.Runtime;

namespace Topiary.Tests.Runtime;

public class SpMVColumnsTests
{
    [Theory]
    [InlineData(1, 1, 1.0, 1.0)]
    [InlineData(7, 17, 0.3, 0.5)]
    [InlineData(300, 784, 0.06, 0.19)]
    [InlineData(33, 129, 0.5, 0.0)]
    [InlineData(10, 100, 0.25, 1.0)]
    public void Column_dataflow_with_zero_skipping_matches_the_row_kernel(int rows, int cols, double density, double inputDensity)
    {
        var rng = new Random(rows * 31 + cols);
        var w = new float[rows * cols];
        for (int i = 0; i < w.Length; i++) w[i] = rng.NextDouble() < density ? (float)(rng.NextDouble() - 0.5) : 0f;
        var x = new float[cols];
        for (int j = 0; j < cols; j++) x[j] = rng.NextDouble() < inputDensity ? (float)rng.NextDouble() : 0f;
        var a = CsrMatrix.FromDense(w, rows, cols);
        var t = new float[w.Length];
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) t[c * rows + r] = w[r * cols + c];
        var expected = new float[rows];
        SparseKernels.SpMVScalar(a, x, expected);
        var y = Enumerable.Repeat(float.NaN, rows).ToArray(); // overwritten, not accumulated into
        SparseKernels.SpMVColumns(CsrMatrix.FromDense(t, cols, rows), x, y);
        for (int r = 0; r < rows; r++)
            Assert.True(Math.Abs(expected[r] - y[r]) <= 1e-5f * Math.Max(1f, Math.Abs(expected[r])), $"row {r}: {y[r]} vs {expected[r]}");
    }
}
