// SparseWeightProductTests: for every format and option set (SparseTestSupport.Configs), Multiply and
// MultiplyColumns equal their scalar twins and the double-precision dense reference over awkward shapes
// (rows 1..40, cols 1..70), n = 1..17, p = 1..19 with strided B/C, element/group/block patterns, empty rows,
// all-zero and fully dense matrices, with and without bias and ReLU. Outputs beyond the written region stay untouched.
using Topiary.Runtime.Sparse;
using static Topiary.Tests.Runtime.Sparse.SparseTestSupport;

namespace Topiary.Tests.Runtime.Sparse;

public class SparseWeightProductTests
{
    public static TheoryData<int> ConfigIndices()
    {
        var data = new TheoryData<int>();
        for (int i = 0; i < Configs.Length; i++) data.Add(i);
        return data;
    }

    private static readonly int[] BatchSizes = [1, 2, 3, 4, 5, 7, 8, 9, 16, 17];
    private static readonly int[] ColumnCounts = [1, 2, 3, 5, 8, 15, 16, 17, 19];

    [Theory]
    [MemberData(nameof(ConfigIndices))]
    public void Multiply_matches_scalar_twin_and_dense_reference(int config)
    {
        var (format, options, name) = Configs[config];
        int step = 0;
        foreach (var (rows, cols) in Shapes)
            foreach (var (kind, build) in Matrices)
            {
                step++;
                ulong seed = (ulong)(step * 31 + config);
                var dense = build(rows, cols, seed);
                var w = SparseWeight.Create(format, dense, rows, cols, options);
                Assert.Equal(format, w.Format);
                int n = BatchSizes[step % BatchSizes.Length];
                bool useBias = step % 2 == 0, relu = step % 3 != 0;
                var x = SparsityPatterns.RandomVector(n * cols + 5, seed + 7);
                float[]? bias = useBias ? SparsityPatterns.RandomVector(rows, seed + 9) : null;
                AssertMultiply(w, dense, rows, cols, x, n, bias, relu, $"{name} {kind} [{rows}x{cols}] n={n} bias={useBias} relu={relu}");
            }
    }

    [Theory]
    [MemberData(nameof(ConfigIndices))]
    public void MultiplyColumns_matches_scalar_twin_and_dense_reference(int config)
    {
        var (format, options, name) = Configs[config];
        int step = 0;
        foreach (var (rows, cols) in Shapes)
            foreach (var (kind, build) in Matrices)
            {
                step++;
                ulong seed = (ulong)(step * 17 + config);
                var dense = build(rows, cols, seed);
                var w = SparseWeight.Create(format, dense, rows, cols, options);
                int p = ColumnCounts[step % ColumnCounts.Length];
                int ldb = p + step % 3, ldc = p + step % 2;
                bool useBias = step % 2 == 1, relu = step % 4 < 2;
                var b = SparsityPatterns.RandomVector(cols * ldb, seed + 3);
                float[]? bias = useBias ? SparsityPatterns.RandomVector(rows, seed + 5) : null;
                var (expected, mag) = Columns(dense, rows, cols, b, ldb, p, bias, relu);
                string what = $"{name} {kind} [{rows}x{cols}] p={p} ldb={ldb} ldc={ldc} bias={useBias} relu={relu}";

                var c = new float[rows * ldc];
                c.AsSpan().Fill(-7f);
                w.MultiplyColumns(b, ldb, p, c, ldc, bias, relu);
                AssertClose(what + " vector", expected, mag, Unstride(c, rows, p, ldc));
                for (int r = 0; r < rows; r++)
                    for (int q = p; q < ldc; q++) Assert.Equal(-7f, c[r * ldc + q]);

                var cs = new float[rows * ldc];
                w.MultiplyColumnsScalar(b, ldb, p, cs, ldc, bias, relu);
                AssertClose(what + " scalar", expected, mag, Unstride(cs, rows, p, ldc));
            }
    }

    [Theory]
    [MemberData(nameof(ConfigIndices))]
    public void LeNet_fc1_shape_matches_reference_at_batch_1_and_64(int config)
    {
        var (format, options, name) = Configs[config];
        var dense = SparsityPatterns.RandomMatrix(300, 784, SparsityPattern.Group(8), 0.7, 99);
        var w = SparseWeight.Create(format, dense, 300, 784, options);
        var bias = SparsityPatterns.RandomVector(300, 5);
        foreach (int n in new[] { 1, 64 })
        {
            var x = SparsityPatterns.RandomVector(n * 784, (ulong)n);
            var (expected, mag) = Linear(dense, 300, 784, x, n, bias, true);
            var y = new float[n * 300];
            w.Multiply(x, n, y, bias, true);
            AssertClose($"{name} 300x784 n={n}", expected, mag, y);
        }
    }

    [Theory]
    [MemberData(nameof(ConfigIndices))]
    public void A_NaN_weight_propagates_and_relu_keeps_it(int config)
    {
        var (format, options, name) = Configs[config];
        var dense = SparsityPatterns.RandomMatrix(5, 19, SparsityPattern.Element, 0.5, 3);
        dense[2 * 19 + 17] = float.NaN;
        var w = SparseWeight.Create(format, dense, 5, 19, options);
        var x = SparsityPatterns.RandomVector(2 * 19, 4);
        foreach (bool scalar in new[] { false, true })
        {
            var y = new float[10];
            if (scalar) w.MultiplyScalar(x, 2, y, default, true);
            else w.Multiply(x, 2, y, default, true);
            for (int i = 0; i < 2; i++)
                for (int r = 0; r < 5; r++)
                    Assert.True(float.IsNaN(y[i * 5 + r]) == (r == 2), $"{name} scalar={scalar} y[{i},{r}] = {y[i * 5 + r]}");
        }
    }

    [Theory]
    [MemberData(nameof(ConfigIndices))]
    public void Zero_examples_and_zero_columns_write_nothing(int config)
    {
        var (format, options, _) = Configs[config];
        var w = SparseWeight.Create(format, SparsityPatterns.RandomMatrix(3, 4, SparsityPattern.Element, 0, 1), 3, 4, options);
        var y = new float[] { 9, 9, 9 };
        w.Multiply(default, 0, y, default, false);
        w.MultiplyColumns(new float[4], 0, 0, y, 0, default, false);
        Assert.Equal([9f, 9f, 9f], y);
    }
}
