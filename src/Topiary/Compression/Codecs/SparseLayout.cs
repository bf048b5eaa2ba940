// SparseLayout: the walk orders of Deep Compression's sparse formats over a 2-D weight matrix.
// Contract: weights are stored row-major as [rows, cols] (Linear [out, in]; Conv2d [out, in, kh, kw] is
// the matrix [out, in·kh·kw], which is the same memory). A walk visits every element once:
//   RowMajor (CSR):    walk index = row · cols + col   (the storage order itself)
//   ColumnMajor (CSC): walk index = col · rows + row
// Walk indices are ints, so rows · cols must not exceed int.MaxValue. Deterministic, no hidden state.
namespace Topiary.Compression.Codecs;

/// <summary>Order in which the non-zeros of a [rows, cols] matrix are listed.</summary>
public enum SparseOrder
{
    /// <summary>Row after row (CSR): walk index <c>row · cols + col</c>.</summary>
    RowMajor,

    /// <summary>Column after column (CSC): walk index <c>col · rows + row</c>.</summary>
    ColumnMajor,
}

/// <summary>Conversions between row-major storage indices and CSR/CSC walk indices of a [rows, cols] matrix.</summary>
public static class SparseLayout
{
    /// <summary>
    /// The matrix view of a weight tensor: <c>rows = shape[0]</c>, <c>cols = shape[1] · … · shape[^1]</c>
    /// (Conv2d [out, in, kh, kw] → [out, in·kh·kw]; a 1-D tensor [n] → [n, 1]).
    /// </summary>
    /// <exception cref="ArgumentException">The shape is empty, has a negative dimension, or has more than
    /// <see cref="int.MaxValue"/> elements.</exception>
    public static (int Rows, int Cols) MatrixShape(ReadOnlySpan<int> shape)
    {
        if (shape.IsEmpty)
            throw new ArgumentException("A weight shape needs at least one dimension.", nameof(shape));
        long cols = 1;
        for (int d = 0; d < shape.Length; d++)
        {
            if (shape[d] < 0)
                throw new ArgumentException($"shape[{d}] = {shape[d]} is negative.", nameof(shape));
            if (d > 0)
                cols *= shape[d];
            if (cols > int.MaxValue || (long)shape[0] * cols > int.MaxValue)
                throw new ArgumentException($"Shape [{string.Join(", ", shape.ToArray())}] has more than {int.MaxValue} elements.", nameof(shape));
        }
        return (shape[0], (int)cols);
    }

    /// <summary>Walk index of element (<paramref name="row"/>, <paramref name="col"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The shape is invalid or the element is outside it.</exception>
    public static int ToWalkIndex(int row, int col, int rows, int cols, SparseOrder order)
    {
        CheckShape(rows, cols);
        if ((uint)row >= (uint)rows)
            throw new ArgumentOutOfRangeException(nameof(row), row, $"Must be 0..{rows - 1}.");
        if ((uint)col >= (uint)cols)
            throw new ArgumentOutOfRangeException(nameof(col), col, $"Must be 0..{cols - 1}.");
        return order == SparseOrder.RowMajor ? row * cols + col : col * rows + row;
    }

    /// <summary>Element (row, col) at walk index <paramref name="walkIndex"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The shape is invalid or the index is outside 0..rows·cols−1.</exception>
    public static (int Row, int Col) FromWalkIndex(int walkIndex, int rows, int cols, SparseOrder order)
    {
        CheckShape(rows, cols);
        if ((uint)walkIndex >= (uint)(rows * cols))
            throw new ArgumentOutOfRangeException(nameof(walkIndex), walkIndex, $"Must be 0..{rows * cols - 1}.");
        return order == SparseOrder.RowMajor
            ? (walkIndex / cols, walkIndex % cols)
            : (walkIndex % rows, walkIndex / rows);
    }

    /// <summary>Row-major storage index of the element at walk index <paramref name="walkIndex"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The shape is invalid or the index is outside it.</exception>
    public static int WalkToStorage(int walkIndex, int rows, int cols, SparseOrder order)
    {
        (int row, int col) = FromWalkIndex(walkIndex, rows, cols, order);
        return row * cols + col;
    }

    /// <summary>Walk index of the element at row-major storage index <paramref name="storageIndex"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The shape is invalid or the index is outside it.</exception>
    public static int StorageToWalk(int storageIndex, int rows, int cols, SparseOrder order)
    {
        (int row, int col) = FromWalkIndex(storageIndex, rows, cols, SparseOrder.RowMajor);
        return ToWalkIndex(row, col, rows, cols, order);
    }

    /// <summary>
    /// Walk indices (ascending) of the non-zero elements of the row-major matrix <paramref name="weights"/>
    /// [<paramref name="rows"/>, <paramref name="cols"/>]. A value is non-zero when <c>value != 0</c>
    /// (so −0 counts as zero and NaN as non-zero).
    /// </summary>
    /// <exception cref="ArgumentException"><c>weights.Length != rows · cols</c>, or the shape is invalid.</exception>
    public static int[] NonZeroWalkIndices(ReadOnlySpan<float> weights, int rows, int cols, SparseOrder order)
    {
        CheckShape(rows, cols);
        if (weights.Length != rows * cols)
            throw new ArgumentException($"Expected {rows}·{cols} = {rows * cols} weights, got {weights.Length}.", nameof(weights));
        int count = 0;
        foreach (float w in weights)
        {
            if (w != 0)
                count++;
        }
        var result = new int[count];
        int k = 0;
        if (order == SparseOrder.RowMajor)
        {
            for (int i = 0; i < weights.Length; i++)
            {
                if (weights[i] != 0)
                    result[k++] = i;
            }
        }
        else
        {
            for (int c = 0; c < cols; c++)
            {
                for (int r = 0; r < rows; r++)
                {
                    if (weights[r * cols + c] != 0)
                        result[k++] = c * rows + r;
                }
            }
        }
        return result;
    }

    private static void CheckShape(int rows, int cols)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(cols);
        if ((long)rows * cols > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(cols), $"[{rows}, {cols}] has more than {int.MaxValue} elements.");
    }
}
