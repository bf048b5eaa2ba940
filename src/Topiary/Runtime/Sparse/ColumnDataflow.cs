// ColumnDataflow: a weight's column form for the batch-1 dataflow that walks only the non-zero inputs (LinearStep, EIE's
// dataflow): y = act(A·x + b) adds, for every non-zero x[j] in ascending j, x[j] times each stored entry of column j to
// its row, so the work is proportional to nnz(A) × the input's density. CscColumns is the column form of a float CSR
// weight, CodeColumns that of a codebook weight. The non-zero inputs are listed first (NonZeroInputs), so the walk has no data-dependent
// branch per input. Unlike the row kernels, an input NaN/∞ reaches only the rows that store its column.
using System.Buffers;
using System.Numerics.Tensors;

namespace Topiary.Runtime.Sparse;

/// <summary>y = act(A·x + bias) for one example, walking the columns of the non-zero inputs.</summary>
internal abstract class ColumnDataflow(int rows, int cols)
{
    /// <summary>Rows of A (outputs).</summary>
    public int Rows { get; } = rows;

    /// <summary>Columns of A (inputs).</summary>
    public int Cols { get; } = cols;

    /// <summary>Bytes the column form holds (beside the weight's own storage).</summary>
    public abstract long Bytes { get; }

    /// <summary>
    /// y = act(A·x + bias) for one example: x [Cols], y [Rows] (overwritten); bias empty = none;
    /// <paramref name="nonZero"/> the indices of x's non-zero elements, ascending (NonZeroInputs.Find).
    /// </summary>
    /// <exception cref="ArgumentException">A span is shorter than the shape needs.</exception>
    public void Multiply(ReadOnlySpan<float> x, ReadOnlySpan<int> nonZero, Span<float> y, ReadOnlySpan<float> bias, bool relu)
    {
        if (x.Length < Cols || y.Length < Rows || !bias.IsEmpty && bias.Length < Rows)
            throw new ArgumentException($"{GetType().Name} [{Rows}, {Cols}]: x has {x.Length}, y {y.Length}, bias {bias.Length} elements.");
        y = y[..Rows];
        y.Clear();
        Walk(x, nonZero, y);
        if (!bias.IsEmpty) TensorPrimitives.Add(y, bias[..Rows], y);
        if (relu) TensorPrimitives.Max(y, 0f, y);
    }

    /// <summary>As the overload taking the non-zero inputs, listing them first.</summary>
    /// <exception cref="ArgumentException">A span is shorter than the shape needs.</exception>
    public void Multiply(ReadOnlySpan<float> x, Span<float> y, ReadOnlySpan<float> bias, bool relu)
    {
        if (x.Length < Cols) throw new ArgumentException($"{GetType().Name} [{Rows}, {Cols}]: x has {x.Length} elements.", nameof(x));
        int[] indices = ArrayPool<int>.Shared.Rent(Cols + NonZeroInputs.Slack);
        try
        {
            int count = NonZeroInputs.Find(x[..Cols], indices);
            Multiply(x, indices.AsSpan(0, count), y, bias, relu);
        }
        finally
        {
            ArrayPool<int>.Shared.Return(indices);
        }
    }

    /// <summary>y (cleared, [Rows]) += Σ over the columns j in <paramref name="nonZero"/> of x[j]·A[:, j].</summary>
    private protected abstract void Walk(ReadOnlySpan<float> x, ReadOnlySpan<int> nonZero, Span<float> y);
}
