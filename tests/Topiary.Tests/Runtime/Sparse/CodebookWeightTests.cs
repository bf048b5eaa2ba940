// CodebookWeightTests: the codebook format (byte codes + ≤ 255 centroids in the sell layout) over the shared awkward
// shapes and patterns, with codebooks of 3, 15, 16, 31, 32, 63, 64 and 200 centroids (each register lookup — one
// register, two registers, the 16-bit halves — at and past its limit, and the table path; pair blocks with even, odd
// and straddling step counts):
// Multiply and MultiplyColumns equal their scalar twins and the dense reference, ToDense gives the quantized matrix
// back, a NaN input at a column a row does not store never reaches that row, and bad structure is rejected.
using Topiary.Runtime.Sparse;
using static Topiary.Tests.Runtime.Sparse.SparseTestSupport;

namespace Topiary.Tests.Runtime.Sparse;

public class CodebookWeightTests
{
    [Theory]
    [InlineData(3)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(31)]
    [InlineData(32)]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(200)]
    public void Products_match_scalar_twins_and_dense_reference(int k)
    {
        int step = 0, largest = 0;
        foreach (var (rows, cols) in Shapes)
            foreach (var (kind, build) in Matrices)
            {
                step++;
                ulong seed = (ulong)(step * 17 + k);
                var dense = Quantize(build(rows, cols, seed), k);
                var w = CodebookWeight.FromQuantized(dense, rows, cols);
                Assert.Equal(SparseFormat.Codebook, w.Format);
                Assert.Equal(dense, w.ToDense());
                Assert.Equal(dense.Count(v => v != 0), w.NonZeroCount);
                Assert.True(w.Centroids.Length <= k);
                largest = Math.Max(largest, w.Centroids.Length);
                int n = 1 + step % 5;
                bool useBias = step % 2 == 0, relu = step % 3 != 0;
                var x = SparsityPatterns.RandomVector(n * cols, seed + 7);
                float[]? bias = useBias ? SparsityPatterns.RandomVector(rows, seed + 9) : null;
                string what = $"k={k} {kind} [{rows}x{cols}] n={n}";
                AssertMultiply(w, dense, rows, cols, x, n, bias, relu, what);

                int p = 1 + step % 7, ld = p + 2;
                var b = SparsityPatterns.RandomVector(cols * ld, seed + 11);
                var (ce, cm) = Columns(dense, rows, cols, b, ld, p, bias, relu);
                var c = new float[rows * ld];
                w.MultiplyColumns(b, ld, p, c, ld, bias, relu);
                AssertClose(what + $" columns p={p}", ce, cm, Unstride(c, rows, p, ld));
                var cs = new float[rows * ld];
                w.MultiplyColumnsScalar(b, ld, p, cs, ld, bias, relu);
                AssertClose(what + $" columns scalar p={p}", ce, cm, Unstride(cs, rows, p, ld));
            }
        Assert.Equal(k, largest); // some matrix used the whole codebook: the lookup for k centroids ran
    }

    [Theory]
    [InlineData(3)]
    [InlineData(31)]
    [InlineData(63)]
    [InlineData(200)]
    public void A_non_finite_input_reaches_only_rows_that_store_its_column(int k)
    {
        const int rows = 40, cols = 70;
        var dense = Quantize(SparsityPatterns.RandomMatrix(rows, cols, SparsityPattern.Element, 0.9, 3), k);
        var w = CodebookWeight.FromQuantized(dense, rows, cols);
        var x = SparsityPatterns.RandomVector(cols, 4);
        x[33] = float.NaN;
        var y = new float[rows];
        w.Multiply(x, 1, y, default, false);
        for (int r = 0; r < rows; r++)
            Assert.Equal(dense[r * cols + 33] != 0, float.IsNaN(y[r]));
    }

    [Fact]
    public void Bad_structure_and_codebooks_are_rejected()
    {
        float[] c = [0.5f, -0.5f];
        Assert.Throws<ArgumentException>(() => new CodebookWeight(2, 3, [0, 1], [0], [1], c));        // pointers too short
        Assert.Throws<ArgumentException>(() => new CodebookWeight(2, 3, [0, 2, 1], [0, 1], [1, 1], c)); // decreasing
        Assert.Throws<ArgumentException>(() => new CodebookWeight(1, 3, [0, 2], [1, 1], [1, 1], c));   // column not increasing
        Assert.Throws<ArgumentException>(() => new CodebookWeight(1, 3, [0, 1], [3], [1], c));         // column outside
        Assert.Throws<ArgumentException>(() => new CodebookWeight(1, 3, [0, 1], [0], [3], c));         // code above K
        Assert.Throws<ArgumentException>(() => new CodebookWeight(1, 3, [0, 1], [0], [0], c));         // code 0
        Assert.Throws<ArgumentException>(() => new CodebookWeight(1, 3, [0, 1], [0], [1, 1], c));      // codes ≠ columns
        Assert.Throws<ArgumentException>(() => new CodebookWeight(1, 3, [0, 0], [], [], new float[256]));
        var many = Enumerable.Range(1, 256).Select(i => (float)i).ToArray();
        Assert.Throws<ArgumentException>(() => CodebookWeight.FromQuantized(many, 1, 256));
        Assert.Throws<ArgumentException>(() => SparseWeight.Create(SparseFormat.Codebook, new float[4], 2, 2));
        var w = new CodebookWeight(2, 3, [0, 1, 3], [2, 0, 1], [2, 1, 2], c);
        Assert.Equal([0, 0, -0.5f, 0.5f, -0.5f, 0], w.ToDense());
        Assert.Equal([0.5f, -0.5f], w.Centroids.ToArray());
        int halves = w.Words == SlotWords.CodeLow ? 2 * 128 : 0; // the 16-bit halves only for the CodeLow register lookup
        Assert.Equal(System.Runtime.Intrinsics.X86.Avx512F.IsSupported ? SlotWords.OffsetLow : SlotWords.CodeLow, w.Words);
        if (CodebookWeight.RowKernels) // AVX2 without AVX-512: the rows instead of the slots — (column, code) per entry, row pointers, table
            Assert.Equal((3L, 3 * 3 + 4 * 3 + 4 * 64L), (w.StoredValues, w.StorageBytes));
        else
            Assert.Equal(2L * w.StoredValues + 1 + 4 * 64 + halves, w.StorageBytes); // slots, steps, table, halves
    }
}
