// SellWeightTests: the sliding-window sell layout and its kernels beyond the shared product sweep
// (SparseWeightProductTests covers awkward shapes, batches, bias and ReLU for every format): non-finite inputs at
// padding and at pruned columns; all-zero input windows (skipped when every weight is finite, not skipped when one is
// NaN/∞); ±∞ weights; layers wider than the kernel's stack buffer; the step schedule counted by hand; SellRowOrder
// (a permutation, deterministic, never more padded slots than the natural order on a random 8% matrix).
using Topiary.Runtime.Sparse;
using static Topiary.Tests.Runtime.Sparse.SparseTestSupport;

namespace Topiary.Tests.Runtime.Sparse;

public class SellWeightTests
{
    private static (double[] Y, double[] Mag) Reference(float[] w, int rows, int cols, float[] x) => Linear(w, rows, cols, x, 1, null, false);

    [Fact]
    public void The_window_slides_by_one_register_and_places_spare_steps_early()
    {
        // One slice, 48 columns (three registers). Row 0: columns 0, 1, 2 (register 0) → position 0 runs 3 steps;
        // row 1: columns 16..20 (register 1) → 3 of them fill row 1's spare steps at position 0, the other 2 run at
        // position 1; row 2: column 40 (register 2) → placed early in one of position 1's steps; position 2 has
        // nothing left. 3 + 2 = 5 steps = 80 slots.
        const int rows = 3, cols = 48;
        var dense = new float[rows * cols];
        foreach (int c in new[] { 0, 1, 2 }) dense[c] = c + 1;
        foreach (int c in new[] { 16, 17, 18, 19, 20 }) dense[cols + c] = c;
        dense[2 * cols + 40] = 7;
        var sell = new SellWeight(dense, rows, cols);
        Assert.Equal(80, sell.StoredValues);
        Assert.Equal(9, sell.NonZeroCount);
        Assert.Equal(dense, sell.ToDense());
        var x = SparsityPatterns.RandomVector(cols, 3);
        var y = new float[rows];
        sell.Multiply(x, 1, y, default, false);
        var (expected, mag) = Reference(dense, rows, cols, x);
        AssertClose("hand-checked schedule", expected, mag, y);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void A_non_finite_input_reaches_exactly_the_rows_that_store_its_column(float bad)
    {
        // 40 rows (a pair of slices + a partial one), 70 columns; element 90% pattern; the bad input sits in every
        // register's first and last column in turn, and every row that does not store it must stay finite.
        const int rows = 40, cols = 70;
        var dense = SparsityPatterns.RandomMatrix(rows, cols, SparsityPattern.Element, 0.9, 17);
        var sell = new SellWeight(dense, rows, cols);
        foreach (int c in new[] { 0, 15, 16, 31, 32, 47, 63, 64, 69 })
        {
            var x = SparsityPatterns.RandomVector(cols, (ulong)c);
            x[c] = bad;
            var y = new float[rows];
            sell.Multiply(x, 1, y, default, relu: false);
            var ys = new float[rows];
            sell.MultiplyScalar(x, 1, ys, default, relu: false);
            for (int r = 0; r < rows; r++)
            {
                bool stores = dense[r * cols + c] != 0;
                Assert.True(stores == !float.IsFinite(y[r]), $"column {c}, row {r}: stores={stores}, y={y[r]}");
                Assert.True(stores == !float.IsFinite(ys[r]), $"scalar twin, column {c}, row {r}");
            }
        }
    }

    [Fact]
    public void All_zero_input_windows_give_the_dense_result()
    {
        // Inputs zero in whole registers (a digit's blank border): the skipped positions add nothing.
        const int rows = 33, cols = 100;
        var dense = SparsityPatterns.RandomMatrix(rows, cols, SparsityPattern.Element, 0.7, 5);
        var sell = new SellWeight(dense, rows, cols);
        var x = SparsityPatterns.RandomVector(cols, 6);
        x.AsSpan(0, 40).Clear();
        x.AsSpan(64, 20).Clear();
        var bias = SparsityPatterns.RandomVector(rows, 8);
        var y = new float[rows];
        sell.Multiply(x, 1, y, bias, relu: true);
        var (expected, mag) = Linear(dense, rows, cols, x, 1, bias, true);
        AssertClose("zero windows", expected, mag, y);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void A_non_finite_weight_meets_zero_inputs_as_in_dense(float bad)
    {
        // W[0, 5] is NaN/∞ and x is zero around column 5: dense gives NaN (∞·0), so the window must not be skipped.
        const int rows = 17, cols = 64;
        var dense = SparsityPatterns.RandomMatrix(rows, cols, SparsityPattern.Element, 0.8, 9);
        dense[5] = bad;
        var sell = new SellWeight(dense, rows, cols);
        var x = SparsityPatterns.RandomVector(cols, 10);
        x.AsSpan(0, 32).Clear();
        var y = new float[rows];
        sell.Multiply(x, 1, y, default, relu: false);
        Assert.True(float.IsNaN(y[0]), $"row 0 = {y[0]}");
        for (int r = 1; r < rows; r++) Assert.True(float.IsFinite(y[r]), $"row {r} = {y[r]}");
    }

    [Fact]
    public void Layers_wider_than_the_stack_buffer_match_the_reference()
    {
        const int rows = 21, cols = 5003;
        var dense = SparsityPatterns.RandomMatrix(rows, cols, SparsityPattern.Element, 0.95, 11);
        var sell = new SellWeight(dense, rows, cols);
        var x = SparsityPatterns.RandomVector(2 * cols, 12);
        var y = new float[2 * rows];
        sell.Multiply(x, 2, y, default, relu: false);
        var (expected, mag) = Linear(dense, rows, cols, x, 2, null, false);
        AssertClose("wide", expected, mag, y);
    }

    [Fact]
    public void Row_order_is_a_deterministic_permutation_that_saves_padding()
    {
        const int rows = 300, cols = 784;
        var dense = SparsityPatterns.RandomMatrix(rows, cols, SparsityPattern.Element, 0.92, 13);
        var order = SellRowOrder.Find(dense, rows, cols);
        Assert.Equal(Enumerable.Range(0, rows), order.Order());
        Assert.Equal(order, SellRowOrder.Find(dense, rows, cols));
        var permuted = new float[dense.Length];
        for (int i = 0; i < rows; i++) dense.AsSpan(order[i] * cols, cols).CopyTo(permuted.AsSpan(i * cols));
        long natural = new SellWeight(dense, rows, cols).StoredValues, reordered = new SellWeight(permuted, rows, cols).StoredValues;
        Assert.True(reordered < natural, $"{reordered} slots reordered vs {natural} natural");
        Assert.Equal([2, 1, 0], SellRowOrder.Find([0, 1, 0, 0, 1, 1, 1, 1, 1], 3, 3)); // one slice: longest first
        Assert.Empty(SellRowOrder.Find([], 0, 5));
    }
}
