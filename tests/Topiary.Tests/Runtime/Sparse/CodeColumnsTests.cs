// CodeColumnsTests: the batch-1 column dataflows — a codebook weight's column form (CodeColumns) against the scalar twin
// of the decoded layer in CSR form, bit for bit, over the shared awkward shapes, codebooks of 3 to 200 centroids and
// input densities from all-zero to dense; a non-finite input reaching only the rows that store its column; the listing
// of non-zero inputs (NonZeroInputs) against its scalar twin over awkward lengths with NaN, ±0 and subnormals; a codes
// plan at batch 1 on a host without AVX-512 walking the columns; and rejected inputs.
using System.Runtime.Intrinsics.X86;
using Topiary.Runtime.Sparse;
using static Topiary.Tests.Runtime.Sparse.SparseTestSupport;

namespace Topiary.Tests.Runtime.Sparse;

public class CodeColumnsTests
{
    private static float[] Input(int cols, double density, int seed)
    {
        var rng = new Random(seed);
        return [.. Enumerable.Range(0, cols).Select(_ => rng.NextDouble() < density ? (float)(rng.NextDouble() * 2 - 1) : 0f)];
    }

    [Theory]
    [InlineData(3)]
    [InlineData(15)]
    [InlineData(63)]
    [InlineData(200)]
    public void Column_walk_equals_the_decoded_csr_scalar_twin_bit_for_bit(int k)
    {
        int step = 0;
        foreach (var (rows, cols) in Shapes)
            foreach (var (kind, build) in Matrices)
            {
                step++;
                var dense = Quantize(build(rows, cols, (ulong)(step * 13 + k)), k);
                var columns = CodebookWeight.FromQuantized(dense, rows, cols).ToColumns()!;
                var csr = new CsrWeight(dense, rows, cols);
                Assert.Equal((rows, cols), (columns.Rows, columns.Cols));
                foreach (double density in new[] { 0.0, 0.2, 0.6, 1.0 })
                {
                    var x = Input(cols, density, step);
                    float[]? bias = step % 2 == 0 ? Input(rows, 1, step + 1) : null;
                    bool relu = step % 3 == 0;
                    var expected = new float[rows];
                    csr.MultiplyScalar(x, 1, expected, bias, relu);
                    var y = Enumerable.Repeat(float.NaN, rows).ToArray(); // overwritten, not accumulated into
                    columns.Multiply(x, y, bias, relu);
                    Assert.True(expected.AsSpan().SequenceEqual(y), $"k={k} {kind} [{rows}x{cols}] inputs {density}: {string.Join(",", y.Take(6))} vs {string.Join(",", expected.Take(6))}");
                }
            }
    }

    [Fact]
    public void A_non_finite_input_reaches_only_rows_that_store_its_column()
    {
        const int rows = 40, cols = 70;
        var dense = Quantize(SparsityPatterns.RandomMatrix(rows, cols, SparsityPattern.Element, 0.9, 3), 15);
        var columns = CodebookWeight.FromQuantized(dense, rows, cols).ToColumns()!;
        foreach (float bad in new[] { float.NaN, float.PositiveInfinity })
        {
            var x = Input(cols, 0.3, 5);
            x[33] = bad;
            var y = new float[rows];
            columns.Multiply(x, y, default, false);
            for (int r = 0; r < rows; r++)
                Assert.Equal(dense[r * cols + 33] != 0, !float.IsFinite(y[r]));
        }
    }

    [Fact]
    public void Non_zero_inputs_are_listed_in_order_by_the_vector_kernel_and_its_twin()
    {
        var rng = new Random(11);
        float[] specials = [float.NaN, -0f, 0f, float.Epsilon, -float.Epsilon, float.PositiveInfinity, 1f];
        foreach (int length in Enumerable.Range(0, 41).Append(784).Append(1001))
            foreach (double density in new[] { 0.0, 0.17, 0.5, 1.0 })
            {
                var x = Enumerable.Range(0, length).Select(_ => rng.NextDouble() < density ? specials[rng.Next(specials.Length)] : 0f).ToArray();
                var expected = Enumerable.Range(0, length).Where(j => x[j] != 0).ToArray(); // NaN is not 0; −0 is
                foreach (bool vectorise in new[] { true, false })
                {
                    var indices = new int[length + NonZeroInputs.Slack];
                    int count = NonZeroInputs.Find(x, indices, vectorise);
                    Assert.Equal(expected, indices[..count]);
                }
            }
        var error = Assert.Throws<ArgumentException>(() => NonZeroInputs.Find(new float[10], new int[17]));
        Assert.Contains("needs 18", error.Message);
    }

    [Fact]
    public void Codes_plan_at_batch_1_walks_the_columns_where_the_sell_kernels_do_not_run()
    {
        const int rows = 24, cols = 50;
        var dense = Quantize(SparsityPatterns.RandomMatrix(rows, cols, SparsityPattern.Element, 0.8, 9), 15);
        var weight = CodebookWeight.FromQuantized(dense, rows, cols);
        var bias = Input(rows, 1, 3);
        var step = new Topiary.Runtime.LinearStep("fc", weight, bias, relu: true, batch: 1);
        Assert.Equal(Avx512F.IsSupported ? 0 : weight.ToColumns()!.Bytes, step.ColumnBytes);
        var csr = new CsrWeight(dense, rows, cols);
        foreach (double density in new[] { 0.1, 0.9 }) // the walk below 60 % non-zero inputs, the row kernel above
        {
            var x = Input(cols, density, 4);
            var expected = new float[rows];
            csr.MultiplyScalar(x, 1, expected, bias, true);
            var y = new float[rows];
            step.Execute(x, y, 1, 0);
            for (int r = 0; r < rows; r++) Assert.Equal(expected[r], y[r], 1e-5f);
        }
        Assert.Equal(0, new Topiary.Runtime.LinearStep("fc", weight, bias, relu: true, batch: 2).ColumnBytes);
    }

    [Fact]
    public void Bad_inputs_are_rejected()
    {
        var columns = CodebookWeight.FromQuantized([0.5f, 0, 0, -0.5f, 0.5f, 0], 2, 3).ToColumns()!;
        Assert.Equal(3 * 3 + 4 * 4 + 4 * 3, columns.Bytes); // (row, code) per entry, column pointers, table [0, −0.5, 0.5]
        Assert.Throws<ArgumentException>(() => columns.Multiply(new float[2], new float[2], default, false));
        Assert.Throws<ArgumentException>(() => columns.Multiply(new float[3], new float[1], default, false));
        Assert.Throws<ArgumentException>(() => columns.Multiply(new float[3], new float[2], new float[1], false));
        Assert.Throws<ArgumentOutOfRangeException>(() => columns.Multiply(new float[3], [3], new float[2], default, false));
        Assert.Throws<ArgumentException>(() => new CodeColumns(CodeColumns.MaxRows + 1, 1, [0f, 1f], _ => { }));
        Assert.Throws<ArgumentException>(() => new CodeColumns(2, 2, [0f, 1f], visit => visit(0, 2, 1)));
        Assert.Throws<ArgumentException>(() => new CodeColumns(2, 2, [0f, 1f], visit => visit(0, 1, 2)));
        Assert.Null(CodebookWeight.FromQuantized(new float[CodeColumns.MaxRows + 1], CodeColumns.MaxRows + 1, 1).ToColumns());
    }
}
