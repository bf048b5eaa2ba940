// CodeRowsTests: the codes a plan builds a CodebookWeight from, permuted as InferencePlan permutes float sell layers —
// rows (the weight's rows in that order), columns (inputs that arrive permuted), bad orders rejected; SellRowOrder
// finds the same order from the CSR structure as from the dense matrix; and the codes kernel's chunk layout
// (CodebookKernels.Place) puts every slot's code and offset in a word of its own block, each word used once.
using Topiary.Runtime.Sparse;

namespace Topiary.Tests.Runtime.Sparse;

public class CodeRowsTests
{
    private static (float[] Dense, CodeRows Codes) Random(int rows, int cols, ulong seed)
    {
        var dense = SparsityPatterns.RandomMatrix(rows, cols, SparsityPattern.Element, 0.7, seed);
        float[] centroids = [-0.75f, -0.25f, 0.5f, 1.5f];
        var pointers = new int[rows + 1];
        var columns = new List<int>();
        var codes = new List<byte>();
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < cols; c++)
            {
                if (dense[r * cols + c] == 0) continue;
                byte code = (byte)(1 + (r * 7 + c * 3) % centroids.Length);
                dense[r * cols + c] = centroids[code - 1];
                columns.Add(c);
                codes.Add(code);
            }
            pointers[r + 1] = columns.Count;
        }
        return (dense, new CodeRows(rows, cols, pointers, [.. columns], [.. codes], centroids));
    }

    private static int[] Shuffled(int n, int seed)
    {
        var order = Enumerable.Range(0, n).ToArray();
        new Random(seed).Shuffle(order);
        return order;
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(17, 5)]
    [InlineData(40, 70)]
    public void Permuting_rows_and_columns_moves_entries_not_values(int rows, int cols)
    {
        var (dense, codes) = Random(rows, cols, (ulong)(rows + cols));
        Assert.Equal(dense, codes.ToWeight().ToDense());

        var rowOrder = Shuffled(rows, 1);
        var byRows = codes.PermuteRows(rowOrder).ToWeight().ToDense();
        for (int i = 0; i < rows; i++)
            Assert.Equal(dense.AsSpan(rowOrder[i] * cols, cols).ToArray(), byRows.AsSpan(i * cols, cols).ToArray());

        var colOrder = Shuffled(cols, 2);
        var byColumns = codes.PermuteColumns(colOrder).ToWeight().ToDense();
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < cols; j++)
                Assert.Equal(dense[r * cols + colOrder[j]], byColumns[r * cols + j]);
    }

    [Fact]
    public void Orders_that_are_not_permutations_are_rejected()
    {
        var (_, codes) = Random(4, 3, 9);
        Assert.Throws<ArgumentException>(() => codes.PermuteRows([0, 1, 2]));       // too short
        Assert.Throws<ArgumentException>(() => codes.PermuteRows([0, 1, 2, 2]));    // repeated
        Assert.Throws<ArgumentException>(() => codes.PermuteRows([0, 1, 2, 4]));    // outside
        Assert.Throws<ArgumentException>(() => codes.PermuteColumns([2, 1, -1]));   // negative
        Assert.Throws<ArgumentException>(() => codes.PermuteColumns([0, 1, 2, 3])); // too long
    }

    [Fact]
    public void Row_order_from_the_structure_equals_the_order_from_the_dense_matrix()
    {
        foreach (var (rows, cols, seed) in new[] { (40, 70, 3UL), (300, 200, 4UL), (33, 16, 5UL) })
        {
            var dense = SparsityPatterns.RandomMatrix(rows, cols, SparsityPattern.Element, 0.9, seed);
            var csr = CsrArrays<int>.FromDense(dense, rows, cols);
            var order = SellRowOrder.Find(csr.Pointers, csr.Columns, rows, cols);
            Assert.Equal(SellRowOrder.Find(dense, rows, cols), order);
            Assert.Equal(Enumerable.Range(0, rows), order.Order());
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Chunk_layout_places_every_code_and_offset_in_its_own_word_of_the_block(bool offsetLow)
    {
        var layout = offsetLow ? SlotWords.OffsetLow : SlotWords.CodeLow;
        const int block = 96;
        for (int steps = 0; steps <= 9; steps++)
        {
            var codeWords = new List<int>();
            var offsetWords = new List<int>();
            for (int k = 0; k < steps; k++)
                for (int l = 0; l < 16; l++)
                {
                    var (code, offset) = CodebookKernels.Place(layout, block, k, steps, l);
                    codeWords.Add(code);
                    offsetWords.Add(offset);
                    if (k < steps - steps % 2) Assert.Equal(block + 32 * (k / 2), code - (code - block) % 32); // inside its pair's chunk
                }
            var expected = Enumerable.Range(block, 16 * steps);
            Assert.Equal(expected, codeWords.Order());
            Assert.Equal(expected, offsetWords.Order());
        }
    }
}
